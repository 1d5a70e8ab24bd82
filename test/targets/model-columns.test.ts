// modelColumns (targets/python/serving.ts) orders the steps behind a training by the graph's
// dependency order instead of ordering each set anew: its keys must come out as g.upstream's
// order gives them, for every training of the samples, the conformance files and the bench
// pipeline (whose trainings share sources across blocks).
import { describe, expect, it } from "vitest";
import type { IrColumn, NodeOf } from "../../compiler/ir";
import { lower } from "../../compiler/lower";
import { columnsOf, graphOf, type IrGraph } from "../../compiler/query";
import { checkProgram } from "../../language/checker/program";
import { modelColumns } from "../../targets/python/serving";
import { upstreamOf } from "../../targets/order";
import { generatePipeline } from "../bench/generate";
import { cases, compileIr } from "./helpers";

/** The keys as g.upstream orders the steps behind the training. */
function reference(train: NodeOf<"train">, data: readonly IrColumn[], g: IrGraph): { features: string[]; keys: string[] } {
  const label = train.config.label;
  const keys: string[] = [];
  const upstream = g.upstream(train);
  for (const m of upstream) if (m.kind === "features") for (const k of m.key) if (!keys.includes(k)) keys.push(k);
  for (const m of upstream) if (m.kind === "split" && m.config.by !== undefined && !keys.includes(m.config.by)) keys.push(m.config.by);
  const present = keys.filter((k) => data.some((c) => c.name === k) && k !== label);
  return { features: data.map((c) => c.name).filter((c) => c !== label && !present.includes(c)), keys: present };
}

function compare(g: IrGraph): { trainings: number; withKeys: number } {
  let trainings = 0;
  let withKeys = 0;
  for (const n of g.nodes) {
    if (n.kind !== "train") continue;
    const data = columnsOf(g.input(n, "data")?.artifact ?? { type: "Unknown" });
    const got = modelColumns(n, data, g);
    expect(got).toEqual(reference(n, data, g));
    trainings++;
    expect(upstreamOf(n, g).map((m) => m.id)).toEqual(g.upstream(n).map((m) => m.id));
    if (got.keys.length > 0) withKeys++;
  }
  return { trainings, withKeys };
}

describe("modelColumns", () => {
  it("gives every training of every case the keys in g.upstream's order", () => {
    let trainings = 0;
    for (const c of cases()) {
      const { ir, errors } = compileIr(c.path);
      if (!errors.length) trainings += compare(graphOf(ir)).trainings;
    }
    expect(trainings).toBeGreaterThan(5);
  });

  it("does so on the bench pipeline", () => {
    const ir = lower(checkProgram("/tmp/bench.mlp", { read: () => undefined }, generatePipeline(400)));
    const { trainings, withKeys } = compare(graphOf(ir));
    expect(trainings).toBeGreaterThan(10);
    expect(withKeys).toBeGreaterThan(10);
    for (const n of graphOf(ir).nodes) expect(upstreamOf(n, graphOf(ir)).map((m) => m.id)).toEqual(graphOf(ir).upstream(n).map((m) => m.id));
  });

  it("orders a set with a cycle as g.upstream does", () => {
    const ir = lower(checkProgram("/tmp/bench.mlp", { read: () => undefined }, generatePipeline(100)));
    const g0 = graphOf(ir);
    const train = g0.nodes.find((n) => n.kind === "train")!;
    const feeder = g0.input(train, "data")!.from;
    // The training feeds its own data step back: a loop the checker would refuse.
    const looped = { ...ir, edges: [...ir.edges, { ...ir.edges[0]!, from: { node: train.id, port: "out" }, to: { node: feeder.id, port: "data" } }] };
    const g = graphOf(looped);
    const ids = (ns: readonly { id: string }[]) => ns.map((m) => m.id);
    let compared = 0;
    for (const n of g.nodes) {
      expect(ids(upstreamOf(n, g))).toEqual(ids(g.upstream(n)));
      compared++;
    }
    expect(ids(upstreamOf(train, g))).toContain(feeder.id);
    expect(compared).toBeGreaterThan(50);
  });
});
