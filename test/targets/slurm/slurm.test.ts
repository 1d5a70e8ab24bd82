// The slurm target against a real Slurm (test/slurm/start-slurm.sh: Debian's slurm-wlm,
// several slurmd "nodes" on this machine with fake GPUs). Enabled by MLP_SLURM=1, which
// .ci/run sets after starting the cluster; without it these tests are skipped.
//   - sbatch --test-only accepts every generated script of every conformance file,
//     sample and variant;
//   - whole pipelines run to completion through submit.sh: data jobs (stand-in Spark
//     and Flink clients), tuning arrays (grid, random, bayesian via Optuna), multi-node
//     srun launches (ddp with a stand-in torchrun, horovod with srun --mpi), gates, the
//     registry, a serving job answering HTTP, a notebook, scheduled batch scoring;
//   - a failing gate really cancels the deployment behind it;
//   - issue 11: a failing trial with the selection still succeeding, a training job signalled
//     before its time limit that requeues and resumes from its checkpoint, a serving job that
//     restarts, and machine_failure with its gdansk variant side by side in the same folders.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { variantNames } from "../../../compiler/variants";
import { calls, CHECKPOINT_PY, ckptPipeline, compile, CONFORMANCE, inputs, irOf, MODEL_PYTHON, OPTUNA_PYTHON, project, run, SAMPLES, script, standIns, tmp, writeOut } from "./helpers";

const ENABLED = process.env.MLP_SLURM === "1";
const SLURM_CONF = process.env.SLURM_CONF ?? "/tmp/mlp-slurm/etc/slurm.conf";
const suite = ENABLED ? describe : describe.skip;
const slurmEnv = (): NodeJS.ProcessEnv => ({ ...process.env, SLURM_CONF });
const submitted: string[] = [];

if (!ENABLED) {
  describe("slurm target on a real Slurm", () => {
    it.skip("skipped: no Slurm here. Run test/slurm/start-slurm.sh as root, then MLP_SLURM=1 npx vitest run test/targets/slurm", () => {});
  });
}

// ---------- talking to Slurm ----------

function slurm(cmd: string, args: string[], cwd?: string) {
  return spawnSync(cmd, args, { encoding: "utf8", env: slurmEnv(), cwd, timeout: 30_000 });
}

interface JobRecord {
  id: string;
  name: string;
  state: string;
  reason: string;
  task?: string;
}

/** Every record `scontrol show job` has for these ids (array tasks are records of their own). */
function jobs(ids: string[]): JobRecord[] {
  const out: JobRecord[] = [];
  for (const id of ids) {
    const r = slurm("scontrol", ["show", "job", "-o", id]);
    for (const line of r.stdout.split("\n").filter(Boolean)) {
      const f = (k: string) => new RegExp(`(?:^| )${k}=(\\S*)`).exec(line)?.[1] ?? "";
      out.push({ id: f("JobId"), name: f("JobName"), state: f("JobState"), reason: f("Reason"), task: f("ArrayTaskId") || undefined });
    }
  }
  return out;
}

const ACTIVE = new Set(["PENDING", "CONFIGURING", "RUNNING", "COMPLETING", "SUSPENDED", "REQUEUED", "RESIZING"]);

/** Waits until none of `ids` (but the `serving` ones) is pending or running; the last records. */
async function settle(ids: string[], serving: string[] = [], timeoutMs = 420_000): Promise<JobRecord[]> {
  const watched = ids.filter((i) => !serving.includes(i));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const recs = jobs(watched);
    if (recs.length > 0 && recs.every((r) => !ACTIVE.has(r.state))) return jobs(ids);
    if (Date.now() > deadline) throw new Error(`jobs still active after ${timeoutMs} ms:\n${recs.filter((r) => ACTIVE.has(r.state)).map((r) => `${r.name} ${r.id} ${r.state} ${r.reason}`).join("\n")}`);
    await new Promise((res) => setTimeout(res, 1000));
  }
}

function byName(recs: JobRecord[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const r of recs) (out[r.name.replace(/^[^.]+\./, "")] ??= []).push(r.state);
  return out;
}

interface Run {
  dir: string;
  slurm: string;
  proj: string;
  env: NodeJS.ProcessEnv;
  ids: Record<string, string>;
  runDir: string;
}

