// Compute for SageMaker jobs and endpoints: `resources = { gpus, cpus, memory, nodes, timeout }`
// mapped to an instance type and count, the framework containers, and cron schedules in
// EventBridge Scheduler's syntax. Tables are documented in README.md beside this file.
import { durationMs, sizeBytes, type Resources } from "../../language/catalog/values";
import { TargetError } from "../../compiler/target-api";

export interface InstanceType {
  type: string;
  gpus: number;
  vcpus: number;
  memoryGiB: number;
}

const it = (type: string, gpus: number, vcpus: number, memoryGiB: number): InstanceType => ({ type, gpus, vcpus, memoryGiB });

/**
 * Candidates in order of on-demand price: the first that has at least the GPUs (per node), vCPUs
 * and memory asked for is chosen. GPU work runs on g5 (NVIDIA A10G) up to 8 GPUs, then p4d (A100);
 * CPU work on m5 (4 GiB per vCPU) or r5 (8 GiB per vCPU) when memory is the larger need.
 */
export const INSTANCE_TYPES: readonly InstanceType[] = [
  it("ml.m5.large", 0, 2, 8),
  it("ml.r5.large", 0, 2, 16),
  it("ml.m5.xlarge", 0, 4, 16),
  it("ml.r5.xlarge", 0, 4, 32),
  it("ml.m5.2xlarge", 0, 8, 32),
  it("ml.r5.2xlarge", 0, 8, 64),
  it("ml.m5.4xlarge", 0, 16, 64),
  it("ml.r5.4xlarge", 0, 16, 128),
  it("ml.r5.8xlarge", 0, 32, 256),
  it("ml.m5.12xlarge", 0, 48, 192),
  it("ml.r5.12xlarge", 0, 48, 384),
  it("ml.m5.24xlarge", 0, 96, 384),
  it("ml.r5.24xlarge", 0, 96, 768),
  it("ml.g5.xlarge", 1, 4, 16),
  it("ml.g5.2xlarge", 1, 8, 32),
  it("ml.g5.4xlarge", 1, 16, 64),
  it("ml.g5.8xlarge", 1, 32, 128),
  it("ml.g5.12xlarge", 4, 48, 192),
  it("ml.g5.16xlarge", 1, 64, 256),
  it("ml.g5.24xlarge", 4, 96, 384),
  it("ml.g5.48xlarge", 8, 192, 768),
  it("ml.p4d.24xlarge", 8, 96, 1152),
];

/** Without `resources`: 4 vCPUs and 16 GiB, SageMaker's usual default size. */
export const DEFAULT_INSTANCE = "ml.m5.xlarge";

export interface Compute {
  instanceType: string;
  count: number;
  gpus: number;
  /** Seconds; SageMaker's own default (one day) without a timeout. */
  maxRuntime: number;
}

export function compute(r: Resources | undefined): Compute {
  const gpus = r?.gpus ?? 0;
  const vcpus = r?.cpus ?? 0;
  const mem = r?.memory ? sizeBytes(r.memory) / 1024 ** 3 : 0;
  let instanceType = DEFAULT_INSTANCE;
  if (gpus > 0 || vcpus > 0 || mem > 0) {
    const fit = INSTANCE_TYPES.find((t) => (gpus > 0 ? t.gpus >= gpus : t.gpus === 0) && t.vcpus >= vcpus && t.memoryGiB >= mem);
    if (!fit) throw new TargetError(`no SageMaker instance type has ${gpus} GPUs, ${vcpus} vCPUs and ${r?.memory ?? "0GiB"} per node (see targets/aws/README.md)`);
    instanceType = fit.type;
  }
  const maxRuntime = r?.timeout ? Math.max(1, Math.ceil(durationMs(r.timeout) / 1000)) : 86_400;
  return { instanceType, count: r?.nodes ?? 1, gpus: INSTANCE_TYPES.find((t) => t.type === instanceType)?.gpus ?? 0, maxRuntime };
}

// ---------- framework containers ----------

export interface Image {
  repository: string;
  tag: string;
}

/** The TensorFlow of the training image; its models are served with the same version. */
export const TENSORFLOW_VERSION = "2.16.2";

/**
 * SageMaker's prebuilt framework containers (resolved per region by
 * aws.sagemaker.getPrebuiltEcrImage). They all run the entry script in script mode with the
 * SageMaker training toolkit (SM_* variables), and serve with model_fn/input_fn/predict_fn/output_fn
 * from the module SAGEMAKER_PROGRAM names.
 *
 * Except TensorFlow's inference image: it is TF Serving, which ignores SAGEMAKER_PROGRAM and
 * model_fn (it serves a SavedModel with its own REST API). TensorFlow models are served by the
 * PyTorch inference container instead, whose toolkit honours the entry contract, with
 * TensorFlow installed from the model's code/requirements.txt (servingRequirements).
 */
export function frameworkImage(framework: string, purpose: "training" | "inference", gpu: boolean): Image {
  const device = gpu ? "gpu" : "cpu";
  switch (framework) {
    case "pytorch":
      return { repository: `pytorch-${purpose}`, tag: `2.3.0-${device}-py311` };
    case "tensorflow":
      return purpose === "training" ? { repository: "tensorflow-training", tag: `${TENSORFLOW_VERSION}-${device}-py310` } : frameworkImage("pytorch", "inference", gpu);
    case "xgboost":
      return { repository: "sagemaker-xgboost", tag: "1.7-1" };
    default:
      return { repository: "sagemaker-scikit-learn", tag: "1.2-1-cpu-py3" };
  }
}

/**
 * What the serving container must install beside its own packages for a framework's models
 * (pip requirement lines): TensorFlow, served in the PyTorch container, at the training's version.
 */
export function servingRequirements(framework: string, gpu: boolean): string[] {
  return framework === "tensorflow" ? [`tensorflow${gpu ? "[and-cuda]" : ""}==${TENSORFLOW_VERSION}`] : [];
}

/** Notebooks run in the scikit-learn processing container, which has Python and pip for papermill. */
export const NOTEBOOK_IMAGE: Image = { repository: "sagemaker-scikit-learn", tag: "1.2-1-cpu-py3" };

// ---------- schedules ----------

/** The .mlp cron in EventBridge Scheduler's syntax (targets/cron.ts). */
export { eventBridgeCron as awsCron } from "../cron";
