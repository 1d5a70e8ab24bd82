// The compile panel's logic: the same registry and variants as `mlp compile`.
import { describe, expect, it } from "vitest";
import type { TargetDef } from "../../compiler/targets";
import { compile, zipEntries } from "../../editor/src/model/compile";
import { sample } from "./helpers";

const fake: TargetDef = {
  name: "fake",
  description: "lists the steps",
  emit: ({ ir }) => [{ path: "steps.txt", contents: ir.nodes.map((n) => `${n.name} ${JSON.stringify(n.kind === "source" ? (n.config.uri ?? "") : "")}`).join("\n") }],
};
const registry = (name: string): TargetDef[] =>
  name === "fake" ? [fake] : name === "both" ? [fake, { name: "later", description: "not yet" }] : name === "boom" ? [{ ...fake, emit: () => { throw new Error("no way") } }] : [];

describe("compile in the browser", () => {
  const churn = sample("churn.mlp");

  it("runs the target's generator, with the variant applied", () => {
    const base = compile(churn, "fake", "", registry);
    expect(base.files.map((f) => `${f.target}/${f.path}`)).toEqual(["fake/steps.txt"]);
    expect(base.files[0]!.contents).toContain('customers "s3://acme-raw/customers/"');
    const eu = compile(churn, "fake", "eu", registry);
    expect(eu.files[0]!.contents).toContain('customers "s3://acme-raw-eu/customers/"');
    expect(zipEntries(eu)).toEqual({ "fake/steps.txt": eu.files[0]!.contents });
  });

  it("says which targets are not built yet, and what failed", () => {
    const r = compile(churn, "both", "", registry);
    expect(r.notBuilt).toEqual(["later"]);
    expect(r.files).toHaveLength(1);
    expect(compile(churn, "boom", "", registry).failed).toEqual([{ target: "fake", message: "no way" }]);
  });

  it("refuses a program with errors, a library and an unknown variant", () => {
    const broken = sample("churn.mlp", { "churn.mlp": churn.texts["churn.mlp"]!.replace("label       = churned", "label       = churnd") });
    expect(compile(broken, "fake", "", registry).blocked).toMatch(/has 1 error; fix it first/);
    expect(compile(sample("lib/customer.mlp"), "fake", "", registry).blocked).toMatch(/declares no pipeline/);
    expect(compile(churn, "fake", "us", registry).blocked).toMatch(/no variant us/);
  });

  it("refuses to compile HDFS data for AWS, as `mlp compile` does, and compiles it for onprem", () => {
    const plant = sample("churn.mlp", { "churn.mlp": churn.texts["churn.mlp"]!.replace('"s3://acme-raw/customers/"', '"hdfs://plant-lake/customers/"').replace(/^target aws \{[^}]*\}\n/m, "") });
    expect(plant.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    for (const target of ["aws", "all"]) {
      const r = compile(plant, target, "");
      expect(r.files).toEqual([]);
      expect(r.blocked).toMatch(/cannot be compiled for (aws|all): `customers` reads `hdfs:\/\/plant-lake\/customers\/`, which AWS cannot reach \(MLP0505; copy the data to S3/);
    }
    const onprem = compile(plant, "onprem", "");
    expect(onprem.blocked).toBeUndefined();
    expect(onprem.files.length).toBeGreaterThan(0);
  });

  it("uses the project's registry by default", () => {
    const r = compile(churn, "aws", "");
    expect(r.blocked).toBeUndefined();
    expect(r.notBuilt.length + r.files.length + r.failed.length).toBeGreaterThan(0);
  });
});
