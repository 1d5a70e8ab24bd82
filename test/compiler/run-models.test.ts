// `mlp run` and `mlp serve` with model steps: a real scikit-learn entry script trained, tuned,
// gated (metrics computed by mlp), registered, deployed in batch and served, with Debian's
// Python. Failures: a gate that fails, a script that raises, a Python without the framework,
// a port in use, Ctrl-C mid-run then --resume.
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BIN, finals, mlp as mlpIn, PY, statuses, type Result } from "../run-helpers";

const hasSklearn = spawnSync(PY, ["-c", "import sklearn, pandas"]).status === 0;
if (!hasSklearn && process.env.CI) throw new Error("CI must provide /usr/bin/python3 with python3-sklearn and python3-pandas");
if (!hasSklearn) console.warn("run-models tests skipped: /usr/bin/python3 cannot import sklearn (apt-get install python3-sklearn python3-pandas)");

/** `mlp` with Debian's Python chosen. */
const mlp = (args: string[], cwd: string, env: Record<string, string> = {}): Promise<Result> => mlpIn(args, cwd, { MLP_PYTHON: PY, ...env });

const TRAIN = `import mlp_data
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder

if __name__ == "__main__":
    frame = mlp_data.channel("train")
    X, y = mlp_data.xy(frame)
    c = float(mlp_data.hyperparams().get("c", 1.0))
    pre = ColumnTransformer([("kind", OneHotEncoder(handle_unknown="ignore"), ["kind"])], remainder="passthrough")
    model = Pipeline([("pre", pre), ("lr", LogisticRegression(C=c))]).fit(X, y)
    mlp_data.save_model(model)
`;

const PIPELINE = `pipeline toy {}
schema Row {
  id:    string
  x:     float
  y:     float
  kind:  enum(a, b)
  label: int
}
source rows: Table<Row> {
  uri    = "data/rows.csv"
  format = csv
}
split halves(rows) {
  train = 0.8
  test  = 0.2
  by    = id
}
train model(halves.train) {
  framework   = sklearn
  entry       = "models/train.py"
  label       = label
  task        = classification
  hyperparams = { c: 1.0 }
}
tune tuned(model) {
  objective = maximize(auc)
  strategy  = grid
  trials    = 3
  parallel  = 2
  search {
    c = choice(0.001, 1.0, 10.0)
  }
}
evaluate gate(tuned, halves.test) {
  require auc >= 0.8
  require accuracy >= 0.7
}
register registry(gate) {
  name  = "toy"
  stage = production
}
deploy api(registry) {
  mode      = endpoint
  instances = 1
}
deploy nightly(registry, rows) {
  mode     = batch
  schedule = cron("0 3 * * *")
  output   = "scores/"
}
`;

/** 600 rows whose label follows x + y and the kind, with noise: a model reaches AUC ~0.95. */
function rows(): string {
  let seed = 7;
  const rand = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const lines = ["id,x,y,kind,label"];
  for (let i = 0; i < 600; i++) {
    const x = rand() * 2 - 1;
    const y = rand() * 2 - 1;
    const kind = rand() < 0.5 ? "a" : "b";
    const noise = (rand() + rand() + rand() - 1.5) * 0.4;
    lines.push(`r${i},${x.toFixed(4)},${y.toFixed(4)},${kind},${x + y + (kind === "a" ? 0.3 : -0.3) + noise > 0 ? 1 : 0}`);
  }
  return lines.join("\n") + "\n";
}

let tmp = "";
let base = "";
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), "mlp-run-models-"));
  base = join(tmp, "base");
  mkdirSync(join(base, "data"), { recursive: true });
  mkdirSync(join(base, "models"));
  writeFileSync(join(base, "data/rows.csv"), rows());
  writeFileSync(join(base, "models/train.py"), TRAIN);
  writeFileSync(join(base, "toy.mlp"), PIPELINE);
});
afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

let n = 0;
function project(edit: (dir: string) => void = () => {}): string {
  const dir = join(tmp, `p${n++}`);
  cpSync(base, dir, { recursive: true });
  edit(dir);
  return dir;
}

