// targets/order.ts orders a set of steps by the graph's own dependency order when the set is
// closed upstream: it must give IrGraph.order's result for every set, closed or not.
import { describe, expect, it } from "vitest";
import type { IrDocument, ValidNode } from "../../compiler/ir";
import { lower } from "../../compiler/lower";
import { graphOf, isBatchData } from "../../compiler/query";
import { checkProgram } from "../../language/checker/program";
import { orderOf } from "../../targets/order";
import { generatePipeline } from "../bench/generate";
import { cases, compileIr } from "./helpers";

const ids = (ns: readonly { id: string }[]) => ns.map((m) => m.id);

/** Sets of several shapes: closed upstream (a step and all it reads), the batch data steps, every other step. */
function compareAll(ir: IrDocument): number {
  const g = graphOf(ir);
  let compared = 0;
  const check = (subset: ValidNode[]) => {
    expect(ids(orderOf(g, subset))).toEqual(ids(g.order(subset)));
    compared++;
  };
  check(g.nodes.filter(isBatchData));
  check(g.nodes.filter((_, i) => i % 2 === 0));
  check([...g.nodes].reverse());
  for (const n of g.nodes.slice(0, 200)) check([...g.upstream(n)].reverse());
  return compared;
}

describe("orderOf", () => {
  it("orders every set as IrGraph.order does, on the cases", () => {
    let compared = 0;
    for (const c of cases()) {
      const { ir, errors } = compileIr(c.path);
      if (!errors.length) compared += compareAll(ir);
    }
    expect(compared).toBeGreaterThan(100);
  });

  it("does so on the bench pipeline, and with a cycle", () => {
    const ir = lower(checkProgram("/tmp/bench.mlp", { read: () => undefined }, generatePipeline(300)));
    expect(compareAll(ir)).toBeGreaterThan(100);
    const g0 = graphOf(ir);
    const train = g0.nodes.find((n) => n.kind === "train")!;
    const feeder = g0.input(train, "data")!.from;
    const looped = { ...ir, edges: [...ir.edges, { ...ir.edges[0]!, from: { node: train.id, port: "out" }, to: { node: feeder.id, port: "data" } }] };
    expect(compareAll(looped)).toBeGreaterThan(100);
  });
});
