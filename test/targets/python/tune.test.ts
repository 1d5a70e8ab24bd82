// mlp_model.py's tuning strategies beyond the grid, with a light regression "model" (no
// framework: a pickled class beside the entry script) so the trials cost one Python start:
// random points from random.Random(seed + i), bayesian points from a seeded TPE sampler in
// batches of `parallel` (the same on every run), and the plumbing the grid relies on.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { HAVE_SKLEARN, lastLine, MODEL_PY, python, tmp } from "./helpers";

const MODEL = `
class Threshold:
    """Predicts 1 when x1 > t; no predict_proba (the entry script's predict_proba_fn gives it)."""
    def __init__(self, t):
        self.t = t
    def predict(self, X):
        return [int(v > self.t) for v in X["x1"].tolist()]


class Scale:
    """Predicts w * x1."""
    def __init__(self, w):
        self.w = w
    def predict(self, X):
        return [self.w * v for v in X["x1"].tolist()]
`;

const CLASSIFIER = `
import math
import mlp_data
from scale import Threshold

def predict_proba_fn(data, model):
    return [[1 - p, p] for p in (1 / (1 + math.exp(model.t - v)) for v in data["x1"].tolist())]

if __name__ == "__main__":
    mlp_data.save_model(Threshold(float(mlp_data.hyperparams()["t"])))
`;

const ENTRY = `
import mlp_data
from scale import Scale

if __name__ == "__main__":
    hps = mlp_data.hyperparams()
    mlp_data.save_model(Scale(float(hps["w"]) * (2 if hps.get("double") else 1)))
`;

let dir = "";
let project = "";

function step(kind: string, config: Record<string, unknown>, name: string) {
  const path = join(dir, `${name}.json`);
  writeFileSync(path, JSON.stringify(config));
  return python(["-u", MODEL_PY, kind, path], { cwd: dir, env: { MLP_PROJECT_DIR: project } });
}

const base = (name: string, extra: Record<string, unknown>) => ({
  step: "reg",
  project_dir: project,
  entry: "models/light/train.py",
  framework: "custom",
  task: "regression",
  label: "y",
  keys: [],
  features: ["x1"],
  columns: [
    { name: "x1", type: "float", nullable: false },
    { name: "y", type: "float", nullable: false },
  ],
  hyperparams: { w: 1 },
  seed: 7,
  channels: { train: join(dir, "data") },
  model_dir: join(dir, name, "model"),
  output_dir: join(dir, name, "output"),
  trials_dir: join(dir, name, "trials"),
  objective: { metric: "rmse", direction: "minimize" },
  validation_fraction: 0.3,
  ...extra,
});

const json = (p: string) => JSON.parse(readFileSync(p, "utf8"));
type Trial = { trial: number; params: { w: number; double?: boolean }; value: number; status: string };

