// mlp_model.py, the model steps of `mlp run`, run as the runner runs them: a tiny sklearn entry
// script trained, gated (pass and fail), tuned (a grid, two trials at once, twice: the same
// split and the same best), used to score a CSV and served over HTTP; a raising entry script
// and a missing framework give their one-line causes; a notebook runs with injected parameters.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HAVE_NBCLIENT, HAVE_SKLEARN, lastLine, MODEL_PY, pyEnv, python, SYSTEM_PYTHON, tmp } from "./helpers";

const ENTRY = `
import json, os, sys
import mlp_data
from sklearn.linear_model import LogisticRegression

if __name__ == "__main__":
    import argparse
    ap = argparse.ArgumentParser()
    ap.add_argument("--C", type=float, default=1.0)
    ap.add_argument("--note", default="")
    args = ap.parse_args()
    X, y = mlp_data.xy(mlp_data.channel("train"))
    model = LogisticRegression(C=args.C).fit(X, y)
    mlp_data.save_model(model)
    names = [k for k in os.environ if k.startswith(("SM_", "MLP_"))]
    seen = {"argv": sys.argv[1:], "cwd": os.getcwd(), "env": {k: os.environ[k] for k in names}, "rows": len(X)}
    with open(os.path.join(mlp_data.output_dir(), "seen.json"), "w") as f:
        json.dump(seen, f)
    # The script's own claim: mlp never reads it.
    with open(os.path.join(mlp_data.output_dir(), "metrics.json"), "w") as f:
        json.dump({"log_loss": 0.0, "accuracy": 1.0}, f)
    print("trained, C =", args.C)
`;

const COLUMNS = [
  { name: "id", type: "int", nullable: false },
  { name: "x1", type: "float", nullable: false },
  { name: "x2", type: "float", nullable: true },
  { name: "flag", type: "bool", nullable: false },
  { name: "ts", type: "timestamp", nullable: true },
  { name: "y", type: "int", nullable: false },
];

/** 300 rows: y = 1 when x1 + x2/2 plus some noise is positive (a deterministic generator). */
function rows(n: number, seed: number): string {
  let s = seed;
  const next = () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
  const lines = ["id,x1,x2,flag,ts,y"];
  for (let i = 0; i < n; i++) {
    const x1 = next() * 4 - 2;
    const x2 = next() * 4 - 2;
    const noise = (next() - 0.5) * 1.5;
    const y = x1 + x2 / 2 + noise > 0 ? 1 : 0;
    const ts = i % 7 === 0 ? "" : `2026-11-01 10:${String(i % 60).padStart(2, "0")}:00${i % 3 === 0 ? ".250000" : ""}`;
    lines.push(`${i},${x1.toFixed(4)},${x2.toFixed(4)},${i % 2 ? "true" : "false"},${ts},${y}`);
  }
  return lines.join("\n") + "\n";
}

let dir = "";
let project = "";
const common = () => ({
  step: "clf",
  project_dir: project,
  entry: "models/clf/train.py",
  framework: "sklearn",
  task: "classification",
  label: "y",
  keys: ["id"],
  features: ["x1", "x2"],
  columns: COLUMNS,
  hyperparams: { C: 0.5, note: "a b; $(touch pwned) 'q'" },
  seed: 7,
});

function step(kind: string, config: Record<string, unknown>, name = kind) {
  const path = join(dir, `${name}.json`);
  writeFileSync(path, JSON.stringify(config));
  const scratch = join(dir, "scratch", name);
  mkdirSync(scratch, { recursive: true });
  return python(["-u", MODEL_PY, kind, path], { cwd: scratch, env: { MLP_PROJECT_DIR: project }, timeout: 60_000 });
}

const json = (p: string) => JSON.parse(readFileSync(p, "utf8"));

