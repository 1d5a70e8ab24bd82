// The SageMaker containers the jobs run: each distinct image is looked up once per region
// (aws.sagemaker.getPrebuiltEcrImage) and the SageMaker role may pull exactly that repository.
// Which image a framework gets is decided in compute.ts.
import { cap, type PlanContext } from "./context";
import { frameworkImage, NOTEBOOK_IMAGE, type Image } from "./compute";
import { name, tpl } from "./model";
import { camel } from "./quote";

/** The lookup variable of the image `framework` trains or serves with (`notebook`: the notebook runner's). */
export function image(cx: PlanContext, framework: string, purpose: "training" | "inference", gpu: boolean): { v: string; image: Image } {
  const image = framework === "notebook" ? NOTEBOOK_IMAGE : frameworkImage(framework, purpose, gpu);
  const k = `${image.repository}:${image.tag}`;
  let v = cx.images.get(k);
  if (!v) {
    v = cx.v(image.repository.replace(/^sagemaker-/, ""), image.tag.includes("gpu") ? "gpu" : "", "image");
    cx.images.set(k, v);
    cx.lookup({ v, code: { k: "raw", text: `aws.sagemaker.getPrebuiltEcrImageOutput({ repositoryName: ${JSON.stringify(image.repository)}, imageTag: ${JSON.stringify(image.tag)} })` } });
    cx.iam.allow("sagemaker", `Pull${cap(camel(image.repository, image.tag))}`, ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"], [
      tpl("arn:", name("partition"), ":ecr:", name("region"), ":", name(v, "registryId"), `:repository/${image.repository}`),
    ]);
  }
  return { v, image };
}
