// What a state machine calls, read from its (filled) definition: for each Task state, the IAM
// actions Step Functions performs and the ARN it performs them on. Job names carry the run id
// (States.Format('{}-{}', '<prefix>', $.run.id)); a sample run id stands in for it, so a grant
// `training-job/<prefix>-*` covers the call and a grant for another prefix does not.
import { REGION } from "./harness";

const ACCOUNT = "123456789012";
const RUN_ID = "0a1b2c3d";

export interface Call {
  state: string;
  actions: string[];
  resource: string;
}

type States = Record<string, any>;

/** Every state of a machine, Parallel branches (and Map iterators) included. */
export function allStates(def: { States: States }): States {
  const out: States = {};
  for (const [n, s] of Object.entries(def.States)) {
    out[n] = s;
    for (const b of s.Branches ?? []) Object.assign(out, allStates(b));
    if (s.Iterator) Object.assign(out, allStates(s.Iterator));
    if (s.ItemProcessor) Object.assign(out, allStates(s.ItemProcessor));
  }
  return out;
}

/** The name a parameter gives: a plain string, or a run-scoped intrinsic name. */
function nameIn(params: Record<string, any>, key: string): string | undefined {
  if (typeof params[key] === "string") return params[key];
  const m = /^States\.Format\('\{\}-\{\}', '((?:[^'\\]|\\.)*)', \$\.run\.id\)$/.exec(params[`${key}.$`] ?? "");
  return m ? `${m[1]!.replace(/\\(.)/g, "$1")}-${RUN_ID}` : undefined;
}

const sm = (what: string) => `arn:aws:sagemaker:${REGION}:${ACCOUNT}:${what}`;