describe.skipIf(!HAVE_SKLEARN)("mlp_model.py", { timeout: 60_000 }, () => {
  beforeAll(() => {
    dir = tmp("mlp-model");
    project = join(dir, "project");
    mkdirSync(join(project, "models/clf"), { recursive: true });
    writeFileSync(join(project, "models/clf/train.py"), ENTRY);
    mkdirSync(join(dir, "data/train"), { recursive: true });
    writeFileSync(join(dir, "data/train/part-0.csv"), rows(300, 1));
  });

  it("train: runs the entry script under the SageMaker contract and writes the signature", () => {
    const r = step("train", { ...common(), channels: { train: join(dir, "data/train") }, model_dir: join(dir, "model"), output_dir: join(dir, "output") });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain("trained, C = 0.5");
    expect(existsSync(join(dir, "model/model.pkl"))).toBe(true);
    expect(json(join(dir, "model/mlp_model.json"))).toEqual({ label: "y", features: ["x1", "x2"], keys: ["id"], task: "classification", framework: "sklearn", columns: COLUMNS, entry: "models/clf/train.py" });
    const seen = json(join(dir, "output/seen.json"));
    expect(seen.argv).toEqual(["--C", "0.5", "--note", "a b; $(touch pwned) 'q'"]);
    expect(seen.cwd).toBe(join(project, "models/clf"));
    expect(seen.rows).toBe(300);
    expect(seen.env).toMatchObject({
      SM_CHANNEL_TRAIN: join(dir, "data/train"),
      SM_CHANNELS: '["train"]',
      SM_MODEL_DIR: join(dir, "model"),
      SM_OUTPUT_DATA_DIR: join(dir, "output"),
      SM_HP_C: "0.5",
      SM_HP_NOTE: "a b; $(touch pwned) 'q'",
      SM_NUM_GPUS: "0",
      SM_HOSTS: '["localhost"]',
      SM_CURRENT_HOST: "localhost",
      MLP_LABEL: "y",
      MLP_TASK: "classification",
      MLP_FRAMEWORK: "sklearn",
      MLP_SEED: "7",
      MLP_PROJECT_DIR: project,
    });
    expect(JSON.parse(seen.env.SM_HPS)).toEqual({ C: 0.5, note: "a b; $(touch pwned) 'q'" });
    expect(JSON.parse(seen.env.MLP_FEATURES)).toEqual(["x1", "x2"]);
    expect(JSON.parse(seen.env.MLP_COLUMNS)).toEqual(COLUMNS);
    expect(existsSync(join(project, "models/clf/pwned"))).toBe(false);
  });

  it("evaluate: computes the metrics itself and passes the gate", () => {
    const out = join(dir, "eval-pass/evaluation.json");
    const r = step("evaluate", { ...common(), step: "clf_gate", model_dir: join(dir, "model"), data: join(dir, "data/train"), requires: [{ metric: "accuracy", op: ">=", value: 0.7 }], out }, "eval-pass");
    expect(r.status, r.stderr).toBe(0);
    const e = json(out);
    expect(e).toMatchObject({ step: "clf_gate", passed: true, rows: 300 });
    expect(Object.keys(e.metrics).sort()).toEqual(["accuracy", "auc", "f1", "log_loss", "precision", "recall"]);
    expect(e.checks).toEqual([{ metric: "accuracy", op: ">=", threshold: 0.7, value: e.metrics.accuracy, ok: true }]);
    // Not the script's claim (accuracy 1.0 in its metrics.json).
    expect(e.metrics.accuracy).toBeGreaterThan(0.7);
    expect(e.metrics.accuracy).toBeLessThan(1);
  });

  it("evaluate: a failing gate exits 3 with the failed check on the last line", () => {
    const out = join(dir, "eval-fail/evaluation.json");
    const r = step("evaluate", { ...common(), step: "clf_gate", model_dir: join(dir, "model"), data: join(dir, "data/train"), requires: [{ metric: "accuracy", op: ">=", value: 0.5 }, { metric: "recall", op: ">=", value: 0.999 }], out }, "eval-fail");
    expect(r.status).toBe(3);
    const e = json(out);
    expect(e.passed).toBe(false);
    expect(e.checks.map((c: { ok: boolean }) => c.ok)).toEqual([true, false]);
    const recall = Number(e.metrics.recall.toPrecision(4));
    expect(lastLine(r.stderr)).toBe(`mlp: gate clf_gate failed: recall = ${recall}, required >= 0.999`);
  });

  it("tune: a grid, two trials at once, judged on the carved validation rows; the same on a second run", () => {
    const config = (n: number) => ({
      ...common(),
      channels: { train: join(dir, "data/train") },
      model_dir: join(dir, `tune${n}/model`),
      output_dir: join(dir, `tune${n}/output`),
      trials_dir: join(dir, `tune${n}/trials`),
      strategy: "grid",
      trials: 4,
      parallel: 2,
      objective: { metric: "log_loss", direction: "minimize" },
      search: [["C", { choice: [0.001, 10] }]],
      validation_fraction: 0.25,
    });
    const runs = [1, 2].map((n) => {
      const r = step("tune", config(n), `tune${n}`);
      expect(r.status, r.stderr).toBe(0);
      return { r, tune: json(join(dir, `tune${n}/output/tune.json`)), split: ["train", "validation"].map((s) => readFileSync(join(dir, `tune${n}/trials/data/${s}/part-0.csv`), "utf8")) };
    });
    const [a, b] = runs;
    // The grid has two points (fewer than `trials`); C = 10 fits far better than C = 0.001, whatever the script claims.
    expect(a.tune.trials.map((t: { trial: number; params: unknown; status: string }) => [t.trial, t.params, t.status])).toEqual([[1, { C: 0.001 }, "ok"], [2, { C: 10 }, "ok"]]);
    expect(a.tune.best).toMatchObject({ trial: 2, params: { C: 10 }, hyperparams: { C: 10, note: "a b; $(touch pwned) 'q'" } });
    expect(a.tune.best.value).toBe(Math.min(...a.tune.trials.map((t: { value: number }) => t.value)));
    expect(a.tune.best.value).toBeGreaterThan(0);
    expect(a.tune.objective).toEqual({ metric: "log_loss", direction: "minimize" });
    expect(a.r.stderr).toMatch(/^trial 1\/2: C=0\.001 -> log_loss [0-9.]+$/m);
    expect(a.r.stderr).toMatch(/^trial 2\/2: C=10 -> log_loss [0-9.]+$/m);
    // Split: every row once, the header on both sides, the same rows on both runs.
    const [train, validation] = a.split.map((s) => s.trim().split("\n"));
    expect(train[0]).toBe("id,x1,x2,flag,ts,y");
    expect(validation[0]).toBe("id,x1,x2,flag,ts,y");
    expect(train.length + validation.length - 2).toBe(300);
    expect(validation.length - 1).toBeGreaterThan(40);
    expect(validation.length - 1).toBeLessThan(110);
    expect(b.split).toEqual(a.split);
    expect(b.tune.best).toEqual(a.tune.best);
    // The trials trained on the carved channels; the best model is the step's model.
    const seen = json(join(dir, "tune1/trials/trials/2/output/seen.json"));
    expect(seen.env.SM_CHANNEL_TRAIN).toBe(join(dir, "tune1/trials/data/train"));
    expect(seen.env.SM_CHANNEL_VALIDATION).toBe(join(dir, "tune1/trials/data/validation"));
    expect(seen.rows).toBe(train.length - 1);
    expect(readFileSync(join(dir, "tune1/model/model.pkl"))).toEqual(readFileSync(join(dir, "tune1/trials/trials/2/model/model.pkl")));
    expect(existsSync(join(dir, "tune1/model/mlp_model.json"))).toBe(true);
  });

  it("score: the input's rows in order with a typed prediction column", () => {
    const input = join(dir, "score-in.csv");
    writeFileSync(input, ["id,x1,x2,flag,ts,y,prediction", "10,1.5,1.0,true,2026-11-01 10:00:00.250000,,old", "11,-1.5,-1.0,false,,0,old", '12,0.9,1.2,true,"2026-11-01 10:00:00",1,', ""].join("\n"));
    const output = join(dir, "scored/out.csv");
    const r = step("score", { ...common(), model_dir: join(dir, "model"), input, output });
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(output, "utf8")).toBe(["id,x1,x2,flag,ts,y,prediction", "10,1.5,1.0,true,2026-11-01 10:00:00.250000,,1", "11,-1.5,-1.0,false,,0,0", "12,0.9,1.2,true,2026-11-01 10:00:00,1,1", ""].join("\n"));
  });

  it("score: 100k rows in seconds", () => {
    const input = join(dir, "score-big.csv");
    writeFileSync(input, rows(100_000, 5));
    const output = join(dir, "scored/big.csv");
    const t0 = Date.now();
    const r = step("score", { ...common(), model_dir: join(dir, "model"), input, output }, "score-big");
    expect(r.status, r.stderr).toBe(0);
    expect(Date.now() - t0).toBeLessThan(15_000);
    const lines = readFileSync(output, "utf8").trim().split("\n");
    expect(lines.length).toBe(100_001);
    expect(lines[0]).toBe("id,x1,x2,flag,ts,y,prediction");
    expect(lines.slice(1).every((l, i) => l.startsWith(`${i},`) && /,[01]$/.test(l))).toBe(true);
  });

  describe("serve", () => {
    let child: ChildProcess | undefined;
    let url = "";
    let stderr = "";
    afterAll(() => {
      if (child && child.exitCode === null) child.kill("SIGTERM");
    });

    it("answers /ping and /invocations (JSON and CSV), 400 for a malformed body, 500 for a model error", async () => {
      const path = join(dir, "serve.json");
      writeFileSync(path, JSON.stringify({ ...common(), model_dir: join(dir, "model"), host: "127.0.0.1", port: 0, name: "clf", version: 3 }));
      child = spawn(SYSTEM_PYTHON, ["-u", MODEL_PY, "serve", path], { env: pyEnv({ MLP_PROJECT_DIR: project }), stdio: ["ignore", "pipe", "pipe"] });
      child.stderr!.on("data", (d) => (stderr += d));
      url = await new Promise<string>((resolve, reject) => {
        let out = "";
        child!.stdout!.on("data", (d) => {
          out += d;
          const m = /^listening (http:\/\/127\.0\.0\.1:\d+)$/m.exec(out);
          if (m) resolve(m[1]);
        });
        child!.on("exit", (code) => reject(new Error(`serve exited with ${code}: ${stderr}`)));
      });
      const ping = await fetch(`${url}/ping`);
      expect(ping.status).toBe(200);
      expect(await ping.json()).toMatchObject({ status: "ok", name: "clf", version: 3 });

      const post = (body: string, type: string, accept = "application/json") => fetch(`${url}/invocations`, { method: "POST", body, headers: { "Content-Type": type, Accept: accept } });
      let r = await post(JSON.stringify({ x1: 1.5, x2: 1 }), "application/json");
      expect(r.status).toBe(200);
      expect(await r.json()).toEqual({ predictions: [1] });
      r = await post(JSON.stringify([{ x1: 1.5, x2: 1 }, { x1: -1.5, x2: -1, extra: "ignored" }]), "application/json");
      expect(await r.json()).toEqual({ predictions: [1, 0] });
      r = await post(JSON.stringify({ instances: [{ x1: -1.5, x2: null }, [2, 2]] }), "application/json");
      // x2 is nullable but the model cannot take a NaN: a model error
      expect(r.status).toBe(500);
      expect((await r.json()).error).toMatch(/NaN/);
      r = await post("x2,x1\n1,1.5\n-1,-1.5\n", "text/csv", "text/csv");
      expect(r.status).toBe(200);
      expect(r.headers.get("content-type")).toBe("text/csv");
      expect(await r.text()).toBe("prediction\n1\n0\n");
      r = await post('{"x1": ', "application/json");
      expect(r.status).toBe(400);
      expect((await r.json()).error).toMatch(/^malformed JSON/);
      r = await post(JSON.stringify({ x1: 1 }), "application/json");
      expect(r.status).toBe(400);
      expect((await r.json()).error).toBe("missing feature(s): x2");
      r = await post("x1\n1\n", "text/plain");
      expect(r.status).toBe(400);

      // A second server on the same port: exit 2 and the reason.
      const port = Number(url.split(":").pop());
      writeFileSync(path, JSON.stringify({ ...common(), model_dir: join(dir, "model"), host: "127.0.0.1", port }));
      const again = python(["-u", MODEL_PY, "serve", path], { env: { MLP_PROJECT_DIR: project } });
      expect(again.status).toBe(2);
      expect(lastLine(again.stderr)).toBe(`mlp: port ${port} is in use (pass --port)`);
      child.kill("SIGTERM");
      await new Promise((resolve) => child!.on("exit", resolve));
    });
  });

  it("a raising entry script, a missing framework and an empty model folder: one-line causes", () => {
    mkdirSync(join(project, "models/bad"), { recursive: true });
    const cases: [string, string, string][] = [
      ["raise ValueError('bad things\\n  on two lines')", "mlp: boom: entry script models/bad/train.py raised ValueError: bad things on two lines", "raises"],
      ["import mlp_data\nraise ModuleNotFoundError(\"No module named 'xgboost'\", name='xgboost')", `mlp: boom: python3 at ${SYSTEM_PYTHON} cannot import xgboost; install it with: apt-get install python3-xgboost`, "imports"],
      ["import sys\nsys.exit(4)", "mlp: boom: entry script models/bad/train.py exited with code 4", "exits"],
      ["print('nothing saved')", "mlp: boom: entry script models/bad/train.py wrote nothing to SM_MODEL_DIR", "empty"],
    ];
    for (const [code, message, name] of cases) {
      writeFileSync(join(project, "models/bad/train.py"), code + "\n");
      const r = step("train", { ...common(), step: "boom", entry: "models/bad/train.py", channels: { train: join(dir, "data/train") }, model_dir: join(dir, `bad-${name}/model`), output_dir: join(dir, `bad-${name}/output`) }, `bad-${name}`);
      expect(r.status, name).not.toBe(0);
      expect(lastLine(r.stderr).startsWith(message), `${name}: ${lastLine(r.stderr)}`).toBe(true);
    }
  });

  it.skipIf(!HAVE_NBCLIENT)("notebook: parameters injected after the parameters cell; a failing cell is named and the notebook still written", () => {
    const nb = {
      nbformat: 4,
      nbformat_minor: 5,
      metadata: { kernelspec: { name: "python3", display_name: "Python 3", language: "python" } },
      cells: [
        { cell_type: "markdown", id: "a", metadata: {}, source: "# Report" },
        { cell_type: "code", id: "b", metadata: { tags: ["parameters"] }, execution_count: null, outputs: [], source: "alpha = 1\nname = 'x'\nfail = False" },
        { cell_type: "code", id: "c", metadata: {}, execution_count: null, outputs: [], source: "import os\nwith open('nb-result.txt', 'w') as f:\n    f.write(repr((alpha, name, mlp_inputs, os.getcwd())))" },
        { cell_type: "code", id: "d", metadata: {}, execution_count: null, outputs: [], source: "if fail:\n    raise RuntimeError('asked to fail: ' + name)" },
      ],
    };
    writeFileSync(join(project, "report.ipynb"), JSON.stringify(nb));
    const base = { ...common(), step: "report", path: "report.ipynb", inputs: { feats: "/data/feats" }, timeout: 60 };
    const name = `it's "quoted"\n__import__('os')`;
    let r = step("notebook", { ...base, parameters: { alpha: 2.5, name, fail: false }, out: join(dir, "nb/ok.ipynb") }, "nb-ok");
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(join(project, "nb-result.txt"), "utf8")).toBe(`(2.5, ${JSON.stringify(name).replace(/^"|"$/g, "'").replace(/\\"/g, '"').replace(/'(?!$)/g, (m, i) => (i === 0 ? m : "\\'"))}, {'feats': '/data/feats'}, '${project}')`);
    const done = json(join(dir, "nb/ok.ipynb"));
    expect(done.cells.map((c: { metadata: { tags?: string[] } }) => c.metadata.tags ?? null)).toEqual([null, ["parameters"], ["injected-parameters"], null, null]);
    expect(done.cells[2].source).toContain("alpha = 2.5\n");

    r = step("notebook", { ...base, parameters: { name: "x", fail: true }, out: join(dir, "nb/fail.ipynb") }, "nb-fail");
    expect(r.status).not.toBe(0);
    expect(lastLine(r.stderr)).toBe("mlp: notebook report: cell 5 raised RuntimeError: asked to fail: x");
    expect(existsSync(join(dir, "nb/fail.ipynb"))).toBe(true);

    r = step("notebook", { ...base, parameters: { "x=1;import os;y": 1 }, out: join(dir, "nb/bad.ipynb") }, "nb-bad");
    expect(r.status).not.toBe(0);
    expect(lastLine(r.stderr)).toBe("mlp: notebook report: parameter name 'x=1;import os;y' is not a Python identifier");
  });
});
