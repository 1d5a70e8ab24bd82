// Gates: an evaluate step is a SageMaker Processing job in which mlp computes the metrics itself
// (scripts/mlp_gate.py: the model artifact loaded through the entry's handlers, the gate's data
// scored, each metric computed by mlp_metrics; nothing the training script wrote is trusted),
// a Lambda that reads the evaluation.json it wrote, and a Choice state that lets the run on only
// when every `require` holds (a missing or non-numeric metric fails the gate too); a failed gate
// ends the run before registration or deployment.
import type { NodeOf } from "../../compiler/ir";
import type { IrRequire } from "../../compiler/ir";
import { TargetError } from "../../compiler/target-api";
import { ph, t, type Asl, type Flow } from "./asl";
import { compute } from "./compute";
import { cap, intrinsicText, type PlanContext } from "./context";
import { image } from "./images";
import { lambdaFunction } from "./lambda";
import { name, ref, tpl, type Group } from "./model";
import { READ_METRICS } from "./scripts";
import { jobName, OWN_TABLES, tablesUri } from "./states";
import { dataPath, unitOf } from "./training";

const CHOICE_OP: Record<Exclude<IrRequire["op"], "!=">, string> = {
  ">=": "NumericGreaterThanEquals",
  ">": "NumericGreaterThan",
  "<=": "NumericLessThanEquals",
  "<": "NumericLessThan",
  "==": "NumericEquals",
};

