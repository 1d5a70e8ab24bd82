// SageMaker training and tuning: the code a train step uploads, and the states of the
// training machine that run a training job (train) or a hyperparameter tuning job (tune). The
// instance type, count and GPUs per instance come from the step's `resources` (compute.ts);
// distributed training, the search space and the objective are mapped here.
import { json } from "../../compiler/json-text";
import { spelledParams } from "../../compiler/spelling";
import type { NodeOf, ValidNode } from "../../compiler/ir";
import { columnsOf, isBatchData, type IrGraph } from "../../compiler/query";
import { modelConfig, VALIDATION_FRACTION } from "../local/plan";
import type { SearchSpace } from "../../language/catalog/tune";
import { intrinsic, ph, t, type Asl, type Flow } from "./asl";
import { compute, servingRequirements } from "./compute";
import { cap, fileName, warehousePath, type PlanContext } from "./context";
import { image } from "./images";
import { file, lit, name, obj, ref, type Group } from "./model";
import { commentText, stableJson } from "./quote";
import { ENDPOINT_HANDLERS, GATE_RUNNER, metricRegex, MODEL_RUNTIME, TRAINING_ENTRY } from "./scripts";
import { jobName, OWN_TABLES, tablesUri } from "./states";
import { setOwn } from "../own";

/** The job that produces a model: a tuning job repeating a training, or the training itself. */
export interface Unit {
  node: NodeOf<"train"> | NodeOf<"tune">;
  train: NodeOf<"train">;
}

const MODEL_STEPS: ReadonlySet<string> = new Set(["train", "tune", "evaluate", "register"]);

/** The unit whose job produced the model a train, tune, evaluate or register step carries. */
export function unitOf(g: IrGraph, n: ValidNode): Unit | undefined {
  if (!MODEL_STEPS.has(n.kind)) return undefined;
  const l = g.lineage(n);
  return l && { node: l.tune ?? l.train, train: l.train };
}

/**
 * Whether the training's models are served through mlp's handlers (mlp_endpoint.py) rather than
 * the entry module itself: TensorFlow's, in a container whose default handlers are PyTorch's.
 */
export const servesThroughMlp = (train: NodeOf<"train">): boolean => train.config.framework === "tensorflow";

/** The module SAGEMAKER_PROGRAM names for the training's models (in $SM_MODEL_DIR/code). */
export const servingProgram = (train: NodeOf<"train">): string => (servesThroughMlp(train) ? "mlp_endpoint.py" : train.config.entry.slice(train.config.entry.lastIndexOf("/") + 1));

/** Whether a training step runs on GPU instances. */
export const onGpu = (train: NodeOf<"train">): boolean => compute(train.config.resources).gpus > 0;

