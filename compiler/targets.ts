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
import { TARGET_INFO, type TargetInfo } from "./target-names";

export type { Compilation, Emit, GeneratedFile } from "./target-api";
export { TargetError } from "./target-api";

export interface TargetDef extends TargetInfo {
  /** Absent until the target is built. */
  emit?: Emit;
}

const EMITTERS: Record<string, Emit> = { aws: emitAws, spark: emitSpark, flink: emitFlink, slurm: emitSlurm, cassandra: emitCassandra, local: emitLocal };

export const TARGETS: readonly TargetDef[] = TARGET_INFO.map((t) => (EMITTERS[t.name] ? { ...t, emit: EMITTERS[t.name] } : t));

export function target(name: string): TargetDef | undefined {
  return TARGETS.find((t) => t.name === name);
}

/** The concrete targets a name stands for. */
export function expand(name: string): TargetDef[] {
  const t = target(name);
  if (!t) return [];
  return t.members ? t.members.map((m) => target(m)!) : [t];
}
