// Notebooks: the notebook is uploaded with a JSON config (its parameters and where each input
// is), and a SageMaker Processing job runs it with papermill (scripts/run_notebook.py) in the
// machine that produces its inputs: the training machine, or a batch deployment's scoring.
import type { NodeOf, ValidNode } from "../../compiler/ir";
import { isBatchData, isDeploy, type Input } from "../../compiler/query";
import { ph, t, type Asl, type Flow } from "./asl";
import { compute } from "./compute";
import { cap, fileName, intrinsicText, warehousePath, type PlanContext } from "./context";
import { image } from "./images";
import { lit, name, obj, ref, type Group, type Json } from "./model";
import { commentText, stableJson } from "./quote";
import { NOTEBOOK_RUNNER } from "./scripts";
import { jobName, tablesRoot } from "./states";
import { sharedScript, uploadAsset } from "./storage";
import { unitOf } from "./training";
import { setOwn } from "../own";

export function notebookFiles(cx: PlanContext, n: NodeOf<"notebook">): void {
  const path = n.config.path;
  const s = cx.stem(n);
  const group: Group = { title: cx.title(n, `${commentText(path)} and what the notebook runner needs.`), resources: [] };
  cx.usesUpload = true;
  cx.res(group, { v: cx.v(s, "notebook"), type: "upload", name: cx.lname(n, "notebook"), args: obj({ path: lit(path), prefix: lit(`code/${n.id}/`) }) });
  sharedScript(cx, "notebookRunner", "notebooks/run_notebook.py", NOTEBOOK_RUNNER, "Runs a notebook with papermill in a SageMaker Processing job.");
  const inputs: Record<string, Json> = {};
  for (const i of cx.g.inputs(n)) {
    const label = i.from.kind === "split" ? `${i.from.id}.${i.fromPort}` : i.from.id;
    const where = locationOf(cx, i);
    if (where) setOwn(inputs, label, where);
  }
  const config = { notebook: path.slice(path.lastIndexOf("/") + 1), parameters: n.config.parameters ?? {}, inputs };
  const cfgPath = cx.asset(`assets/notebooks/${fileName(n.id)}.json`, stableJson(config));
  uploadAsset(cx, group, cx.v(s, "config"), cx.lname(n, "config"), cfgPath);
  cx.steps.push(group);
}

/** Where a notebook finds one of its inputs: a warehouse path, an environment variable or a URI. */
function locationOf(cx: PlanContext, i: Input): Json | undefined {
  const f = i.from;
  if (isBatchData(f)) return { warehouse: warehousePath(f, i.fromPort) };
  if (isDeploy(f, "batch")) return { uri: f.config.output ?? "" };
  const unit = unitOf(cx.g, f);
  if (unit) return { env: modelEnv(cx, unit.node) };
  return undefined;
}

/** The environment variable a notebook finds a model's S3 location in. */
const modelEnv = (cx: PlanContext, n: ValidNode) => `MLP_MODEL_${cx.key(n).toUpperCase()}`;

/**
 * The Processing job state; `models` are the units whose models the machine holds by now, `run`
 * the path of the run id whose tables the notebook reads (states.ts: OWN_TABLES, LATEST_TABLES).
 */
export function notebookState(cx: PlanContext, flow: Flow, n: NodeOf<"notebook">, models: ReadonlySet<string>, run: string): void {
  const r = compute(n.config.resources);
  const img = image(cx, "notebook", "training", false);
  const env: Record<string, Asl> = {
    MLP_CONFIG: `${fileName(n.id)}.json`,
    // The run's tables: the inputs' warehouse paths are relative to it (run_notebook.py).
    "MLP_WAREHOUSE.$": tablesRoot(run),
    "MLP_RUN_ID.$": "$.run.id",
  };
  for (const i of cx.g.inputs(n)) {
    const unit = unitOf(cx.g, i.from);
    if (unit && models.has(unit.node.id)) env[`${modelEnv(cx, unit.node)}.$`] = `$.models.${cx.key(unit.node)}.ModelArtifacts.S3ModelArtifacts`;
  }
  const prefix = cx.jobPrefix(n, 63);
  flow.add(`Notebook ${n.id}`, {
    Type: "Task",
    Resource: t`arn:${ph("Partition")}:states:::sagemaker:createProcessingJob.sync`,
    Parameters: {
      "ProcessingJobName.$": jobName(cx, n, 63),
      RoleArn: cx.placeholder("SageMakerRoleArn", ref(cx.iam.role("sagemaker"), "arn")),
      AppSpecification: { ImageUri: cx.placeholder(`Image${cap(img.v)}`, name(img.v, "registryPath")), ContainerEntrypoint: ["python3", "/opt/ml/processing/input/mlp/run_notebook.py"] },
      ProcessingInputs: [
        { InputName: "mlp", S3Input: { S3Uri: t`s3://${ph("ArtifactBucket")}/assets/notebooks/`, LocalPath: "/opt/ml/processing/input/mlp", S3DataType: "S3Prefix", S3InputMode: "File" } },
        { InputName: "notebook", S3Input: { S3Uri: t`s3://${ph("ArtifactBucket")}/code/${n.id}/`, LocalPath: "/opt/ml/processing/input/notebook", S3DataType: "S3Prefix", S3InputMode: "File" } },
      ],
      ProcessingOutputConfig: {
        Outputs: [{ OutputName: "report", S3Output: { "S3Uri.$": `States.Format('s3://{}/runs/{}/reports/${intrinsicText(n.id)}', $.run.bucket, $.run.id)`, LocalPath: "/opt/ml/processing/output", S3UploadMode: "EndOfJob" } }],
      },
      ProcessingResources: { ClusterConfig: { InstanceCount: 1, InstanceType: r.instanceType, VolumeSizeInGB: 30 } },
      StoppingCondition: { MaxRuntimeInSeconds: r.maxRuntime },
      Environment: env,
    },
    ResultPath: null,
  });
  cx.iam.allow("states", `Notebook${cap(cx.stem(n))}`, ["sagemaker:AddTags", "sagemaker:CreateProcessingJob", "sagemaker:DescribeProcessingJob", "sagemaker:StopProcessingJob"], [cx.arn("sagemaker", `processing-job/${prefix}-*`)]);
  cx.iam.passSageMakerRole();
}
