// The generated scripts and their Python runtime, run on this machine without Slurm:
// submit.sh drives a stand-in sbatch that runs each job with bash in dependency order
// (so the job scripts, the tune driver, the gate, the registry, scoring and notebooks
// run exactly as generated), plus unit checks of the runtime's pieces.
import { existsSync, readFileSync, readlinkSync, realpathSync, rmSync, writeFileSync, mkdirSync, readdirSync } from "node:fs";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { calls, compile, CONFORMANCE, fakeJobs, fakeSbatch, irOf, project, MODEL_PYTHON, PYTHON, ROWS, run, SAMPLES, script, seedRun, standIns, tmp, writeOut } from "./helpers";

function setup(path: string, variant?: string) {
  const dir = tmp("local");
  const ir = irOf(path, variant);
  const slurm = writeOut(join(dir, "out"), compile(path, variant), ir);
  const proj = project(join(dir, "project"), ir, join(dir, "data"));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...standIns(dir),
    MLP_SBATCH: fakeSbatch(dir),
    MLP_MODEL_DIR: join(dir, "models"),
    MLP_DATA_DIR: join(dir, "data"),
    MLP_RUN_ID: "test-run",
    MLP_PYTHON: MODEL_PYTHON,
  };
  return { dir, ir, slurm, proj, env };
}

const json = (p: string) => JSON.parse(readFileSync(p, "utf8"));

