// The model registry: a SageMaker model package group per register step, and the training
// machine's state that registers each run's model in it. A deployed model with no register
// step on its way still needs a version to serve: its gated model gets an implicit group,
// registered as approved (the gates approved it).
import type { NodeOf, ValidNode } from "../../compiler/ir";
import { TargetError } from "../../compiler/target-api";
import { ph, t, type Flow } from "./asl";
import { cap, intrinsicText, type PlanContext, type Registry } from "./context";
import { image } from "./images";
import { name, obj, lit, ref, tpl, type Group } from "./model";
import { dataPath, onGpu, servingProgram, unitOf } from "./training";
import { OWN_TABLES, tablesUri } from "./states";

export function registryGroup(cx: PlanContext, n: ValidNode, registryName: string, implicit: boolean): Registry {
  const group: Group = {
    title: implicit
      ? cx.title(n, "the model package group its gated models are registered in (the model is deployed, never registered).")
      : cx.title(n, "the model package group its versions are registered in."),
    resources: [],
  };
  const base = registryName.replace(/[^A-Za-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 40) || "model";
  const v = cx.v(cx.stem(n), "group");
  cx.res(group, {
    v,
    type: "aws.sagemaker.ModelPackageGroup",
    name: cx.lname(n, "group"),
    // Suffixed with the stack: stacks of one account must not share a registry.
    args: obj({ modelPackageGroupName: tpl(`${base}-`, name("stack")), modelPackageGroupDescription: lit(cx.describe(n)) }),
  });
  const reg = { v, node: n, implicit };
  cx.registries.set(n.id, reg);
  cx.steps.push(group);
  return reg;
}

/** The package group a deployment's model is registered in (an implicit one when no register step). */
export function registryOf(cx: PlanContext, deploy: NodeOf<"deploy">): Registry {
  const model = cx.g.input(deploy, "model");
  if (!model) throw new TargetError(`deploy \`${deploy.id}\` has no model`);
  const registered = cx.g.lineage(deploy)?.register;
  if (registered) return cx.registries.get(registered.id)!;
  return cx.registries.get(model.from.id) ?? registryGroup(cx, model.from, `${cx.pipe}-${model.from.id}`, true);
}

/** Registers the model of register step `n` (or, `deployFrom`, the implicit group's model). */
export function registerStates(cx: PlanContext, flow: Flow, n: ValidNode, deployFrom?: ValidNode): void {
  const reg = cx.registries.get(n.id)!;
  const unit = unitOf(cx.g, deployFrom ?? n)!;
  const train = unit.train;
  const img = image(cx, train.config.framework, "inference", onGpu(train));
  const stage = deployFrom ? "production" : n.kind === "register" ? n.config.stage : undefined;
  const mk = cx.key(unit.node);
  flow.add(`Register ${n.id}`, {
    Type: "Task",
    Resource: t`arn:${ph("Partition")}:states:::aws-sdk:sagemaker:createModelPackage`,
    Parameters: {
      ModelPackageGroupName: cx.placeholder(`Group${cap(reg.v)}`, ref(reg.v, "modelPackageGroupName")),
      ModelApprovalStatus: stage === "production" ? "Approved" : "PendingManualApproval",
      "ModelPackageDescription.$": `States.Format('mlp ${intrinsicText(cx.pipe)} run {}: ${intrinsicText(unit.node.id)}', $.run.id)`,
      // The exact tables it was trained (and gated) on: this run's, which later runs never overwrite.
      CustomerMetadataProperties: { pipeline: cx.pipe, step: unit.node.id, stage: stage ?? "none", "run.$": "$.run.id", ...trainingData(cx, unit.train) },
      InferenceSpecification: {
        Containers: [
          {
            Image: cx.placeholder(`Image${cap(img.v)}`, name(img.v, "registryPath")),
            "ModelDataUrl.$": `$.models.${mk}.ModelArtifacts.S3ModelArtifacts`,
            Environment: { SAGEMAKER_PROGRAM: servingProgram(train), SAGEMAKER_SUBMIT_DIRECTORY: "/opt/ml/model/code", SAGEMAKER_CONTAINER_LOG_LEVEL: "20" },
          },
        ],
        SupportedContentTypes: ["application/json", "application/jsonlines", "text/csv", "application/x-parquet"],
        SupportedResponseMIMETypes: ["application/json"],
      },
    },
    ResultSelector: { "ModelPackageArn.$": "$.ModelPackageArn" },
    ResultPath: `$.registered.${cx.key(n)}`,
  });
  cx.iam.allow("states", `Register${cap(reg.v)}`, ["sagemaker:CreateModelPackage"], [
    cx.arn("sagemaker", tpl("model-package-group/", ref(reg.v, "modelPackageGroupName"))),
    cx.arn("sagemaker", tpl("model-package/", ref(reg.v, "modelPackageGroupName"), "/*")),
  ]);
}

/** The registry metadata naming the training's `train` table in this run's tables. */
function trainingData(cx: PlanContext, train: NodeOf<"train">): Record<string, string> {
  const path = dataPath(cx, train);
  return path === undefined ? {} : { "data.$": tablesUri(path, OWN_TABLES) };
}
