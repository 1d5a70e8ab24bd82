// An hdfs:// location in a pipeline compiled for AWS (a `target aws` block, or `mlp compile
// --target aws|all`) is refused by the checker (MLP0505), so `mlp check` reports it (with the
// block) and `mlp compile` stops before writing anything,
// instead of a Pulumi program whose Glue job or batch transform fails once deployed. Run with
// the built CLI (node compiler/build.mjs), as users run it.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { compilation } from "../../../compiler/compile";
import { TargetError } from "../../../compiler/target-api";
import { checkProgram } from "../../../language/checker/program";
import { emitAws } from "../../../targets/aws/index";
import { ROOT } from "./harness";

const BIN = join(ROOT, "compiler/bin/mlp.mjs");
let dir = "";

beforeAll(() => {
  if (!existsSync(join(ROOT, "compiler/dist/mlp.cjs"))) execFileSync(process.execPath, [join(ROOT, "compiler/build.mjs")], { cwd: ROOT });
  dir = mkdtempSync(join(tmpdir(), "mlp-aws-reach-"));
}, 120_000);
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const mlp = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { cwd: dir, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });

const file = (uri: string, target: string) => `pipeline plant {
  version = "1"
}

schema Reading {
  machine_id: string
  vibration:  float
  failed:     bool
}

source readings: Table<Reading> {
  uri    = "${uri}"
  format = parquet
}

split parts(readings) {
  train = 0.8
  test  = 0.2
}

train model(parts.train) {
  framework = sklearn
  entry     = "train.py"
  label     = failed
}

evaluate gate(model, parts.test) {
  require accuracy >= 0.8
}

deploy api(gate) {
  mode = endpoint
}
${target}`;

test("aws: an hdfs:// source compiled for AWS must be a checker diagnostic, not a code comment", () => {
  writeFileSync(join(dir, "train.py"), "print('train')\n");
  writeFileSync(join(dir, "plant.mlp"), file("hdfs://plant-lake/sensors/", `\ntarget aws {\n  region = "eu-central-1"\n}\n`));
  const check = mlp(["check", "plant.mlp"]);
  expect(check.status).toBe(1);
  // (check prints its report on stdout, compile on stderr.)
  expect(check.stdout).toContain("error[MLP0505]: `readings` reads `hdfs://plant-lake/sensors/`, which AWS cannot reach");
  // The primary span is the uri itself, and the help names both ways out.
  expect(check.stdout).toMatch(/^12 \|   uri    = "hdfs:\/\/plant-lake\/sensors\/"\n\s+\|\s{12}\^{28} an HDFS location$/m);
  expect(check.stdout).toContain("help: copy the data to S3 (s3://...) or compile for onprem");
  expect(check.stdout + check.stderr).not.toMatch(/^\s+at /m);
  const compile = mlp(["compile", "plant.mlp", "--target", "aws", "--out", "out"]);
  expect(compile.status).toBe(1);
  expect(compile.stderr).toContain("error[MLP0505]");
  expect(existsSync(join(dir, "out"))).toBe(false);
  // On S3 the same file compiles, and the Glue job of the source may read that location.
  writeFileSync(join(dir, "plant.mlp"), file("s3://plant-lake/sensors/", `\ntarget aws {\n  region = "eu-central-1"\n}\n`));
  const ok = mlp(["compile", "plant.mlp", "--target", "aws", "--out", "out"]);
  expect(ok.status, ok.stderr).toBe(0);
  expect(readFileSync(join(dir, "out/aws/index.ts"), "utf8")).not.toContain("not an s3:// location");
  // Without `target aws` HDFS is fine for onprem, and checks clean...
  writeFileSync(join(dir, "plant.mlp"), file("hdfs://plant-lake/sensors/", `\ntarget onprem {\n  warehouse = "hdfs://plant-lake/warehouse"\n}\n`));
  expect(mlp(["check", "plant.mlp"]).status).toBe(0);
  expect(mlp(["compile", "plant.mlp", "--target", "onprem", "--out", "onprem"]).status).toBe(0);
  // ...but compiling it for AWS anyway (alone, or within `all`) is the same error, not a comment.
  for (const target of ["aws", "all"]) {
    const r = mlp(["compile", "plant.mlp", "--target", target, "--out", `out-${target}`]);
    expect(r.status, r.stderr).toBe(1);
    expect(r.stderr).toContain("error[MLP0505]: `readings` reads `hdfs://plant-lake/sensors/`, which AWS cannot reach");
    expect(r.stderr).toContain("help: copy the data to S3 (s3://...) or compile for onprem");
    expect(r.stderr).not.toMatch(/^\s+at /m);
    expect(existsSync(join(dir, `out-${target}`))).toBe(false);
  }
});

test("aws: a variant that moves data to HDFS is refused for AWS, blamed on its override", () => {
  const text = file("s3://plant-lake/sensors/", `\nvariant gdansk {\n  readings.uri = "hdfs://gdansk-lake/sensors/"\n}\n`);
  writeFileSync(join(dir, "plant.mlp"), text);
  expect(mlp(["check", "plant.mlp"]).status).toBe(0);
  const r = mlp(["compile", "plant.mlp", "--target", "aws", "--out", "out-variant"]);
  expect(r.status, r.stderr).toBe(1);
  expect(r.stderr).toContain("error[MLP0505]: with variant `gdansk`: `readings` reads `hdfs://gdansk-lake/sensors/`, which AWS cannot reach");
  expect(r.stderr).toMatch(/readings\.uri = "hdfs:\/\/gdansk-lake\/sensors\/"/);
  expect(existsSync(join(dir, "out-variant"))).toBe(false);
});

test("aws: an IR with an HDFS location that reaches the target without the checker is refused, not commented", () => {
  const text = file("hdfs://plant-lake/sensors/", "");
  const program = checkProgram("plant.mlp", { read: () => text });
  expect(program.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  expect(() => emitAws(compilation(program))).toThrow(TargetError);
  expect(() => emitAws(compilation(program))).toThrow("`readings` reads \"hdfs://plant-lake/sensors/\", which AWS cannot reach");
});