/** The entry's folder (or the entry alone at the project root) uploaded to code/<step>/, with the mlp entry beside it. */
export function trainingCode(cx: PlanContext, n: NodeOf<"train">): void {
  const entry = n.config.entry;
  const s = cx.stem(n);
  const nested = entry.includes("/");
  const group: Group = { title: cx.title(n, `the training code (${nested ? `${commentText(entry)}'s folder` : commentText(entry)}) and the mlp entry that runs it.`), resources: [] };
  cx.usesUpload = true;
  const folder = nested ? entry.slice(0, entry.lastIndexOf("/")) : entry;
  cx.res(group, {
    v: cx.v(s, "code"),
    type: "upload",
    name: cx.lname(n, "code"),
    note: [nested ? `Every file under ${commentText(folder)} in the project.` : `The entry script alone: it sits at the root of the project.`],
    args: obj({ path: lit(folder), prefix: lit(`code/${n.id}/`) }),
  });
  // mlp's files beside the user's: the entry wrapper, the gate runner, the Python model runtime
  // and the step's model contract (label, keys, features, columns, task, framework).
  const shipped: [string, string][] = [["mlp_entry.py", TRAINING_ENTRY], ["mlp_gate.py", GATE_RUNNER], ...(servesThroughMlp(n) ? [["mlp_endpoint.py", ENDPOINT_HANDLERS] as [string, string]] : []), ...Object.entries(MODEL_RUNTIME)];
  for (const [fname, text] of shipped) {
    const path = cx.asset(`assets/training/${fname}`, text);
    const stem = fname.replace(/\.py$/, "").replace(/^mlp_/, "");
    cx.res(group, { v: cx.v(s, stem === "entry" ? "entry" : `mlp ${stem}`), type: "aws.s3.BucketObject", name: cx.lname(n, stem === "entry" ? "entry" : `mlp-${stem}`), args: obj({ bucket: ref("artifacts", "id"), key: lit(`code/${n.id}/${fname}`), source: file(path) }) });
  }
  const contractPath = cx.asset(`assets/training/${fileName(n.id)}/mlp_contract.json`, stableJson(contract(cx.g, n)));
  cx.res(group, { v: cx.v(s, "contract"), type: "aws.s3.BucketObject", name: cx.lname(n, "contract"), args: obj({ bucket: ref("artifacts", "id"), key: lit(`code/${n.id}/mlp_contract.json`), source: file(contractPath) }) });
  cx.steps.push(group);
}

/** The model contract of a training (the same settings `mlp run` gives mlp_model.py). */
export function contract(g: IrGraph, train: NodeOf<"train">): Record<string, unknown> {
  const data = g.input(train, "data");
  const { hyperparams: _h, seed: _s, ...rest } = modelConfig(train, g.output(train).model, columnsOf(data?.artifact ?? { type: "Unknown" }), g);
  return rest;
}

/** Where a step's batch `data` input is in a run's tables (a path under warehouse/runs/<run id>/). */
export function dataPath(cx: PlanContext, n: ValidNode): string | undefined {
  const i = cx.g.input(n, "data");
  return i && isBatchData(i.from) ? warehousePath(i.from, i.fromPort) : undefined;
}

/**
 * The data channels of a unit's jobs: `train` alone. The gates' data never reach the training:
 * each gate scores the model on its data in a job of its own (gates.ts), and a tuning trial is
 * measured on a validation split the entry wrapper carves from `train`.
 */
function channels(cx: PlanContext, unit: Unit): { name: string; path: string }[] {
  const train = dataPath(cx, unit.train);
  return train ? [{ name: "train", path: train }] : [];
}

/** The metrics SageMaker reads from the training log: a tuning job's objective, which mlp computes on the validation split. */
function metrics(unit: Unit): string[] {
  return unit.node.kind === "tune" ? [objectiveOf(unit.node).metric] : [];
}

function objectiveOf(tune: NodeOf<"tune">): { type: "Maximize" | "Minimize"; metric: string } {
  const o = tune.config.objective;
  return "maximize" in o ? { type: "Maximize", metric: o.maximize } : { type: "Minimize", metric: o.minimize };
}

/** Where a training keeps the checkpoints its entry writes to MLP_CHECKPOINT_DIR (SageMaker syncs the folder with S3). */
export const CHECKPOINT_DIR = "/opt/ml/checkpoints";

/**
 * The checkpoints' prefix in the artifact bucket: per pipeline, variant and step; each run adds
 * its id, so a run never resumes from another run's state, while a training job of the same run
 * started again (a redriven execution) finds its own.
 */
export function checkpointPrefix(cx: PlanContext, n: ValidNode): string {
  return `checkpoints/${fileName(cx.pipe)}/${fileName(cx.variant ?? "default")}/${fileName(n.id)}`;
}

function trainingJob(cx: PlanContext, unit: Unit, metricNames: string[], chans: { name: string; path: string }[]): Record<string, Asl> {
  const train = unit.train;
  const c = compute(train.config.resources);
  const serving = servingRequirements(train.config.framework, c.gpus > 0);
  const img = image(cx, train.config.framework, "training", c.gpus > 0);
  const entry = train.config.entry.slice(train.config.entry.lastIndexOf("/") + 1);
  const bucket = ph("ArtifactBucket");
  return {
    AlgorithmSpecification: {
      TrainingImage: cx.placeholder(`Image${cap(img.v)}`, name(img.v, "registryPath")),
      TrainingInputMode: "File",
      ...(metricNames.length ? { MetricDefinitions: metricNames.map((m) => ({ Name: m, Regex: metricRegex(m) })) } : {}),
    },
    RoleArn: cx.placeholder("SageMakerRoleArn", ref(cx.iam.role("sagemaker"), "arn")),
    InputDataConfig: [
      { ChannelName: "code", DataSource: { S3DataSource: { S3DataType: "S3Prefix", S3Uri: t`s3://${bucket}/code/${train.id}/`, S3DataDistributionType: "FullyReplicated" } }, InputMode: "File" },
      // The tables of this run (warehouse/runs/<run id>/), the ones the run's Glue jobs wrote.
      ...chans.map((ch) => ({ ChannelName: ch.name, DataSource: { S3DataSource: { S3DataType: "S3Prefix", "S3Uri.$": tablesUri(ch.path, OWN_TABLES), S3DataDistributionType: "FullyReplicated" } }, InputMode: "File" })),
    ],
    OutputDataConfig: { "S3OutputPath.$": "States.Format('s3://{}/runs/{}/models', $.run.bucket, $.run.id)" },
    ResourceConfig: { InstanceType: c.instanceType, InstanceCount: c.count, VolumeSizeInGB: 50 },
    StoppingCondition: { MaxRuntimeInSeconds: c.maxRuntime },
    CheckpointConfig: {
      "S3Uri.$": `States.Format('s3://{}/{}/{}/', $.run.bucket, ${intrinsic(checkpointPrefix(cx, unit.node))}, $.run.id)`,
      LocalPath: CHECKPOINT_DIR,
    },
    Environment: {
      MLP_ENTRY: entry,
      MLP_CHECKPOINT_DIR: CHECKPOINT_DIR,
      ...(unit.node.kind === "tune" ? { MLP_OBJECTIVE: objectiveOf(unit.node).metric, MLP_VALIDATION_FRACTION: String(VALIDATION_FRACTION) } : {}),
      ...(serving.length ? { MLP_SERVING_REQUIREMENTS: serving.join("\n") } : {}),
    },
  };
}

/**
 * Hyperparameters as SageMaker passes them to framework containers: JSON-encoded strings, with
 * numbers spelled as written (`0.0` stays a float, as on Slurm and locally).
 */
function hyperparameters(train: NodeOf<"train">, skip: ReadonlySet<string>, gpus: number): Record<string, string> {
  const cfg = train.config;
  const hp: Record<string, string> = {};
  const spelledHps = spelledParams(train, "hyperparams", cfg.hyperparams ?? {});
  for (const [k, v] of Object.entries(spelledHps)) if (!skip.has(k)) setOwn(hp, k, json(v, false));
  hp.sagemaker_program = JSON.stringify("mlp_entry.py");
  hp.sagemaker_submit_directory = JSON.stringify("/opt/ml/input/data/code");
  if (cfg.distributed === "ddp") {
    if (cfg.framework === "tensorflow") hp.sagemaker_multi_worker_mirrored_strategy_enabled = "true";
    else hp.sagemaker_torch_distributed_enabled = "true";
  } else if (cfg.distributed === "horovod") {
    // One MPI process per GPU of each instance.
    hp.sagemaker_mpi_enabled = "true";
    hp.sagemaker_mpi_num_of_processes_per_host = String(Math.max(1, gpus));
  }
  return hp;
}

type RangeKind = "ContinuousParameterRanges" | "IntegerParameterRanges" | "CategoricalParameterRanges";

/** The tune step's search space as SageMaker parameter ranges (values are strings there). */
function parameterRanges(tune: NodeOf<"tune">): Partial<Record<RangeKind, Asl[]>> {
  const ranges: Record<RangeKind, Asl[]> = { ContinuousParameterRanges: [], IntegerParameterRanges: [], CategoricalParameterRanges: [] };
  for (const { param, space } of tune.search) {
    const [kind, range] = rangeOf(param, space);
    ranges[kind].push(range);
  }
  return Object.fromEntries(Object.entries(ranges).filter(([, list]) => list.length));
}

function rangeOf(param: string, space: SearchSpace): [RangeKind, Asl] {
  if ("choice" in space) return ["CategoricalParameterRanges", { Name: param, Values: space.choice.map((v) => JSON.stringify(v)) }];
  if ("uniform" in space) return ["ContinuousParameterRanges", { Name: param, MinValue: String(space.uniform[0]), MaxValue: String(space.uniform[1]), ScalingType: "Linear" }];
  if ("loguniform" in space) return ["ContinuousParameterRanges", { Name: param, MinValue: String(space.loguniform[0]), MaxValue: String(space.loguniform[1]), ScalingType: "Logarithmic" }];
  return ["IntegerParameterRanges", { Name: param, MinValue: String(space.intrange[0]), MaxValue: String(space.intrange[1]), ScalingType: "Linear" }];
}

const STRATEGY = { grid: "Grid", random: "Random", bayesian: "Bayesian" } as const;

/** The states that leave the unit's model at `$.models.<key>`: a training job, or a tuning job and its best training. */
export function modelStates(cx: PlanContext, flow: Flow, unit: Unit): void {
  const n = unit.node;
  const k = cx.key(n);
  const gpus = compute(unit.train.config.resources).gpus;
  const base = trainingJob(cx, unit, metrics(unit), channels(cx, unit));
  const trainingPrefix = cx.jobPrefix(n, n.kind === "tune" ? 32 : 63);
  const sageMakerArn = (type: string, prefix: string) => cx.arn("sagemaker", `${type}/${prefix}-*`);
  const model = { "TrainingJobName.$": "$.TrainingJobName", "ModelArtifacts.$": "$.ModelArtifacts", "OutputDataConfig.$": "$.OutputDataConfig" };
  if (n.kind === "train") {
    flow.add(`Train ${n.id}`, {
      Type: "Task",
      Resource: t`arn:${ph("Partition")}:states:::sagemaker:createTrainingJob.sync`,
      Parameters: { "TrainingJobName.$": jobName(cx, n, 63), ...base, HyperParameters: hyperparameters(unit.train, new Set(), gpus) },
      ResultSelector: model,
      ResultPath: `$.models.${k}`,
    });
    cx.iam.allow("states", `Train${cap(cx.stem(n))}`, ["sagemaker:AddTags", "sagemaker:CreateTrainingJob", "sagemaker:DescribeTrainingJob", "sagemaker:StopTrainingJob"], [sageMakerArn("training-job", trainingPrefix)]);
  } else {
    const cfg = n.config;
    const objective = objectiveOf(n);
    const strategy = STRATEGY[cfg.strategy];
    const { AlgorithmSpecification, ...rest } = base;
    flow.add(`Tune ${n.id}`, {
      Type: "Task",
      Resource: t`arn:${ph("Partition")}:states:::sagemaker:createHyperParameterTuningJob.sync`,
      Parameters: {
        "HyperParameterTuningJobName.$": jobName(cx, n, 32),
        HyperParameterTuningJobConfig: {
          Strategy: strategy,
          HyperParameterTuningJobObjective: { Type: objective.type, MetricName: objective.metric },
          // Grid search runs every combination: SageMaker takes no job count for it.
          ResourceLimits: strategy === "Grid" ? { MaxParallelTrainingJobs: cfg.parallel } : { MaxNumberOfTrainingJobs: cfg.trials, MaxParallelTrainingJobs: cfg.parallel },
          ParameterRanges: parameterRanges(n),
          TrainingJobEarlyStoppingType: "Off",
        },
        TrainingJobDefinition: { AlgorithmSpecification, ...rest, StaticHyperParameters: hyperparameters(unit.train, new Set(n.search.map((s) => s.param)), gpus) },
      },
      ResultSelector: { "TrainingJobName.$": "$.BestTrainingJob.TrainingJobName" },
      ResultPath: `$.tuning.${k}`,
    });
    flow.add(`Best of ${n.id}`, {
      Type: "Task",
      Resource: t`arn:${ph("Partition")}:states:::aws-sdk:sagemaker:describeTrainingJob`,
      Parameters: { "TrainingJobName.$": `$.tuning.${k}.TrainingJobName` },
      ResultSelector: model,
      ResultPath: `$.models.${k}`,
    });
    cx.iam.allow("states", `Tune${cap(cx.stem(n))}`, ["sagemaker:AddTags", "sagemaker:CreateHyperParameterTuningJob", "sagemaker:DescribeHyperParameterTuningJob", "sagemaker:ListTrainingJobsForHyperParameterTuningJob", "sagemaker:StopHyperParameterTuningJob"], [sageMakerArn("hyper-parameter-tuning-job", trainingPrefix)]);
    cx.iam.allow("states", `Describe${cap(cx.stem(n))}Trials`, ["sagemaker:DescribeTrainingJob"], [sageMakerArn("training-job", trainingPrefix)]);
  }
  cx.iam.passSageMakerRole();
  // SageMaker copies the run's checkpoints in when the job starts and uploads what the entry
  // writes; it never deletes them, so the role gets no s3:DeleteObject.
  const checkpoints = checkpointPrefix(cx, n);
  cx.iam.allow("sagemaker", `Checkpoints${cap(cx.stem(n))}`, ["s3:AbortMultipartUpload", "s3:GetObject", "s3:PutObject"], [cx.bucketArn(`/${checkpoints}/*`)]);
  cx.iam.allow("sagemaker", `ListCheckpoints${cap(cx.stem(n))}`, ["s3:ListBucket"], [ref("artifacts", "arn")], { condition: { StringLike: { "s3:prefix": [`${checkpoints}/*`] } } });
}