/** The calls of every Task state; throws on an integration it does not know (so a new one gets a rule). */
export function callsOf(def: { States: States }): Call[] {
  const states = allStates(def);
  const calls: Call[] = [];
  const tuningByPath = new Map<string, string>();
  const groups: string[] = [];
  for (const s of Object.values(states)) {
    if (s.Type !== "Task") continue;
    const api = /:states:::(.+)$/.exec(s.Resource)?.[1];
    if (api === "sagemaker:createHyperParameterTuningJob.sync") tuningByPath.set(s.ResultPath, nameIn(s.Parameters, "HyperParameterTuningJobName")!);
    if (api === "aws-sdk:sagemaker:listModelPackages") groups.push(s.Parameters.ModelPackageGroupName);
  }
  for (const [state, s] of Object.entries(states)) {
    if (s.Type !== "Task") continue;
    const p = s.Parameters ?? {};
    const api = /:states:::(.+)$/.exec(s.Resource)?.[1] ?? s.Resource;
    const add = (actions: string[], resource: string | undefined) => {
      if (!resource) throw new Error(`${state}: no resource name for ${api}`);
      calls.push({ state, actions, resource });
    };
    const job = (kind: string, key: string, verbs: string[]) => add(["sagemaker:AddTags", ...verbs.map((v) => `sagemaker:${v}`)], sm(`${kind}/${nameIn(p, key)}`));
    switch (api) {
      case "glue:startJobRun.sync":
        add(["glue:BatchStopJobRun", "glue:GetJobRun", "glue:GetJobRuns", "glue:StartJobRun"], `arn:aws:glue:${REGION}:${ACCOUNT}:job/${p.JobName}`);
        break;
      case "lambda:invoke":
        add(["lambda:InvokeFunction"], p.FunctionName);
        break;
      case "sns:publish":
        add(["sns:Publish"], p.TopicArn);
        break;
      case "sagemaker:createTrainingJob.sync":
        job("training-job", "TrainingJobName", ["CreateTrainingJob", "DescribeTrainingJob", "StopTrainingJob"]);
        break;
      case "sagemaker:createHyperParameterTuningJob.sync": {
        const name = nameIn(p, "HyperParameterTuningJobName");
        job("hyper-parameter-tuning-job", "HyperParameterTuningJobName", ["CreateHyperParameterTuningJob", "DescribeHyperParameterTuningJob", "ListTrainingJobsForHyperParameterTuningJob", "StopHyperParameterTuningJob"]);
        // SageMaker names a tuning job's trials <tuning job>-<NNN>-<suffix>.
        add(["sagemaker:DescribeTrainingJob"], sm(`training-job/${name}-001-abcdef12`));
        break;
      }
      case "aws-sdk:sagemaker:describeTrainingJob": {
        const from = /^(\$\.tuning\.[^.]+)\.TrainingJobName$/.exec(p["TrainingJobName.$"] ?? "")?.[1];
        const tuning = from && tuningByPath.get(from);
        add(["sagemaker:DescribeTrainingJob"], tuning ? sm(`training-job/${tuning}-001-abcdef12`) : undefined);
        break;
      }
      case "sagemaker:createProcessingJob.sync":
        job("processing-job", "ProcessingJobName", ["CreateProcessingJob", "DescribeProcessingJob", "StopProcessingJob"]);
        break;
      case "sagemaker:createModel":
        job("model", "ModelName", ["CreateModel"]);
        // A model made from a model package: SageMaker reads the package as the caller.
        for (const g of groups) add(["sagemaker:DescribeModelPackage"], sm(`model-package/${g}/1`));
        break;
      case "sagemaker:createTransformJob.sync":
        job("transform-job", "TransformJobName", ["CreateTransformJob", "DescribeTransformJob", "StopTransformJob"]);
        break;
      case "aws-sdk:sagemaker:deleteModel":
        add(["sagemaker:DeleteModel"], sm(`model/${nameIn(p, "ModelName")}`));
        break;
      case "aws-sdk:sagemaker:listModelPackages":
        // No resource-level permissions: "*" is the only resource AWS accepts.
        add(["sagemaker:ListModelPackages"], "*");
        break;
      case "aws-sdk:sagemaker:createModelPackage":
        add(["sagemaker:CreateModelPackage"], sm(`model-package-group/${p.ModelPackageGroupName}`));
        add(["sagemaker:CreateModelPackage"], sm(`model-package/${p.ModelPackageGroupName}/1`));
        break;
      case "aws-sdk:s3:putObject":
        add(["s3:PutObject"], `arn:aws:s3:::${p.Bucket}/${p.Key}`);
        break;
      case "aws-sdk:s3:getObject":
        add(["s3:GetObject"], `arn:aws:s3:::${p.Bucket}/${p.Key}`);
        break;
      default:
        throw new Error(`${state}: no rule for the integration ${api}`);
    }
  }
  return calls;
}

/** A state at run time, for `evalIntrinsic`: the ids the machines' paths read. */
export const SAMPLE_STATE = { run: { id: RUN_ID, bucket: "acme-ml-artifacts" }, tables: { latest: { run_id: "feedbeef" } } };

/**
 * The value of a `.$` field: a JSONPath, or a States.Format of string literals and paths, as
 * Step Functions computes it from `input` (enough of the language for the machines' paths).
 */
export function evalIntrinsic(expr: string, input: unknown = SAMPLE_STATE): string {
  const path = (p: string): unknown => p.slice(2).split(".").reduce<any>((o, k) => (o == null ? undefined : o[k]), input);
  if (expr.startsWith("$.")) return String(path(expr));
  const m = /^States\.Format\((.*)\)$/s.exec(expr);
  if (!m) throw new Error(`not a path or States.Format: ${expr}`);
  const args: string[] = [];
  const re = /\s*(?:'((?:[^'\\]|\\.)*)'|(\$[.\w]+))\s*(?:,|$)/gy;
  let a: RegExpExecArray | null;
  while (re.lastIndex < m[1]!.length && (a = re.exec(m[1]!))) {
    if (a[1] !== undefined) args.push(a[1].replace(/\\(.)/g, "$1"));
    else {
      const v = path(a[2]!);
      if (v === undefined) throw new Error(`${a[2]} is not in the state`);
      args.push(String(v));
    }
  }
  const [template, ...values] = args;
  let i = 0;
  return template!.replace(/\{\}/g, () => values[i++]!);
}