describe("slurm target, run locally: a whole pipeline through submit.sh", { timeout: 180_000 }, () => {
  it("demand_forecast: data jobs, a 3x3 grid tune, the gate and the registry run in order", () => {
    const { dir, slurm, proj, env } = setup(join(SAMPLES, "demand_forecast.mlp"));
    const r = run("bash", [join(slurm, "submit.sh")], { cwd: proj, env, timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    const jobs = fakeJobs(dir);
    expect(jobs.map((j) => [j.job, j.state]).filter(([, s]) => s !== "COMPLETED")).toEqual([]);
    // submit.sh printed "NAME ID" per job, in submission order.
    expect(r.stdout.trim().split("\n")).toEqual(jobs.map((j) => `${j.job} ${j.id}`));
    // The spark stand-in ran each data step's SQL against the configured master... (none set here).
    const spark = calls(dir).filter((c) => c.tool === "spark-sql");
    expect(spark.length).toBe(17);
    const run_ = join(dir, "models/demand_forecast/runs/test-run");
    // Nine trials, every grid point once.
    const trials = readdirSync(join(run_, "demand_tuned/trials")).map((t) => json(join(run_, "demand_tuned/trials", t, "trial.json")));
    expect(trials.length).toBe(9);
    expect(new Set(trials.map((t) => JSON.stringify(t.params))).size).toBe(9);
    expect(trials.every((t) => t.status === "ok")).toBe(true);
    // Each trial was scored by mlp (rmse on the validation rows), not by the script.
    for (const t of trials) expect(json(join(run_, "demand_tuned/trials", String(t.task), "validation.json")).metrics.rmse).toBe(t.value);
    // The selection points at the best (lowest rmse) trial.
    const best = json(join(run_, "demand_tuned/best.json")).best;
    expect(best.value).toBe(Math.min(...trials.map((t) => t.value)));
    expect(readlinkSync(join(run_, "demand_tuned/model"))).toBe(`trials/${best.task}/model`);
    // The validation split is carved from the training channel, deterministically, once for all trials.
    const rowsOf = (p: string) => readFileSync(p, "utf8").trim().split("\n").slice(1);
    const carvedTrain = rowsOf(join(run_, "demand_tuned/data/train/part-0.csv"));
    const carvedValidation = rowsOf(join(run_, "demand_tuned/data/validation/part-0.csv"));
    expect(carvedValidation.length).toBeGreaterThan(0);
    expect([...carvedTrain, ...carvedValidation].sort()).toEqual(rowsOf(join(dir, "data/runs/test-run/demand_split/train/part-0.csv")).sort());
    // The contract: hyperparameters merged with the trial's, channels, arguments, SM_HP_*, MLP_*.
    const seen = json(join(run_, "demand_tuned/trials", String(best.task), "model/model.json")).seen;
    expect(seen.hps).toEqual({ max_depth: best.params.max_depth, eta: best.params.eta, rounds: 400, subsample: 0.8 });
    expect(seen.env.SM_CHANNEL_TRAIN).toBe(join(run_, "demand_tuned/data/train"));
    expect(seen.env.SM_CHANNEL_VALIDATION).toBe(join(run_, "demand_tuned/data/validation"));
    expect(seen.env.SM_CHANNEL_TEST).toBeUndefined();
    expect(JSON.parse(seen.env.SM_CHANNELS)).toEqual(["train", "validation"]);
    expect(seen.env).toMatchObject({ MLP_LABEL: "units_next_week", MLP_TASK: "regression", MLP_FRAMEWORK: "xgboost", MLP_SEED: "0" });
    expect(JSON.parse(seen.env.MLP_FEATURES)).toContain("units_28d");
    expect(JSON.parse(seen.env.MLP_FEATURES)).not.toContain("units_next_week");
    expect(JSON.parse(seen.env.MLP_COLUMNS).map((c: { name: string }) => c.name)).toContain("units_next_week");
    expect(seen.env.MLP_METRICS_FILE).toBeUndefined();
    // The model's signature beside it, as mlp_model.py's train writes it.
    expect(json(join(run_, "demand_tuned/trials", String(best.task), "model/mlp_model.json"))).toMatchObject({ label: "units_next_week", task: "regression", framework: "xgboost" });
    expect(seen.env.SM_HP_ROUNDS).toBe("400");
    expect(seen.argv).toEqual(["--eta", String(best.params.eta), "--max_depth", String(best.params.max_depth), "--rounds", "400", "--subsample", "0.8"]);
    expect(seen.cwd).toBe(realpathSync(join(proj, "models/demand")));
    // Gate passed on metrics mlp computed on the gate's data; registry version 1 with metadata, stage and latest links.
    const evaluation = json(join(run_, "demand_gate/evaluation.json"));
    expect(evaluation).toMatchObject({ passed: true, data: join(dir, "data/runs/test-run/demand_split/test"), rows: ROWS });
    expect(evaluation.metrics.rmse).toBe(0);
    const reg = join(dir, "models/registry/demand-forecast");
    const meta = json(join(reg, "1/metadata.json"));
    expect(meta).toMatchObject({ name: "demand-forecast", version: 1, stage: "production", pipeline: "demand_forecast", pipeline_version: "2.3.0", framework: "xgboost", task: "regression", label: "units_next_week", run_id: "test-run" });
    expect(meta.gates.demand_gate.passed).toBe(true);
    expect(meta.metrics).toEqual(evaluation.metrics);
    expect(readlinkSync(join(reg, "latest"))).toBe("1");
    expect(readlinkSync(join(reg, "production"))).toBe("1");
    expect(existsSync(join(reg, "1/model/model.json"))).toBe(true);

    // The run's tables stay in its own folder; the run succeeded as a whole, so the warehouse's
    // latest names it, and the registry records the exact tables the model was trained on.
    expect(readlinkSync(join(dir, "data/latest"))).toBe("runs/test-run");
    expect(json(join(dir, "data/runs/test-run/_mlp_run.json"))).toMatchObject({ run_id: "test-run", pipeline: "demand_forecast" });
    expect(meta.data).toEqual({ train: realpathSync(join(dir, "data/runs/test-run/demand_split/train")), test: realpathSync(join(dir, "data/runs/test-run/demand_split/test")) });

    // The scheduled batch scoring (not part of submit.sh) scores with the newest gated model,
    // on the tables of the last good run (latest).
    writeFileSync(join(dir, "data/latest/demand_features/part-0.json"), JSON.stringify([{ store_sku: "a" }, { store_sku: "b" }]));
    // Its line of the rendered schedule, run as scrontab would (from elsewhere, in a job of its own).
    const schedule = run("bash", [join(slurm, "submit.sh"), "--schedule"], { cwd: proj, env });
    const line = schedule.stdout.split("\n").find((l) => l.startsWith("0 4 * * 1 "))!;
    expect(line).toContain("bash ./weekly_forecast.sbatch");
    const s = run("bash", ["-c", line.slice("0 4 * * 1 ".length)], { cwd: dir, env: { ...env, MLP_PROJECT_DIR: undefined, MLP_RUN_ID: undefined, SLURM_SUBMIT_DIR: dir, SLURM_JOB_ID: "77" } });
    expect(s.status, s.stderr).toBe(0);
    expect(existsSync(join(dir, "models/demand_forecast/runs/scheduled-77"))).toBe(true);
    const copied = calls(dir).find((c) => c.tool === "copy")!;
    expect((copied.args as string[])[1]).toBe("s3://retail-forecasts/weekly/");
    const scores = JSON.parse(readFileSync(join(dir, "remote/s3/retail-forecasts/weekly/part-0.json.out"), "utf8"));
    expect(scores).toEqual([
      { prediction: expect.any(Number), row: 0 },
      { prediction: expect.any(Number), row: 1 },
    ]);
  }, 120_000);

  it("one failed tuning trial fails the array and afterok cancels the run: a trial may fail (recorded), the selection runs on the trials that finished, and fails only when fewer than min_trials succeeded", () => {
    // Two of the nine grid trials fail: the array job fails, the selection still runs (afterany) on the seven others.
    {
      const { dir, slurm, proj, env } = setup(join(SAMPLES, "demand_forecast.mlp"));
      const r = run("bash", [join(slurm, "submit.sh")], { cwd: proj, env: { ...env, MLP_TEST_FAIL_TRIALS: "0,4" }, timeout: 180_000 });
      expect(r.status, r.stderr).toBe(0);
      const state = Object.fromEntries(fakeJobs(dir).map((j) => [j.job, j.state]));
      expect(state.demand_tuned).toBe("FAILED");
      expect(state["demand_tuned.select"]).toBe("COMPLETED");
      expect(state.demand_gate).toBe("COMPLETED");
      expect(state.demand_registry).toBe("COMPLETED");
      const run_ = join(dir, "models/demand_forecast/runs/test-run/demand_tuned");
      const trials = readdirSync(join(run_, "trials")).map((t) => json(join(run_, "trials", t, "trial.json")));
      expect(trials.filter((t) => t.status === "failed").map((t) => t.task).sort()).toEqual([0, 4]);
      const best = json(join(run_, "best.json"));
      expect(best.trials_ok).toBe(7);
      expect(best.min_trials).toBe(1);
      expect(best.failed.map((f: { task: number }) => f.task)).toEqual([0, 4]);
      expect([0, 4]).not.toContain(best.best.task);
    }
    // Every trial fails: fewer than min_trials (1) succeeded, the selection fails and what is behind it is cancelled.
    {
      const { dir, slurm, proj, env } = setup(join(SAMPLES, "demand_forecast.mlp"));
      const r = run("bash", [join(slurm, "submit.sh")], { cwd: proj, env: { ...env, MLP_TEST_FAIL_TRIALS: "0,1,2,3,4,5,6,7,8" }, timeout: 180_000 });
      expect(r.status, r.stderr).toBe(0);
      const state = Object.fromEntries(fakeJobs(dir).map((j) => [j.job, j.state]));
      expect(state.demand_tuned).toBe("FAILED");
      expect(state["demand_tuned.select"]).toBe("FAILED");
      expect(state.demand_gate).toBe("CANCELLED");
      expect(state.demand_registry).toBe("CANCELLED");
      const best = json(join(dir, "models/demand_forecast/runs/test-run/demand_tuned/best.json"));
      expect(best.best).toBeNull();
      expect(best.trials_ok).toBe(0);
      expect(best.failed.length).toBe(9);
      expect(existsSync(join(dir, "models/demand_forecast/latest/demand_tuned"))).toBe(false);
    }
  }, 400_000);

  it("machine_failure: a failing gate cancels the registry and the notebook behind it", () => {
    const { dir, slurm, proj, env } = setup(join(SAMPLES, "machine_failure.mlp"));
    const r = run("bash", [join(slurm, "submit.sh")], { cwd: proj, env: { ...env, MLP_TEST_BAD_METRICS: "1" }, timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    const state = Object.fromEntries(fakeJobs(dir).map((j) => [j.job, j.state]));
    expect(state.failure_model).toBe("COMPLETED");
    expect(state.failure_gate).toBe("FAILED");
    expect(state.failure_registry).toBe("CANCELLED");
    expect(state.risk_review).toBe("CANCELLED");
    const evaluation = json(join(dir, "models/machine_failure/runs/test-run/failure_gate/evaluation.json"));
    expect(evaluation.passed).toBe(false);
    // mlp scored the test rows with the (deliberately wrong) model: both checks fail.
    expect(evaluation.checks.map((c: { metric: string; ok: boolean }) => [c.metric, c.ok])).toEqual([
      ["recall", false],
      ["precision", false],
    ]);
    expect(evaluation.metrics.recall).toBe(0);
    expect(existsSync(join(dir, "models/registry/machine-failure"))).toBe(false);
    // Nothing was published as the newest gated model, so scheduled scoring cannot pick it up.
    expect(existsSync(join(dir, "models/machine_failure/latest/failure_gate"))).toBe(false);
  }, 120_000);

  it("machine_failure: with good metrics the notebook runs with its parameters and input locations", () => {
    const { dir, slurm, proj, env } = setup(join(SAMPLES, "machine_failure.mlp"));
    const r = run("bash", [join(slurm, "submit.sh")], { cwd: proj, env, timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    // The endpoint serves until it is stopped: the fake scheduler leaves it unstarted.
    expect(fakeJobs(dir).filter((j) => j.state !== "COMPLETED").map((j) => `${j.job}: ${j.state}`)).toEqual(["risk_api: NOT_RUN"]);
    const nb = calls(dir).find((c) => c.tool === "papermill")!;
    expect(nb.parameters).toEqual({
      alert_threshold: 0.6,
      sites: ["lyon", "porto", "gdansk"],
      mlp_inputs: {
        nightly_risk: "hdfs://plant-lake/scores/failure_risk/",
        failure_gate: join(dir, "models/machine_failure/runs/test-run/failure_model/model"),
      },
    });
    const args = nb.args as string[];
    expect(args[0]).toBe(join(proj, "notebooks/risk_review.ipynb"));
    expect(args[1]).toBe(join(dir, "models/machine_failure/runs/test-run/risk_review/risk_review.ipynb"));
    expect(readlinkSync(join(dir, "models/machine_failure/latest/failure_gate"))).toBe(join(dir, "models/machine_failure/runs/test-run/failure_model"));
  }, 120_000);
});

describe("slurm target, run locally: the runtime's pieces", { timeout: 180_000 }, () => {
  it("grid search: task i is the i-th combination, the last hyperparameter fastest", () => {
    const { slurm } = setup(join(SAMPLES, "demand_forecast.mlp"));
    const r = run(PYTHON, ["-c", `import json, sys; sys.path.insert(0, sys.argv[1]); import mlp_runtime, tune_demand_tuned as t; print(json.dumps([mlp_runtime.grid_point(t.CONFIG["search"], i) for i in range(9)]))`, slurm]);
    expect(r.status, r.stderr).toBe(0);
    const pts = JSON.parse(r.stdout);
    expect(pts[0]).toEqual({ max_depth: 6, eta: 0.05 });
    expect(pts[1]).toEqual({ max_depth: 6, eta: 0.1 });
    expect(pts[3]).toEqual({ max_depth: 8, eta: 0.05 });
    expect(pts[8]).toEqual({ max_depth: 10, eta: 0.2 });
  }, 120_000);

  it("random search: seeded by the task id, within the bounds", () => {
    const { slurm } = setup(join(CONFORMANCE, "fraud.mlp"));
    const code = `import json, random, sys; sys.path.insert(0, sys.argv[1]); import mlp_runtime, tune_fraud_tuned as t
print(json.dumps([mlp_runtime.random_point(t.CONFIG["search"], random.Random(i)) for i in [0, 1, 0, 7]]))`;
    const a = JSON.parse(run(PYTHON, ["-c", code, slurm]).stdout);
    const b = JSON.parse(run(PYTHON, ["-c", code, slurm]).stdout);
    expect(a).toEqual(b);
    expect(a[0]).toEqual(a[2]);
    expect(a[0]).not.toEqual(a[1]);
    for (const p of a) {
      expect([4, 6, 8, 10]).toContain(p.max_depth);
      expect(p.eta).toBeGreaterThanOrEqual(0.01);
      expect(p.eta).toBeLessThanOrEqual(0.3);
    }
  }, 120_000);

  it("register: concurrent registrations get distinct consecutive versions", async () => {
    const { dir, slurm, env } = setup(join(SAMPLES, "demand_forecast.mlp"));
    const home = join(dir, "models/demand_forecast/runs/test-run/demand_tuned");
    mkdirSync(join(home, "model"), { recursive: true });
    mkdirSync(join(home, "output"), { recursive: true });
    writeFileSync(join(home, "model/model.json"), "{}");
    writeFileSync(join(home, "output/metrics.json"), JSON.stringify({ rmse: 1 }));
    const runs = Array.from({ length: 6 }, (_, i) =>
      new Promise<number>((resolve) => {
        const p = spawn("bash", [join(slurm, "demand_registry.sbatch")], { cwd: slurm, env: { ...env, MLP_RUN_ID: "test-run", MLP_PROJECT_DIR: dir, SLURM_JOB_ID: String(i) } });
        p.on("exit", (c) => resolve(c ?? 1));
      }),
    );
    expect(await Promise.all(runs)).toEqual([0, 0, 0, 0, 0, 0]);
    const reg = join(dir, "models/registry/demand-forecast");
    const versions = readdirSync(reg).filter((n) => /^\d+$/.test(n)).map(Number).sort((a, b) => a - b);
    expect(versions).toEqual([1, 2, 3, 4, 5, 6]);
    for (const v of versions) expect(json(join(reg, String(v), "metadata.json")).version).toBe(v);
    expect(readlinkSync(join(reg, "latest"))).toBe("6");
  }, 120_000);

  it("evaluate: mlp scores the gate's data with the model and computes the metrics; what the script wrote is ignored", () => {
    const { dir, ir, slurm, env } = setup(join(CONFORMANCE, "churn.mlp"));
    void ir;
    // The tables the run's data jobs would have written.
    seedRun(join(dir, "data"), "test-run");
    const home = join(dir, "models/churn/runs/test-run/churn_tuned");
    mkdirSync(join(home, "model"), { recursive: true });
    mkdirSync(join(home, "output"), { recursive: true });
    // seedData's churn_split/test rows: the label (churned) is true for even rows, and the
    // first feature (tenure_days) is the row number.
    writeFileSync(join(home, "model/mlp_model.json"), JSON.stringify({ label: "churned", features: ["tenure_days", "spend_log", "is_paid", "age_years", "orders_30d", "spend_30d"], keys: [], task: "classification", framework: "xgboost", entry: "models/churn.py", columns: null }));
    const gate = (table: object, scriptMetrics: object) => {
      writeFileSync(join(home, "model/model.json"), JSON.stringify({ w: 0, table, default: true }));
      writeFileSync(join(home, "output/metrics.json"), JSON.stringify(scriptMetrics));
      return run("bash", [join(slurm, "churn_gate.sbatch")], { cwd: slurm, env: { ...env, MLP_PROJECT_DIR: join(dir, "project") } });
    };
    const good = gate({ "0": true, "1": false }, { auc: 0, recall: 0 });
    expect(good.status, good.stderr).toBe(0);
    const evaluation = json(join(dir, "models/churn/runs/test-run/churn_gate/evaluation.json"));
    expect(evaluation).toMatchObject({ passed: true, rows: ROWS, data: join(dir, "data/runs/test-run/churn_split/test") });
    expect(evaluation.metrics).toMatchObject({ auc: 1, recall: 1 });
    expect(readlinkSync(join(dir, "models/churn/latest/churn_gate"))).toBe(home);
    // Wrong predictions fail the gate, whatever metrics.json claims.
    const bad = gate({ "0": false, "1": true }, { auc: 0.99, recall: 0.99 });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/recall = 0(\.0)?, required >= 0\.6: FAILED/);
    expect(json(join(dir, "models/churn/runs/test-run/churn_gate/evaluation.json")).passed).toBe(false);
    // No model to load: the gate fails and says why.
    rmSync(join(home, "model"), { recursive: true });
    const none = run("bash", [join(slurm, "churn_gate.sbatch")], { cwd: slurm, env: { ...env, MLP_PROJECT_DIR: join(dir, "project") } });
    expect(none.status).toBe(1);
    expect(json(join(dir, "models/churn/runs/test-run/churn_gate/evaluation.json")).error).toMatch(/no model at/);
  }, 120_000);

  it("serve: the endpoint answers /ping and /invocations with the entry's model_fn and predict_fn", async () => {
    const { dir, ir, slurm, env } = setup(join(CONFORMANCE, "minimal.mlp"));
    void ir;
    const proj = join(dir, "project");
    const model = join(dir, "models/house_prices/runs/test-run/price_model/model");
    mkdirSync(model, { recursive: true });
    writeFileSync(join(model, "model.json"), JSON.stringify({ w: 42 }));
    // Below Linux's ephemeral range (32768-60999), which outgoing connections use.
    const port = 20000 + Math.floor(Math.random() * 10000);
    const server = spawn(PYTHON, [join(slurm, "serve_price_api.py")], {
      env: { ...env, MLP_PROJECT_DIR: proj, MLP_RUN_DIR: join(dir, "models/house_prices/runs/test-run"), MLP_SERVE_PORT: String(port), MLP_SERVE_HOST: "127.0.0.1" },
    });
    let stderr = "";
    server.stderr.on("data", (d) => (stderr += d));
    try {
      let ping: Response | undefined;
      for (let i = 0; i < 100 && !ping; i++) {
        ping = await fetch(`http://127.0.0.1:${port}/ping`).catch(() => undefined);
        if (!ping) await new Promise((r) => setTimeout(r, 100));
      }
      expect(ping?.status, stderr).toBe(200);
      const res = await fetch(`http://127.0.0.1:${port}/invocations`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify([{ area_m2: 80 }, { area_m2: 120 }]) });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual([
        { prediction: 42, row: 0 },
        { prediction: 42, row: 1 },
      ]);
      const endpoint = json(join(dir, "models/house_prices/runs/test-run/price_api/endpoints/0.json"));
      expect(endpoint.port).toBe(port);
    } finally {
      server.kill();
    }
  }, 120_000);

  it("submit.sh stops and cancels what it submitted when an sbatch call fails", () => {
    const { dir, slurm, env } = setup(join(CONFORMANCE, "minimal.mlp"));
    const log = join(dir, "scancel.log");
    const sbatch = script(join(dir, "bin/flaky-sbatch"), `#!/bin/bash\ncase "\${@: -1}" in price_gate.sbatch) echo "sbatch: error: invalid partition" >&2; exit 1;; esac\necho "$RANDOM;cluster"\n`);
    const scancel = script(join(dir, "bin/scancel"), `#!/bin/bash\necho "$@" >> ${JSON.stringify(log)}\n`);
    const r = run("bash", [join(slurm, "submit.sh")], { env: { ...env, MLP_SBATCH: sbatch, MLP_SCANCEL: scancel } });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("mlp: submitting price_gate.sbatch failed");
    const printed = r.stdout.trim().split("\n").map((l) => l.split(" "));
    expect(printed.map((p) => p[0])).toEqual(["houses", "price_model"]);
    // The ";cluster" suffix of --parsable is dropped, and both submitted ids are cancelled.
    expect(readFileSync(log, "utf8").trim()).toBe(printed.map((p) => p[1]).join(" "));
  }, 120_000);

  it("submit.sh --no-streaming leaves out the Flink jobs and stream deployments, and what waits on them still runs", () => {
    const { dir, slurm, env } = setup(join(CONFORMANCE, "fraud.mlp"));
    const all = run("bash", [join(slurm, "submit.sh")], { env: { ...env, FAKE_SBATCH_DRY: "1" } });
    expect(all.status, all.stderr).toBe(0);
    const names = (out: string) => out.trim().split("\n").map((l) => l.split(" ")[0]);
    expect(names(all.stdout)).toEqual(expect.arrayContaining(["txn_features", "merchant_features", "fraud_scoring", "fraud_gate"]));
    const batch = run("bash", [join(slurm, "submit.sh"), "--no-streaming"], { env: { ...env, FAKE_SBATCH_DRY: "1" } });
    expect(batch.status, batch.stderr).toBe(0);
    expect(names(batch.stdout)).toEqual(names(all.stdout).filter((n) => !["txn_features", "merchant_features", "fraud_scoring"].includes(n)));
    expect(batch.stderr).toContain(`mlp: submitted ${names(batch.stdout).length} jobs`);
    expect(run("bash", [join(slurm, "submit.sh"), "--bogus"], { env }).status).toBe(2);
    expect(run("bash", [join(slurm, "submit.sh"), "--no-streaming", "x"], { env }).status).toBe(2);
    void dir;
  }, 120_000);

  it("submit.sh --schedule fills in the folders, quoted, whatever characters they hold", () => {
    const base = tmp("sched");
    const odd = join(base, "it's & $(x) `y`; z");
    const slurm = writeOut(odd, compile(join(CONFORMANCE, "churn.mlp")));
    const proj = join(base, "proj 'p' &");
    mkdirSync(proj, { recursive: true });
    const r = run("bash", [join(slurm, "submit.sh"), "--schedule"], { cwd: proj });
    expect(r.status, r.stderr).toBe(0);
    const line = r.stdout.split("\n").find((l) => l.startsWith("0 3 * * * "))!;
    const command = line.slice("0 3 * * * ".length);
    // Run the rendered command with a stand-in submit.sh to see what it really does.
    const probe = join(base, "probe");
    writeFileSync(join(slurm, "submit.sh"), `#!/bin/bash\nprintf '%s\\n' "$PWD" "$MLP_PROJECT_DIR" > ${JSON.stringify(probe)}\n`);
    expect(run("bash", ["-c", command]).status).toBe(0);
    expect(readFileSync(probe, "utf8")).toBe(`${slurm}\n${proj}\n`);
  }, 120_000);
});
