// `mlp graph --format svg`: the pipeline drawn as the editor draws it — a box per step with
// its kind, name and typed ports, coloured by what it does, arrows routed around the boxes
// with the artifact on each — laid out by elkjs's layered algorithm (the editor's own layout
// engine). Same pipeline, same bytes: elk is deterministic and every number is rounded.
import ELK from "elkjs/lib/elk.bundled.js";
import { writtenKind, type IrArtifact, type IrDocument, type IrNode } from "../ir";
import { artifactLabel, categoryOf } from "./picture";

const COLOR: Record<string, string> = { data: "#2563eb", features: "#7c3aed", model: "#c2410c", serve: "#15803d", report: "#a16207" };
const ART: Record<string, string> = { Table: "#2563eb", Stream: "#0891b2", Features: "#7c3aed", Model: "#c2410c", Endpoint: "#15803d", Report: "#a16207" };

const FONT = 'font-family="system-ui, -apple-system, Segoe UI, Roboto, Helvetica, Arial, sans-serif"';
/** Width of text at 12 px, near enough for boxes to hold it (no font metrics in node). */
const textWidth = (s: string, px = 12) => Math.ceil(s.length * px * 0.6);
/** The pill an edge's label is drawn in. */
const labelWidth = (label: string) => textWidth(label, 10) + 8;
const PORT_ROW = 16;
const HEAD = 40;

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const n1 = (x: number) => (Math.round(x * 10) / 10).toString();


interface ElkPort {
  id: string;
  x?: number;
  y?: number;
  width: number;
  height: number;
  layoutOptions: Record<string, string>;
}
interface ElkNode {
  id: string;
  x?: number;
  y?: number;
  width: number;
  height: number;
  ports: ElkPort[];
  layoutOptions: Record<string, string>;
}
interface ElkEdge {
  id: string;
  sources: string[];
  targets: string[];
  sections?: { startPoint: { x: number; y: number }; endPoint: { x: number; y: number }; bendPoints?: { x: number; y: number }[] }[];
}

/** A port's id: its step, side and name, and which port of that name it is (a notebook's `inputs` repeat). */
const portId = (node: string, side: "in" | "out", port: string, nth = 0) => `${node}\u0000${side}\u0000${port}\u0000${nth}`;

/** For each port of a list, which port of its name it is: 0, 0, 1 for `a`, `b`, `a`. */
function nthOfName(names: string[]): number[] {
  const seen = new Map<string, number>();
  return names.map((n) => {
    const k = seen.get(n) ?? 0;
    seen.set(n, k + 1);
    return k;
  });
}

function sizeOf(n: IrNode): { width: number; height: number; rows: number } {
  const ins = n.ports.inputs.length;
  const outs = n.ports.outputs.length;
  const rows = Math.max(ins, outs, 1);
  const labels = Math.max(0, ...n.ports.inputs.map((p) => textWidth(p.port, 10)), 0) + Math.max(0, ...n.ports.outputs.map((p) => textWidth(p.port, 10)), 0);
  const width = Math.max(150, textWidth(writtenKind(n), 10) + textWidth(n.id, 13) + 36, labels + 40);
  return { width, height: HEAD + rows * PORT_ROW + 6, rows };
}

interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}
const overlaps = (a: Box, b: Box) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

/**
 * Where an edge's label goes: on a run going right (runs going back left are where a wrapped
 * pipeline's edges return to the next row, side by side, and labels there would stack), the
 * longest run first, at its middle, else a quarter from either end: the first such spot that no
 * label placed before covers (two edges can run side by side), else the first spot.
 */