describe.skipIf(!HAVE_SKLEARN)("mlp_model.py tune: strategies", { timeout: 60_000 }, () => {
  beforeAll(() => {
    dir = tmp("mlp-tune");
    project = join(dir, "project");
    mkdirSync(join(project, "models/light"), { recursive: true });
    writeFileSync(join(project, "models/light/scale.py"), MODEL);
    writeFileSync(join(project, "models/light/train.py"), ENTRY);
    writeFileSync(join(project, "models/light/classify.py"), CLASSIFIER);
    mkdirSync(join(dir, "data"));
    // y = 2 * x1 (no key columns: the split hashes each row's content)
    const lines = ["x1,y"];
    for (let i = 0; i < 60; i++) lines.push(`${i / 10},${(2 * i) / 10}`);
    writeFileSync(join(dir, "data/part-0.csv"), lines.join("\n") + "\n");
  });

  it("random: the points of random.Random(seed + i); the best is the one nearest w = 2", () => {
    const r = step("tune", base("random", { strategy: "random", trials: 2, parallel: 2, search: [["w", { uniform: [0, 4] }]] }), "random");
    expect(r.status, r.stderr).toBe(0);
    const expected = python(["-c", "import json, random; print(json.dumps([random.Random(7 + i).uniform(0, 4) for i in range(2)]))"]);
    const ws = JSON.parse(expected.stdout) as number[];
    const tune = json(join(dir, "random/output/tune.json"));
    expect(tune.trials.map((t: Trial) => t.params.w)).toEqual(ws);
    const best = ws.reduce((a, b) => (Math.abs(b - 2) < Math.abs(a - 2) ? b : a));
    expect(tune.best.params).toEqual({ w: best });
    expect(tune.best.hyperparams).toEqual({ w: best });
    // Then the tuned model scores with float predictions (a regression).
    const input = join(dir, "in.csv");
    writeFileSync(input, "x1,y\n1.5,\n-2,\n");
    const s = step("score", { ...base("random", {}), input, output: join(dir, "out.csv") }, "score");
    expect(s.status, s.stderr).toBe(0);
    expect(readFileSync(join(dir, "out.csv"), "utf8")).toBe(`x1,y,prediction\n1.5,,${pyFloat(best * 1.5)}\n-2,,${pyFloat(best * -2)}\n`);
  });

  it("bayesian: seeded TPE asked in batches of `parallel`, so the trials are the same on every run", () => {
    const search = [["w", { uniform: [0, 4] }], ["double", { choice: [false, true] }]];
    const r = step("tune", base("bayes", { strategy: "bayesian", trials: 4, parallel: 2, search }), "bayes");
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^trial 4\/4: w=[0-9.e-]+ double=(True|False) -> rmse [0-9.e-]+$/m);
    const tune = json(join(dir, "bayes/output/tune.json"));
    expect(tune.strategy).toBe("bayesian");
    expect(tune.trials.length).toBe(4);
    // The same sampler and seed, asked two by two, outside mlp: the same points.
    const code = `
import json, optuna
from optuna import distributions as d
optuna.logging.set_verbosity(optuna.logging.WARNING)
study = optuna.create_study(direction="minimize", sampler=optuna.samplers.TPESampler(seed=7))
space = {"w": d.FloatDistribution(0, 4), "double": d.CategoricalDistribution((False, True))}
points = []
for _ in range(2):
    batch = [study.ask(space) for _ in range(2)]
    for t in batch:
        points.append(t.params)
        study.tell(t, 1.0)
print(json.dumps(points))
`;
    const expected = python(["-c", code]);
    expect(expected.stderr).toBe("");
    expect(tune.trials.map((t: Trial) => t.params)).toEqual(JSON.parse(expected.stdout));
    const ok = tune.trials.filter((t: Trial) => t.status === "ok");
    expect(ok.length).toBe(4);
    expect(tune.best.value).toBe(Math.min(...ok.map((t: Trial) => t.value)));
  });

  it("evaluate: probabilities from the entry's predict_proba_fn when the model has none", () => {
    mkdirSync(join(dir, "labels"), { recursive: true });
    // c = 1 for x1 in {0.4, 0.6, 0.8, 0.2}: the threshold 0.5 misplaces 0.2 (a false negative).
    writeFileSync(join(dir, "labels/part-0.csv"), "x1,c\n0.1,0\n0.3,0\n0.2,1\n0.4,1\n0.6,1\n0.8,1\n0.7,0\n");
    const cfg = { ...base("cls", {}), entry: "models/light/classify.py", task: "classification", label: "c", columns: [{ name: "x1", type: "float", nullable: false }, { name: "c", type: "int", nullable: false }], hyperparams: { t: 0.5 } };
    let r = step("train", { ...cfg, channels: { train: join(dir, "labels") } }, "cls-train");
    expect(r.status, r.stderr).toBe(0);
    const out = join(dir, "cls/evaluation.json");
    r = step("evaluate", { ...cfg, data: join(dir, "labels"), requires: [{ metric: "auc", op: ">", value: 0.5 }, { metric: "precision", op: "==", value: 0.75 }], out }, "cls-eval");
    expect(r.status, r.stderr).toBe(3);
    expect(lastLine(r.stderr)).toBe("mlp: gate reg failed: precision = 0.6667, required == 0.75");
    const e = json(out);
    // predictions 0 0 0 0 1 1 1 against 0 0 1 1 1 1 0: TP 2, FP 1, FN 2, TN 2
    expect(e.metrics.precision).toBeCloseTo(2 / 3, 12);
    expect(e.metrics.recall).toBeCloseTo(2 / 4, 12);
    // scores increase with x1: positives 0.2 0.4 0.6 0.8 against negatives 0.1 0.3 0.7: 1 + 2 + 2 + 3 of 12 pairs
    expect(e.metrics.auc).toBeCloseTo(8 / 12, 12);
    expect(e.checks.map((c: { ok: boolean }) => c.ok)).toEqual([true, false]);
    expect(e.passed).toBe(false);
  });

  it("grid points in order (the last hyperparameter fastest), at most `trials`; a non-choice space is refused", () => {
    const code = `
import json, mlp_model as m
print(json.dumps(m.grid_points([["a", {"choice": [1, 2]}], ["b", {"choice": ["x", "y"]}]], 3)))
try:
    m.grid_points([["a", {"uniform": [0, 1]}]], 3)
except m.Failure as e:
    print(e)
print(m.bucket(["1", "a"]) == m.bucket(["1", "a"]), m.bucket(["1", "a"]) != m.bucket(["1", "b"]))
`;
    const r = python(["-c", code]);
    expect(r.stderr).toBe("");
    const [points, refusal, stable] = r.stdout.trim().split("\n");
    expect(JSON.parse(points)).toEqual([{ a: 1, b: "x" }, { a: 1, b: "y" }, { a: 2, b: "x" }]);
    expect(refusal).toBe("grid search needs a choice list for every hyperparameter (a has uniform)");
    expect(stable).toBe("True True");
  });

  it("a trial that fails is recorded; when every trial fails the step fails with the first cause", () => {
    const r = step("tune", base("broken", { strategy: "grid", trials: 2, parallel: 2, search: [["w", { choice: ["not a number", "nor this"] }]] }), "broken");
    expect(r.status).toBe(1);
    expect(lastLine(r.stderr)).toBe("mlp: reg: no trial succeeded; trial 1: reg: entry script models/light/train.py raised ValueError: could not convert string to float: 'not a number'");
  });
});

/** A float as Python's repr writes it. */
function pyFloat(x: number): string {
  const s = String(x);
  return /[.e]/.test(s) ? s : `${s}.0`;
}
