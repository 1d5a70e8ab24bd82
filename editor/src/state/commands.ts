// The editor's commands, shared by the toolbar, the palette, keyboard shortcuts and
// the canvas: each turns a user intent into a graph edit or a text operation.
import { addStep, copySteps, deleteSteps, disconnect, findEdge, pasteSteps, type Clip, type PortRef } from "../model/edits";
import { COLUMN, freeSpot, type XY } from "../model/positions";
import { app, toast } from "./app";
import { freshAnalysis } from "./analysis";
import { canvas } from "./canvasBridge";
import { redoActive, undoActive } from "./documents";
import { applyEdit, liveIr } from "./graphEdits";

/** Adds a step of `kind` at `at` (graph coordinates), or mid-screen, fed by the selected step when it fits. */
export function addStepOf(kind: string, at?: XY): Promise<boolean> {
  const sel = app.get().selection;
  const ir = liveIr();
  let from: PortRef | undefined;
  if (!at && sel.length === 1 && ir) {
    const src = ir.nodes.find((n) => n.id === sel[0]);
    const port = src?.ports.outputs[0]?.port;
    if (src && port) from = { node: src.id, port };
  }
  let pos = at;
  if (!pos) {
    const positions = canvas()?.positions() ?? new Map<string, XY>();
    const srcPos = from && positions.get(from.node);
    pos = freeSpot(positions.values(), srcPos ? { x: srcPos.x + COLUMN, y: srcPos.y } : (canvas()?.center() ?? { x: 0, y: 0 }));
  }
  const p = pos;
  return applyEdit((ir) => addStep(ir, kind, p, from));
}

export function deleteSelection(): Promise<boolean> {
  const sel = app.get().selection;
  if (!sel.length) return Promise.resolve(false);
  return applyEdit((ir) => deleteSteps(ir, sel));
}

/** Deletes steps and, among the edges, those not already gone with a step. */
export function deleteElements(nodeIds: string[], edges: { from: PortRef; to: PortRef }[]): Promise<boolean> {
  return applyEdit((ir) => {
    let cur = ir;
    if (nodeIds.length) {
      const r = deleteSteps(cur, nodeIds);
      if (!r.ok) return r;
      cur = r.ir;
    }
    const found = edges.map((e) => findEdge(cur, e.from, e.to)).filter((e) => !!e);
    if (found.length) {
      const r = disconnect(cur, found);
      if (!r.ok) return r;
      cur = r.ir;
    }
    return { ok: true, ir: cur };
  });
}

let clip: Clip | undefined;
let pastes = 0;

export async function copySelection(): Promise<boolean> {
  const sel = app.get().selection;
  const c = copySteps((await freshAnalysis()).ir, sel, canvas()?.positions() ?? new Map());
  if (!c) {
    if (sel.length) toast("steps from imported files cannot be copied here", "error");
    return false;
  }
  clip = c;
  pastes = 0;
  toast(`copied ${c.nodes.length} step${c.nodes.length > 1 ? "s" : ""}`, "ok");
  return true;
}

export function paste(): Promise<boolean> {
  if (!clip) return Promise.resolve(false);
  const c = clip;
  pastes++;
  return applyEdit((ir) => pasteSteps(ir, c, { x: 40 * pastes, y: 60 * pastes }));
}

export function undo(): void {
  if (!undoActive()) toast("nothing to undo", "info");
}

export function redo(): void {
  if (!redoActive()) toast("nothing to redo", "info");
}
