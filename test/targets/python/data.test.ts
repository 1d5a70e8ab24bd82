// mlp_data.py: what entry scripts import. A CSV folder as DuckDB writes it (every column type,
// nulls, vectors, quoted commas), read with pandas and without, plus the step's settings.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { HAVE_SKLEARN, python, tmp } from "./helpers";

const COLUMNS = [
  { name: "id", type: "int", nullable: false },
  { name: "n", type: "int", nullable: true },
  { name: "x", type: "float", nullable: true },
  { name: "flag", type: "bool", nullable: true },
  { name: "name", type: "string", nullable: true },
  { name: "kind", type: "enum", nullable: false },
  { name: "ts", type: "timestamp", nullable: true },
  { name: "d", type: "date", nullable: true },
  { name: "vec", type: "vector", nullable: true },
  { name: "y", type: "bool", nullable: false },
];

function channel(): string {
  const dir = join(tmp("mlp-data"), "train");
  mkdirSync(join(dir, "sub"), { recursive: true });
  writeFileSync(
    join(dir, "part-0.csv"),
    [
      "id,n,x,flag,name,kind,ts,d,vec,y",
      '1,3,1.5,true,"a, b",red,2026-11-01 10:00:00,2026-11-01,"[1.0, 2.5]",true',
      "2,,,false,,blue,2026-11-01 10:00:00.250000,,,false",
      "",
    ].join("\n"),
  );
  // A second file (further down the folder) is read after the first; hidden and _ files are not.
  writeFileSync(join(dir, "sub", "part-1.csv"), "id,n,x,flag,name,kind,ts,d,vec,y\n3,-7,-0.25,,c,red,,2026-01-02,[],true\n");
  writeFileSync(join(dir, "_SUCCESS.csv"), "junk\n");
  writeFileSync(join(dir, ".hidden.csv"), "junk\n");
  return dir;
}

const SETTINGS = (dir: string) => ({
  SM_CHANNEL_TRAIN: dir,
  SM_CHANNELS: '["train"]',
  MLP_COLUMNS: JSON.stringify(COLUMNS),
  MLP_LABEL: "y",
  MLP_FEATURES: JSON.stringify(["x", "n", "flag"]),
  MLP_KEYS: JSON.stringify(["id"]),
  MLP_TASK: "classification",
  MLP_FRAMEWORK: "sklearn",
  SM_HPS: JSON.stringify({ depth: 3, lr: 0.1, name: "x" }),
});

