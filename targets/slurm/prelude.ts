// What every job script and submit.sh do first: refuse to run with settings that cannot be
// written safely, and compute the run-time locations the same way in every job.
import type { Plan, Settings } from "./plan";
import { dirSh } from "./render";
import { quoted, sh, SLURM_NAME } from "./quote";

/** Settings that would go on #SBATCH lines but are no plain Slurm name. */
export function settingsProblems(s: Settings): string[] {
  const problems: string[] = [];
  const rule = "(letters, digits and _ . , : + @ -, not starting with one of . , : + @ -)";
  if (s.partition !== undefined && !SLURM_NAME.test(s.partition)) problems.push(`slurm_partition ${quoted(s.partition)} is not a valid Slurm partition name ${rule}`);
  if (s.dataPartition !== undefined && !SLURM_NAME.test(s.dataPartition)) problems.push(`data_partition ${quoted(s.dataPartition)} is not a valid Slurm partition name ${rule}`);
  if (s.account !== undefined && !SLURM_NAME.test(s.account)) problems.push(`slurm_account ${quoted(s.account)} is not a valid Slurm account name ${rule}`);
  return problems;
}

/** Settings that cannot be written safely make every script stop before doing anything. */
export function refusal(problems: readonly string[]): string[] {
  if (problems.length === 0) return [];
  return [...problems.map((problem) => `echo ${sh(`mlp: ${problem}; fix the target onprem block and compile again`)} >&2`), "exit 2"];
}

/** The --partition and --account options, when they are safe to write (`prefix`: #SBATCH or #SCRON). */
export function placement(s: Settings, prefix: string): string[] {
  const out: string[] = [];
  if (s.partition !== undefined && SLURM_NAME.test(s.partition)) out.push(`${prefix} --partition=${s.partition}`);
  if (s.account !== undefined && SLURM_NAME.test(s.account)) out.push(`${prefix} --account=${s.account}`);
  return out;
}

/** Locations every job computes the same way; submit.sh exports them for a run. */
export function prelude(plan: Plan, problems: readonly string[]): string[] {
  return [
    "set -euo pipefail",
    ...refusal(problems),
    `MLP_PIPELINE=${sh(plan.pipeline)}`,
    'MLP_SLURM_DIR="${MLP_SLURM_DIR:-${SLURM_SUBMIT_DIR:-$PWD}}"',
    'MLP_PROJECT_DIR="${MLP_PROJECT_DIR:-${SLURM_SUBMIT_DIR:-$PWD}}"',
    `mlp_model_dir=${dirSh(plan.settings.modelDir)}`,
    `mlp_data_dir=${dirSh(plan.settings.dataDir)}`,
    'MLP_MODEL_DIR="${MLP_MODEL_DIR:-$mlp_model_dir}"',
    'MLP_DATA_DIR="${MLP_DATA_DIR:-$mlp_data_dir}"',
    'MLP_RUN_ID="${MLP_RUN_ID:-manual}"',
    ...runIdCheck("MLP_RUN_ID"),
    // The tables a job reads: its own run's (the Spark jobs write them there), or with
    // MLP_DATA_RUN=latest (a scheduled scoring) or =<run id>, that run's.
    'MLP_DATA_RUN="${MLP_DATA_RUN:-$MLP_RUN_ID}"',
    'if [ "$MLP_DATA_RUN" = latest ]; then',
    '  MLP_TABLES_DIR="$MLP_DATA_DIR/latest"',
    "else",
    ...runIdCheck("MLP_DATA_RUN").map((l) => `  ${l}`),
    '  MLP_TABLES_DIR="$MLP_DATA_DIR/runs/$MLP_DATA_RUN"',
    "fi",
    'MLP_RUN_DIR="$MLP_MODEL_DIR/$MLP_PIPELINE/runs/$MLP_RUN_ID"',
    'MLP_LATEST_DIR="$MLP_MODEL_DIR/$MLP_PIPELINE/latest"',
    'MLP_PYTHON="${MLP_PYTHON:-python3}"',
    "export MLP_PIPELINE MLP_SLURM_DIR MLP_PROJECT_DIR MLP_MODEL_DIR MLP_DATA_DIR MLP_RUN_ID MLP_DATA_RUN MLP_TABLES_DIR MLP_RUN_DIR MLP_LATEST_DIR MLP_PYTHON",
    'if [ ! -f "$MLP_SLURM_DIR/mlp_runtime.py" ]; then',
    '  echo "mlp: $MLP_SLURM_DIR is not the generated slurm folder; submit from it or set MLP_SLURM_DIR" >&2',
    "  exit 2",
    "fi",
    'mkdir -p "$MLP_RUN_DIR"',
    "",
  ];
}

/**
 * A run id names folders (`runs/<id>/`) and is substituted into the Spark SQL's paths by
 * spark-sql itself, so it is refused unless it is a plain name: no quote can end the SQL
 * literal, no `/` or `..` leave the run folder.
 */
export function runIdCheck(variable: string): string[] {
  return [`case "$${variable}" in "" | . | .. | *[!A-Za-z0-9._-]*) echo "mlp: ${variable} must be a plain name (letters, digits and . _ -)" >&2; exit 2 ;; esac`];
}
