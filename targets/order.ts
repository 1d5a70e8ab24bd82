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

/**
 * `g.upstream(n)`: every step `n` reads from, in dependency order. A target asks it for every
 * model step of a large pipeline, and g.upstream orders each set anew; here the order is the
 * graph's own (the set is closed upstream). A set whose order has an input after its reader
 * (a cycle) is left to g.upstream.
 */
export function upstreamOf(n: ValidNode, g: IrGraph): readonly ValidNode[] {
  const rank = ranksOf(g);
  const found: ValidNode[] = [n];
  const seen = new Set<string>([n.id]);
  for (let i = 0; i < found.length; i++) {
    const m = found[i]!;
    for (const input of g.inputs(m)) {
      const from = input.from;
      if (!(rank.get(from.id)! < rank.get(m.id)!)) return g.upstream(n);
      if (seen.has(from.id)) continue;
      seen.add(from.id);
      found.push(from);
    }
  }
  return found.sort((a, b) => rank.get(a.id)! - rank.get(b.id)!);
}
