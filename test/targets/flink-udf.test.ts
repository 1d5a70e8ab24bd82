// mlp_flink.py, the Python UDF of Flink stream deployments: it parses, and scores rows through
// an entry script's handlers or a pickled model, with the serving module the Slurm endpoints
// use (targets/python/mlp_serving.py). Runs with the machine's python3 (no PyFlink needed:
// `score` is the UDF's whole contract).
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { emitFlink } from "../../targets/flink/index";
import { udfModule } from "../../targets/flink/udf";
import { SERVING_FILE, UDF_FILE, UDF_FUNCTION } from "../../targets/python/serving";
import { compileIr } from "./helpers";

const python = (args: string[], env: Record<string, string> = {}) => spawnSync("python3", args, { encoding: "utf8", env: { ...process.env, ...env } });
const dir = mkdtempSync(join(tmpdir(), "mlp-flink-udf-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("mlp_flink.py", () => {
  const { ir } = compileIr("../shared/conformance/valid/fraud.mlp");
  const files = emitFlink({ ir, variants: [] });
  const udf = files.find((f) => f.path === "mlp_flink.py")!;

  it("is written for pipelines with a stream deployment, and only then", () => {
    expect(udf).toBeDefined();
    expect(emitFlink({ ir: compileIr("../shared/conformance/valid/churn.mlp").ir, variants: [] }).some((f) => f.path.endsWith(".py"))).toBe(false);
    expect(files.find((f) => f.path === "fraud_scoring.sql")!.contents).toContain("CREATE TEMPORARY SYSTEM FUNCTION IF NOT EXISTS mlp_predict AS 'mlp_flink.predict' LANGUAGE PYTHON;");
  });

  it("parses as Python", () => {
    const parsed = spawnSync("python3", ["-c", "import ast, sys; ast.parse(sys.stdin.read())"], { input: udf.contents, encoding: "utf8" });
    expect(parsed.stderr).toBe("");
    expect(parsed.status).toBe(0);
  });

  it("scores a row through the entry script's handlers, and a pickled model without them", () => {
    writeFileSync(join(dir, "mlp_flink.py"), udf.contents);
    writeFileSync(
      join(dir, "train.py"),
      [
        "def model_fn(model_dir):",
        "    return {'dir': model_dir}",
        "def predict_fn(data, model):",
        "    rows = data.values.tolist() if hasattr(data, 'values') else data",
        "    return [row[0] > 10 for row in rows]",
        "if __name__ == '__main__':",
        "    raise SystemExit('training is not run when serving')",
      ].join("\n"),
    );
    writeFileSync(
      join(dir, "check.py"),
      [
        "import os, pickle, sys",
        "sys.path.insert(0, sys.argv[1])",
        "import mlp_flink",
        "assert mlp_flink.predict is None",
        "F = '[\"amount\", \"foreign\", \"hour\"]'",
        "print(mlp_flink.score('/models/x', 'train.py', 'classification', 'bool', F, [12.5, True, 3])[0])",
        "print(mlp_flink.score('/models/x', 'train.py', 'classification', 'bool', F, [1.0, False, 3])[0])",
        "class M:",
        "    def predict(self, rows):",
        "        rows = rows.values.tolist() if hasattr(rows, 'values') else rows",
        "        return [sum(r) for r in rows]",
        "folder = os.path.join(sys.argv[1], 'model')",
        "os.makedirs(folder, exist_ok=True)",
        "pickle.dump(M(), open(os.path.join(folder, 'model.pkl'), 'wb'))",
        "sys.modules['__main__'].M = M",
        "print(mlp_flink.score(folder, '', 'regression', 'float', '[\"a\", \"b\", \"c\"]', [1, 2, 3.5])[0])",
      ].join("\n"),
    );
    const r = python([join(dir, "check.py"), dir], { MLP_PROJECT_DIR: dir });
    expect(r.stderr).toBe("");
    expect(r.stdout.trim().split("\n")).toEqual(["true", "false", "6.5"]);
  });

  it("is the same module whether shipped as one file or run from targets/ beside mlp_serving.py", () => {
    expect(UDF_FILE).toBe("mlp_flink.py");
    expect(UDF_FUNCTION).toBe("mlp_flink.predict");
    expect(udf.contents).toBe(udfModule({ sourceFile: () => "fraud.mlp", pipelineName: "fraud" }));
    const src = join(dir, "src");
    mkdirSync(src, { recursive: true });
    writeFileSync(join(src, UDF_FILE), readFileSync(new URL("../../targets/flink/mlp_flink.py", import.meta.url), "utf8"));
    writeFileSync(join(src, SERVING_FILE), readFileSync(new URL("../../targets/python/mlp_serving.py", import.meta.url), "utf8"));
    const r = python([join(dir, "check.py"), src], { MLP_PROJECT_DIR: dir });
    expect(r.stderr).toBe("");
    expect(r.stdout.trim().split("\n")).toEqual(["true", "false", "6.5"]);
  });

  it("scores like the Slurm endpoints: mlp_serving.Model.invoke gives the response the UDF reads", () => {
    writeFileSync(join(dir, SERVING_FILE), readFileSync(new URL("../../targets/python/mlp_serving.py", import.meta.url), "utf8"));
    const code = [
      "import json, sys",
      "sys.path.insert(0, sys.argv[1])",
      "import mlp_serving",
      "m = mlp_serving.Model('train.py', '/models/x')",
      "print(m.invoke(json.dumps([[12.5, True, 3]]), 'application/json')[0].decode())",
      "print(m.invoke('12.5,1\\n1.0,0\\n', 'text/csv'))",
    ].join("\n");
    const r = python(["-c", code, dir], { MLP_PROJECT_DIR: dir });
    expect(r.stderr).toBe("");
    expect(r.stdout.trim().split("\n")).toEqual(["[true]", "(b'[true, false]', 'application/json')"]);
  });
});
