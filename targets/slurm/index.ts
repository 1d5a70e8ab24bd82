// The slurm target: one .sbatch script per job, submit.sh to submit a run in dependency
// order, schedule.scrontab for cron schedules, and the Python the jobs run (mlp_runtime.py,
// mlp_serving.py, the shared model runtime mlp_data.py, mlp_metrics.py, mlp_model.py, and one
// small script per tune, gate, registration, deployment and notebook).
// Pure: the same IR gives byte-identical files. README.md beside this file describes the
// training contract and the run-time layout.
import { TargetError } from "../../compiler/target-api";
import type { IrDocument } from "../../compiler/ir";
import { pipelineNameOf } from "../../compiler/query";
import type { Compilation, GeneratedFile } from "../../compiler/target-api";
import { latestModelPath as modelPathIn, SERVING_FILE, SERVING_PY } from "../python/serving";
import { jobFiles } from "./jobs";
import { latestFile } from "./latest";
import { Plan, settingsOf, slugsOf } from "./plan";
import { settingsProblems } from "./prelude";
import { pyHeader } from "./render";
import { scheduleFile } from "./schedule";
import { submitScript } from "./submit";
import RUNTIME_PY from "./mlp_runtime.py?raw";
import DATA_PY from "../python/mlp_data.py?raw";
import METRICS_PY from "../python/mlp_metrics.py?raw";
import MODEL_PY from "../python/mlp_model.py?raw";
import { checkProjectPaths } from "../paths";

export function emitSlurm(c: Compilation): GeneratedFile[] {
  checkProjectPaths(c.ir);
  const plan = new Plan(c.ir);
  const problems = settingsProblems(plan.settings);
  // Refused when compiling, not left to scripts that would stop when run. The scripts keep
  // their own guard (refusal in prelude.ts) for callers that write jobs without emitSlurm.
  if (problems.length) throw new TargetError(`${problems.join("; ")}; fix the target onprem block`);
  const out: GeneratedFile[] = plan.jobs.flatMap((job) => jobFiles(plan, job, problems));
  if (plan.latest) out.push(latestFile(plan, plan.latest, problems));
  out.push({ path: "submit.sh", contents: submitScript(plan, problems) });
  out.push({ path: "schedule.scrontab", contents: scheduleFile(plan) });
  out.push({ path: "mlp_runtime.py", contents: pyHeader(plan, "the shared runtime of all steps") + RUNTIME_PY });
  out.push({ path: SERVING_FILE, contents: pyHeader(plan, "the shared serving module (loads and scores models)") + SERVING_PY });
  // The model runtime every target shares (targets/python/): what entry scripts import to read
  // their data (mlp_data), the metrics (mlp_metrics), training signatures, evaluation, tuning's
  // validation split and CSV scoring (mlp_model).
  out.push({ path: "mlp_data.py", contents: pyHeader(plan, "the shared data helper entry scripts import (import mlp_data)") + DATA_PY });
  out.push({ path: "mlp_metrics.py", contents: pyHeader(plan, "the shared metrics gates and tuning compute") + METRICS_PY });
  out.push({ path: "mlp_model.py", contents: pyHeader(plan, "the shared model runtime (signature, evaluate, validation split, scoring)") + MODEL_PY });
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/**
 * Where the newest good model of a model step is at run time, with the default
 * MLP_MODEL_DIR (`model_dir`). It is updated when the step succeeds (a gate: when it
 * passes). For targets that read models outside a Slurm run, e.g. the flink target's
 * stream deployments.
 */
export function latestModelPath(ir: IrDocument, stepId: string): string | undefined {
  const step = slugsOf(ir).get(stepId);
  return step === undefined ? undefined : modelPathIn(settingsOf(ir).modelDir, pipelineNameOf(ir), step);
}
