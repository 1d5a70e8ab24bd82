// Issue 11, Spark: "Outputs are one warehouse folder overwritten by every run: write each run
// under its run id and move a `latest` pointer when the run succeeds, so a failed run never
// leaves a mix and a model version can name the exact data it was trained on."
import { existsSync, readdirSync, readFileSync, readlinkSync, realpathSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { emitSpark } from "../../targets/spark/index";
import { calls, compile, fakeJobs, fakeSbatch, irOf, MODEL_PYTHON, project, run, SAMPLES, standIns, tmp, writeOut } from "./slurm/helpers";
import { sparkErrors } from "./sql-grammar";

const RUN = "${env:MLP_RUN_ID}";

/** Every path a Spark file reads or writes: the literal after `'path' =` or `DIRECTORY`. */
const paths = (sql: string) => [...sql.matchAll(/(?:'path' = |INSERT OVERWRITE DIRECTORY )'((?:[^'\\]|\\.)*)'/g)].map((m) => m[1]!);

const PIPELINE = (warehouse: string) => `pipeline runs {}
target onprem {
  model_dir = ${JSON.stringify(join(warehouse, "..", "models"))}
  warehouse = ${JSON.stringify(warehouse)}
}
schema Row {
  id: string
  x:  float
  y:  float
}
source rows: Table<Row> {
  uri    = "data/rows.csv"
  format = csv
}
split parts(rows) {
  train = 0.8
  test  = 0.2
}
train model(parts.train) {
  framework = sklearn
  entry     = "train.py"
  label     = y
}
evaluate gate(model, parts.test) {
  require rmse <= 1000.0
}
register registry(gate) {
  name = "runs"
}
`;

/**
 * PIPELINE compiled for Slurm into a fresh folder: the scripts, a project with its entry script,
 * seeded tables under the warehouse, and the environment the stand-ins run the jobs with (the
 * jobs find the warehouse and model folder from the settings, as on a cluster).
 */
function generated(prefix: string) {
  const dir = tmp(prefix);
  const warehouse = join(dir, "warehouse");
  const text = PIPELINE(warehouse);
  const src = join(dir, "runs.mlp");
  const ir = irOf(src, undefined, text);
  const slurm = writeOut(join(dir, "out"), compile(src, undefined, text), ir);
  const proj = project(join(dir, "project"), ir, warehouse);
  const env: NodeJS.ProcessEnv = { ...process.env, ...standIns(dir), MLP_SBATCH: fakeSbatch(dir), MLP_PYTHON: MODEL_PYTHON };
  delete env.MLP_DATA_DIR;
  delete env.MLP_MODEL_DIR;
  return { dir, warehouse, slurm, proj, env };
}