describe.skipIf(!hasSklearn)("mlp run: model steps", { timeout: 300_000 }, () => {
  let trained = "";

  it("trains, tunes on a validation split, gates with metrics it computes, registers, scores; then reuses it all", async () => {
    const dir = (trained = project());
    const r = await mlp(["run", "toy.mlp", "--format", "json"], dir);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(statuses(r)).toEqual({ rows: "ok", halves: "ok", model: "ok", tuned: "ok", gate: "ok", registry: "ok", api: "ok", nightly: "ok" });
    const f = finals(r);
    const checks = (f.gate!.detail as { checks: { metric: string; value: number; ok: boolean }[] }).checks;
    expect(checks.map((c) => c.metric)).toEqual(["auc", "accuracy"]);
    for (const c of checks) expect(c.ok).toBe(true);
    const best = (f.tuned!.detail as { best: { params: { c: number } } }).best;
    expect([0.001, 1, 10]).toContain(best.params.c);
    expect(f.nightly!.rows).toBe(600);

    // The registry: an immutable version with its lineage, and the stage transition.
    const meta = JSON.parse(readFileSync(join(dir, ".mlp/registry/toy/1/metadata.json"), "utf8"));
    expect(meta).toMatchObject({ name: "toy", version: 1, stage: "production", pipeline: "toy", variant: null, framework: "sklearn", entry: "models/train.py" });
    expect(meta.inputs.rows).toMatch(/^[0-9a-f]{32}$/);
    expect(meta.metrics.auc).toBeGreaterThan(0.8);
    expect(existsSync(join(dir, ".mlp/registry/toy/1/model/model.pkl"))).toBe(true);
    expect(JSON.parse(readFileSync(join(dir, ".mlp/registry/toy/stages.json"), "utf8"))).toMatchObject([{ version: 1, stage: "production" }]);

    // Scores: the input columns and a prediction of the label's type.
    const shown = await mlp(["show", "toy.mlp", "nightly", "--format", "json", "--limit", "3"], dir);
    const scored = JSON.parse(shown.stdout) as Record<string, unknown>[];
    expect(Object.keys(scored[0]!)).toEqual(["id", "x", "y", "kind", "label", "prediction"]);
    for (const row of scored) expect([0, 1]).toContain(row.prediction);

    const again = await mlp(["run", "toy.mlp", "--format", "json"], dir);
    expect(new Set(Object.values(statuses(again)))).toEqual(new Set(["cached"]));
    expect(existsSync(join(dir, ".mlp/registry/toy/2"))).toBe(false);
  });

  it("serves the registered version with the SageMaker contract, JSON and CSV; a port in use is one line", async () => {
    expect(trained).not.toBe("");
    const port = 19000 + Math.floor(Math.random() * 900);
    const server = spawn(process.execPath, [BIN, "serve", "toy.mlp", "api", "--port", String(port)], { cwd: trained, env: { ...process.env, MLP_PYTHON: PY }, stdio: ["ignore", "pipe", "pipe"] });
    let err = "";
    server.stderr.on("data", (b) => (err += String(b)));
    try {
      await new Promise<void>((res, rej) => {
        server.stdout.on("data", (b) => String(b).includes("listening") && res());
        server.on("close", () => rej(new Error(`mlp serve exited: ${err}`)));
      });
      expect(err).toContain("mlp: serving api: toy version 1");
      const url = `http://127.0.0.1:${port}`;
      expect((await fetch(`${url}/ping`)).status).toBe(200);
      const json = await fetch(`${url}/invocations`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ id: "q", x: 0.9, y: 0.9, kind: "a" }) });
      expect(await json.json()).toEqual({ predictions: [1] });
      const csv = await fetch(`${url}/invocations`, { method: "POST", headers: { "content-type": "text/csv", accept: "text/csv" }, body: "id,x,y,kind\nq,0.9,0.9,a\nr,-0.9,-0.9,b\n" });
      expect((await csv.text()).trim().split("\n")).toEqual(["prediction", "1", "0"]);
      const bad = await fetch(`${url}/invocations`, { method: "POST", headers: { "content-type": "application/json" }, body: "{" });
      expect(bad.status).toBe(400);
      // Requests on a kept-alive connection are answered at once: with Nagle's algorithm each
      // reply's body waited for the client's delayed ACK of its headers (40 ms or more, every time).
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      const invoke = () =>
        new Promise<number>((res, rej) => {
          const t0 = performance.now();
          const req = http.request({ host: "127.0.0.1", port, path: "/invocations", method: "POST", agent, headers: { "content-type": "application/json" } }, (r) => {
            r.resume();
            r.on("end", () => (r.statusCode === 200 ? res(performance.now() - t0) : rej(new Error(`status ${r.statusCode}`))));
          });
          req.on("error", rej);
          req.end(JSON.stringify({ id: "q", x: 0.9, y: 0.9, kind: "a" }));
        });
      const took: number[] = [];
      for (let i = 0; i < 15; i++) took.push(await invoke());
      agent.destroy();
      expect(Math.min(...took.slice(5))).toBeLessThan(40);
      const busy = await mlp(["serve", "toy.mlp", "api", "--port", String(port)], trained);
      expect(busy.status).toBe(2);
      expect(busy.stderr.trim().split("\n").at(-1)).toBe(`mlp: port ${port} is in use (pass --port)`);
    } finally {
      server.kill("SIGINT");
    }
  });

  it("a failed gate stops what follows it, with the metric and threshold", async () => {
    const dir = project((d) => writeFileSync(join(d, "toy.mlp"), PIPELINE.replace("require auc >= 0.8", "require auc >= 0.9999")));
    const r = await mlp(["run", "toy.mlp", "--format", "json", "--no-cache"], dir);
    expect(r.status).toBe(1);
    const f = finals(r);
    expect(f.gate!.status).toBe("failed");
    expect(String(f.gate!.error)).toMatch(/^gate gate failed: auc = 0\.\d+, required >= 0\.9999$/);
    expect(statuses(r)).toMatchObject({ registry: "skipped", api: "skipped", nightly: "skipped" });
    expect(existsSync(join(dir, ".mlp/registry/toy"))).toBe(false);
  });

  it("an entry script that raises, and a Python without the framework, are one line each", async () => {
    const raising = project((d) => writeFileSync(join(d, "models/train.py"), 'raise ValueError("no good rows")\n'));
    const r = await mlp(["run", "toy.mlp", "--format", "json", "--until", "model"], raising);
    expect(r.status).toBe(1);
    expect(finals(r).model!.error).toBe("model: entry script models/train.py raised ValueError: no good rows");

    // `python3 -S` has no site-packages: no sklearn, no pandas.
    const bare = join(tmp, "bare-python3");
    writeFileSync(bare, `#!/bin/sh\nexec ${PY} -S "$@"\n`);
    chmodSync(bare, 0o755);
    const missing = await mlp(["run", "toy.mlp", "--format", "json", "--until", "model"], project(), { MLP_PYTHON: bare });
    expect(missing.status).toBe(1);
    expect(finals(missing).model!.error).toBe(`${bare} cannot import sklearn; install it with: apt-get install python3-sklearn`);
  });

  it("Ctrl-C mid-run leaves a run.json that says which steps finished; --resume does the rest", async () => {
    const dir = project();
    const child = spawn(process.execPath, [BIN, "run", "toy.mlp", "--format", "json"], { cwd: dir, env: { ...process.env, MLP_PYTHON: PY }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let runId = "";
    const code = await new Promise<number | null>((res) => {
      child.stdout.on("data", (b) => {
        out += String(b);
        for (const l of out.split("\n")) {
          if (!l.startsWith("{")) continue;
          const e = JSON.parse(l);
          if (e.event === "run") runId = e.run;
          if (e.step === "model" && e.status === "running") child.kill("SIGINT");
        }
      });
      child.on("close", (c) => res(c));
    });
    expect(code).toBe(130);
    const record = JSON.parse(readFileSync(join(dir, ".mlp/runs", runId, "run.json"), "utf8"));
    expect(record.status).toBe("interrupted");
    const byId = Object.fromEntries(record.steps.map((s: { id: string }) => [s.id, s]));
    expect(byId.rows.status).toBe("ok");
    expect(byId.model.status).toBe("failed");
    expect(byId.model.error).toBe("interrupted");
    const resumed = await mlp(["run", "toy.mlp", "--format", "json", "--resume", runId], dir);
    expect(resumed.status).toBe(0);
    expect(statuses(resumed)).toMatchObject({ rows: "ok", halves: "ok", model: "ok", gate: "ok" });
  });
});
