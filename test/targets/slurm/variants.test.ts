// A variant is lowered from its own checked program, so everything the registration records
// about the model (label, task, input columns) is the variant's. The old target copied the
// model port of the file's own values into a variant's registration: a variant that changed
// the label registered the model under the stale label and task.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compile, fakeJobs, fakeSbatch, irOf, project, MODEL_PYTHON, run, standIns, tmp, writeOut } from "./helpers";

const PIPELINE = `pipeline labels {
  version = "1.0.0"
}

schema Row {
  id: string
  x:  float
  y:  float
  a:  bool
}

source rows: Table<Row> {
  uri    = "data/rows.csv"
  format = csv
}

train m(rows) {
  framework   = sklearn
  entry       = "train.py"
  label       = y
  hyperparams = { alpha: 0.0 }
}

register reg(m) {
  name = "labels"
}

deploy api(reg) {
  mode = endpoint
}

variant v {
  m.label = a
}
`;

/** The CONFIG a generated step script hands to mlp_runtime. */
function configOf(files: { path: string; contents: string }[], path: string): Record<string, unknown> {
  const text = files.find((f) => f.path === path)!.contents;
  const literal = /^CONFIG = json\.loads\((".*")\)$/m.exec(text)![1]!;
  return JSON.parse(JSON.parse(literal));
}

describe("slurm target: variants", () => {
  const file = join(tmp("variants"), "labels.mlp");
  writeFileSync(file, PIPELINE);

  it("the IR of variant v holds v's label and task (lower(program, 'v'))", () => {
    const ir = irOf(file, "v");
    expect(ir.variant).toBe("v");
    const model = ir.nodes.find((n) => n.id === "m")!.ports.outputs[0]!.artifact.model!;
    expect([model.label, model.task]).toEqual(["a", "classification"]);
  });

  it("registers the file's own model with label y, a regression", () => {
    const reg = configOf(compile(file), "register_reg.py");
    expect(reg).toMatchObject({ label: "y", task: "regression" });
    expect((reg.inputs as { name: string }[]).map((c) => c.name)).not.toContain("y");
  });

  it("registers variant v's model with label a and its task, classification (not the stale y, regression)", () => {
    const reg = configOf(compile(file, "v"), "register_reg.py");
    expect(reg).toMatchObject({ label: "a", task: "classification", framework: "sklearn", entry: "train.py", gates: [] });
    const inputs = (reg.inputs as { name: string }[]).map((c) => c.name);
    expect(inputs).not.toContain("a");
    expect(inputs).toContain("y");
  });

  it("writes label a and its task into the registry's metadata.json when variant v runs", () => {
    const dir = tmp("variants-run");
    const ir = irOf(file, "v");
    const slurm = writeOut(join(dir, "out"), compile(file, "v"), ir);
    const proj = project(join(dir, "project"), ir, join(dir, "data"));
    const env = { ...process.env, ...standIns(dir), MLP_SBATCH: fakeSbatch(dir), MLP_MODEL_DIR: join(dir, "models"), MLP_DATA_DIR: join(dir, "data"), MLP_RUN_ID: "v1", MLP_PYTHON: MODEL_PYTHON };
    const r = run("bash", [join(slurm, "submit.sh")], { cwd: proj, env });
    expect(r.status, r.stderr).toBe(0);
    expect(Object.fromEntries(fakeJobs(dir).map((j) => [j.job, j.state]))).toMatchObject({ m: "COMPLETED", reg: "COMPLETED" });
    const meta = JSON.parse(readFileSync(join(dir, "models/registry/labels/1/metadata.json"), "utf8"));
    expect(meta).toMatchObject({ name: "labels", label: "a", task: "classification", pipeline_version: "1.0.0" });
  }, 120_000);
});
