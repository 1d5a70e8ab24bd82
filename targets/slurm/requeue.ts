// Jobs that go back to the queue instead of dying at their time limit (training, tuning
// trials, serving): their #SBATCH lines, and the bash that turns Slurm's warning signal into
// a requeue once the entry has had the signal too (to save a checkpoint).
import { durationMs } from "../../language/catalog/values";
import type { Settings } from "./plan";
import { slurmTime } from "./quote";

/** Slurm's --signal takes at most this many seconds (a 16-bit field). */
const MAX_SIGNAL_SECONDS = 65535;

/**
 * `--requeue`, `--open-mode=append` (a requeued job's log keeps what the first attempt wrote) and
 * `--signal=B:USR1@S` to the batch script, `preempt_signal` before the time limit; with a known
 * limit at most half of it, so a short job is not warned as it starts.
 */
export function requeueDirectives(s: Settings, timeout: string | undefined): string[] {
  let seconds = Math.ceil(durationMs(s.preemptSignal) / 1000);
  if (timeout !== undefined) seconds = Math.min(seconds, Math.floor(durationMs(timeout) / 2000));
  seconds = Math.max(1, Math.min(MAX_SIGNAL_SECONDS, seconds));
  return ["--requeue", "--open-mode=append", `--signal=B:USR1@${seconds}`];
}

/** A serving job's limit: its resources' timeout, else `serving_time`. */
export function servingTime(s: Settings, timeout: string | undefined): string {
  return `--time=${slurmTime(timeout ?? s.servingTime)}`;
}

/**
 * `mlp_launch COMMAND...` runs COMMAND in the background so the USR1 trap runs at once (bash
 * runs traps only between commands). On USR1 the command gets USR1 (srun passes it to every
 * task); when it has ended without finishing (a non-zero exit), the job is requeued: it starts
 * again with the same MLP_RUN_ID (sbatch kept the environment), in the same run and step
 * folders, and the entry resumes from MLP_CHECKPOINT_DIR. A command that finished anyway, or
 * was never signalled, gives its exit code.
 */
export function requeueLauncher(): string[] {
  return [
    "# Near the time limit Slurm sends USR1 (--signal): the entry gets it too, to save a checkpoint;",
    "# unless it finished anyway, the job goes back to the queue and resumes in the same run folder.",
    "mlp_signalled=0",
    "mlp_child=",
    `trap 'mlp_signalled=1; if [ -n "$mlp_child" ]; then kill -USR1 "$mlp_child" 2>/dev/null || true; fi' USR1`,
    "mlp_launch() {",
    '  "$@" &',
    "  mlp_child=$!",
    '  while kill -0 "$mlp_child" 2>/dev/null; do wait "$mlp_child" || true; done',
    "  local rc=0",
    '  wait "$mlp_child" || rc=$?',
    "  mlp_child=",
    '  if [ "$mlp_signalled" = 1 ] && [ "$rc" != 0 ]; then',
    '    echo "mlp: job $SLURM_JOB_ID is near its time limit: requeued (restart $((${SLURM_RESTART_COUNT:-0} + 1)))" >&2',
    '    scontrol requeue "$SLURM_JOB_ID"',
    "    exit 0",
    "  fi",
    '  return "$rc"',
    "}",
  ];
}
