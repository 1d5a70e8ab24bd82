// The colour of each step kind in the canvas drawings (the zoomed-out view and the minimap):
// the same as styles.css's `.kind-*` rules give the DOM nodes and the palette.
export const KIND_COLOURS: Readonly<Record<string, string>> = {
  source: "#0f766e",
  cleanse: "#2563eb",
  aggregate: "#2563eb",
  join: "#2563eb",
  features: "#7c3aed",
  split: "#475569",
  train: "#9333ea",
  tune: "#9333ea",
  evaluate: "#c2410c",
  register: "#15803d",
  deploy: "#15803d",
  notebook: "#a16207",
};

/** A step with errors (and, zoomed out, an edge with a problem), in either drawing. */
export const ERROR_COLOUR = "#d1242f";
