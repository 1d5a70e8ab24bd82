// One .sbatch script per job: header, #SBATCH lines, the prelude, and the body of its role
// (plus the step's Python script when the role has one).
import type { GeneratedFile } from "../../compiler/target-api";
import { flinkBody, sparkBody } from "./data-jobs";
import { evaluateBody } from "./gates";
import { notebookBody } from "./notebook";
import type { Job, Plan } from "./plan";
import { prelude } from "./prelude";
import { registerBody } from "./registry";
import { shHeader, stepLabel, stepScript, type JobBody } from "./render";
import { quoted } from "./quote";
import { directives } from "./resources";
import { secretLines } from "./secrets";
import { batchBody, endpointBody, streamDeployBody } from "./serving";
import { trainBody, trainShape, tuneBody, tuneSelectBody } from "./training";

export function jobFiles(plan: Plan, job: Job, problems: readonly string[]): GeneratedFile[] {
  const n = job.node;
  const body = bodyOf(plan, job);
  const lines = [shHeader(plan, stepLabel(n), n).trimEnd(), `# ${describe(job)}`, ...directives(plan, job), "", preludeText(plan, problems), ...(job.role === "data" ? secretLines(plan.ir, n) : []), ...body.lines];
  const files: GeneratedFile[] = [{ path: job.script, contents: lines.join("\n") + "\n" }];
  if (body.python) files.push(stepScript(plan, n, body.python));
  return files;
}

/** The prelude's lines as one text, the same in every job of a plan: written once, not per job. */
const preludes = new WeakMap<Plan, { problems: readonly string[]; text: string }>();
function preludeText(plan: Plan, problems: readonly string[]): string {
  let p = preludes.get(plan);
  if (p?.problems !== problems) preludes.set(plan, (p = { problems, text: prelude(plan, problems).join("\n") }));
  return p.text;
}

function bodyOf(plan: Plan, job: Job): JobBody {
  switch (job.role) {
    case "data":
      return sparkBody(plan, job.node);
    case "flink":
      return flinkBody(plan, job.node);
    case "train":
      return trainBody(plan, job.node);
    case "tune":
      return tuneBody(plan, job.node);
    case "tune-select":
      return tuneSelectBody(plan, job.node);
    case "evaluate":
      return evaluateBody(plan, job.node);
    case "register":
      return registerBody(plan, job.node);
    case "endpoint":
      return endpointBody(plan, job.node);
    case "batch":
      return batchBody(plan, job.node);
    case "stream-deploy":
      return streamDeployBody(plan, job.node);
    case "notebook":
      return notebookBody(plan, job.node);
  }
}

function describe(job: Job): string {
  switch (job.role) {
    case "data":
      return "Batch data step: runs its Spark SQL (compiled by the spark target).";
    case "flink":
      return "Streaming: submits the Flink SQL job of this step and the streaming steps it reads (compiled by the flink target).";
    case "train":
      return `Trains with the entry script under the training contract (${trainShape(job.node)}).`;
    case "tune":
      return `Tuning: a job array, one trial per task (${job.node.config.strategy} search), each trained like the train step.`;
    case "tune-select":
      return "Keeps the best trial of the tuning array.";
    case "evaluate":
      return "Gate: fails when a `require` does not hold, so the jobs after it never run.";
    case "register":
      return `Registers the model as the next version of ${quoted(job.node.config.name)}.`;
    case "endpoint":
      return "Serving job: runs until cancelled or its time limit.";
    case "batch":
      return "Scheduled batch scoring (schedule.scrontab); not part of submit.sh.";
    case "stream-deploy":
      return "Stream scoring: submits the Flink job that scores the stream.";
    case "notebook":
      return "Runs the notebook with papermill.";
  }
}
