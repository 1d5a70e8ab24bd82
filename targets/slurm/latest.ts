// latest.sbatch: the last job of a successful run. It points `<warehouse>/latest` at the run's
// tables (`runs/<run id>/`), which scheduled scorings read, so a failed run never leaves a mix
// of new and old tables behind `latest`.
import type { GeneratedFile } from "../../compiler/target-api";
import type { LatestJob, Plan } from "./plan";
import { prelude } from "./prelude";
import { jobDirectives } from "./resources";
import { shHeader } from "./render";
import { quoted } from "./quote";

export function latestFile(plan: Plan, job: LatestJob, problems: readonly string[]): GeneratedFile {
  const lines = [
    shHeader(plan, `pipeline ${quoted(plan.pipeline)} (the run's tables as latest)`).trimEnd(),
    "# Points <warehouse>/latest at this run's tables once every job of the run succeeded.",
    // One small process, like the data jobs: on their partition when there is one.
    ...jobDirectives(plan, job.key, "%j", true),
    "#SBATCH --ntasks=1",
    "",
    ...prelude(plan, problems),
    '"$MLP_PYTHON" "$MLP_SLURM_DIR/mlp_runtime.py" publish-tables',
  ];
  return { path: job.script, contents: lines.join("\n") + "\n" };
}
