// Ordering bug (issue 11): every job of submit.sh waits for the jobs that produce the data it
// reads. The DAG that submit.sh submits is checked against the IR's data edges, for every
// conformance file, sample and variant.
import { describe, expect, it } from "vitest";
import type { IrNode } from "../../../compiler/ir";
import { IrGraph, isStreamData } from "../../../compiler/query";
import { variantNames } from "../../../compiler/variants";
import { emitSlurm } from "../../../targets/slurm/index";
import { Plan } from "../../../targets/slurm/plan";
import { checked, inputs, irOf } from "./helpers";
import { compilation } from "../../../compiler/compile";

/** submit.sh's DAG: each submitted script's key and the keys it waits for (afterok). */
export function submittedDag(submit: string): Map<string, string[]> {
  const keys: string[] = [];
  const dag = new Map<string, string[]>();
  for (const m of submit.matchAll(/^\s*mlp_submit (?:--any )?'([^']+)\.sbatch'((?: "\$job_\d+")*)$/gm)) {
    const deps = [...m[2]!.matchAll(/\$job_(\d+)/g)].map((d) => keys[Number(d[1]) - 1]!);
    keys.push(m[1]!);
    dag.set(m[1]!, deps);
  }
  return dag;
}

/** Problems: IR data edges that the submitted DAG does not order. */
export function dagProblems(ir: ReturnType<typeof irOf>, submit: string): string[] {
  const plan = new Plan(ir);
  const g = new IrGraph(ir);
  const dag = submittedDag(submit);
  const ancestors = (k: string, seen = new Set<string>()): Set<string> => {
    for (const d of dag.get(k) ?? []) if (!seen.has(d)) (seen.add(d), ancestors(d, seen));
    return seen;
  };
  const jobsOf = (n: IrNode) => plan.jobs.filter((j) => j.inDag && j.node.id === n.id).map((j) => j.key);
  // The job after whose success a step's output can be read.
  const finalOf = (n: IrNode) => {
    const ks = jobsOf(n);
    return ks.find((k) => k.endsWith(".select")) ?? ks[0];
  };
  // What a step's jobs are: a train run as the trials of its tunes is those tunes' jobs.
  const consumerJobs = (n: IrNode): string[] => {
    const own = jobsOf(n);
    if (own.length || n.kind !== "train") return own;
    return g.consumers(n).flatMap((c) => consumerJobs(c.node));
  };
  // The jobs a reader of `n` must wait for (a train run as trials: what it reads).
  const producers = (n: IrNode, seen = new Set<string>()): string[] | string => {
    if (isStreamData(n as never)) return []; // streams run continuously: nothing waits for them
    const f = finalOf(n);
    if (f) return [f];
    if (n.kind === "train" && !seen.has(n.id)) {
      seen.add(n.id);
      const out: string[] = [];
      for (const i of g.inputs(n)) {
        const p = producers(i.from, seen);
        if (typeof p === "string") return p;
        out.push(...p);
      }
      return out;
    }
    return `no job of the run produces ${n.id}`;
  };
  const problems: string[] = [];
  for (const n of g.nodes) {
    const readers = consumerJobs(n);
    if (readers.length === 0) continue;
    for (const i of g.inputs(n)) {
      const p = producers(i.from);
      if (typeof p === "string") {
        problems.push(`${n.id} reads ${i.from.id}: ${p}`);
        continue;
      }
      for (const r of readers) for (const q of p) if (q !== r && !ancestors(r).has(q)) problems.push(`${r} reads ${i.from.id} but does not wait for ${q}`);
    }
  }
  return problems;
}

describe("slurm target: the DAG of every sample follows its data edges (IR edges)", { timeout: 180_000 }, () => {
  for (const { name, path } of inputs()) {
    const program = checked(path);
    for (const variant of [undefined, ...variantNames(irOf(path))]) {
      it(`${name}${variant ? ` (variant ${variant})` : ""}: every job waits for the jobs that produce what it reads`, () => {
        const c = compilation(program, variant);
        const submit = emitSlurm(c).find((f) => f.path === "submit.sh")!.contents;
        expect(submittedDag(submit).size).toBeGreaterThan(0);
        expect(dagProblems(c.ir, submit)).toEqual([]);
      });
    }
  }

  it("machine_failure: risk_review runs after nightly_risk (whose scores it reads), not only after the gate", () => {
    const c = compilation(checked(inputs().find((x) => x.name === "sample-machine_failure")!.path));
    const dag = submittedDag(emitSlurm(c).find((f) => f.path === "submit.sh")!.contents);
    expect(dag.get("risk_review")).toContain("nightly_risk");
    expect(dag.get("nightly_risk")).toEqual(expect.arrayContaining(["failure_registry", "machine_features"]));
  });
});
