// Issue 11, Flink: "Model code never reaches the workers (only `mlp_flink.py` is shipped), and
// the loaded model is cached forever: ship the entry and its folder, and reload when the
// registry's latest version changes."
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { TargetError } from "../../compiler/target-api";
import { emitSlurm } from "../../targets/slurm/index";
import { entryShipment } from "../../targets/flink/command";
import { compileIr, emit } from "./helpers";

const PYTHON = "/usr/bin/python3";
const dir = mkdtempSync(join(tmpdir(), "mlp-flink-shipping-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const fraud = compileIr("../shared/conformance/valid/fraud.mlp").ir;

describe("flink: model code never reaches the workers, and the loaded model is cached forever", () => {
  it("ships the entry script's folder beside mlp_flink.py: the job's header, jobs.json and the Slurm job", () => {
    const files = emit("flink", fraud);
    const sql = files.find((f) => f.path === "fraud_scoring.sql")!.contents;
    expect(sql).toMatch(/^-- Run with: sql-client\.sh( -j \S+)* -pyfs mlp_flink\.py,mlp_data\.py,models\/fraud -f fraud_scoring\.sql$/m);
    const manifest = JSON.parse(files.find((f) => f.path === "jobs.json")!.contents);
    const job = manifest.jobs.find((j: { id: string }) => j.id === "fraud_scoring");
    expect(job.pyfiles).toEqual(["mlp_flink.py", "mlp_data.py"]);
    expect(files.map((f) => f.path)).toEqual(expect.arrayContaining(job.pyfiles));
    expect(job.projectPyfiles).toEqual(["models/fraud"]);
    const sbatch = emitSlurm({ ir: fraud, variants: [] }).find((f) => f.path === "fraud_scoring.sbatch")!.contents;
    expect(sbatch).toContain(` -pyfs "$MLP_SLURM_DIR/../flink/"'mlp_flink.py',"$MLP_SLURM_DIR/../flink/"'mlp_data.py',"$MLP_PROJECT_DIR"/'models/fraud' -f "$mlp_sql"`);
  });

  it("ships a script at the project's top alone (not the whole project), and refuses a path -pyfs would split", () => {
    expect(entryShipment("train.py")).toBe("train.py");
    expect(entryShipment("./models/x/../ctr/train.py")).toBe("models/ctr");
    const ir = structuredClone(fraud);
    const train = ir.nodes.find((n) => n.kind === "train")!;
    (train.config as { entry: string }).entry = "models/a,b/train.py";
    expect(() => emit("flink", ir)).toThrow(TargetError);
    expect(() => emit("flink", ir)).toThrow(/comma/);
  });

  it("the UDF imports the entry script's own modules and mlp_data from what is shipped (Debian's python3)", () => {
    // What a worker has: the shipped files and folder on its Python path, no project.
    const files = emit("flink", fraud);
    const udf = files.find((f) => f.path === "mlp_flink.py")!.contents;
    const worker = join(dir, "worker");
    const shipped = join(worker, "fraud");
    mkdirSync(shipped, { recursive: true });
    writeFileSync(join(worker, "mlp_flink.py"), udf);
    writeFileSync(join(worker, "mlp_data.py"), files.find((f) => f.path === "mlp_data.py")!.contents);
    writeFileSync(join(shipped, "features_lib.py"), "def threshold():\n    return 10\n");
    writeFileSync(
      join(shipped, "train.py"),
      ["import mlp_data  # as the samples' entry scripts do", "from features_lib import threshold", "def model_fn(model_dir):", "    return None", "def predict_fn(data, model):", "    return [bool(data['amount_log'].iloc[0] > threshold())]"].join("\n"),
    );
    mkdirSync(join(dir, "m1"), { recursive: true });
    const code = ["import sys", "import mlp_flink", `print(mlp_flink.score(${JSON.stringify(join(dir, "m1"))}, 'models/fraud/train.py', 'classification', 'bool', '["amount_log"]', [12.0])[0])`].join("\n");
    const env: NodeJS.ProcessEnv = { ...process.env, PYTHONPATH: `${worker}:${shipped}` };
    delete env.MLP_PROJECT_DIR;
    const r = spawnSync(PYTHON, ["-c", code], { encoding: "utf8", env, cwd: dir });
    expect(r.stderr).toBe("");
    expect(r.stdout.trim()).toBe("true");
  });

  it("reloads the model when the registry's latest changes, checking at most every MLP_MODEL_RELOAD_SECONDS", () => {
    const udf = emit("flink", fraud).find((f) => f.path === "mlp_flink.py")!.contents;
    const root = join(dir, "reload");
    mkdirSync(join(root, "runs/r1/gate/model"), { recursive: true });
    mkdirSync(join(root, "runs/r2/gate/model"), { recursive: true });
    writeFileSync(join(root, "mlp_flink.py"), udf);
    writeFileSync(join(root, "runs/r1/gate/model/answer.json"), "1");
    writeFileSync(join(root, "runs/r2/gate/model/answer.json"), "2");
    writeFileSync(
      join(root, "train.py"),
      ["import json, os", "LOADS = []", "def model_fn(model_dir):", "    LOADS.append(model_dir)", "    return json.load(open(os.path.join(model_dir, 'answer.json')))", "def predict_fn(data, model):", "    return [model]"].join("\n"),
    );
    // latest/<step> is a symlink the gate switches atomically (mlp_runtime.py publish).
    const check = [
      "import os, sys",
      "root = sys.argv[1]",
      "sys.path.insert(0, root)",
      "import mlp_flink",
      "latest = os.path.join(root, 'latest')",
      "def publish(run):",
      "    tmp = latest + '.tmp'",
      "    os.symlink(os.path.join(root, 'runs', run, 'gate'), tmp)",
      "    os.replace(tmp, latest)",
      "t = [0.0]",
      "clock = lambda: t[0]",
      "def score():",
      "    m = mlp_flink.current('train.py', os.path.join(latest, 'model'), clock)",
      "    return m.predict_fn([[1.0]], m.model)[0]",
      "publish('r1')",
      "print(score())",
      "publish('r2')",
      "t[0] = 30.0",
      "print(score())",  // within the interval: the model held is used, nothing is read
      "t[0] = 61.0",
      "print(score())",  // the interval passed: the new latest is loaded
      "t[0] = 200.0",
      "print(score())",  // checked again, unchanged: not loaded again
      // One model held per (entry, model_dir): the newest version, not one per version seen.
      "print(len(mlp_flink._CURRENT), [os.path.relpath(v['version'], root) for v in mlp_flink._CURRENT.values()])",
    ].join("\n");
    const r = spawnSync(PYTHON, ["-c", check, root], { encoding: "utf8", env: { ...process.env, MLP_PROJECT_DIR: root, MLP_MODEL_RELOAD_SECONDS: "60" } });
    expect(r.stderr).toBe("");
    expect(r.stdout.trim().split("\n")).toEqual(["1", "1", "2", "2", "1 ['runs/r2/gate/model']"]);
  });

  it("MLP_MODEL_RELOAD_SECONDS=0 checks the latest on every row", () => {
    const root = join(dir, "reload");
    const code = [
      "import os, sys",
      "sys.path.insert(0, sys.argv[1])",
      "import mlp_flink",
      "latest = os.path.join(sys.argv[1], 'latest0')",
      "out = []",
      "for run in ('r1', 'r2', 'r1'):",
      "    if os.path.lexists(latest): os.remove(latest)",
      "    os.symlink(os.path.join(sys.argv[1], 'runs', run, 'gate'), latest)",
      "    out.append(mlp_flink.score(os.path.join(latest, 'model'), 'train.py', 'regression', 'int', '[\"x\"]', [1.0])[0])",
      "print(' '.join(out))",
    ].join("\n");
    const r = spawnSync(PYTHON, ["-c", code, root], { encoding: "utf8", env: { ...process.env, MLP_PROJECT_DIR: root, MLP_MODEL_RELOAD_SECONDS: "0" } });
    expect(r.stderr).toBe("");
    expect(r.stdout.trim()).toBe("1 2 1");
  });
});
