// The Python the aws target ships, run as SageMaker would run it, with Debian's python3 (numpy,
// pandas, sklearn): the training wrapper (mlp_entry.py) in a tuning trial carves a validation
// split deterministically from the train channel, trains the user's script on the rest and
// reports the objective mlp computed (not the script's number); the gate job (mlp_gate.py)
// unpacks the model artifact and computes the gate's metrics itself.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { MODEL_RUNTIME, SHIPPED } from "../../../targets/aws/scripts";
import { HAVE_SKLEARN, SYSTEM_PYTHON, tmp } from "../python/helpers";

const SCRIPT = `import json, os
import mlp_data
from sklearn.linear_model import LogisticRegression

def main():
    frame = mlp_data.channel("train")
    X, y = mlp_data.xy(frame)
    model = LogisticRegression(C=float(mlp_data.hyperparams().get("C", 1.0))).fit(X, y)
    mlp_data.save_model(model)
    seen = {c: sorted(mlp_data.read(os.environ["SM_CHANNEL_" + c.upper()])["id"].tolist()) for c in json.loads(os.environ["SM_CHANNELS"])}
    # Resumes from the checkpoint folder: counts how many times it ran there.
    checkpoints = os.environ.get("MLP_CHECKPOINT_DIR")
    runs = 0
    if checkpoints:
        state = os.path.join(checkpoints, "state.json")
        runs = json.load(open(state))["runs"] if os.path.exists(state) else 0
        runs += 1
        json.dump({"runs": runs}, open(state, "w"))
    with open(os.path.join(mlp_data.output_dir(), "seen.json"), "w") as f:
        json.dump({"channels": seen, "label": mlp_data.label(), "features": mlp_data.features(), "keys": mlp_data.keys(), "task": mlp_data.task(), "checkpoints": checkpoints, "runs": runs}, f)
    # A number the script makes up: mlp never reports it.
    with open(os.path.join(mlp_data.output_dir(), "metrics.json"), "w") as f:
        json.dump({"accuracy": 0.123}, f)


if __name__ == "__main__":
    main()
`;

const CONTRACT = {
  step: "clf",
  entry: "models/clf/train.py",
  framework: "sklearn",
  task: "classification",
  label: "y",
  keys: ["id"],
  features: ["x1", "x2"],
  columns: [
    { name: "id", type: "string", nullable: false },
    { name: "x1", type: "float", nullable: false },
    { name: "x2", type: "float", nullable: false },
    { name: "y", type: "int", nullable: false },
  ],
};

/** 60 rows: y = 1 when x1 + x2 > 1 (a little noise), ids r00..r59. */
function rows(from: number, count: number): string {
  const lines = ["id,x1,x2,y"];
  for (let i = from; i < from + count; i++) {
    const x1 = ((i * 37) % 100) / 100;
    const x2 = ((i * 61) % 100) / 100;
    lines.push(`r${String(i).padStart(2, "0")},${x1},${x2},${x1 + x2 > 1 || i % 17 === 0 ? 1 : 0}`);
  }
  return lines.join("\n") + "\n";
}

/** mlp_model.bucket's rule, written again: sha256 of the key values' JSON, first 12 hex digits. */
const bucket = (values: string[]) => parseInt(createHash("sha256").update(JSON.stringify(values)).digest("hex").slice(0, 12), 16) / 16 ** 12;

/**
 * pyarrow, for the warehouse's Parquet: Debian has no package of it, so the Parquet test runs
 * where /usr/bin/python3 imports it, with MLP_PYARROW_PATH (a folder of it) put on PYTHONPATH.
 */
const PYARROW_PATH = process.env.MLP_PYARROW_PATH ?? "";
const HAVE_PYARROW = HAVE_SKLEARN && spawnSync(SYSTEM_PYTHON, ["-c", "import pyarrow, pandas"], { env: { PATH: process.env.PATH, PYTHONPATH: PYARROW_PATH } }).status === 0;

const dir = HAVE_SKLEARN ? tmp("aws-runtime") : "";
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** A clean environment: no PYTHONPATH, so only the code channel provides mlp's modules. */
function env(extra: Record<string, string>): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, PYTHONDONTWRITEBYTECODE: "1", ...extra };
  return out;
}

function codeChannel(at: string): string {
  mkdirSync(at, { recursive: true });
  for (const name of ["mlp_entry.py", "mlp_gate.py", "mlp_endpoint.py"]) writeFileSync(join(at, name), SHIPPED[name]!);
  for (const [name, text] of Object.entries(MODEL_RUNTIME)) writeFileSync(join(at, name), text);
  writeFileSync(join(at, "mlp_contract.json"), JSON.stringify(CONTRACT));
  writeFileSync(join(at, "train.py"), SCRIPT);
  return at;
}

