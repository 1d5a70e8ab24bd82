// submit.sh: submits one run of the pipeline, every job in dependency order with afterok
// dependencies, and cancels what it submitted when an sbatch call fails.
import type { Plan } from "./plan";
import { refusal, runIdCheck } from "./prelude";
import { shHeader } from "./render";
import { quoted, sh } from "./quote";

export function submitScript(plan: Plan, problems: readonly string[]): string {
  const dag = plan.jobs.filter((j) => j.inDag);
  const varOf = new Map(dag.map((j, i) => [j.key, `job_${i + 1}`]));
  const lines = [
    shHeader(plan, `pipeline ${quoted(plan.pipeline)} (all steps)`).trimEnd(),
    `#`,
    `# Submits one run of the pipeline: every job in dependency order with`,
    `# sbatch --parsable --dependency=afterok:..., printing "JOB-NAME JOB-ID" per job.`,
    `# The run's tables go to <warehouse>/runs/<run id>/; the last job (latest.sbatch)`,
    `# points <warehouse>/latest at them once the whole run succeeded.`,
    `# A failed job (a gate that does not pass) cancels everything behind it. A tuning`,
    `# array's selection waits with afterany (a trial may fail) and fails itself when too`,
    `# few trials succeeded.`,
    `#   ./submit.sh                 submit a run (MLP_RUN_ID names it; default: UTC time and PID)`,
    `#   ./submit.sh --no-streaming  the same without the streaming jobs (Flink jobs and stream`,
    `#                               deployments run continuously: scheduled runs do not restart them)`,
    `#   ./submit.sh --schedule      print schedule.scrontab with this folder filled in`,
    `# MLP_PROJECT_DIR (default: the current directory) is where entry scripts and`,
    `# notebooks are found; MLP_MODEL_DIR, MLP_DATA_DIR, MLP_PYTHON and the stand-ins`,
    `# (MLP_SPARK_SQL, MLP_FLINK_SQL, MLP_TORCHRUN, MLP_PAPERMILL) pass through to the jobs.`,
    "set -euo pipefail",
    'MLP_PROJECT_DIR="${MLP_PROJECT_DIR:-$PWD}"',
    'MLP_SLURM_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"',
    "mlp_streaming=1",
    'if [ $# -gt 1 ]; then set -- --usage; fi',
    'case "${1:-}" in',
    "  --schedule)",
    "    shopt -u patsub_replacement 2>/dev/null || true",
    "    mlp_quote() { printf \"'%s'\" \"${1//\\'/\\'\\\\\\'\\'}\"; }",
    '    mlp_dir="$(mlp_quote "$MLP_SLURM_DIR")"',
    '    mlp_project="$(mlp_quote "$MLP_PROJECT_DIR")"',
    '    while IFS= read -r mlp_line || [ -n "$mlp_line" ]; do',
    '      mlp_line="${mlp_line//@MLP_SLURM_DIR@/"$mlp_dir"}"',
    '      printf \'%s\\n\' "${mlp_line//@MLP_PROJECT_DIR@/"$mlp_project"}"',
    '    done <"$MLP_SLURM_DIR/schedule.scrontab"',
    "    exit 0",
    "    ;;",
    "  --no-streaming) mlp_streaming=0 ;;",
    "  '') ;;",
    '  *) echo "usage: submit.sh [--no-streaming | --schedule]" >&2; exit 2 ;;',
    "esac",
    ...refusal(problems),
    'MLP_RUN_ID="${MLP_RUN_ID:-$(date -u +%Y%m%dT%H%M%SZ)-$$}"',
    ...runIdCheck("MLP_RUN_ID"),
    'MLP_RUN_SUBMITTED="$(date -u +%Y-%m-%dT%H:%M:%SZ)"',
    // A run reads the tables it writes: an MLP_DATA_RUN left in the caller's environment
    // (sbatch passes it on) would point its training at another run's.
    "unset MLP_DATA_RUN",
    "export MLP_PROJECT_DIR MLP_SLURM_DIR MLP_RUN_ID MLP_RUN_SUBMITTED",
    'cd "$MLP_SLURM_DIR"',
    "mkdir -p logs",
    "mlp_submitted=()",
    "mlp_id=",
    "# mlp_submit [--any] SCRIPT [ID...]: submits SCRIPT to run after the jobs ID... succeed (empty IDs",
    "# are skipped); with --any, after they end whatever their state (a tuning array whose trials may fail).",
    "mlp_submit() {",
    '  local after=afterok',
    '  if [ "$1" = --any ]; then after=afterany; shift; fi',
    '  local script="$1" deps="" id out',
    "  shift",
    '  for id in "$@"; do if [ -n "$id" ]; then deps="${deps:+$deps:}$id"; fi; done',
    "  local args=(--parsable --export=ALL --kill-on-invalid-dep=yes)",
    '  if [ -n "$deps" ]; then args+=("--dependency=$after:$deps"); fi',
    '  if ! out="$("${MLP_SBATCH:-sbatch}" "${args[@]}" "$script")"; then',
    '    echo "mlp: submitting $script failed" >&2',
    '    if [ ${#mlp_submitted[@]} -gt 0 ]; then "${MLP_SCANCEL:-scancel}" "${mlp_submitted[@]}" || true; fi',
    "    exit 1",
    "  fi",
    '  mlp_id="${out%%;*}"',
    '  mlp_submitted+=("$mlp_id")',
    '  printf \'%s %s\\n\' "${script%.sbatch}" "$mlp_id"',
    "}",
    `echo "mlp: submitting run $MLP_RUN_ID of pipeline "${sh(plan.pipeline)} >&2`,
  ];
  for (const j of dag) {
    const v = varOf.get(j.key)!;
    const call = `mlp_submit ${j.after === "afterany" ? "--any " : ""}${sh(j.script)}${j.deps.map((d) => ` "$${varOf.get(d)}"`).join("")}`;
    if (j.role === "flink" || j.role === "stream-deploy") lines.push(`${v}=`, `if [ "$mlp_streaming" = 1 ]; then`, `  ${call}`, `  ${v}="$mlp_id"`, "fi");
    else lines.push(call, `${v}="$mlp_id"`);
  }
  if (plan.latest) {
    lines.push(`# The run's tables become latest when every job of the run that ends has succeeded.`);
    lines.push(`mlp_submit ${plan.latest.script}${plan.latest.deps.map((d) => ` "$${varOf.get(d)}"`).join("")}`);
  }
  for (const j of plan.jobs.filter((x) => !x.inDag)) lines.push(`echo ${sh(`mlp: ${j.key} runs on its schedule (see schedule.scrontab)`)} >&2`);
  lines.push('echo "mlp: submitted ${#mlp_submitted[@]} jobs" >&2');
  return lines.join("\n") + "\n";
}
