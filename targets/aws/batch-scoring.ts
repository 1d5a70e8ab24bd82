// Batch deployments: a scoring state machine on the deployment's schedule finds the newest
// approved model version, scores the data with a batch transform (instances and type from the
// step, compute.ts) into `output`, then runs what reads the scores (their Glue jobs and
// notebooks), and deletes the transient model whatever happened.
import type { NodeOf, ValidNode } from "../../compiler/ir";
import { isBatchData, isDeploy, type IrGraph } from "../../compiler/query";
import { TargetError } from "../../compiler/target-api";
import { awsCannotReach } from "../../language/paths";
import { Flow, ph, t } from "./asl";
import { compute } from "./compute";
import { cap, fileName, warehousePath, type PlanContext } from "./context";
import { NOTIFY } from "./failures";
import { lit, ref, tpl, type Group } from "./model";
import { notebookState } from "./notebooks";
import { registryOf } from "./registry";
import { schedule } from "./schedules";
import { glueStates, jobName, LATEST_TABLES, readLatestTables, startRun, stateMachine, tablesUri } from "./states";

/**
 * The batch deployment whose scoring machine runs each step: a step downstream of a batch
 * deployment's scores runs after the scoring, not in the training machine (undefined: it does).
 */
export function scoringOwners(g: IrGraph, order: readonly ValidNode[]): Map<string, string | undefined> {
  const owner = new Map<string, string | undefined>();
  for (const n of order) {
    let o: string | undefined;
    for (const i of g.inputs(n)) {
      const up = isDeploy(i.from, "batch") ? i.from.id : owner.get(i.from.id);
      if (up) o = up;
    }
    owner.set(n.id, o);
  }
  return owner;
}

/** Per batch deployment, the steps its scoring machine runs after scoring, in plan order. */
export function stepsAfterScoring(order: readonly ValidNode[], owners: ReadonlyMap<string, string | undefined>): Map<string, ValidNode[]> {
  const after = new Map<string, ValidNode[]>();
  for (const n of order) {
    const o = owners.get(n.id);
    if (o === undefined) continue;
    const list = after.get(o);
    if (list) list.push(n);
    else after.set(o, [n]);
  }
  return after;
}

