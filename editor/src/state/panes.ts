// How the frame is shared out: the side panel (palette and inspector), the text pane and the
// bottom panel (problems, compile), each resizable; the side and text panes also collapse.
// A store of its own so dragging a splitter re-renders the frame only, never a panel's
// content subscribed to the app state. Saved with the workspace (persist.ts).
import { createStore } from "./store";

export interface Pane {
  /** Width (side, text) or height (bottom) in CSS pixels while open. */
  size: number;
  open: boolean;
}

export interface Panes {
  side: Pane;
  text: Pane;
  bottom: Pane;
}

export type PaneName = keyof Panes;

/** What the canvas keeps at the least, so no pane can squeeze it out. */
const CANVAS_MIN_WIDTH = 320;
const CANVAS_MIN_HEIGHT = 160;

export function defaultPanes(width = typeof window === "undefined" ? 1600 : window.innerWidth): Panes {
  return {
    side: { size: 280, open: true },
    text: { size: Math.round(Math.min(520, Math.max(340, width * 0.26))), open: true },
    bottom: { size: 260, open: false },
  };
}

export const panes = createStore<Panes>(defaultPanes());

/** The sizes a pane may take in a window of this size, the other panes as they are. */
export function paneLimits(name: PaneName, s: Panes, view = { width: window.innerWidth, height: window.innerHeight }): { min: number; max: number } {
  if (name === "bottom") return { min: 100, max: Math.max(100, view.height - 44 - CANVAS_MIN_HEIGHT) };
  const other = name === "side" ? s.text : s.side;
  const min = name === "side" ? 200 : 260;
  const room = view.width - (other.open ? other.size : 0) - CANVAS_MIN_WIDTH - 12;
  return { min, max: Math.max(min, Math.min(name === "side" ? 560 : 1200, room)) };
}

export function resizePane(name: PaneName, size: number): void {
  const s = panes.get();
  const { min, max } = paneLimits(name, s);
  const next = Math.round(Math.min(max, Math.max(min, size)));
  if (next === s[name].size && s[name].open) return;
  panes.set({ [name]: { size: next, open: true } });
}

export function togglePane(name: PaneName, open = !panes.get()[name].open): void {
  const s = panes.get();
  if (s[name].open !== open) panes.set({ [name]: { ...s[name], open } });
}

/** Accepts what an autosave held, field by field, so a damaged or older entry falls back to the defaults. */
export function restorePanes(saved: unknown): void {
  if (!saved || typeof saved !== "object") return;
  const base = defaultPanes();
  const next = { ...base };
  for (const name of ["side", "text", "bottom"] as const) {
    const p = (saved as Record<string, unknown>)[name] as Partial<Pane> | undefined;
    if (p && typeof p.size === "number" && Number.isFinite(p.size) && typeof p.open === "boolean") next[name] = { size: p.size, open: p.open };
  }
  panes.set(next);
}