export function gateStates(cx: PlanContext, flow: Flow, gate: NodeOf<"evaluate">): void {
  const unit = unitOf(cx.g, gate);
  if (!unit) throw new TargetError(`evaluate \`${gate.id}\` gates no trained model`);
  const fn = metricsFunction(cx);
  const k = cx.key(gate);
  const mk = cx.key(unit.node);
  const data = dataPath(cx, gate);
  if (!data) throw new TargetError(`evaluate \`${gate.id}\` reads no batch data: a gate on AWS scores warehouse data`);
  const train = unit.train;
  const c = compute(train.config.resources);
  const img = image(cx, train.config.framework, "training", c.gpus > 0);
  const bucket = ph("ArtifactBucket");
  const evaluation = `States.Format('s3://{}/runs/{}/gates/${intrinsicText(gate.id)}', $.run.bucket, $.run.id)`;
  const input = (inputName: string, uri: Asl) => ({ InputName: inputName, S3Input: { ...(typeof uri === "string" && /^(\$\.|States\.)/.test(uri) ? { "S3Uri.$": uri } : { S3Uri: uri }), LocalPath: `/opt/ml/processing/input/${inputName}`, S3DataType: "S3Prefix", S3InputMode: "File" } });
  flow.add(`Evaluate ${gate.id}`, {
    Type: "Task",
    Comment: "mlp scores the model on the gate's data and computes each metric (mlp_gate.py).",
    Resource: t`arn:${ph("Partition")}:states:::sagemaker:createProcessingJob.sync`,
    Parameters: {
      "ProcessingJobName.$": jobName(cx, gate, 63),
      RoleArn: cx.placeholder("SageMakerRoleArn", ref(cx.iam.role("sagemaker"), "arn")),
      AppSpecification: {
        ImageUri: cx.placeholder(`Image${cap(img.v)}`, name(img.v, "registryPath")),
        ContainerEntrypoint: ["python3", "/opt/ml/processing/input/code/mlp_gate.py"],
        ContainerArguments: ["--step", gate.id, ...gate.require.flatMap((r) => ["--require", r.metric, r.op, String(r.value)])],
      },
      ProcessingInputs: [
        input("code", t`s3://${bucket}/code/${train.id}/`),
        input("model", `$.models.${mk}.ModelArtifacts.S3ModelArtifacts`),
        // The run's own tables: the data the model was trained beside, never another run's.
        input("data", tablesUri(data, OWN_TABLES)),
      ],
      ProcessingOutputConfig: {
        Outputs: [{ OutputName: "evaluation", S3Output: { "S3Uri.$": evaluation, LocalPath: "/opt/ml/processing/output", S3UploadMode: "EndOfJob" } }],
      },
      ProcessingResources: { ClusterConfig: { InstanceCount: 1, InstanceType: c.instanceType, VolumeSizeInGB: 30 } },
      StoppingCondition: { MaxRuntimeInSeconds: c.maxRuntime },
      Environment: { PYTHONUNBUFFERED: "1" },
    },
    ResultPath: null,
  });
  cx.iam.allow("states", `Gate${cap(cx.stem(gate))}`, ["sagemaker:AddTags", "sagemaker:CreateProcessingJob", "sagemaker:DescribeProcessingJob", "sagemaker:StopProcessingJob"], [cx.arn("sagemaker", `processing-job/${cx.jobPrefix(gate, 63)}-*`)]);
  cx.iam.passSageMakerRole();
  flow.add(`Metrics of ${gate.id}`, {
    Type: "Task",
    Comment: "Reads the evaluation.json the gate's job wrote.",
    Resource: t`arn:${ph("Partition")}:states:::lambda:invoke`,
    Parameters: {
      FunctionName: cx.placeholder("MetricsFunction", ref(fn, "arn")),
      Payload: { "evaluation.$": `States.Format('s3://{}/runs/{}/gates/${intrinsicText(gate.id)}/evaluation.json', $.run.bucket, $.run.id)` },
    },
    ResultSelector: { "metrics.$": "$.Payload.metrics", "passed.$": "$.Payload.passed" },
    ResultPath: `$.gates.${k}`,
  });
  const failed = `${gate.id} failed`;
  const rules: Asl[] = [{ Variable: `$.gates.${k}.passed`, BooleanEquals: true }];
  for (const r of gate.require) {
    const variable = `$.gates.${k}.metrics.${r.metric}`;
    const test: Asl = r.op === "!=" ? { Not: { Variable: variable, NumericEquals: r.value } } : { Variable: variable, [CHOICE_OP[r.op]]: r.value };
    rules.push({ Variable: variable, IsPresent: true }, { Variable: variable, IsNumeric: true }, test);
  }
  flow.add(`Gate ${gate.id}`, {
    Type: "Choice",
    Comment: gate.require.map((r) => `require ${r.metric} ${r.op} ${r.value}`).join("; "),
    Choices: [{ And: rules }],
    Default: failed,
  });
  flow.side(failed, { Type: "Fail", Error: "GateFailed", Cause: `${gate.id}: a require did not hold; nothing after the gate runs.` });
}

/** The one metrics Lambda every gate calls. */
function metricsFunction(cx: PlanContext): string {
  if (cx.metricsFunction) return cx.metricsFunction;
  const group: Group = { title: ["Gates: a Lambda reads the evaluation.json of an evaluate step's job for its Choice state."], resources: [] };
  const fn = cx.v("metrics", "function");
  const logs = lambdaFunction(cx, group, undefined, "metrics", fn, "read_metrics.py", READ_METRICS, [], "Returns the finite metrics mlp computed in a gate's job, and whether its requires held.");
  cx.iam.allow("lambda", "ReadRunOutputs", ["s3:GetObject"], [cx.bucketArn("/runs/*")]);
  cx.iam.allow("lambda", "LogMetrics", ["logs:CreateLogStream", "logs:PutLogEvents"], [tpl(ref(logs, "arn"), ":*")]);
  // The gate's Task state calls the function as the Step Functions role: without this grant
  // every gate fails with AccessDenied. The unqualified ARN is the one the state names.
  cx.iam.allow("states", "InvokeMetrics", ["lambda:InvokeFunction"], [ref(fn, "arn")]);
  cx.steps.push(group);
  cx.metricsFunction = fn;
  return fn;
}