/** CSV text as two Parquet files under folder, as Spark writes a table (with _SUCCESS). */
function toParquet(csv: string, folder: string): void {
  const r = spawnSync(
    SYSTEM_PYTHON,
    ["-c", "import io, sys, pandas as pd\ndf = pd.read_csv(io.StringIO(sys.stdin.read()), dtype={'id': str})\nh = len(df) // 2\ndf.iloc[:h].to_parquet(sys.argv[1] + '/part-00000-a.snappy.parquet', index=False)\ndf.iloc[h:].to_parquet(sys.argv[1] + '/part-00001-a.snappy.parquet', index=False)\nopen(sys.argv[1] + '/_SUCCESS', 'w').close()", folder],
    { encoding: "utf8", input: csv, env: env({ PYTHONPATH: PYARROW_PATH }) },
  );
  expect(r.status, r.stderr).toBe(0);
}

/** One tuning trial, as SageMaker starts the framework container's program. */
function trial(root: string, parquet = false, extra: Record<string, string> = {}) {
  const code = codeChannel(join(root, "input/data/code"));
  const train = join(root, "input/data/train");
  mkdirSync(train, { recursive: true });
  if (parquet) toParquet(rows(0, 60), train);
  else writeFileSync(join(train, "part-0.csv"), rows(0, 60));
  const model = join(root, "model");
  const output = join(root, "output/data");
  const r = spawnSync(SYSTEM_PYTHON, [join(code, "mlp_entry.py"), "--C", "1.0"], {
    encoding: "utf8",
    cwd: root,
    timeout: 120_000,
    env: env({
      MLP_ENTRY: "train.py",
      MLP_OBJECTIVE: "accuracy",
      MLP_VALIDATION_FRACTION: "0.2",
      SM_CHANNELS: JSON.stringify(["code", "train"]),
      SM_CHANNEL_CODE: code,
      SM_CHANNEL_TRAIN: train,
      SM_MODEL_DIR: model,
      SM_OUTPUT_DATA_DIR: output,
      SM_HPS: JSON.stringify({ C: 1.0 }),
      SM_HOSTS: JSON.stringify(["algo-1"]),
      SM_CURRENT_HOST: "algo-1",
      ...(parquet ? { PYTHONPATH: PYARROW_PATH } : {}),
      ...extra,
    }),
  });
  return { r, model, output, code };
}

