// Storage: the artifact bucket every other resource reads from or writes to, and the shared
// scripts uploaded into it. Its layout: assets/ (generated files), code/ (the user's entry
// scripts and notebooks), warehouse/ (the batch steps' outputs), runs/ (models and reports).
import type { PlanContext } from "./context";
import { arr, data, file, json, lit, obj, ref, type Group } from "./model";
import { slug } from "./quote";

/** The bucket, versioned, encrypted, owner-enforced, never public and TLS-only. */
export function artifactBucket(cx: PlanContext): void {
  const g: Group = { title: ["The artifact bucket: generated assets (assets/), user code (code/), the batch steps' outputs", "(warehouse/) and every run's models and reports (runs/). Versioned, encrypted, never public."], resources: [] };
  cx.take("artifacts");
  const bucket = cx.settings.artifact_bucket;
  cx.res(g, { v: "artifacts", type: "aws.s3.Bucket", name: cx.lname(undefined, "artifacts"), args: obj({ bucket: bucket === undefined ? undefined : lit(bucketName(bucket, cx.variant)) }) });
  cx.res(g, {
    v: cx.v("artifacts", "versioning"),
    type: "aws.s3.BucketVersioning",
    name: cx.lname(undefined, "artifacts-versioning"),
    args: obj({ bucket: ref("artifacts", "id"), versioningConfiguration: obj({ status: lit("Enabled") }) }),
  });
  cx.res(g, {
    v: cx.v("artifacts", "encryption"),
    type: "aws.s3.BucketServerSideEncryptionConfiguration",
    name: cx.lname(undefined, "artifacts-encryption"),
    args: obj({ bucket: ref("artifacts", "id"), rules: arr([obj({ applyServerSideEncryptionByDefault: obj({ sseAlgorithm: lit("AES256") }) })]) }),
  });
  const pab = cx.v("artifacts", "public", "access");
  cx.res(g, {
    v: pab,
    type: "aws.s3.BucketPublicAccessBlock",
    name: cx.lname(undefined, "artifacts-public-access"),
    args: obj({ bucket: ref("artifacts", "id"), blockPublicAcls: lit(true), blockPublicPolicy: lit(true), ignorePublicAcls: lit(true), restrictPublicBuckets: lit(true) }),
  });
  cx.res(g, {
    v: cx.v("artifacts", "ownership"),
    type: "aws.s3.BucketOwnershipControls",
    name: cx.lname(undefined, "artifacts-ownership"),
    args: obj({ bucket: ref("artifacts", "id"), rule: obj({ objectOwnership: lit("BucketOwnerEnforced") }) }),
  });
  cx.res(g, {
    v: cx.v("artifacts", "tls", "only"),
    type: "aws.s3.BucketPolicy",
    name: cx.lname(undefined, "artifacts-tls-only"),
    note: ["Requests without TLS are refused, whoever makes them."],
    args: obj({
      bucket: ref("artifacts", "id"),
      policy: json(
        obj({
          Version: lit("2012-10-17"),
          Statement: arr([
            obj({
              Sid: lit("DenyInsecureTransport"),
              Effect: lit("Deny"),
              Principal: lit("*"),
              Action: lit("s3:*"),
              Resource: arr([ref("artifacts", "arn"), cx.bucketArn("/*")]),
              Condition: data({ Bool: { "aws:SecureTransport": "false" } }),
            }),
          ]),
        }),
      ),
    }),
    dependsOn: [pab],
  });
  cx.head.push(g);
}

/** `artifact_bucket`, suffixed with the variant for a variant's stack: bucket names are global. */
export function bucketName(bucket: string, variant: string | null): string {
  if (variant === null) return bucket;
  const suffix = `-${slug(variant, 20)}`;
  return `${bucket.slice(0, 63 - suffix.length).replace(/[.-]+$/, "")}${suffix}`;
}

/** A fixed script several steps run, uploaded once to assets/<key>: its bucket object's variable. */
export function sharedScript(cx: PlanContext, v: string, key: string, contents: string, what: string): string {
  let shared = cx.sharedScripts;
  if (shared?.resources.some((r) => r.v === v)) return v;
  if (!shared) {
    shared = cx.sharedScripts = { title: ["Scripts shared by the steps (assets/): fixed programs that read their step's settings from", "arguments, environment and JSON, never from generated code."], resources: [] };
    cx.head.push(shared);
  }
  cx.take(v);
  const path = cx.asset(`assets/${key}`, contents);
  cx.res(shared, { v, type: "aws.s3.BucketObject", name: cx.lname(undefined, key.replace(/\.[a-z]+$/, "").replace(/[^A-Za-z0-9]+/g, "-")), note: [what], args: obj({ bucket: ref("artifacts", "id"), key: lit(`assets/${key}`), source: file(path) }) });
  return v;
}

/** A generated file of the project uploaded to the same key in the bucket. */
export function uploadAsset(cx: PlanContext, group: Group, v: string, nameOf: string, path: string): string {
  return cx.res(group, { v, type: "aws.s3.BucketObject", name: nameOf, args: obj({ bucket: ref("artifacts", "id"), key: lit(path), source: file(path) }) });
}
