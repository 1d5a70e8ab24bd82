// The Pulumi program's printer (targets/aws/print.ts) on values the generated programs seldom
// hold, so the samples and goldens would not notice them printed wrong.
import { describe, expect, it } from "vitest";
import type { Code, Program } from "../../../targets/aws/model";
import { printProgram } from "../../../targets/aws/print";

function printed(args: Code): string {
  const p: Program = {
    project: "p",
    description: "d",
    lookups: [],
    groups: [{ title: ["g"], resources: [{ v: "bucket", type: "aws.s3.Bucket", name: "b", args }] }],
    outputs: [],
    assets: [],
    optionalConfig: [],
    flinkZips: [],
  };
  return printProgram(p, "s.mlp")
    .split("\n")
    .filter((l) => l.includes("new aws.s3.Bucket"))
    .join("\n");
}

describe("the Pulumi printer", () => {
  it("writes an empty list and an empty object on one line as [] and {}", () => {
    const args: Code = { k: "obj", entries: [["tags", { k: "arr", items: [] }], ["x", { k: "obj", entries: [] }]] };
    expect(printed(args)).toBe('const bucket = new aws.s3.Bucket("b", { tags: [], x: {} });');
  });
});
