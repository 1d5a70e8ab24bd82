// Issue 11, Slurm: targets that survive their first production run. One test per bullet,
// named after it, run on this machine (a stand-in sbatch, a stand-in scontrol); the same
// behaviours on the real cluster are in slurm.test.ts (MLP_SLURM=1).
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { compilation } from "../../../compiler/compile";
import { checkProgram } from "../../../language/checker/program";
import { variantNames } from "../../../compiler/variants";
import { emitCassandra } from "../../../targets/cassandra/index";
import { checkpointDir } from "../../../targets/flink/index";
import { latestModelPath } from "../../../targets/slurm/index";
import { batchLocation, emitSpark } from "../../../targets/spark/index";
import { mlp, PY } from "../../run-helpers";
import { calls, CHECKPOINT_PY, checked, ckptPipeline, compile, CONFORMANCE, fakeJobs, fakeSbatch, irOf, MODEL_PYTHON, project, run, SAMPLES, script, standIns, tmp, writeOut } from "./helpers";

const MACHINE_FAILURE = join(SAMPLES, "machine_failure.mlp");
const json = (p: string) => JSON.parse(readFileSync(p, "utf8"));
const fileOf = (files: { path: string; contents: string }[], path: string) => files.find((f) => f.path === path)!.contents;

/** Every file (not folder) under dir, relative to it; symlinks count as files and are not followed. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(relative(dir, p));
    }
  };
  walk(dir);
  return out.sort();
}

/** machine_failure with its model_dir and warehouse in `root`: one written value the default and `gdansk` share. */
function machineFailureIn(root: string): string {
  const text = readFileSync(MACHINE_FAILURE, "utf8");
  const written = 'model_dir       = "/plant/shared/models"';
  expect(text).toContain(written);
  return text.replace(written, `model_dir       = ${JSON.stringify(join(root, "models"))}\n  warehouse       = ${JSON.stringify(join(root, "warehouse"))}`);
}

/** Source -> train (registered too, so it runs on its own) -> tune -> endpoint, small enough to run in seconds; `onprem` goes into its target block. */
const pipeline = (onprem = "") => ckptPipeline({ resources: "{ cpus: 2, timeout: 30m }", tune: true, endpoint: true, onprem });


async function waitFor<T>(what: string, probe: () => T | undefined, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((res) => setTimeout(res, 100));
  }
}

