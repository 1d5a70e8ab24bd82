// The targets by name, without their emitters: what `mlp --help` and the CLI's messages list.
// The CLI loads compiler/targets.ts (every emitter, most of the bundle) only to compile, so
// `mlp check` starts without parsing the targets' code.
export interface TargetInfo {
  name: string;
  description: string;
  /** A group that compiles several targets (`onprem`, `all`). */
  members?: readonly string[];
}

export const TARGET_INFO: readonly TargetInfo[] = [
  { name: "aws", description: "a Pulumi TypeScript program for AWS (Glue, Managed Flink, SageMaker, Step Functions)" },
  { name: "spark", description: "Spark SQL batch jobs" },
  { name: "flink", description: "Flink SQL streaming jobs" },
  { name: "slurm", description: "Slurm batch scripts for training, tuning, gates and deployment" },
  { name: "cassandra", description: "CQL for the online feature store" },
  { name: "local", description: "what `mlp run` executes: the data steps' DuckDB SQL and the plan of every step" },
  { name: "onprem", description: "spark, flink, slurm and cassandra together", members: ["spark", "flink", "slurm", "cassandra"] },
  { name: "all", description: "every target", members: ["aws", "spark", "flink", "slurm", "cassandra"] },
];