/** Compiles, writes the project and stand-ins, and submits a run with submit.sh. */
function submit(
  path: string,
  opts: { variant?: string; text?: string; env?: NodeJS.ProcessEnv; python?: string; prepare?: (proj: string, data: string) => void } = {},
): Run {
  const dir = tmp("slurm-run");
  const ir = irOf(path, opts.variant, opts.text);
  const out = join(dir, "out");
  const slurmDir = writeOut(out, compile(path, opts.variant, opts.text), ir);
  // CSV channels: Debian's python3 on the nodes has pandas but no pyarrow (mlp_data reads CSV then).
  const proj = project(join(dir, "project"), ir, join(dir, "data"));
  opts.prepare?.(proj, join(dir, "data"));
  const env: NodeJS.ProcessEnv = {
    ...slurmEnv(),
    ...standIns(dir),
    MLP_MODEL_DIR: join(dir, "models"),
    MLP_DATA_DIR: join(dir, "data"),
    MLP_RUN_ID: "r1",
    MLP_PYTHON: opts.python ?? MODEL_PYTHON,
    MLP_SERVE_PORT: String(servePort()),
    ...opts.env,
  };
  const r = run("bash", [join(slurmDir, "submit.sh")], { cwd: proj, env });
  if (r.status !== 0) throw new Error(`submit.sh failed:\n${r.stderr}`);
  const ids: Record<string, string> = {};
  for (const line of r.stdout.trim().split("\n")) {
    const [name, id] = line.split(" ");
    ids[name!] = id!;
    submitted.push(id!);
  }
  return { dir, slurm: slurmDir, proj, env, ids, runDir: join(dir, "models", ir.pipeline!.name, "runs/r1") };
}

const json = (p: string) => JSON.parse(readFileSync(p, "utf8"));

