// Auto-layout with elkjs's layered algorithm, run in elk's own web worker so a
// 1,000-step graph never blocks the page. The result is written to the layout block
// as one undoable edit.
import ELK from "elkjs/lib/elk-api.js";
import elkWorkerUrl from "elkjs/lib/elk-worker.min.js?url";
import { moveNodes } from "../model/edits";
import type { XY } from "../model/positions";
import { app, toast } from "./app";
import { freshAnalysis } from "./analysis";
import { canvas } from "./canvasBridge";
import { applyEdit } from "./graphEdits";

let elk: InstanceType<typeof ELK> | undefined;

const OPTIONS = {
  "elk.algorithm": "layered",
  "elk.direction": "RIGHT",
  "elk.layered.spacing.nodeNodeBetweenLayers": "70",
  "elk.spacing.nodeNode": "36",
  "elk.layered.nodePlacement.strategy": "BRANDES_KOEPF",
  "elk.layered.crossingMinimization.strategy": "LAYER_SWEEP",
  "elk.separateConnectedComponents": "true",
  "elk.spacing.componentComponent": "60",
};

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
  const graph = {
    id: "root",
    layoutOptions: OPTIONS,
    children: a.ir.nodes.map((n) => ({ id: n.id, width: sizes.get(n.id)?.width ?? 240, height: sizes.get(n.id)?.height ?? 100 })),
    edges: a.ir.edges.filter((e) => ids.has(e.from.node) && ids.has(e.to.node)).map((e, i) => ({ id: `e${i}`, sources: [e.from.node], targets: [e.to.node] })),
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
