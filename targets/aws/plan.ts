// Planning one stack: the graph IR of one pipeline (the file's values, or one variant's) ->
// the Program the project's index.ts declares. Pure: no file system, no engine; tests read the
// plan directly. Each step is planned by the file about what it becomes:
//   batch data step        glue.ts          Glue job running the spark target's SQL
//                                           (+ online-store.ts: DynamoDB table when online)
//   stream source          streams.ts       Kinesis stream
//   streaming data step    streams.ts       Managed Flink application running the flink target's
//                                           SQL (rewritten for Kinesis) into its own Kinesis stream
//                                           (+ online-store.ts: DynamoDB table and writer Lambda)
//   train / tune           training.ts      SageMaker training / tuning job in the training machine
//   evaluate               gates.ts         metrics Lambda + Choice state implementing every require
//   register               registry.ts      SageMaker model package group; registration state
//   deploy endpoint        endpoints.ts     SageMaker endpoint (+ autoscaling) for the approved
//                                           model version named in stack config
//   deploy batch           batch-scoring.ts scoring machine (batch transform) on its schedule
//   deploy stream          stream-scoring.ts endpoint + Lambda scoring the input stream into Kinesis
//   notebook               notebooks.ts     SageMaker Processing job running papermill
// around them: storage.ts (the artifact bucket), iam.ts (roles and policies), states.ts and
// training-machine.ts (Step Functions), schedules.ts, compute.ts (instance types, GPUs, images).
import type { IrDocument } from "../../compiler/ir";
import { isBatchData, isDeploy, isStreamData } from "../../compiler/query";
import { scoringMachine, scoringOwners, stepsAfterScoring } from "./batch-scoring";
import { PlanContext } from "./context";
import { endpointDeploy } from "./endpoints";
import { glueJob } from "./glue";
import { obj, ref, type Code, type Lookup, type Program } from "./model";
import { notebookFiles } from "./notebooks";
import { registryGroup } from "./registry";
import { FLINK_PACKAGER, FLINK_RUNNER } from "./scripts";
import { SqlCache } from "./sql";
import { artifactBucket } from "./storage";
import { streamDeploy } from "./stream-scoring";
import { flinkApplication, streamSource } from "./streams";
import { trainingCode } from "./training";
import { trainingMachine } from "./training-machine";

/** What plan() returns besides the Program: the state machine templates (tests validate them). */
export interface Planned {
  program: Program;
  machines: { path: string; definition: unknown }[];
}

/** Plans the stack of one IR (`ir.variant` says which variant it holds). */
export function plan(ir: IrDocument, sql = new SqlCache()): Planned {
  const cx = new PlanContext(ir, sql.sparkSql(ir), sql.flinkJobs(ir));
  artifactBucket(cx);
  for (const n of cx.order) {
    if (isBatchData(n)) glueJob(cx, n);
    else if (n.kind === "source" && isStreamData(n)) streamSource(cx, n);
    else if (isStreamData(n)) flinkApplication(cx, n);
    else if (n.kind === "train") trainingCode(cx, n);
    else if (n.kind === "register") registryGroup(cx, n, n.config.name, false);
    else if (isDeploy(n, "endpoint")) endpointDeploy(cx, n);
    else if (isDeploy(n, "stream")) streamDeploy(cx, n);
    else if (n.kind === "notebook") notebookFiles(cx, n);
  }
  const owners = scoringOwners(cx.g, cx.order);
  trainingMachine(cx, owners);
  const after = stepsAfterScoring(cx.order, owners);
  for (const n of cx.order) if (isDeploy(n, "batch")) scoringMachine(cx, n, after.get(n.id) ?? []);
  const permissions = cx.iam.permissionsGroup();
  const roles = cx.iam.roleGroup();
  stackOutputs(cx);
  const lookups: Lookup[] = [
    { v: "partition", code: { k: "raw", text: "aws.getPartitionOutput().partition" } },
    { v: "region", code: { k: "raw", text: "aws.getRegionOutput().region" } },
    { v: "account", code: { k: "raw", text: "aws.getCallerIdentityOutput().accountId" } },
  ];
  if (cx.usesUpload) lookups.push({ v: "projectDir", code: { k: "raw", text: `config.require("projectDir")` }, note: "The .mlp project (entry scripts, notebooks), relative to this folder." });
  const program: Program = {
    project: cx.pipe,
    description: ir.pipeline?.settings.description ?? `mlp pipeline ${cx.pipe} on AWS`,
    lookups: [...lookups, ...cx.lookups],
    // Roles before the steps that name them; policies after every grant was asked for, and
    // before what must not start without them (Flink applications, event sources, endpoints).
    groups: [...cx.head, ...(roles ? [roles] : []), ...cx.steps, ...cx.machines, ...(permissions ? [permissions] : []), ...cx.starters, ...cx.deploys],
    outputs: [{ name: "artifactBucket", value: ref("artifacts", "bucket") }, ...cx.outputs],
    assets: cx.assets.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)),
    optionalConfig: cx.optionalConfig,
    flinkZips: cx.flinkZips,
  };
  return { program, machines: cx.machineFiles };
}

function stackOutputs(cx: PlanContext): void {
  const byKind: [string, [string, Code][]][] = [
    ["streams", cx.streamOutputs],
    ["onlineFeatureTables", cx.onlineOutputs],
    ["endpoints", cx.endpointOutputs],
  ];
  for (const [nameOf, list] of byKind) if (list.length) cx.outputs.push({ name: nameOf, value: obj(list) });
  const packages = [...cx.registries.values()];
  if (packages.length) cx.outputs.push({ name: "modelPackageGroups", value: obj(packages.map((p): [string, Code] => [p.node.id, ref(p.v, "modelPackageGroupName")])) });
  if (cx.flinkZips.length) {
    cx.asset("assets/flink/run_sql.py", FLINK_RUNNER);
    cx.asset("assets/flink/package.mjs", FLINK_PACKAGER);
  }
}
