import { join } from "node:path";
import { readFileSync, readdirSync } from "node:fs";
import { it } from "vitest";
import { compile, fakeJobs, fakeSbatch, irOf, project, MODEL_PYTHON, run, SAMPLES, standIns, tmp, writeOut } from "/work/main/test/targets/slurm/helpers";
it("dbg", () => {
  const path = join(SAMPLES, "machine_failure.mlp");
  const dir = tmp("local");
  const ir = irOf(path);
  const slurm = writeOut(join(dir, "out"), compile(path), ir);
  const proj = project(join(dir, "project"), ir, join(dir, "data"));
  const env = { ...process.env, ...standIns(dir), MLP_SBATCH: fakeSbatch(dir), MLP_MODEL_DIR: join(dir, "models"), MLP_DATA_DIR: join(dir, "data"), MLP_RUN_ID: "test-run", MLP_PYTHON: MODEL_PYTHON };
  const r = run("bash", [join(slurm, "submit.sh")], { cwd: proj, env, timeout: 120_000 });
  console.log(r.status, r.stderr.slice(-2000));
  console.log(JSON.stringify(fakeJobs(dir).map((j) => [j.job, j.state])));
  console.log(dir);
});
