// The training pipeline: one state machine that prepares the batch data (Glue, in dependency
// levels), trains or tunes each model, gates it, registers it, and runs the notebooks that
// read its results, on the pipeline's `schedule`. Steps downstream of a batch deployment's
// scores run in that deployment's scoring machine instead (batch-scoring.ts).
import type { ValidNode } from "../../compiler/ir";
import { isBatchData } from "../../compiler/query";
import { Flow } from "./asl";
import type { PlanContext } from "./context";
import { gateStates } from "./gates";
import { ref, type Group } from "./model";
import { notebookState } from "./notebooks";
import { commentText } from "./quote";
import { registerStates, registryOf } from "./registry";
import { schedule } from "./schedules";
import { glueStates, OWN_TABLES, publishTables, startRun, stateMachine } from "./states";
import { modelStates, unitOf } from "./training";

export function trainingMachine(cx: PlanContext, owners: ReadonlyMap<string, string | undefined>): void {
  const owned = (n: ValidNode) => owners.get(n.id) === undefined;
  const data = cx.order.filter((n) => isBatchData(n) && owned(n));
  // A train that a tune repeats runs inside the tuning job, not on its own.
  const units = new Set(cx.order.filter((n) => (n.kind === "tune" || (n.kind === "train" && cx.g.consumers(n).some((c) => c.node.kind !== "tune"))) && owned(n)).map((n) => n.id));
  if (!data.length && !units.size) return;
  const flow = new Flow();
  startRun(cx, flow);
  glueStates(cx, flow, data);
  const done = new Set<string>();
  const sync = new Set<string>();
  // A deployed model without a register step is registered right after the step it comes from.
  const deployedFrom = new Map<string, ValidNode>();
  for (const d of cx.order) {
    if (d.kind !== "deploy") continue;
    const reg = registryOf(cx, d);
    if (reg.implicit) deployedFrom.set(reg.node.id, reg.node);
  }
  for (const n of cx.order) {
    if (!owned(n)) continue;
    if (units.has(n.id)) {
      const unit = unitOf(cx.g, n)!;
      modelStates(cx, flow, unit);
      done.add(n.id);
      sync.add(n.kind === "tune" ? "SageMakerTuningJobs" : "SageMakerTrainingJobs");
    } else if (n.kind === "evaluate") {
      gateStates(cx, flow, n);
      sync.add("SageMakerProcessingJobs");
    }
    else if (n.kind === "register") registerStates(cx, flow, n);
    else if (n.kind === "notebook") {
      notebookState(cx, flow, n, done, OWN_TABLES);
      sync.add("SageMakerProcessingJobs");
    }
    if (deployedFrom.has(n.id) && n.kind !== "register") registerStates(cx, flow, deployedFrom.get(n.id)!, n);
  }
  if (data.length) cx.iam.allowGlueJobs(data);
  cx.iam.allowSyncRules([...sync].sort());
  if (data.length) publishTables(cx, flow);
  flow.add("Done", { Type: "Succeed" });
  const group: Group = { title: [`The training pipeline of ${commentText(cx.pipe)}: data preparation, training, tuning, gates and registration.`], resources: [] };
  stateMachine(cx, group, "training", cx.lname(undefined, "training"), "assets/statemachines/training.asl.json", flow, `mlp ${cx.pipe}: the training pipeline`);
  cx.take("training");
  const cron = cx.ir.pipeline?.settings.schedule?.cron;
  if (cron) schedule(cx, group, undefined, cron, "training", "training");
  cx.outputs.push({ name: "trainingPipeline", value: ref("training", "arn") });
  cx.machines.push(group);
}
