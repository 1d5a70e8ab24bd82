// Dependency order of a set of steps, from the graph's own order (computed once per graph)
// instead of a sort per set: targets ask for it per step or per file of a large pipeline.
//
// For a set that holds every step its steps read (closed upstream) and no cycle, IrGraph's
// order of the set is the graph's order restricted to it: Kahn's algorithm takes the ready
// step of least position either way, and a step outside such a set never holds one inside back.
import type { ValidNode } from "../compiler/ir";
import type { IrGraph } from "../compiler/query";

/** Each step's place in the graph's dependency order. */
const ranks = new WeakMap<IrGraph, Map<string, number>>();
export function ranksOf(g: IrGraph): Map<string, number> {
  let r = ranks.get(g);
  if (!r) ranks.set(g, (r = new Map(g.inOrder.map((m, i) => [m.id, i]))));
  return r;
}

/** `g.order(subset)`: by the graph's order when the set is closed upstream and has no cycle, else by g.order. */
export function orderOf(g: IrGraph, subset: readonly ValidNode[]): ValidNode[] {
  const rank = ranksOf(g);
  const inSet = new Set<string>();
  for (const n of subset) inSet.add(n.id);
  if (inSet.size !== subset.length) return g.order([...subset]);
  for (const n of subset)
    for (const i of g.inputs(n)) if (!inSet.has(i.from.id) || !(rank.get(i.from.id)! < rank.get(n.id)!)) return g.order([...subset]);
  return [...subset].sort((a, b) => rank.get(a.id)! - rank.get(b.id)!);
}
