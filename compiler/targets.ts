// The target registry: what `mlp compile --target NAME` can produce. Each target is a
// pure function from a compilation (the IR, and its variants' IRs) to files; the folders
// under targets/ implement them against compiler/target-api.ts.
import { emitAws } from "../targets/aws/index";
import { emitCassandra } from "../targets/cassandra/index";
import { emitFlink } from "../targets/flink/index";
import { emitLocal } from "../targets/local/index";
import { emitSlurm } from "../targets/slurm/index";
import { emitSpark } from "../targets/spark/index";
import type { Emit } from "./target-api";

export type { Compilation, Emit, GeneratedFile } from "./target-api";
export { TargetError } from "./target-api";

export interface TargetDef {
  name: string;
  description: string;
  /** Absent until the target is built. */
  emit?: Emit;
  /** A group that compiles several targets (`onprem`, `all`). */
  members?: readonly string[];
}

export const TARGETS: readonly TargetDef[] = [
  { name: "aws", description: "a Pulumi TypeScript program for AWS (Glue, Managed Flink, SageMaker, Step Functions)", emit: emitAws },
  { name: "spark", description: "Spark SQL batch jobs", emit: emitSpark },
  { name: "flink", description: "Flink SQL streaming jobs", emit: emitFlink },
  { name: "slurm", description: "Slurm batch scripts for training, tuning, gates and deployment", emit: emitSlurm },
  { name: "cassandra", description: "CQL for the online feature store", emit: emitCassandra },
  { name: "local", description: "what `mlp run` executes: the data steps' DuckDB SQL and the plan of every step", emit: emitLocal },
  { name: "onprem", description: "spark, flink, slurm and cassandra together", members: ["spark", "flink", "slurm", "cassandra"] },
  { name: "all", description: "every target", members: ["aws", "spark", "flink", "slurm", "cassandra"] },
];

export function target(name: string): TargetDef | undefined {
  return TARGETS.find((t) => t.name === name);
}

/** The concrete targets a name stands for. */
export function expand(name: string): TargetDef[] {
  const t = target(name);
  if (!t) return [];
  return t.members ? t.members.map((m) => target(m)!) : [t];
}
