// Every state machine of every project (each stack's, where they differ) is valid Amazon
// States Language, checked by asl-validator with its ARN and path checks on. The templates'
// ${Name} placeholders are filled the way the program fills them (index.ts: definition()),
// with values of the right shape.
import aslValidator from "asl-validator";
import { expect, test } from "vitest";
import { awsCases, projectOf } from "./harness";

const VALUES: Record<string, string> = {
  Partition: "aws",
  ArtifactBucket: "mlp-artifacts-0a1b2c3",
  SageMakerRoleArn: "arn:aws:iam::123456789012:role/mlp-sagemaker",
  MetricsFunction: "arn:aws:lambda:us-east-1:123456789012:function:mlp-metrics",
  AlertTopic: "arn:aws:sns:us-east-1:123456789012:mlp-alerts",
};
const valueOf = (name: string) =>
  VALUES[name] ??
  (name.startsWith("Image") ? `763104351884.dkr.ecr.us-east-1.amazonaws.com/${name.toLowerCase()}:1` : name.startsWith("Group") ? `group-${name.toLowerCase()}` : name.startsWith("GlueJob") ? `job-${name.toLowerCase()}` : undefined);

/** What the generated definition() does: `${Name}` filled, `$${` back to `${`. */
function fill(x: unknown): unknown {
  if (typeof x === "string")
    return x.replace(/\$\$\{|\$\{([A-Za-z0-9]+)\}/g, (_m, name?: string) => {
      if (name === undefined) return "${";
      const v = valueOf(name);
      if (v === undefined) throw new Error(`unknown placeholder ${name}`);
      return v;
    });
  if (Array.isArray(x)) return x.map(fill);
  if (x && typeof x === "object") return Object.fromEntries(Object.entries(x).map(([k, y]) => [k, fill(y)]));
  return x;
}

const machines = awsCases().flatMap((c) => projectOf(c.path).filter((f) => f.path.endsWith(".asl.json")).map((f) => ({ id: `${c.id}/${f.path}`, text: f.contents })));

test("there are state machines to check", () => {
  expect(machines.length).toBeGreaterThanOrEqual(15);
});

test.each(machines)("$id is valid ASL", ({ text }) => {
  const definition = fill(JSON.parse(text));
  const { isValid, errorsText } = aslValidator(definition as never, { checkArn: true, checkPaths: true });
  expect(isValid, errorsText("\n")).toBe(true);
}, 30_000);