function labelSpot(pts: { x: number; y: number }[], w: number, placed: Box[]): Box | undefined {
  const runs: [{ x: number; y: number }, { x: number; y: number }][] = [];
  for (let k = 1; k < pts.length; k++) if (pts[k]!.x - pts[k - 1]!.x > w + 8) runs.push([pts[k - 1]!, pts[k]!]);
  runs.sort((r, q) => q[1].x - q[0].x - (r[1].x - r[0].x));
  const spots = runs.flatMap(([a, b]) =>
    [0.5, 0.25, 0.75]
      .map((f) => ({ x: a.x + (b.x - a.x) * f - w / 2, y: (a.y + b.y) / 2 - 8, w, h: 16 }))
      .filter((s) => s.x >= a.x + 4 && s.x + w <= b.x - 4),
  );
  return spots.find((s) => !placed.some((p) => overlaps(p, s))) ?? spots[0];
}

export async function svg(ir: IrDocument): Promise<string> {
  const elk = new ELK();
  const sizes = new Map(ir.nodes.map((n) => [n.id, sizeOf(n)]));
  /** The edges laid out, in the IR's order: elk's answer lists them the same way. */
  const drawn = ir.edges.filter((e) => sizes.has(e.from.node) && sizes.has(e.to.node));
  // An edge's label sits on a straight run between two layers: the gap between layers is made
  // wide enough for the longest one, or the labels of short edges (often a source's schema,
  // the most telling one) would not fit and be left out.
  const intoNth = nthOfName(drawn.map((e) => `${e.to.node}\u0000${e.to.port}`));
  const between = Math.max(80, ...drawn.map((e) => labelWidth(artifactLabel(e.artifact)) + 24));
  const graph = {
    id: "root",
    layoutOptions: {
      "elk.algorithm": "layered",
      "elk.direction": "RIGHT",
      "elk.layered.spacing.nodeNodeBetweenLayers": String(between),
      "elk.spacing.nodeNode": "36",
      "elk.spacing.edgeNode": "20",
      "elk.layered.spacing.edgeNodeBetweenLayers": "20",
      "elk.layered.considerModelOrder.strategy": "NODES_AND_EDGES",
      // A long pipeline wraps into rows, about as wide as a screen or a pull request is.
      "elk.layered.wrapping.strategy": "MULTI_EDGE",
      "elk.layered.wrapping.additionalEdgeSpacing": "30",
      "elk.aspectRatio": "1.8",
      "elk.edgeRouting": "ORTHOGONAL",
      "elk.separateConnectedComponents": "true",
      "elk.spacing.componentComponent": "48",
      "elk.padding": "[top=24,left=24,bottom=24,right=24]",
    },
    children: ir.nodes.map((n): ElkNode => {
      const s = sizes.get(n.id)!;
      const nth = { in: nthOfName(n.ports.inputs.map((p) => p.port)), out: nthOfName(n.ports.outputs.map((p) => p.port)) };
      const port = (side: "in" | "out", name: string, i: number): ElkPort => ({
        id: portId(n.id, side, name, nth[side][i]),
        width: 8,
        height: 8,
        layoutOptions: { "elk.port.side": side === "in" ? "WEST" : "EAST", "elk.port.index": String(side === "in" ? n.ports.inputs.length - 1 - i : i) },
        x: side === "in" ? -4 : s.width - 4,
        y: HEAD + i * PORT_ROW + 4,
      });
      return {
        id: n.id,
        width: s.width,
        height: s.height,
        layoutOptions: { "elk.portConstraints": "FIXED_POS" },
        ports: [...n.ports.inputs.map((p, i) => port("in", p.port, i)), ...n.ports.outputs.map((p, i) => port("out", p.port, i))],
      };
    }),
    // A step's edges come in the order of its inputs: the k-th edge into a port name goes to the k-th port of that name.
    edges: drawn.map((e, i): ElkEdge => ({ id: `e${i}`, sources: [portId(e.from.node, "out", e.from.port)], targets: [portId(e.to.node, "in", e.to.port, intoNth[i])] })),
  };
  const laid = (await elk.layout(graph as never)) as unknown as { width: number; height: number; children: ElkNode[]; edges: ElkEdge[] };
  const W = Math.ceil(laid.width);
  const H = Math.ceil(laid.height);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(`pipeline ${ir.pipeline?.name ?? ""}`)}">`,
    `<title>${esc(ir.pipeline?.name ?? "pipeline")}</title>`,
    `<rect width="${W}" height="${H}" fill="#f6f7f9"/>`,
    '<defs><marker id="arrow" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M0 0L8 4L0 8z" fill="#667085"/></marker></defs>',
  ];
  // Edges first, under the boxes, each with its label.
  const labels: Box[] = [];
  laid.edges.forEach((e, i) => {
    const sec = e.sections?.[0];
    const src = drawn[i]!;
    if (!sec) return;
    const pts = [sec.startPoint, ...(sec.bendPoints ?? []), sec.endPoint];
    const color = ART[src.artifact?.type ?? ""] ?? "#98a2b3";
    out.push(`<path class="edge" data-from="${esc(src.from.node)}" data-to="${esc(src.to.node)}" d="M${pts.map((p) => `${n1(p.x)} ${n1(p.y)}`).join("L")}" fill="none" stroke="${color}" stroke-width="1.5" marker-end="url(#arrow)"/>`);
    const label = artifactLabel(src.artifact);
    const spot = labelSpot(pts, labelWidth(label), labels);
    if (!spot) return;
    labels.push(spot);
    const mx = spot.x + spot.w / 2;
    const my = spot.y + 8;
    out.push(`<g class="edge-label"><rect x="${n1(spot.x)}" y="${n1(spot.y)}" width="${spot.w}" height="16" rx="8" fill="#ffffff" stroke="${color}" stroke-width="0.8"/><text x="${n1(mx)}" y="${n1(my + 3.5)}" ${FONT} font-size="10" text-anchor="middle" fill="#344054">${esc(label)}</text></g>`);
  });
  const byId = new Map(ir.nodes.map((n) => [n.id, n]));
  for (const c of laid.children) {
    const n = byId.get(c.id)!;
    const x = c.x ?? 0;
    const y = c.y ?? 0;
    const color = COLOR[categoryOf(n.kind) ?? ""] ?? "#98a2b3";
    const kind = writtenKind(n);
    out.push(`<g class="node" data-step="${esc(n.id)}" transform="translate(${n1(x)} ${n1(y)})">`);
    out.push(`<rect width="${c.width}" height="${c.height}" rx="8" fill="#ffffff" stroke="#cfd4db"/>`);
    out.push(`<rect width="4" height="${c.height}" rx="2" fill="${color}"/>`);
    out.push(`<text x="14" y="17" ${FONT} font-size="10" font-weight="700" fill="${color}" letter-spacing="0.5">${esc(kind.toUpperCase())}</text>`);
    out.push(`<text x="14" y="33" ${FONT} font-size="13" font-weight="600" fill="#1f2328">${esc(n.id)}</text>`);
    const ports = (list: { port: string; artifact?: IrArtifact }[], side: "in" | "out") =>
      list.forEach((p, i) => {
        const py = HEAD + i * PORT_ROW + 8;
        const px = side === "in" ? 0 : c.width;
        const pc = ART[p.artifact?.type ?? ""] ?? "#98a2b3";
        out.push(`<circle cx="${px}" cy="${py}" r="4" fill="#ffffff" stroke="${pc}" stroke-width="1.5"/>`);
        if (list.length > 1 || (side === "in" ? p.port !== "data" : p.port !== "out"))
          out.push(`<text x="${side === "in" ? 9 : c.width - 9}" y="${py + 3.5}" ${FONT} font-size="10" fill="#667085"${side === "out" ? ' text-anchor="end"' : ""}>${esc(p.port)}</text>`);
      });
    ports(n.ports.inputs, "in");
    ports(n.ports.outputs, "out");
    out.push("</g>");
  }
  out.push("</svg>");
  return out.join("\n") + "\n";
}
