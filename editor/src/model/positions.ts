// Node positions: what the `layout` block says, and a quick layered placement for
// steps it does not mention. The placement is only shown, never written; the
// Auto-layout command (elkjs) writes a full layout block on request.
import type { IrExpr } from "../../../compiler/ir";

export interface XY {
  x: number;
  y: number;
}

/** What placing nodes reads of a graph: the IR, or the parse-only preview (preview.ts). */
export interface PlacedGraph {
  nodes: readonly { id: string; name: string; origin?: { import?: string } | undefined }[];
  edges: readonly { from: { node: string }; to: { node: string } }[];
  layout?: { entries: readonly { name: string; value: IrExpr }[] } | null;
}

export const COLUMN = 320;
/** Room for a node with two-row ports and a two-line time line (an as-of join is about 140px tall). */
export const ROW = 150;
/** A node's box (240px wide, up to about 140px tall) and a little air: what a placed step must keep clear of. */
const NODE_ROOM = { width: 260, height: ROW };
/** Top-down: a layer is a row this tall (a node and room for the edges' turns), a node this wide. */
export const LAYER_DOWN = 230;
export const SLOT_DOWN = 290;

/** Which way the graph reads: inputs on the left and outputs on the right, or inputs on top. */
export type Direction = "right" | "down";

/**
 * Layer (depth) and slot (place within the layer) to a position and back: the quick
 * placement works in layers and slots, the direction decides which is x.
 */
function axes(direction: Direction) {
  return direction === "down"
    ? { toXY: (layer: number, slot: number): XY => ({ x: slot * SLOT_DOWN, y: layer * LAYER_DOWN }), layer: (p: XY) => Math.round(p.y / LAYER_DOWN), slot: (p: XY) => p.x / SLOT_DOWN }
    : { toXY: (layer: number, slot: number): XY => ({ x: layer * COLUMN, y: slot * ROW }), layer: (p: XY) => Math.round(p.x / COLUMN), slot: (p: XY) => p.y / ROW };
}

function num(e: IrExpr | undefined): number | undefined {
  if (!e) return undefined;
  if (e.kind === "number") return e.value;
  if (e.kind === "unary" && e.op === "-" && e.operand.kind === "number") return -e.operand.value;
  return undefined;
}

/** Positions written in the layout block, by step name. */
export function layoutPositions(ir: PlacedGraph): Map<string, XY> {
  const out = new Map<string, XY>();
  for (const e of ir.layout?.entries ?? []) {
    if (e.value.kind !== "object") continue;
    const x = num(e.value.entries.find((en) => en.key === "x")?.value);
    const y = num(e.value.entries.find((en) => en.key === "y")?.value);
    if (x !== undefined && y !== undefined) out.set(e.name, { x, y });
  }
  return out;
}

/** The layout key of a node: its name when the file can name it, else none (a dependency pulled in by an import). */
export function layoutKey(n: { name: string; origin?: { import?: string } | undefined }): string | undefined {
  return !n.origin || n.origin.import ? n.name : undefined;
}

/** Depth of each node in the graph (longest path from a node without inputs); cycles are cut. */
export function ranks(ir: PlacedGraph): Map<string, number> {
  const inputs = new Map<string, string[]>();
  for (const e of ir.edges) {
    const l = inputs.get(e.to.node) ?? [];
    l.push(e.from.node);
    inputs.set(e.to.node, l);
  }
  const rank = new Map<string, number>();
  const visiting = new Set<string>();
  // Iterative DFS: a 10,000-step chain must not overflow the stack.
  for (const n of ir.nodes) {
    if (rank.has(n.id)) continue;
    const stack: { id: string; i: number }[] = [{ id: n.id, i: 0 }];
    visiting.add(n.id);
    while (stack.length) {
      const top = stack[stack.length - 1]!;
      const ins = inputs.get(top.id) ?? [];
      if (top.i < ins.length) {
        const up = ins[top.i++]!;
        if (!rank.has(up) && !visiting.has(up)) {
          visiting.add(up);
          stack.push({ id: up, i: 0 });
        }
        continue;
      }
      let r = 0;
      for (const up of ins) r = Math.max(r, (rank.get(up) ?? -1) + 1);
      rank.set(top.id, r);
      visiting.delete(top.id);
      stack.pop();
    }
  }
  return rank;
}

