// Gates: an evaluate step is a Lambda that reads the training job's metrics.json and a Choice
// state that lets the run on only when every `require` holds (a missing or non-numeric metric
// fails the gate too); a failed gate ends the run before registration or deployment.
import type { NodeOf } from "../../compiler/ir";
import type { IrRequire } from "../../compiler/ir";
import { TargetError } from "../../compiler/target-api";
import { ph, t, type Asl, type Flow } from "./asl";
import { channelName, type PlanContext } from "./context";
import { lambdaFunction } from "./lambda";
import { ref, tpl, type Group } from "./model";
import { READ_METRICS } from "./scripts";
import { unitOf } from "./training";

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
  flow.add(`Metrics of ${gate.id}`, {
    Type: "Task",
    Comment: "Reads metrics.json from the training job's output.tar.gz.",
    Resource: t`arn:${ph("Partition")}:states:::lambda:invoke`,
    Parameters: {
      FunctionName: cx.placeholder("MetricsFunction", ref(fn, "arn")),
      Payload: { "output.$": `States.Format('{}/{}/output/output.tar.gz', $.models.${mk}.OutputDataConfig.S3OutputPath, $.models.${mk}.TrainingJobName)`, channel: channelName(gate.id) },
    },
    ResultSelector: { "metrics.$": "$.Payload.metrics" },
    ResultPath: `$.gates.${k}`,
  });
  const failed = `${gate.id} failed`;
  const rules: Asl[] = [];
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
  const group: Group = { title: ["Gates: a Lambda reads a training job's metrics.json for the evaluate steps' Choice states."], resources: [] };
  const fn = cx.v("metrics", "function");
  const logs = lambdaFunction(cx, group, undefined, "metrics", fn, "read_metrics.py", READ_METRICS, [], "Returns the finite metrics of a training job's output.tar.gz.");
  cx.iam.allow("lambda", "ReadRunOutputs", ["s3:GetObject"], [cx.bucketArn("/runs/*")]);
  cx.iam.allow("lambda", "LogMetrics", ["logs:CreateLogStream", "logs:PutLogEvents"], [tpl(ref(logs, "arn"), ":*")]);
  cx.steps.push(group);
  cx.metricsFunction = fn;
  return fn;
}