describe.skipIf(!HAVE_SKLEARN)("mlp_data", { timeout: 30_000 }, () => {
  it("reads a channel folder into a typed DataFrame", () => {
    const dir = channel();
    const code = `
import json, mlp_data as m
f = m.channel("train")
def cell(v):
    if v is None: return None
    if hasattr(v, "isoformat"): return v.isoformat()
    if v != v: return "NaN"
    if hasattr(v, "item"): return v.item()
    return v
rows = [{k: (None if v is None or (not isinstance(v, list) and str(v) in ("<NA>", "NaT")) else cell(v)) for k, v in r.items()} for r in f.to_dict("records")]
X, y = m.xy(f)
print(json.dumps({"dtypes": {k: str(v) for k, v in f.dtypes.items()}, "rows": rows, "X": list(X.columns), "y": y.tolist(),
  "label": m.label(), "features": m.features(), "keys": m.keys(), "task": m.task(), "framework": m.framework(), "hps": m.hyperparams()}))
`;
    const r = python(["-c", code], { env: SETTINGS(dir) });
    expect(r.stderr).toBe("");
    const out = JSON.parse(r.stdout);
    expect(out.dtypes).toEqual({ id: "int64", n: "Int64", x: "float64", flag: "boolean", name: "object", kind: "object", ts: "datetime64[ns]", d: "datetime64[ns]", vec: "object", y: "bool" });
    expect(out.rows).toEqual([
      { id: 1, n: 3, x: 1.5, flag: true, name: "a, b", kind: "red", ts: "2026-11-01T10:00:00", d: "2026-11-01T00:00:00", vec: [1.0, 2.5], y: true },
      { id: 2, n: null, x: "NaN", flag: false, name: null, kind: "blue", ts: "2026-11-01T10:00:00.250000", d: null, vec: null, y: false },
      { id: 3, n: -7, x: -0.25, flag: null, name: "c", kind: "red", ts: null, d: "2026-01-02T00:00:00", vec: [], y: true },
    ]);
    expect(out.X).toEqual(["x", "n", "flag"]);
    expect(out.y).toEqual([true, false, true]);
    expect(out).toMatchObject({ label: "y", features: ["x", "n", "flag"], keys: ["id"], task: "classification", framework: "sklearn", hps: { depth: 3, lr: 0.1, name: "x" } });
  });

  it("gives lists of dicts of Python values without pandas", () => {
    const dir = channel();
    const code = `
import sys
sys.modules["pandas"] = None
import json, mlp_data as m
f = m.channel()
X, y = m.xy(f)
print(json.dumps({"rows": f, "X": X, "y": y}, default=lambda v: v.isoformat()))
`;
    const r = python(["-c", code], { env: SETTINGS(dir) });
    expect(r.stderr).toBe("");
    const out = JSON.parse(r.stdout);
    expect(out.rows).toEqual([
      { id: 1, n: 3, x: 1.5, flag: true, name: "a, b", kind: "red", ts: "2026-11-01T10:00:00", d: "2026-11-01", vec: [1.0, 2.5], y: true },
      { id: 2, n: null, x: null, flag: false, name: null, kind: "blue", ts: "2026-11-01T10:00:00.250000", d: null, vec: null, y: false },
      { id: 3, n: -7, x: -0.25, flag: null, name: "c", kind: "red", ts: null, d: "2026-01-02", vec: [], y: true },
    ]);
    expect(out.X).toEqual([[1.5, 3, true], [null, null, false], [-0.25, -7, null]]);
    expect(out.y).toEqual([true, false, true]);
  });

  it("infers types without MLP_COLUMNS; save_model pickles into SM_MODEL_DIR; a missing channel is named", () => {
    const dir = channel();
    const model = join(tmp("mlp-data"), "model");
    const code = `
import json, pickle, mlp_data as m
f = m.channel()
path = m.save_model({"w": [1, 2]})
try:
    m.channel("test")
    missing = None
except KeyError as e:
    missing = str(e)
print(json.dumps({"id": str(f["id"].dtype), "x": str(f["x"].dtype), "path": path, "back": pickle.load(open(path, "rb")), "model_dir": m.model_dir(), "missing": missing}))
`;
    const r = python(["-c", code], { env: { SM_CHANNEL_TRAIN: dir, SM_MODEL_DIR: model, SM_CHANNELS: '["train"]' } });
    expect(r.stderr).toBe("");
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ id: "int64", x: "float64", path: join(model, "model.pkl"), back: { w: [1, 2] }, model_dir: model });
    expect(out.missing).toContain("SM_CHANNEL_TEST is not set");
  });
});

describe("targets/python/model-steps.ts", () => {
  it("ships the modules as written and names the command line", async () => {
    const { MODEL_STEP_FILES, modelStepArgs, listeningUrl } = await import("../../../targets/python/model-steps");
    const { readFileSync } = await import("node:fs");
    const { PY_DIR } = await import("./helpers");
    expect(MODEL_STEP_FILES.map((f) => f.path)).toEqual(["mlp_model.py", "mlp_data.py", "mlp_metrics.py", "mlp_serving.py"]);
    for (const f of MODEL_STEP_FILES) expect(f.contents, f.path).toBe(readFileSync(join(PY_DIR, f.path), "utf8"));
    expect(modelStepArgs("/tmp/py/", "train", "/tmp/c.json")).toEqual(["-u", "/tmp/py/mlp_model.py", "train", "/tmp/c.json"]);
    expect(listeningUrl("listening http://127.0.0.1:8080")).toBe("http://127.0.0.1:8080");
    expect(listeningUrl("something else")).toBeUndefined();
  });
});