describe("spark: each run writes under its run id, and latest moves only when the whole run succeeded", () => {
  it("every table a sample's job reads or writes is in the run's folder <warehouse>/runs/<MLP_RUN_ID>/, and the job stops first without a plain run id", () => {
    for (const f of readdirSync(SAMPLES, { withFileTypes: true }).filter((e) => e.isFile() && e.name.endsWith(".mlp")).map((e) => e.name)) {
      const ir = irOf(join(SAMPLES, f));
      for (const file of emitSpark({ ir, variants: [] }).filter((g) => g.path.endsWith(".sql"))) {
        const sql = file.contents;
        const stored = paths(sql).filter((p) => !p.includes("://") || p.startsWith(ir.settings.onprem.warehouse));
        expect(stored.length, file.path).toBeGreaterThan(0);
        for (const p of stored) expect(p, `${f} ${file.path}`).toMatch(new RegExp(`^${ir.settings.onprem.warehouse.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}/runs/\\$\\{env:MLP_RUN_ID\\}/[A-Za-z0-9_]+(/(train|test))?$`));
        // The guard comes before any statement that reads or writes.
        const guard = sql.indexOf("SELECT RAISE_ERROR('MLP_RUN_ID is not set");
        expect(guard, file.path).toBeGreaterThan(0);
        expect(guard).toBeLessThan(sql.indexOf("CREATE OR REPLACE"));
        expect(sparkErrors(sql)).toEqual([]);
      }
    }
  }, 120_000);

  it("a warehouse holding quotes, `$` and `${...}` stays data: only the run id is left for spark-sql to substitute", () => {
    const dir = tmp("spark-runs-hostile");
    const warehouse = join(dir, "it's ${env:HOME} $x; -- wh");
    const ir = irOf(join(dir, "runs.mlp"), undefined, PIPELINE(warehouse));
    for (const file of emitSpark({ ir, variants: [] }).filter((g) => g.path.endsWith(".sql"))) {
      expect(sparkErrors(file.contents)).toEqual([]);
      for (const p of paths(file.contents).filter((x) => x.includes("/runs/"))) {
        // One substitution per path, the run id's; the warehouse's `$` are \u0024.
        expect(p.split("${").length - 1, p).toBe(1);
        expect(p.startsWith(`${dir}/it\\'s \\u0024{env:HOME} \\u0024x\\u003B -\\u002D wh/runs/${RUN}/`), p).toBe(true);
      }
    }
  }, 60_000);

  it("a run's tables go to runs/<id>/; a failed run leaves latest (and the good run's tables) as they were; a model names the exact tables it was trained on (bash, stand-in sbatch and spark-sql)", () => {
    const { dir, warehouse, slurm, proj, env: base } = generated("spark-runs");
    const submit = (runId: string, extra: NodeJS.ProcessEnv = {}) => {
      const r = run("bash", [join(slurm, "submit.sh")], { cwd: proj, env: { ...base, MLP_RUN_ID: runId, ...extra }, timeout: 120_000 });
      expect(r.status, r.stderr).toBe(0);
    };

    // A good run: its tables in its own folder, latest names it once all of it succeeded. An
    // MLP_DATA_RUN left in the environment does not make it read another run's tables.
    submit("r1", { MLP_DATA_RUN: "latest" });
    expect(fakeJobs(dir).map((j) => `${j.job} ${j.state}`)).toEqual(["rows COMPLETED", "parts COMPLETED", "model COMPLETED", "gate COMPLETED", "registry COMPLETED", "latest COMPLETED"]);
    expect(readdirSync(join(warehouse, "runs/r1")).sort()).toEqual(["_mlp_run.json", "parts", "rows"]);
    expect(readlinkSync(join(warehouse, "latest"))).toBe("runs/r1");
    const meta = JSON.parse(readFileSync(join(dir, "models/registry/runs/1/metadata.json"), "utf8"));
    expect(meta.run_id).toBe("r1");
    expect(meta.data).toEqual({ train: realpathSync(join(warehouse, "runs/r1/parts/train")), test: realpathSync(join(warehouse, "runs/r1/parts/test")) });
    const r1Rows = readFileSync(join(warehouse, "runs/r1/rows/part-0.csv"), "utf8");

    // A run whose split job fails after writing part of its output: its folder holds what it
    // wrote, nothing behind it ran, latest still names r1 and r1's tables are untouched.
    submit("r2", { MLP_TEST_FAIL_SQL: "parts.sql" });
    const r2 = Object.fromEntries(fakeJobs(dir).slice(-6).map((j) => [j.job, j.state]));
    expect(r2).toEqual({ rows: "COMPLETED", parts: "FAILED", model: "CANCELLED", gate: "CANCELLED", registry: "CANCELLED", latest: "CANCELLED" });
    expect(existsSync(join(warehouse, "runs/r2/rows"))).toBe(true);
    expect(readlinkSync(join(warehouse, "latest"))).toBe("runs/r1");
    expect(readFileSync(join(warehouse, "latest/rows/part-0.csv"), "utf8")).toBe(r1Rows);
    expect(existsSync(join(dir, "models/registry/runs/2"))).toBe(false);

    // Runs may end out of order: a run submitted before the one latest names never replaces it.
    submit("r3");
    expect(readlinkSync(join(warehouse, "latest"))).toBe("runs/r3");
    const late = run("bash", [join(slurm, "latest.sbatch")], { cwd: slurm, env: { ...base, MLP_RUN_ID: "r1", MLP_RUN_SUBMITTED: "2000-01-01T00:00:00Z" } });
    expect(late.status, late.stderr).toBe(0);
    expect(late.stderr).toContain("latest stays at run r3");
    expect(readlinkSync(join(warehouse, "latest"))).toBe("runs/r3");
  }, 240_000);

  it("a run id that is no plain name is refused before any job runs: it names folders and is substituted into the SQL", () => {
    const { dir, warehouse, slurm, proj, env } = generated("spark-runs-bad-id");
    for (const bad of ["it's", "a/b", "..", "x y", "$(touch PWNED)"]) {
      const r = run("bash", [join(slurm, "submit.sh")], { cwd: proj, env: { ...env, MLP_RUN_ID: bad } });
      expect(r.status, bad).toBe(2);
      expect(r.stderr).toContain("MLP_RUN_ID must be a plain name");
      // A job started by hand refuses it too.
      const job = run("bash", [join(slurm, "rows.sbatch")], { cwd: slurm, env: { ...env, MLP_RUN_ID: bad } });
      expect(job.status, bad).toBe(2);
      const data = run("bash", [join(slurm, "gate.sbatch")], { cwd: slurm, env: { ...env, MLP_RUN_ID: "ok", MLP_DATA_RUN: bad } });
      expect(data.status, bad).toBe(2);
      expect(data.stderr).toContain("MLP_DATA_RUN must be a plain name");
    }
    expect(fakeJobs(dir)).toEqual([]);
    expect(calls(dir).filter((c) => c.tool === "spark-sql")).toEqual([]);
    expect(existsSync(join(warehouse, "runs"))).toBe(false);
  }, 60_000);
});