describe.skipIf(!HAVE_SKLEARN)("the shipped model runtime under SageMaker's contract", () => {
  test("a tuning trial trains on the carved rest of train and reports the objective mlp computed on the validation split", () => {
    const { r, model, output } = trial(join(dir, "a"));
    expect(r.status, r.stderr).toBe(0);
    const seen = JSON.parse(readFileSync(join(output, "seen.json"), "utf8"));
    // The contract's settings reach the script through the environment.
    expect(seen).toMatchObject({ label: "y", features: ["x1", "x2"], keys: ["id"], task: "classification" });
    expect(Object.keys(seen.channels)).toEqual(["train", "validation"]);
    const ids = Array.from({ length: 60 }, (_, i) => `r${String(i).padStart(2, "0")}`);
    const validation = ids.filter((id) => bucket([id]) < 0.2);
    expect(validation.length).toBeGreaterThan(0);
    expect(seen.channels.validation).toEqual(validation);
    expect(seen.channels.train).toEqual(ids.filter((id) => !validation.includes(id)));
    // The objective line: mlp's accuracy on the validation rows, never the script's 0.123.
    const lines = r.stdout.split("\n").filter((l) => l.startsWith("mlp-metric "));
    expect(lines).toHaveLength(1);
    const m = /^mlp-metric accuracy=([-+]?[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)$/.exec(lines[0]!);
    expect(m).not.toBeNull();
    const evaluation = JSON.parse(readFileSync(join(output, "validation.json"), "utf8"));
    expect(evaluation.rows).toBe(validation.length);
    expect(Number(m![1])).toBeCloseTo(evaluation.metrics.accuracy, 12);
    expect(Number(m![1])).not.toBe(0.123);
    // The model leaves with its signature and the code that loads it.
    expect(JSON.parse(readFileSync(join(model, "mlp_model.json"), "utf8"))).toMatchObject({ label: "y", features: ["x1", "x2"], task: "classification", entry: "train.py" });
    for (const f of ["model.pkl", "code/train.py", "code/mlp_serving.py", "code/mlp_model.py"]) expect(existsSync(join(model, f)), f).toBe(true);
    // Deterministic: a second trial carves the same rows.
    const again = trial(join(dir, "b"));
    expect(again.r.status, again.r.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(again.output, "seen.json"), "utf8")).channels).toEqual(seen.channels);
  }, 180_000);

  test("the gate job unpacks model.tar.gz, scores the gate's data and writes the evaluation the Choice state reads", () => {
    const { r, model } = trial(join(dir, "g"));
    expect(r.status, r.stderr).toBe(0);
    const gate = (name: string, requires: string[]) => {
      const root = join(dir, name);
      const code = join(root, "input/code");
      cpSync(join(model, "code"), code, { recursive: true });
      mkdirSync(join(root, "input/model"), { recursive: true });
      const tar = spawnSync("tar", ["-czf", join(root, "input/model/model.tar.gz"), "-C", model, "."], { encoding: "utf8" });
      expect(tar.status, tar.stderr).toBe(0);
      mkdirSync(join(root, "input/data"), { recursive: true });
      writeFileSync(join(root, "input/data/part-0.csv"), rows(100, 40));
      const run = spawnSync(SYSTEM_PYTHON, [join(code, "mlp_gate.py"), "--step", "clf_gate", ...requires], { encoding: "utf8", timeout: 120_000, env: env({ MLP_PROCESSING_DIR: root }) });
      const out = join(root, "output/evaluation.json");
      return { run, evaluation: existsSync(out) ? JSON.parse(readFileSync(out, "utf8")) : undefined };
    };
    const ok = gate("gate-ok", ["--require", "accuracy", ">=", "0.5"]);
    expect(ok.run.status, ok.run.stderr).toBe(0);
    expect(ok.evaluation).toMatchObject({ step: "clf_gate", passed: true, rows: 40 });
    expect(ok.evaluation.metrics.accuracy).toBeGreaterThanOrEqual(0.5);
    expect(ok.evaluation.checks).toEqual([expect.objectContaining({ metric: "accuracy", op: ">=", threshold: 0.5, ok: true })]);
    // A require that does not hold: the job succeeds and says so; the Choice state fails the run.
    const failed = gate("gate-failed", ["--require", "accuracy", ">", "1"]);
    expect(failed.run.status, failed.run.stderr).toBe(0);
    expect(failed.evaluation).toMatchObject({ passed: false });
    expect(failed.run.stderr).toMatch(/gate clf_gate failed/);
  }, 180_000);

  test("aws: SageMaker training jobs get MLP_CHECKPOINT_DIR, so an entry that resumes from it works unchanged (a tuning trial in a folder of its own)", () => {
    const checkpoints = join(dir, "c", "opt/ml/checkpoints");
    const run = (job: string) => {
      const t = trial(join(dir, "c", job), false, { MLP_CHECKPOINT_DIR: checkpoints, TRAINING_JOB_NAME: job });
      expect(t.r.status, t.r.stderr).toBe(0);
      return JSON.parse(readFileSync(join(t.output, "seen.json"), "utf8"));
    };
    const first = run("ctr-tuned-0a1b2c3d-001-5e6f7a8b");
    expect(first).toMatchObject({ checkpoints: join(checkpoints, "ctr-tuned-0a1b2c3d-001-5e6f7a8b"), runs: 1 });
    // The same trial started again (SageMaker copied its checkpoints back in) resumes; another trial starts afresh.
    expect(run("ctr-tuned-0a1b2c3d-001-5e6f7a8b")).toMatchObject({ runs: 2 });
    expect(run("ctr-tuned-0a1b2c3d-002-9c0d1e2f")).toMatchObject({ checkpoints: join(checkpoints, "ctr-tuned-0a1b2c3d-002-9c0d1e2f"), runs: 1 });
  }, 180_000);

  test("aws: a tensorflow endpoint is served through the entry contract (mlp_endpoint.py's handlers), with the training's TensorFlow in requirements.txt", () => {
    const { r, model } = trial(join(dir, "tf"), false, { MLP_SERVING_REQUIREMENTS: "tensorflow==2.16.2" });
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(join(model, "code/requirements.txt"), "utf8")).toBe("tensorflow==2.16.2\n");
    // A script's own pin wins; its other requirements stay.
    const own = join(dir, "tf-own");
    mkdirSync(own, { recursive: true });
    writeFileSync(join(own, "requirements.txt"), "TensorFlow_CPU>=2.15  # pinned by the script\nscipy\n");
    const add = spawnSync(SYSTEM_PYTHON, ["-c", "import sys\nsys.path.insert(0, sys.argv[1])\nimport mlp_entry\nmlp_entry.serving_requirements(sys.argv[2], 'tensorflow-cpu==2.16.2\\nkeras==3.3.3')", join(model, "code"), own], { encoding: "utf8", env: env({}) });
    expect(add.status, add.stderr).toBe(0);
    expect(readFileSync(join(own, "requirements.txt"), "utf8")).toBe("TensorFlow_CPU>=2.15  # pinned by the script\nscipy\nkeras==3.3.3\n");
    // As the serving container's toolkit does: import SAGEMAKER_PROGRAM from the model's code folder, model_fn, then transform_fn per request.
    const serve = spawnSync(
      SYSTEM_PYTHON,
      ["-c", "import sys, json\nsys.path.insert(0, sys.argv[1] + '/code')\nimport mlp_endpoint as m\nmodel = m.model_fn(sys.argv[1])\nprint(json.dumps([m.transform_fn(model, b'[[0.9, 0.8], [0.1, 0.05]]', 'application/json', 'application/json')[0].decode(), m.transform_fn(model, '0.95,0.9\\n', 'text/csv', None)[1]]))", model],
      { encoding: "utf8", cwd: join(dir, "tf"), env: env({}) },
    );
    expect(serve.status, serve.stderr).toBe(0);
    const [body, type] = JSON.parse(serve.stdout);
    expect(JSON.parse(body)).toEqual([1, 0]);
    expect(type).toBe("application/json");
  }, 180_000);

  test("the gate's Lambda returns the finite metrics of evaluation.json and whether the requires held", () => {
    const root = join(dir, "lambda");
    mkdirSync(root, { recursive: true });
    writeFileSync(join(root, "read_metrics.py"), SHIPPED["read_metrics.py"]!);
    // boto3 stands in for S3: the object holds what mlp_gate.py wrote.
    writeFileSync(
      join(root, "boto3.py"),
      "import io, json\nSEEN = []\nclass _S3:\n    def get_object(self, Bucket, Key):\n        SEEN.append((Bucket, Key))\n        return {'Body': io.BytesIO(json.dumps({'passed': True, 'metrics': {'auc': 0.9, 'rmse': float('nan'), 'n': True}}).encode())}\ndef client(name):\n    return _S3()\n",
    );
    const r = spawnSync(SYSTEM_PYTHON, ["-c", "import json, read_metrics, boto3\nout = read_metrics.handler({'evaluation': 's3://bucket/runs/abc/gates/g/evaluation.json'}, None)\nprint(json.dumps([out, boto3.SEEN]))"], { encoding: "utf8", cwd: root, env: env({ PYTHONPATH: root }) });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([{ metrics: { auc: 0.9 }, passed: true }, [["bucket", "runs/abc/gates/g/evaluation.json"]]]);
  });

  test.skipIf(!HAVE_PYARROW)("on the warehouse's Parquet: the same validation rows as the CSV rule, and the gate reads Parquet", () => {
    const { r, output, model } = trial(join(dir, "p"), true);
    expect(r.status, r.stderr).toBe(0);
    const seen = JSON.parse(readFileSync(join(output, "seen.json"), "utf8"));
    const ids = Array.from({ length: 60 }, (_, i) => `r${String(i).padStart(2, "0")}`);
    expect(seen.channels.validation).toEqual(ids.filter((id) => bucket([id]) < 0.2));
    expect(r.stdout).toMatch(/^mlp-metric accuracy=[0-9.]+$/m);
    const root = join(dir, "p-gate");
    cpSync(join(model, "code"), join(root, "input/code"), { recursive: true });
    mkdirSync(join(root, "input/model"), { recursive: true });
    expect(spawnSync("tar", ["-czf", join(root, "input/model/model.tar.gz"), "-C", model, "."]).status).toBe(0);
    mkdirSync(join(root, "input/data"), { recursive: true });
    toParquet(rows(100, 40), join(root, "input/data"));
    const run = spawnSync(SYSTEM_PYTHON, [join(root, "input/code/mlp_gate.py"), "--step", "clf_gate", "--require", "accuracy", ">=", "0.5"], { encoding: "utf8", env: env({ MLP_PROCESSING_DIR: root, PYTHONPATH: PYARROW_PATH }) });
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(root, "output/evaluation.json"), "utf8"))).toMatchObject({ passed: true, rows: 40 });
  }, 180_000);
});