/** `after`: the steps the scoring runs once it is done (stepsAfterScoring). */
export function scoringMachine(cx: PlanContext, d: NodeOf<"deploy">, after: readonly ValidNode[]): void {
  const s = cx.stem(d);
  const reg = registryOf(cx, d);
  const input = cx.g.input(d, "data");
  if (!input || !isBatchData(input.from)) throw new TargetError(`batch deploy \`${d.id}\` needs batch data to score`);
  const output = d.config.output ?? "";
  const c = compute(d.config.resources);
  const instances = d.config.instances;
  const count = typeof instances === "number" ? instances : typeof instances === "object" ? instances.max : 1;
  const prefix = cx.jobPrefix(d, 63);
  const flow = new Flow();
  startRun(cx, flow);
  // A scoring runs outside any training run: it scores the tables of the last one that
  // succeeded as a whole, and the steps after it read and write that run's tables too.
  readLatestTables(cx, flow);
  flow.add("Find model", {
    Type: "Task",
    Comment: "The newest approved version of the registered model.",
    Resource: t`arn:${ph("Partition")}:states:::aws-sdk:sagemaker:listModelPackages`,
    Parameters: { ModelPackageGroupName: cx.placeholder(`Group${cap(reg.v)}`, ref(reg.v, "modelPackageGroupName")), ModelApprovalStatus: "Approved", SortBy: "CreationTime", SortOrder: "Descending", MaxResults: 1 },
    ResultPath: "$.found",
  });
  flow.add("Approved model?", { Type: "Choice", Choices: [{ Variable: "$.found.ModelPackageSummaryList[0].ModelPackageArn", IsPresent: true }], Default: "No approved model" });
  flow.side("No approved model", { Type: "Fail", Error: "NoApprovedModel", Cause: `${d.id}: the model package group has no approved version yet.` });
  flow.add("Create model", {
    Type: "Task",
    Resource: t`arn:${ph("Partition")}:states:::sagemaker:createModel`,
    Parameters: {
      "ModelName.$": jobName(cx, d, 63),
      ExecutionRoleArn: cx.placeholder("SageMakerRoleArn", ref(cx.iam.role("sagemaker"), "arn")),
      PrimaryContainer: { "ModelPackageName.$": "$.found.ModelPackageSummaryList[0].ModelPackageArn" },
    },
    ResultPath: null,
  });
  flow.add(`Score ${d.id}`, {
    Type: "Task",
    Resource: t`arn:${ph("Partition")}:states:::sagemaker:createTransformJob.sync`,
    Parameters: {
      "TransformJobName.$": jobName(cx, d, 63),
      "ModelName.$": jobName(cx, d, 63),
      TransformInput: { DataSource: { S3DataSource: { S3DataType: "S3Prefix", "S3Uri.$": tablesUri(warehousePath(input.from, input.fromPort), LATEST_TABLES) } }, ContentType: "application/x-parquet", SplitType: "None" },
      TransformOutput: { S3OutputPath: output, Accept: "application/json", AssembleWith: "Line" },
      TransformResources: { InstanceType: c.instanceType, InstanceCount: count },
    },
    ResultPath: null,
    Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: "$.error", Next: "Delete model after failure" }],
  });
  const downstreamData = after.filter((n) => isBatchData(n));
  glueStates(cx, flow, downstreamData, LATEST_TABLES);
  for (const n of after) if (n.kind === "notebook") notebookState(cx, flow, n, new Set(), LATEST_TABLES);
  const deleteModel = () => ({ Type: "Task", Resource: t`arn:${ph("Partition")}:states:::aws-sdk:sagemaker:deleteModel`, Parameters: { "ModelName.$": jobName(cx, d, 63) }, ResultPath: null });
  flow.add("Delete model", deleteModel());
  flow.add("Done", { Type: "Succeed" });
  // The model is deleted either way; then the failure is alerted like any other (failures.ts).
  flow.side("Delete model after failure", { ...deleteModel(), Next: NOTIFY });
  if (downstreamData.length) cx.iam.allowGlueJobs(downstreamData);
  cx.iam.allow("states", `Find${cap(reg.v)}`, ["sagemaker:ListModelPackages"], [lit("*")], { note: ["ListModelPackages has no resource-level permissions: AWS offers no narrower form than *."] });
  // Model actions on models, transform actions on transform jobs: one statement for both would
  // also allow CreateModel on a transform-job ARN and the like.
  cx.iam.allow("states", `Model${cap(s)}`, ["sagemaker:AddTags", "sagemaker:CreateModel", "sagemaker:DeleteModel"], [cx.arn("sagemaker", `model/${prefix}-*`)]);
  cx.iam.allow("states", `Score${cap(s)}`, ["sagemaker:AddTags", "sagemaker:CreateTransformJob", "sagemaker:DescribeTransformJob", "sagemaker:StopTransformJob"], [cx.arn("sagemaker", `transform-job/${prefix}-*`)]);
  cx.iam.allow("states", `Read${cap(reg.v)}`, ["sagemaker:DescribeModelPackage"], [cx.arn("sagemaker", tpl("model-package/", ref(reg.v, "modelPackageGroupName"), "/*"))]);
  cx.iam.passSageMakerRole();
  cx.iam.allowSyncRules(["SageMakerTransformJobs", ...(after.some((n) => n.kind === "notebook") ? ["SageMakerProcessingJobs"] : [])]);
  cx.iam.externalWrite("sagemaker", output, `Write${cap(s)}Scores`);
  const group: Group = { title: cx.title(d, "the scoring pipeline: a batch transform with the newest approved model, on its schedule."), resources: [] };
  if (awsCannotReach(output)) throw new TargetError(`\`${d.id}\` writes ${JSON.stringify(output)}, which AWS cannot reach: write to S3 (s3://...) or compile for onprem`);
  if (!/^s3:\/\//.test(output)) group.title.push("Note: its output is not an s3:// location; batch transform writes to S3 only.");
  const v = cx.v(s, "scoring");
  stateMachine(cx, group, v, cx.lname(d, "scoring"), `assets/statemachines/${fileName(d.id)}.asl.json`, flow, `mlp ${cx.pipe}: scoring of ${d.id}`);
  if (d.config.schedule) schedule(cx, group, d, d.config.schedule.cron, v, "scoring");
  cx.machines.push(group);
}