async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 120_000, explain?: () => string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${explain ? `:\n${explain()}` : ""}`);
    await new Promise((res) => setTimeout(res, 500));
  }
}

/**
 * Waits until a job has been requeued (Restarts=1, pending), then lets it start now: Slurm
 * holds a requeued batch job back for about two minutes (its begin time), which the test skips.
 */
/**
 * A base port for the endpoints of one test (each serving task adds its SLURM_PROCID, a
 * variant 10): below Linux's ephemeral range (32768-60999), where an outgoing connection of
 * anything on the machine could hold it and the serving job would fail with EADDRINUSE.
 */
function servePort(): number {
  return 20000 + Math.floor(Math.random() * 10000);
}

async function released(id: string): Promise<void> {
  const host = /BatchHost=(\S+)/.exec(slurm("scontrol", ["show", "job", id]).stdout)?.[1];
  await waitFor(`job ${id} requeued`, () => {
    const show = slurm("scontrol", ["show", "job", id]).stdout;
    return /Restarts=1/.test(show) && /JobState=PENDING/.test(show) ? true : undefined;
  }, 60_000);
  // Slurm holds a requeued job about two minutes because the node it ran on refuses the same
  // job id until its credential expires ("Job credential revoked"). The test skips the hold, so
  // the job resumes on another node, as a preempted job would.
  const r = slurm("scontrol", ["update", `JobId=${id}`, ...(host ? [`ExcNodeList=${host}`] : []), "StartTime=now"]);
  expect(r.status, r.stderr).toBe(0);
}

/** A tiny variant that keeps the test quick: fewer trials of the same search. */
function withQuickTune(path: string, tune: string, trials: number, parallel: number): string {
  return `${readFileSync(path, "utf8")}\nvariant ci_quick {\n  ${tune}.trials   = ${trials}\n  ${tune}.parallel = ${parallel}\n}\n`;
}

// ---------- the tests ----------

suite("slurm target on a real Slurm (MLP_SLURM=1; start it with test/slurm/start-slurm.sh)", () => {
  let partitions: string[] = [];

  beforeAll(() => {
    const ping = slurm("scontrol", ["ping"]);
    if (!/is UP/.test(ping.stdout)) throw new Error(`MLP_SLURM=1 but no Slurm answers (SLURM_CONF=${SLURM_CONF}):\n${ping.stdout}${ping.stderr}\nstart it with test/slurm/start-slurm.sh`);
    partitions = slurm("sinfo", ["-h", "-o", "%R"]).stdout.split("\n").filter(Boolean);
  });

  afterAll(() => {
    if (submitted.length) slurm("scancel", submitted);
  });

  it("sbatch --test-only accepts every generated script of every conformance file, sample and variant", () => {
    const problems: string[] = [];
    let count = 0;
    for (const { name, path } of inputs()) {
      for (const variant of [undefined, ...variantNames(irOf(path))]) {
        const files = compile(path, variant);
        const dir = writeOut(tmp("test-only"), files);
        mkdirSync(join(dir, "logs"), { recursive: true });
        for (const f of files.filter((x) => x.path.endsWith(".sbatch"))) {
          const part = /^#SBATCH --partition=(\S+)$/m.exec(f.contents)?.[1];
          // A partition this test cluster does not have is replaced, so everything else is still checked.
          const args = ["--test-only", ...(part && !partitions.includes(part) ? ["--partition=debug"] : []), f.path];
          const r = slurm("sbatch", args, dir);
          count++;
          if (r.status !== 0 || !/to start at/.test(r.stderr)) problems.push(`${name}${variant ? `/${variant}` : ""} ${f.path}: ${r.stderr.trim()}`);
        }
      }
    }
    expect(problems).toEqual([]);
    expect(count).toBeGreaterThan(50);
  }, 300_000);

  it("demand_forecast runs to completion: data jobs, a grid tuning array with a failing trial, gate, registry; then its scheduled scoring", async () => {
    // Trial 4 fails: its task fails, the selection (afterany) keeps the best of the eight others.
    const r = submit(join(SAMPLES, "demand_forecast.mlp"), { env: { MLP_TEST_FAIL_TRIALS: "4" } });
    const recs = await settle(Object.values(r.ids));
    const states = byName(recs);
    expect(Object.entries(states).filter(([k, s]) => k !== "demand_tuned" && s.some((x) => x !== "COMPLETED"))).toEqual([]);
    expect(states.demand_tuned).toHaveLength(9);
    expect(states.demand_tuned!.filter((x) => x === "FAILED")).toHaveLength(1);
    expect(recs.find((x) => x.task === "4")!.state).toBe("FAILED");
    // Every data step went through the Spark stand-in, in its own job.
    expect(calls(r.dir).filter((c) => c.tool === "spark-sql").map((c) => c.job)).toHaveLength(17);
    const best = json(join(r.runDir, "demand_tuned/best.json"));
    expect(best.trials_ok).toBe(8);
    expect(best.failed).toEqual([{ task: 4, status: "failed", exit_code: 1 }]);
    expect(json(join(r.dir, "models/registry/demand-forecast/1/metadata.json")).gates.demand_gate.passed).toBe(true);

    // The scheduled batch scoring job, submitted as the schedule would.
    // On the tables of the last good run: this one, which moved the warehouse's latest.
    expect(readlinkSync(join(r.dir, "data/latest"))).toBe("runs/r1");
    writeFileSync(join(r.dir, "data/latest/demand_features/part-0.json"), JSON.stringify([{ store_sku: "s1/a" }, { store_sku: "s2/b" }, { store_sku: "s3/c" }]));
    const sub = spawnSync("sbatch", ["--parsable", "weekly_forecast.sbatch"], { encoding: "utf8", cwd: r.slurm, env: { ...r.env, MLP_PROJECT_DIR: r.proj, MLP_RUN_ID: "scheduled-1", MLP_DATA_RUN: "latest" } });
    expect(sub.status, sub.stderr).toBe(0);
    const id = sub.stdout.trim().split(";")[0]!;
    submitted.push(id);
    expect((await settle([id])).map((x) => x.state)).toEqual(["COMPLETED"]);
    const scores = json(join(r.dir, "remote/s3/retail-forecasts/weekly/part-0.json.out"));
    expect(scores).toHaveLength(3);
  }, 600_000);

  it("ad_click_through (quick tune): ddp on 4 nodes x 8 GPUs via srun + torchrun, bayesian trials, serving and stream deployment", async () => {
    if (!OPTUNA_PYTHON) {
      console.warn("skipped the bayesian run: no python3 with optuna (apt-get install python3-optuna)");
      return;
    }
    const path = join(SAMPLES, "ad_click_through.mlp");
    const r = submit(path, { variant: "ci_quick", text: withQuickTune(path, "ctr_tuned", 3, 2), python: OPTUNA_PYTHON });
    const recs = await settle(Object.values(r.ids), [r.ids.ctr_api!]);
    const states = byName(recs);
    expect(Object.entries(states).filter(([k, s]) => k !== "ctr_api" && s.some((x) => x !== "COMPLETED"))).toEqual([]);
    expect(states.ctr_tuned).toHaveLength(3);

    // Each trial: srun started torchrun on each of the 4 nodes with the rendezvous options.
    const torch = calls(r.dir).filter((c) => c.tool === "torchrun");
    expect(torch).toHaveLength(12);
    for (const t of torch) {
      const o = t.opts as Record<string, string>;
      expect(o).toMatchObject({ nnodes: "4", nproc_per_node: "8", rdzv_backend: "c10d" });
      expect(o.rdzv_endpoint).toMatch(/^n1:\d+$/);
      expect(o.rdzv_id).toBe(t.job);
    }
    expect(new Set(torch.map((t) => t.node))).toEqual(new Set([0, 1, 2, 3]));
    // 32 ranks per trial each saw the contract.
    const trial0 = join(r.runDir, "ctr_tuned/trials/0/output/ranks");
    expect(readdirSync(trial0)).toHaveLength(32);
    // Bayesian trials went through one shared Optuna journal.
    const trials = [0, 1, 2].map((t) => json(join(r.runDir, "ctr_tuned/trials", String(t), "trial.json")));
    expect(trials.map((t) => t.optuna_trial).sort()).toEqual([0, 1, 2]);
    expect(existsSync(join(r.runDir, "ctr_tuned/optuna.journal"))).toBe(true);
    for (const t of trials) {
      expect(t.params.hidden_units).toBeGreaterThanOrEqual(64);
      expect([2048, 4096, 8192]).toContain(t.params.batch_size);
    }

    // The stream deployment submitted its Flink job, not pinned to this run's model: its scoring
    // function follows the registry's latest model (named in its SQL, see the flink goldens).
    const flink = calls(r.dir).filter((c) => c.tool === "sql-client");
    const sqlFile = (c: { [k: string]: unknown }) => (c.args as string[])[(c.args as string[]).indexOf("-f") + 1]!;
    const stream = flink.find((c) => sqlFile(c).endsWith("/flink/ctr_stream.sql"));
    expect(stream?.model ?? null).toBeNull();
    expect(stream).toBeDefined();
    // The streaming feature jobs were submitted too.
    expect(flink.map(sqlFile).filter((f) => /flink\/(ad_traffic_features|impression_features)\.sql$/.test(f))).toHaveLength(2);

    // The endpoint: 4 instances, each answering /ping and /invocations.
    const endpoints = join(r.runDir, "ctr_api/endpoints");
    const files = await waitFor("4 endpoints", () => (existsSync(endpoints) && readdirSync(endpoints).filter((f) => f.endsWith(".json")).length === 4 ? readdirSync(endpoints) : undefined));
    for (const f of files) {
      const e = json(join(endpoints, f));
      const ping = await waitFor(`ping ${e.port}`, async () => (await fetch(`http://127.0.0.1:${e.port}/ping`).catch(() => undefined))?.status);
      expect(ping).toBe(200);
      const res = await fetch(`http://127.0.0.1:${e.port}/invocations`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify([{ ad_id: "a" }]) });
      expect(await res.json()).toEqual([{ prediction: expect.any(Number), row: 0 }]);
    }
    expect(jobs([r.ids.ctr_api!])[0]!.state).toBe("RUNNING");

    // A newer serving job of the same endpoint (the next run's) replaces this one.
    const again = spawnSync("sbatch", ["--parsable", "ctr_api.sbatch"], { encoding: "utf8", cwd: r.slurm, env: { ...r.env, MLP_PROJECT_DIR: r.proj } });
    expect(again.status, again.stderr).toBe(0);
    const newer = again.stdout.trim().split(";")[0]!;
    submitted.push(newer);
    await waitFor("the old serving job to stop", () => (jobs([r.ids.ctr_api!])[0]?.state === "CANCELLED" ? true : undefined));
    await waitFor("the new endpoints", async () => {
      const e = json(join(endpoints, "0.json"));
      if (e.slurm_job_id !== newer) return undefined;
      return (await fetch(`http://127.0.0.1:${e.port}/ping`).catch(() => undefined))?.status === 200 ? true : undefined;
    });
    expect(jobs([newer])[0]!.state).toBe("RUNNING");
    slurm("scancel", [newer]);
  }, 600_000);

  it("churn (quick tune): horovod over srun --mpi=pmi2, 2 nodes x 4 ranks, then the gate, registry, endpoint and notebook", async () => {
    if (!OPTUNA_PYTHON) {
      console.warn("skipped the bayesian run: no python3 with optuna (apt-get install python3-optuna)");
      return;
    }
    const path = join(CONFORMANCE, "churn.mlp");
    const r = submit(path, { variant: "ci_quick", text: withQuickTune(path, "churn_tuned", 2, 2), python: OPTUNA_PYTHON });
    const recs = await settle(Object.values(r.ids), [r.ids.churn_api!]);
    const states = byName(recs);
    expect(Object.entries(states).filter(([k, s]) => k !== "churn_api" && s.some((x) => x !== "COMPLETED"))).toEqual([]);
    // 8 MPI ranks (SLURM_PROCID 0..7) on two nodes, each under the contract.
    const ranks = join(r.runDir, "churn_tuned/trials/0/output/ranks");
    expect(readdirSync(ranks).sort()).toEqual(["0.json", "1.json", "2.json", "3.json", "4.json", "5.json", "6.json", "7.json"]);
    const seen = json(join(ranks, "5.json"));
    expect(JSON.parse(seen.env.SM_HOSTS)).toEqual(["n1", "n2"]);
    expect(seen.env.SM_NUM_GPUS).toBe("4");
    const nb = calls(r.dir).find((c) => c.tool === "papermill")!;
    expect(nb.parameters).toMatchObject({ threshold: 0.5, mlp_inputs: { "churn_split.test": join(r.dir, "data/runs/r1/churn_split/test") } });
    expect(json(join(r.dir, "models/registry/churn/1/metadata.json")).version).toBe(1);
    await waitFor("churn_api running", () => (jobs([r.ids.churn_api!])[0]?.state === "RUNNING" ? true : undefined));
    slurm("scancel", [r.ids.churn_api!]);
  }, 600_000);

  it("a real sklearn entry script written against mlp_data: train -> gate (metrics computed by mlp) -> register -> batch score", async () => {
    const text = `pipeline house_prices {
  version = "1.0.0"
}

schema House {
  id:      string
  area_m2: float
  rooms:   int
  city:    string
  price:   float
}

source houses: Table<House> {
  uri    = "data/houses.csv"
  format = csv
}

split house_split(houses) {
  train = 0.8
  test  = 0.2
  by    = id
}

train price_model(house_split.train) {
  framework   = sklearn
  entry       = "train.py"
  label       = price
  hyperparams = { alpha: 0.001 }
}

evaluate price_gate(price_model, house_split.test) {
  require rmse <= 500.0
  require r2 >= 0.99
}

register price_registry(price_gate) {
  name  = "house-prices"
  stage = production
}

deploy price_scores(price_registry, houses) {
  mode     = batch
  schedule = cron("0 4 * * MON")
  output   = "scores/"
}
`;
    // price = 2000 * area + 10000 * rooms + 30000 for Lyon: a linear model learns it exactly.
    const cities = ["lyon", "porto", "gdansk"];
    const row = (i: number) => {
      const area = 30 + ((i * 7) % 90);
      const rooms = 1 + (i % 5);
      const city = cities[i % 3]!;
      return [`h${i}`, `${area}.5`, String(rooms), city, `${2000 * (area + 0.5) + 10000 * rooms + (city === "lyon" ? 30000 : 0)}.0`];
    };
    const csv = (from: number, to: number) => ["id,area_m2,rooms,city,price", ...Array.from({ length: to - from }, (_, k) => row(from + k).join(","))].join("\n") + "\n";
    const SKLEARN_PY = `import mlp_data
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder


def main():
    X, y = mlp_data.xy(mlp_data.channel("train"))
    categorical = [c for c in X.columns if X[c].dtype == object]
    encode = ColumnTransformer([("categorical", OneHotEncoder(handle_unknown="ignore"), categorical)], remainder="passthrough")
    model = make_pipeline(encode, Ridge(alpha=float(mlp_data.hyperparams()["alpha"])))
    model.fit(X, y)
    mlp_data.save_model(model)


if __name__ == "__main__":
    main()
`;
    const path = join(tmp("sklearn-src"), "house_prices.mlp");
    writeFileSync(path, text);
    const r = submit(path, {
      prepare: (proj, data) => {
        script(join(proj, "train.py"), SKLEARN_PY);
        // What the Spark jobs would write (as CSV): the snapshot and the two ports of the split,
        // as the rows the spark-sql stand-in "writes" into the run's folder (helpers.ts).
        for (const [folder, rows] of [["houses", csv(0, 60)], ["house_split/train", csv(0, 48)], ["house_split/test", csv(48, 60)]] as const) {
          mkdirSync(join(data, "_seed", folder), { recursive: true });
          writeFileSync(join(data, "_seed", folder, "part-0.csv"), rows);
        }
      },
    });
    const recs = await settle(Object.values(r.ids));
    expect(Object.entries(byName(recs)).filter(([, s]) => s.some((x) => x !== "COMPLETED"))).toEqual([]);
    // The signature beside the model: features from the IR (the split key is no feature).
    const signature = json(join(r.runDir, "price_model/model/mlp_model.json"));
    expect(signature).toMatchObject({ label: "price", task: "regression", framework: "sklearn", keys: ["id"], features: ["area_m2", "rooms", "city"] });
    expect(existsSync(join(r.runDir, "price_model/model/model.pkl"))).toBe(true);
    // The gate's metrics were computed by mlp on the 12 test rows with the pickled model.
    const evaluation = json(join(r.runDir, "price_gate/evaluation.json"));
    expect(evaluation).toMatchObject({ passed: true, rows: 12, data: join(r.dir, "data/runs/r1/house_split/test") });
    expect(evaluation.metrics.rmse).toBeLessThan(500);
    expect(evaluation.metrics.r2).toBeGreaterThan(0.99);
    const meta = json(join(r.dir, "models/registry/house-prices/1/metadata.json"));
    expect(meta.metrics).toEqual(evaluation.metrics);

    // The scheduled batch scoring with the newest gated model: a prediction per row.
    const sub = spawnSync("sbatch", ["--parsable", "price_scores.sbatch"], { encoding: "utf8", cwd: r.slurm, env: { ...r.env, MLP_PROJECT_DIR: r.proj, MLP_RUN_ID: "scheduled-1", MLP_DATA_RUN: "latest" } });
    expect(sub.status, sub.stderr).toBe(0);
    const id = sub.stdout.trim().split(";")[0]!;
    submitted.push(id);
    expect((await settle([id])).map((x) => x.state)).toEqual(["COMPLETED"]);
    const scored = readFileSync(join(r.proj, "scores/part-0.csv.out"), "utf8").trim().split("\n");
    expect(scored[0]).toBe("id,area_m2,rooms,city,price,prediction");
    expect(scored).toHaveLength(61);
    for (const line of scored.slice(1)) {
      const f = line.split(",");
      expect(Math.abs(Number(f[5]) - Number(f[4]))).toBeLessThan(500);
    }
  }, 600_000);

  it("ticket_triage with a failing gate: the registry, the endpoint and the report are cancelled, never run", async () => {
    const r = submit(join(SAMPLES, "ticket_triage.mlp"), { env: { MLP_TEST_BAD_METRICS: "1" } });
    const recs = await settle(Object.values(r.ids));
    const states = byName(recs);
    expect(states.triage_tuned!.every((s) => s === "COMPLETED")).toBe(true);
    expect(states["triage_tuned.select"]).toEqual(["COMPLETED"]);
    expect(states.triage_gate).toEqual(["FAILED"]);
    expect(states.triage_registry).toEqual(["CANCELLED"]);
    expect(states.triage_api).toEqual(["CANCELLED"]);
    expect(states.triage_report).toEqual(["CANCELLED"]);
    expect(recs.find((x) => x.name.endsWith(".triage_api"))!.reason).toMatch(/Dependency/);
    expect(existsSync(join(r.runDir, "triage_api"))).toBe(false);
    expect(existsSync(join(r.dir, "models/registry/ticket-triage"))).toBe(false);
    const evaluation = json(join(r.runDir, "triage_gate/evaluation.json"));
    expect(evaluation.passed).toBe(false);
    // mlp scored the test rows with the model the (deliberately wrong) entry trained.
    expect(evaluation.checks.some((c: { ok: boolean; value: number }) => !c.ok && Number.isFinite(c.value))).toBe(true);
  }, 600_000);

  it("slurm: preemption and failure: a training job signalled before its time limit is requeued (--requeue, --signal) and resumes from MLP_CHECKPOINT_DIR; the serving job restarts", async () => {
    const text = ckptPipeline({ resources: "{ cpus: 1, timeout: 10m }", endpoint: true });
    const path = join(tmp("requeue-src"), "ckpt.mlp");
    writeFileSync(path, text);
    const r = submit(path, { env: { TEST_EPOCHS: "40", TEST_EPOCH_SECONDS: "0.25" }, prepare: (proj) => script(join(proj, "train.py"), CHECKPOINT_PY) });
    const state = join(r.runDir, "model/checkpoint/state.json");
    await waitFor("two epochs", () => (existsSync(state) && json(state).epoch >= 2 ? true : undefined), 60_000);
    // What --signal=B:USR1@S does before the time limit: USR1 to the batch script only.
    const sig = slurm("scancel", ["--batch", "--signal=USR1", r.ids.model!]);
    expect(sig.status, sig.stderr).toBe(0);
    await released(r.ids.model!);
    const recs = await settle(Object.values(r.ids), [r.ids.api!], 120_000);
    expect(byName(recs)).toMatchObject({ model: ["COMPLETED"], registry: ["COMPLETED"] });
    const restarts = /Restarts=(\d+)/.exec(slurm("scontrol", ["show", "job", r.ids.model!]).stdout)?.[1];
    expect(restarts).toBe("1");
    const saved = json(state);
    expect(saved.epoch).toBe(40);
    expect(saved.starts).toHaveLength(2);
    expect(saved.starts[0]).toBe(0);
    // The second start went on from where the first stopped, not from zero.
    expect(saved.starts[1]).toBeGreaterThanOrEqual(2);
    const log = readFileSync(join(r.slurm, `logs/model-${r.ids.model}.out`), "utf8");
    expect(log).toMatch(/near its time limit: requeued \(restart 1\)/);

    // The serving job: signalled, it requeues itself and serves again, as the same job.
    const endpoint = join(r.runDir, "api/endpoints/0.json");
    const ping = async () => {
      if (!existsSync(endpoint)) return undefined;
      const e = json(endpoint);
      return (await fetch(`http://127.0.0.1:${e.port}/ping`).catch(() => undefined))?.status === 200 ? e : undefined;
    };
    const before = await waitFor("the endpoint", ping);
    expect(before.restarts).toBe(0);
    const again = slurm("scancel", ["--batch", "--signal=USR1", r.ids.api!]);
    expect(again.status, again.stderr).toBe(0);
    await released(r.ids.api!);
    const after = await waitFor(
      "the endpoint back",
      async () => {
        const e = await ping();
        return e && e.restarts === 1 ? e : undefined;
      },
      120_000,
      // Why not, when it never comes: the job as Slurm sees it.
      () => slurm("scontrol", ["show", "job", r.ids.api!]).stdout,
    );
    expect(after.slurm_job_id).toBe(r.ids.api);
    expect(jobs([r.ids.api!])[0]!.state).toBe("RUNNING");
    slurm("scancel", [r.ids.api!]);
  }, 300_000);

  it("slurm: variants collide: machine_failure and its gdansk variant submitted side by side (same project, model_dir, warehouse and run id) touch none of each other's files", async () => {
    const root = tmp("slurm-variants");
    const written = 'model_dir       = "/plant/shared/models"';
    const source = readFileSync(join(SAMPLES, "machine_failure.mlp"), "utf8");
    expect(source).toContain(written);
    const text = source.replace(written, `model_dir       = ${JSON.stringify(join(root, "models"))}\n  warehouse       = ${JSON.stringify(join(root, "warehouse"))}`);
    const path = join(SAMPLES, "machine_failure.mlp");
    const proj = join(root, "project");
    const port = servePort();
    const submitted_: { name: string; ids: Record<string, string> }[] = [];
    for (const [k, variant] of [undefined, "gdansk"].entries()) {
      const ir = irOf(path, variant, text);
      const dir = join(root, variant ?? "default");
      const slurmDir = writeOut(join(dir, "out"), compile(path, variant, text), ir);
      project(proj, ir, ir.settings.onprem.warehouse);
      // Neither MLP_MODEL_DIR nor MLP_DATA_DIR: each job finds its variant's folders itself.
      const env: NodeJS.ProcessEnv = { ...slurmEnv(), ...standIns(dir), MLP_RUN_ID: "nightly", MLP_PYTHON: MODEL_PYTHON, MLP_SERVE_PORT: String(port + 10 * k) };
      delete env.MLP_MODEL_DIR;
      delete env.MLP_DATA_DIR;
      const r = run("bash", [join(slurmDir, "submit.sh")], { cwd: proj, env });
      expect(r.status, r.stderr).toBe(0);
      const ids: Record<string, string> = {};
      for (const line of r.stdout.trim().split("\n")) {
        const [name, id] = line.split(" ");
        ids[name!] = id!;
        submitted.push(id!);
      }
      submitted_.push({ name: variant ?? "default", ids });
    }
    const [base, gdansk] = submitted_;
    const recs = await settle([...Object.values(base!.ids), ...Object.values(gdansk!.ids)], [base!.ids.risk_api!, gdansk!.ids.risk_api!]);
    const notDone = recs.filter((x) => x.state !== "COMPLETED" && !x.name.endsWith(".risk_api"));
    expect(notDone.map((x) => `${x.name} ${x.state} ${x.reason}`)).toEqual([]);
    expect(recs.map((x) => x.name).filter((n) => n.endsWith(".risk_api")).sort()).toEqual(["machine_failure-gdansk.risk_api", "machine_failure.risk_api"]);
    // Both endpoints serve: the variant's serving job did not replace the pipeline's.
    await waitFor("both endpoints running", () => (jobs([base!.ids.risk_api!, gdansk!.ids.risk_api!]).every((x) => x.state === "RUNNING") ? true : undefined));
    const models = (sub: string) => join(root, "models", sub);
    for (const prefix of ["", "variant=gdansk"]) {
      expect(existsSync(join(models(prefix), "machine_failure/runs/nightly/failure_model/model/model.json")), prefix).toBe(true);
      expect(existsSync(join(models(prefix), "machine_failure/latest/failure_model")), prefix).toBe(true);
      expect(json(join(models(prefix), "registry/machine-failure/1/metadata.json")).version).toBe(1);
    }
    expect(readdirSync(models("")).sort()).toEqual(["machine_failure", "registry", "variant=gdansk"]);
    // Each warehouse has the run's tables and its own latest.
    for (const wh of ["warehouse", "warehouse/variant=gdansk"]) expect(readlinkSync(join(root, wh, "latest")), wh).toBe("runs/nightly");
    expect(readdirSync(models("variant=gdansk")).sort()).toEqual(["machine_failure", "registry"]);
    expect(existsSync(join(models(""), "registry/machine-failure/2"))).toBe(false);
    // Each run's spark jobs ran their own variant's SQL (its folder), and each scored with its own model.
    const sparkFiles = (name: string) => calls(join(root, name)).filter((c) => c.tool === "spark-sql").map((c) => (c.args as string[])[(c.args as string[]).indexOf("-f") + 1]!);
    expect(sparkFiles("default").every((f) => f.startsWith(join(root, "default/out/")))).toBe(true);
    expect(sparkFiles("gdansk").every((f) => f.startsWith(join(root, "gdansk/out/")))).toBe(true);
    slurm("scancel", [base!.ids.risk_api!, gdansk!.ids.risk_api!]);
  }, 600_000);
});
