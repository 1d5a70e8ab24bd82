// Auto-layout with elkjs's layered algorithm, run in elk's own web worker so a
// 1,000-step graph never blocks the page. The result is written to the layout block
// as one undoable edit.
import ELK from "elkjs/lib/elk-api.js";
import elkWorkerUrl from "elkjs/lib/elk-worker.min.js?url";
import { moveNodes } from "../model/edits";
import type { Direction, XY } from "../model/positions";
import { app, directionOf, toast } from "./app";
import { freshAnalysis } from "./analysis";
import { canvas } from "./canvasBridge";
import { applyEdit } from "./graphEdits";

let elk: InstanceType<typeof ELK> | undefined;

// Layered, in the direction the nodes are drawn: left to right (inputs on the left, outputs
// on the right) or top-down (inputs on top, outputs below). Left to right, a long pipeline is
// wrapped into rows that fill the canvas's shape, instead of one row only a far zoom fits;
// top-down it is not wrapped, since a wrapped chunk's edges would climb back up, and layers
// of parallel steps already make it wide. Ports keep their order so edges enter the port
// they belong to.
const OPTIONS = {
  "elk.algorithm": "layered",
  "elk.layered.spacing.nodeNodeBetweenLayers": "90",
  "elk.spacing.nodeNode": "40",
  "elk.spacing.edgeNode": "24",
  "elk.layered.spacing.edgeNodeBetweenLayers": "24",
  "elk.layered.nodePlacement.strategy": "BRANDES_KOEPF",
  "elk.layered.crossingMinimization.strategy": "LAYER_SWEEP",
  "elk.layered.considerModelOrder.strategy": "NODES_AND_EDGES",
  "elk.edgeRouting": "ORTHOGONAL",
  "elk.separateConnectedComponents": "true",
  "elk.spacing.componentComponent": "60",
};

const BY_DIRECTION: Record<Direction, Record<string, string>> = {
  right: { "elk.direction": "RIGHT", "elk.layered.wrapping.strategy": "MULTI_EDGE", "elk.layered.wrapping.additionalEdgeSpacing": "40" },
  down: { "elk.direction": "DOWN", "elk.layered.spacing.nodeNodeBetweenLayers": "70", "elk.spacing.nodeNode": "50" },
};

/**
 * Where a node's ports sit, as elk's fixed order wants them: it numbers the ports of a side
 * clockwise, so the west and south sides count from the far end.
 */
function portSides(direction: Direction, inputs: number, outputs: number) {
  return direction === "down"
    ? { input: (i: number) => ({ "elk.port.side": "NORTH", "elk.port.index": String(i) }), output: (i: number) => ({ "elk.port.side": "SOUTH", "elk.port.index": String(outputs - 1 - i) }) }
    : { input: (i: number) => ({ "elk.port.side": "WEST", "elk.port.index": String(inputs - 1 - i) }), output: (i: number) => ({ "elk.port.side": "EAST", "elk.port.index": String(i) }) };
}

/** Port ids as elk sees them: unique in the whole graph. */
const inPort = (node: string, port: string) => `${node}\u0000in\u0000${port}`;
const outPort = (node: string, port: string) => `${node}\u0000out\u0000${port}`;

export async function autoLayout(): Promise<void> {
  if (app.get().layoutBusy) return;
  const a = await freshAnalysis();
  if (a.syntaxErrors.length) {
    toast("fix the syntax error in the text before laying out the graph", "error");
    return;
  }
  elk ??= new ELK({ workerFactory: () => new Worker(elkWorkerUrl) });
  const sizes = canvas()?.sizes() ?? new Map();
  const ids = new Set(a.ir.nodes.map((n) => n.id));
  const edges = a.ir.edges.filter((e) => ids.has(e.from.node) && ids.has(e.to.node));
  const direction = directionOf(app.get());
  // Every port an edge uses, in the node's own port order (inputs top to bottom on the left,
  // or left to right on top).
  const ports = new Map<string, { id: string; layoutOptions: Record<string, string> }[]>();
  for (const n of a.ir.nodes) {
    const side = portSides(direction, n.ports.inputs.length, n.ports.outputs.length);
    const list = [
      ...n.ports.inputs.map((p, i) => ({ id: inPort(n.id, p.port), layoutOptions: side.input(i) })),
      ...n.ports.outputs.map((p, i) => ({ id: outPort(n.id, p.port), layoutOptions: side.output(i) })),
    ];
    ports.set(n.id, list);
  }
  const known = new Set([...ports.values()].flat().map((p) => p.id));
  const graph = {
    id: "root",
    layoutOptions: { ...OPTIONS, ...BY_DIRECTION[direction], "elk.aspectRatio": String(canvas()?.aspect() ?? 1.6) },
    children: a.ir.nodes.map((n) => ({
      id: n.id,
      width: sizes.get(n.id)?.width ?? 240,
      height: sizes.get(n.id)?.height ?? 100,
      ports: ports.get(n.id),
      layoutOptions: { "elk.portConstraints": "FIXED_ORDER" },
    })),
    edges: edges.map((e, i) => {
      const from = outPort(e.from.node, e.from.port);
      const to = inPort(e.to.node, e.to.port);
      // An edge whose port is not on the node (an error the checker reports) joins the node itself.
      return { id: `e${i}`, sources: [known.has(from) ? from : e.from.node], targets: [known.has(to) ? to : e.to.node] };
    }),
  };
  app.set({ layoutBusy: true });
  const t0 = performance.now();
  try {
    const out = await elk.layout(graph);
    const pos = new Map<string, XY>();
    for (const c of out.children ?? []) pos.set(c.id, { x: Math.round(c.x ?? 0), y: Math.round(c.y ?? 0) });
    if (await applyEdit((ir) => ({ ok: true, ir: moveNodes(ir, pos) }))) {
      app.set({ fitPending: true });
      toast(`laid out ${pos.size} steps in ${Math.round(performance.now() - t0)} ms`, "ok");
    }
  } catch (e) {
    toast(`auto-layout failed: ${e instanceof Error ? e.message : String(e)}`, "error");
  } finally {
    app.set({ layoutBusy: false });
  }
}
