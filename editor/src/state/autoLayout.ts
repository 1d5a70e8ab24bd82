// Auto-layout with elkjs's layered algorithm, run in elk's own web worker so a
// 1,000-step graph never blocks the page. The result is written to the layout block
// as one undoable edit. The graph elk gets, groups as compound nodes, is model/layoutGraph.ts.
import ELK from "elkjs/lib/elk-api.js";
import elkWorkerUrl from "elkjs/lib/elk-worker.min.js?url";
import type { ElkNode as ElkGraph } from "elkjs/lib/elk-api.js";
import { moveNodes } from "../model/edits";
import { stepGroups } from "../model/groups";
import { laidOut, layoutGraph, type ElkNode } from "../model/layoutGraph";
import { app, directionOf, toast } from "./app";
import { freshAnalysis } from "./analysis";
import { canvas } from "./canvasBridge";
import { applyEdit } from "./graphEdits";

let elk: InstanceType<typeof ELK> | undefined;

export async function autoLayout(): Promise<void> {
  if (app.get().layoutBusy) return;
  const a = await freshAnalysis();
  if (a.syntaxErrors.length) {
    toast("fix the syntax error in the text before laying out the graph", "error");
    return;
  }
  elk ??= new ELK({ workerFactory: () => new Worker(elkWorkerUrl) });
  const sizes = canvas()?.sizes() ?? new Map();
  const graph = layoutGraph(a.ir, stepGroups(a.ir), sizes, directionOf(app.get()), canvas()?.aspect() ?? 1.6);
  app.set({ layoutBusy: true });
  const t0 = performance.now();
  try {
    const pos = laidOut((await elk.layout(graph as ElkGraph)) as ElkNode);
    // Steps another file pulls in without an import have no layout entry: the canvas keeps their place.
    canvas()?.place(pos);
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