describe("issue 11, slurm: targets that survive their first production run", () => {
  it("slurm: variants collide: `gdansk` and the default share warehouse, model directory and `latest` links. Every path is per pipeline and variant", () => {
    const base = irOf(MACHINE_FAILURE);
    const gdansk = irOf(MACHINE_FAILURE, "gdansk");
    // The file as written keeps today's paths (no golden changed for files without variants).
    expect(base.settings.onprem).toMatchObject({ model_dir: "/plant/shared/models", warehouse: "file:///srv/mlp/machine_failure/warehouse", feature_store: { cassandra: { keyspace: "mlp_machine_failure" } } });
    // The variant: the written model_dir and the default warehouse get its folder, the keyspace its suffix.
    expect(gdansk.settings.onprem).toMatchObject({
      model_dir: "/plant/shared/models/variant=gdansk",
      warehouse: "file:///srv/mlp/machine_failure/warehouse/variant=gdansk",
      feature_store: { cassandra: { keyspace: "mlp_machine_failure_gdansk" } },
    });
    // Every target reads the resolved values: Spark tables, Flink checkpoints, Cassandra, Slurm models and latest links.
    expect(batchLocation(gdansk, "failure_split", "train")!.path).toBe("file:///srv/mlp/machine_failure/warehouse/variant=gdansk/runs/${env:MLP_RUN_ID}/failure_split/train");
    expect(checkpointDir(gdansk, "j")).toBe("file:///srv/mlp/machine_failure/warehouse/variant=gdansk/_flink/checkpoints/j");
    expect(latestModelPath(gdansk, "failure_model")).toBe("/plant/shared/models/variant=gdansk/machine_failure/latest/failure_model/model");
    expect(latestModelPath(base, "failure_model")).toBe("/plant/shared/models/machine_failure/latest/failure_model/model");
    const files = compile(MACHINE_FAILURE, "gdansk");
    expect(fileOf(files, "failure_model.sbatch")).toContain("mlp_model_dir='/plant/shared/models/variant=gdansk'");
    // A variant's serving job has a name of its own: it must not replace the pipeline's endpoint (same name, older id).
    expect(fileOf(files, "risk_api.sbatch")).toContain("#SBATCH --job-name=machine_failure-gdansk.risk_api");
    expect(fileOf(compile(MACHINE_FAILURE), "risk_api.sbatch")).toContain("#SBATCH --job-name=machine_failure.risk_api");
    // Every sample's variants: their model_dir and warehouse are inside no folder the file as written writes, and theirs differ.
    for (const f of readdirSync(SAMPLES, { withFileTypes: true }).filter((e) => e.isFile() && e.name.endsWith(".mlp")).map((e) => e.name)) {
      const path = join(SAMPLES, f);
      const own = irOf(path).settings.onprem;
      const seen = new Set([own.model_dir, own.warehouse, own.feature_store.cassandra.keyspace]);
      for (const v of variantNames(irOf(path))) {
        const s = irOf(path, v).settings.onprem;
        expect(s.model_dir).toBe(`${own.model_dir}/variant=${v}`);
        expect(s.warehouse).toBe(`${own.warehouse}/variant=${v}`);
        expect(s.feature_store.cassandra.keyspace).toBe(`${own.feature_store.cassandra.keyspace}_${v}`);
        for (const x of [s.model_dir, s.warehouse, s.feature_store.cassandra.keyspace]) {
          expect(seen.has(x), `${f} ${v}: ${x}`).toBe(false);
          seen.add(x);
        }
        const cql = emitCassandra(compilation(checked(path), v)).map((g) => g.contents).join("\n");
        if (cql.includes("KEYSPACE")) expect(cql).toContain(`"${s.feature_store.cassandra.keyspace}"`);
      }
    }

    // Side by side: the same project, the same written model_dir and warehouse, the same run id.
    const root = tmp("variants-side-by-side");
    const text = machineFailureIn(root);
    const proj = join(root, "project");
    const runs = [undefined, "gdansk"].map((variant) => {
      const name = variant ?? "default";
      const ir = irOf(MACHINE_FAILURE, variant, text);
      const dir = join(root, name);
      mkdirSync(dir, { recursive: true });
      const slurm = writeOut(join(dir, "out"), compile(MACHINE_FAILURE, variant, text), ir);
      project(proj, ir, ir.settings.onprem.warehouse);
      const env: NodeJS.ProcessEnv = { ...process.env, ...standIns(dir), MLP_SBATCH: fakeSbatch(dir), MLP_RUN_ID: "nightly", MLP_PYTHON: MODEL_PYTHON };
      delete env.MLP_MODEL_DIR;
      delete env.MLP_DATA_DIR;
      return { name, ir, dir, slurm, env };
    });
    for (const r of runs) {
      const out = run("bash", [join(r.slurm, "submit.sh")], { cwd: proj, env: r.env, timeout: 180_000 });
      expect(out.status, out.stderr).toBe(0);
      // The endpoint needs srun (not run by the stand-in); everything else completed.
      expect(fakeJobs(r.dir).filter((j) => j.state !== "COMPLETED").map((j) => `${j.job} ${j.state}`)).toEqual(["risk_api NOT_RUN"]);
    }
    const models = filesUnder(join(root, "models"));
    const mine = (f: string) => f.startsWith("variant=gdansk/");
    const defaults = models.filter((f) => !mine(f));
    const gdanskFiles = models.filter(mine);
    // Each has its run, its latest links and its registry; nothing of one is in the other's folders.
    expect(defaults.every((f) => f.startsWith("machine_failure/") || f.startsWith("registry/"))).toBe(true);
    for (const [files, prefix] of [[defaults, ""], [gdanskFiles, "variant=gdansk/"]] as const) {
      expect(files).toContain(`${prefix}machine_failure/runs/nightly/failure_model/model/model.json`);
      expect(files).toContain(`${prefix}machine_failure/latest/failure_model`);
      expect(files).toContain(`${prefix}registry/machine-failure/1/metadata.json`);
    }
    expect(readlinkSync(join(root, "models/variant=gdansk/machine_failure/latest/failure_model"))).toContain("/variant=gdansk/");
    // Data: each variant's tables are in its own warehouse, in the run's folder, and each
    // warehouse's latest names its own run.
    for (const wh of ["warehouse", "warehouse/variant=gdansk"]) {
      expect(statSync(join(root, wh, "runs/nightly/failure_split/train")).isDirectory()).toBe(true);
      expect(readlinkSync(join(root, wh, "latest"))).toBe("runs/nightly");
    }
  }, 400_000);

  it("slurm: preemption and failure: `--requeue`, `--signal` before the time limit, a checkpoint directory passed to the entry (`SM_CHECKPOINT_DIR` / `MLP_CHECKPOINT_DIR`) and resumed from; serving jobs get a time limit and restart", async () => {
    const src = join(tmp("requeue-src"), "ckpt.mlp");
    // Defaults: the signal 5 minutes before the limit (30m: at most half of it), serving a day.
    {
      const files = compile(src, undefined, pipeline());
      for (const job of ["model.sbatch", "tuned.sbatch", "api.sbatch"]) {
        const text = fileOf(files, job);
        expect(text, job).toMatch(/^#SBATCH --requeue$/m);
        expect(text, job).toMatch(/^#SBATCH --open-mode=append$/m);
        expect(text, job).toMatch(/^#SBATCH --signal=B:USR1@300$/m);
        expect(text, job).toMatch(/^mlp_launch /m);
      }
      expect(fileOf(files, "api.sbatch")).toMatch(/^#SBATCH --time=1-00:00:00$/m);
      expect(fileOf(files, "model.sbatch")).toContain('export MLP_CHECKPOINT_DIR="$MLP_STEP_DIR/checkpoint"');
      expect(fileOf(files, "model.sbatch")).toContain('export SM_CHECKPOINT_DIR="$MLP_CHECKPOINT_DIR"');
      // The gate-like jobs that only check or copy are not requeued.
      expect(fileOf(files, "registry.sbatch")).not.toContain("--requeue");
    }
    // Written: preempt_signal and serving_time; a signal longer than half the limit is cut to half of it.
    {
      const files = compile(src, undefined, pipeline('preempt_signal = 20m\n  serving_time = 12h'));
      expect(fileOf(files, "model.sbatch")).toMatch(/^#SBATCH --signal=B:USR1@900$/m);
      expect(fileOf(files, "api.sbatch")).toMatch(/^#SBATCH --signal=B:USR1@1200$/m);
      expect(fileOf(files, "api.sbatch")).toMatch(/^#SBATCH --time=12:00:00$/m);
    }

    // The training job as Slurm runs it: USR1 reaches the entry, which saves and stops; the job asks
    // for its requeue; run again (the same job, the same run id) the entry resumes from its checkpoint.
    const dir = tmp("requeue-run");
    const ir = irOf(src, undefined, pipeline());
    const slurm = writeOut(join(dir, "out"), compile(src, undefined, pipeline()), ir);
    const proj = project(join(dir, "project"), ir, join(dir, "data"));
    script(join(proj, "train.py"), CHECKPOINT_PY);
    mkdirSync(join(slurm, "logs"), { recursive: true });
    const scontrol = script(join(dir, "bin/scontrol"), `#!/bin/sh\necho "$*" >> ${JSON.stringify(join(dir, "scontrol.log"))}\n`);
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PATH: `${join(dir, "bin")}:${process.env.PATH}`,
      SLURM_JOB_ID: "7",
      SLURM_SUBMIT_DIR: slurm,
      MLP_PROJECT_DIR: proj,
      MLP_MODEL_DIR: join(dir, "models"),
      MLP_DATA_DIR: join(dir, "data"),
      MLP_RUN_ID: "r1",
      MLP_PYTHON: MODEL_PYTHON,
      TEST_EPOCHS: "200",
      TEST_EPOCH_SECONDS: "0.05",
    };
    expect(scontrol).toBeTruthy();
    const step = join(dir, "models/ckpt/runs/r1/model");
    const state = join(step, "checkpoint/state.json");
    const first = spawn("bash", [join(slurm, "model.sbatch")], { cwd: slurm, env, stdio: ["ignore", "pipe", "pipe"] });
    let log = "";
    first.stderr.on("data", (b) => (log += b));
    const ended = new Promise<number | null>((res) => first.on("exit", (code) => res(code)));
    await waitFor("two epochs", () => (existsSync(state) && json(state).epoch >= 2 ? true : undefined));
    first.kill("SIGUSR1"); // what --signal=B:USR1@S does: the batch script, not the entry, gets it
    expect(await ended, log).toBe(0);
    expect(readFileSync(join(dir, "scontrol.log"), "utf8")).toBe("requeue 7\n");
    expect(log).toMatch(/near its time limit: requeued/);
    expect(existsSync(join(step, "model/model.pkl"))).toBe(false);
    const stoppedAt = json(state).epoch;
    expect(stoppedAt).toBeGreaterThanOrEqual(2);
    expect(existsSync(join(dir, "models/ckpt/latest/model"))).toBe(false);

    const again = run("bash", [join(slurm, "model.sbatch")], { cwd: slurm, env: { ...env, SLURM_RESTART_COUNT: "1", TEST_EPOCHS: String(stoppedAt + 3) } });
    expect(again.status, again.stderr).toBe(0);
    const model = run(MODEL_PYTHON, ["-c", "import pickle,sys,json; print(json.dumps(pickle.load(open(sys.argv[1],'rb'))))", join(step, "model/model.pkl")]);
    expect(JSON.parse(model.stdout)).toEqual({ epochs: stoppedAt + 3, starts: [0, stoppedAt], checkpoint: join(step, "checkpoint") });
    expect(readlinkSync(join(dir, "models/ckpt/latest/model"))).toBe(step);
    // Not signalled, a failing entry fails the job and nothing is requeued.
    const failing = run("bash", [join(slurm, "model.sbatch")], { cwd: slurm, env: { ...env, MLP_RUN_ID: "r2", TEST_EPOCHS: "x" } });
    expect(failing.status).not.toBe(0);
    expect(readFileSync(join(dir, "scontrol.log"), "utf8")).toBe("requeue 7\n");
  }, 120_000);

  it("slurm: failed tuning trials: the tune fails only when fewer than a `min_trials` setting succeeded", () => {
    const src = join(tmp("min-trials-src"), "ckpt.mlp");
    const config = (text: string) => JSON.parse(JSON.parse(/^CONFIG = json\.loads\((".*")\)$/m.exec(fileOf(compile(src, undefined, text), "tune_tuned.py"))![1]!));
    expect(config(pipeline()).min_trials).toBe(1);
    expect(config(pipeline("min_trials = 2")).min_trials).toBe(2);
    // More than the trials the array runs: every trial must succeed.
    expect(config(pipeline("min_trials = 5")).min_trials).toBe(2);
    // One of the two trials fails: enough with the default, not with min_trials = 2.
    for (const [onprem, select, behind] of [["", "COMPLETED", "COMPLETED"], ["min_trials = 2", "FAILED", "CANCELLED"]] as const) {
      const dir = tmp("min-trials-run");
      const ir = irOf(src, undefined, pipeline(onprem));
      const slurm = writeOut(join(dir, "out"), compile(src, undefined, pipeline(onprem)), ir);
      const proj = project(join(dir, "project"), ir, join(dir, "data"));
      const env = { ...process.env, ...standIns(dir), MLP_SBATCH: fakeSbatch(dir), MLP_MODEL_DIR: join(dir, "models"), MLP_DATA_DIR: join(dir, "data"), MLP_RUN_ID: "r1", MLP_PYTHON: MODEL_PYTHON, MLP_TEST_FAIL_TRIALS: "1" };
      const r = run("bash", [join(slurm, "submit.sh")], { cwd: proj, env, timeout: 120_000 });
      expect(r.status, r.stderr).toBe(0);
      const state = Object.fromEntries(fakeJobs(dir).map((j) => [j.job, j.state]));
      expect(state, onprem).toMatchObject({ tuned: "FAILED", "tuned.select": select, registry: behind });
      const best = json(join(dir, "models/ckpt/runs/r1/tuned/best.json"));
      expect(best).toMatchObject({ trials_ok: 1, min_trials: onprem ? 2 : 1, failed: [{ task: 1, status: "failed" }] });
    }
  }, 120_000);

  it("mlp run: the entry gets the same MLP_CHECKPOINT_DIR (a folder in the run folder) and resumes from it with --resume", async () => {
    const dir = tmp("run-checkpoint");
    writeFileSync(join(dir, "ckpt.mlp"), ckptPipeline());
    mkdirSync(join(dir, "data"));
    writeFileSync(join(dir, "data/rows.csv"), "id,x,y\na,1.0,2.0\nb,2.0,4.0\n");
    script(join(dir, "train.py"), CHECKPOINT_PY);
    const env = { MLP_PYTHON: PY, TEST_EPOCHS: "6", TEST_FAIL_AT: "3" };
    const first = await mlp(["run", "ckpt.mlp", "--format", "json"], dir, env);
    expect(first.status, first.stderr).toBe(1);
    const runId = first.stdout.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l)).find((e) => e.event === "run")!.run as string;
    const folder = join(dir, ".mlp/runs", runId, "checkpoints/model");
    expect(json(join(folder, "state.json"))).toEqual({ epoch: 3, starts: [0] });
    const resumed = await mlp(["run", "ckpt.mlp", "--format", "json", "--resume", runId], dir, env);
    expect(resumed.status, resumed.stderr).toBe(0);
    const model = run(PY, ["-c", "import pickle,sys,json; print(json.dumps(pickle.load(open(sys.argv[1],'rb'))))", join(dir, ".mlp/runs", runId, "steps/model/model/model.pkl")]);
    expect(JSON.parse(model.stdout)).toEqual({ epochs: 6, starts: [0, 3], checkpoint: folder });
  }, 120_000);

  it("slurm: secrets: Kafka SASL/TLS and Cassandra credentials come from settings that name files or environment variables (never values in the .mlp), passed to Spark, Flink and the jobs", () => {
    const churn = join(CONFORMANCE, "churn.mlp");
    const block = 'feature_store   = cassandra(hosts: ["cass-1:9042"], keyspace: "features")';
    const source = readFileSync(churn, "utf8");
    expect(source).toContain(block);
    const withCreds = (creds: string) => source.replace(block, `${block}\n  cassandra_credentials = ${creds}`);
    // A value is not a reference: refused by the checker.
    const bad = checkProgram(churn, { read: (p: string) => (p === churn ? withCreds('{ username: "alice", password: "hunter2" }') : readFileSync(p, "utf8")) });
    expect(bad.diagnostics.filter((d) => d.severity === "error").map((d) => d.message).join("\n")).toMatch(/a secret is named, never written: "env:NAME" \(an environment variable\) or "file:\/absolute\/path"/);

    const dir = tmp("secrets");
    const secret = join(dir, "cassandra-password");
    writeFileSync(secret, "s3cret-Pa55\n");
    const text = withCreds(`{ username: "env:CASS_USER", password: "file:${secret}" }`);
    const ir = irOf(churn, undefined, text);
    expect(ir.settings.onprem.cassandra_credentials).toEqual({ username: "env:CASS_USER", password: `file:${secret}` });
    const files = compile(churn, undefined, text);
    // No generated file holds a secret; only the online feature set's Spark job reads them.
    for (const f of files) expect(f.contents, f.path).not.toMatch(/s3cret|alice/);
    expect(files.filter((f) => f.contents.includes("MLP_CASSANDRA_PASSWORD")).map((f) => f.path)).toEqual(["customer_features.sbatch"]);
    const slurm = writeOut(join(dir, "out"), files, ir);
    mkdirSync(join(slurm, "logs"), { recursive: true });
    const env: NodeJS.ProcessEnv = { ...process.env, ...standIns(dir), SLURM_SUBMIT_DIR: slurm, MLP_MODEL_DIR: join(dir, "models"), MLP_DATA_DIR: join(dir, "data"), MLP_RUN_ID: "r1", MLP_PYTHON: MODEL_PYTHON };
    // The job reads them when it runs and hands them to the Spark command in its environment.
    const ok = run("bash", [join(slurm, "customer_features.sbatch")], { cwd: slurm, env: { ...env, CASS_USER: "alice" } });
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout + ok.stderr).not.toMatch(/s3cret|alice/);
    expect(calls(dir).filter((c) => c.tool === "spark-sql").map((c) => c.cassandra)).toEqual([["alice", "s3cret-Pa55"]]);
    // Missing, the job stops before Spark with what is missing.
    const missing = run("bash", [join(slurm, "customer_features.sbatch")], { cwd: slurm, env });
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain("cassandra_credentials.username names the environment variable CASS_USER, which this job does not have");
    expect(calls(dir).filter((c) => c.tool === "spark-sql")).toHaveLength(1);
    // Spark reads them through spark-sql's substitution of the job's environment.
    const sql = emitSpark({ ir, variants: [] }).find((f) => f.path.endsWith("customer_features.sql"))!.contents;
    expect(sql).toContain("'spark.cassandra.auth.username' = '${env:MLP_CASSANDRA_USERNAME}',\n  'spark.cassandra.auth.password' = '${env:MLP_CASSANDRA_PASSWORD}'");
    expect(emitSpark({ ir: irOf(churn, undefined, source), variants: [] }).find((f) => f.path.endsWith("customer_features.sql"))!.contents).not.toContain("spark.cassandra.auth");
    // A login Spark's SQL string could not carry stops the job before Spark starts.
    const quoted = run("bash", [join(slurm, "customer_features.sbatch")], { cwd: slurm, env: { ...env, CASS_USER: "o'brien" } });
    expect(quoted.status).toBe(2);
    expect(quoted.stderr).toContain("cassandra_credentials.username holds a quote, a backslash or a line break");
    expect(calls(dir).filter((c) => c.tool === "spark-sql")).toHaveLength(1);
  });
});