/**
 * Every node's position: the layout block's where it has one, otherwise a layered
 * placement (layer = depth: a column left to right, a row top-down) that skips slots
 * already taken in that layer or covered by the box of a step placed off the grid nearby.
 */
export function positionsOf(ir: PlacedGraph, extra: ReadonlyMap<string, XY> = new Map(), direction: Direction = "right"): Map<string, XY> {
  const written = layoutPositions(ir);
  const ax = axes(direction);
  const out = new Map<string, XY>();
  const taken = new Map<number, Set<number>>();
  const occupy = (p: XY) => {
    const col = ax.layer(p);
    let rows = taken.get(col);
    if (!rows) taken.set(col, (rows = new Set()));
    rows.add(Math.round(ax.slot(p)));
  };
  // Given positions need not sit on the grid: a slot beside one can still be under its box.
  const given = new Map<number, XY[]>();
  const missing: string[] = [];
  for (const n of ir.nodes) {
    const key = layoutKey(n);
    const p = (key !== undefined ? written.get(key) : undefined) ?? extra.get(n.id);
    if (p) {
      out.set(n.id, p);
      occupy(p);
      const layer = ax.layer(p);
      given.set(layer, [...(given.get(layer) ?? []), p]);
    } else missing.push(n.id);
  }
  if (missing.length === 0) return out;
  const rank = ranks(ir);
  const inputs = new Map<string, string[]>();
  for (const e of ir.edges) inputs.set(e.to.node, [...(inputs.get(e.to.node) ?? []), e.from.node]);
  // Layer by layer, each step goes near the steps feeding it (mean slot of its inputs),
  // which keeps most edges from crossing without a real layout pass.
  const byCol = new Map<number, string[]>();
  for (const id of missing) {
    const c = rank.get(id) ?? 0;
    byCol.set(c, [...(byCol.get(c) ?? []), id]);
  }
  for (const col of [...byCol.keys()].sort((a, b) => a - b)) {
    const want = (id: string) => {
      const ys = (inputs.get(id) ?? []).flatMap((u) => {
        const q = out.get(u);
        return q ? [ax.slot(q)] : [];
      });
      return ys.length ? ys.reduce((a, b) => a + b, 0) / ys.length : Infinity;
    };
    const ids = byCol.get(col)!.map((id, i) => ({ id, i, w: want(id) })).sort((a, b) => a.w - b.w || a.i - b.i);
    const rows = taken.get(col) ?? new Set<number>();
    // A layer is narrower than a column apart, so only given boxes in this layer and its neighbours can overlap.
    const near = [...(given.get(col - 1) ?? []), ...(given.get(col) ?? []), ...(given.get(col + 1) ?? [])];
    const covered = (p: XY) => near.some((q) => Math.abs(q.x - p.x) < NODE_ROOM.width && Math.abs(q.y - p.y) < NODE_ROOM.height);
    let next = 0;
    for (const { id, w } of ids) {
      let row = Math.max(next, Number.isFinite(w) ? Math.round(w) : next);
      while (rows.has(row) || covered(ax.toXY(col, row))) row++;
      next = row + 1;
      const p = ax.toXY(col, row);
      out.set(id, p);
      occupy(p);
    }
  }
  return out;
}

/** The first place at or below `p` where a new node would not sit on top of another. */
export function freeSpot(taken: Iterable<XY>, p: XY, size = { width: 220, height: 100 }): XY {
  const list = [...taken];
  const at = { ...p };
  for (let i = 0; i < 500; i++) {
    if (!list.some((q) => Math.abs(q.x - at.x) < size.width && Math.abs(q.y - at.y) < size.height)) return at;
    at.y += ROW;
  }
  return at;
}
