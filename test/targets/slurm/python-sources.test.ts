// Every Python file a target ships is a real .py file under targets/ (loaded with ?raw): each
// one must compile with the Python the jobs run, and what is shipped must be those files.
import { readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { udfModule } from "../../../targets/flink/udf";
import { SERVING_FILE, SERVING_PY } from "../../../targets/python/serving";
import { compile, CONFORMANCE, ROOT, run, tmp } from "./helpers";

const SYSTEM_PYTHON = "/usr/bin/python3";

function pyFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory() && e.name !== "__pycache__" && e.name !== "node_modules") out.push(...pyFiles(p));
    else if (e.isFile() && e.name.endsWith(".py")) out.push(p);
  }
  return out.sort();
}

describe("the Python the targets ship", () => {
  const files = pyFiles(join(ROOT, "targets"));

  it("lives in .py files: the slurm runtime, the serving module and the flink UDF at least", () => {
    expect(files.map((f) => relative(ROOT, f))).toEqual(expect.arrayContaining(["targets/slurm/mlp_runtime.py", "targets/python/mlp_serving.py", "targets/flink/mlp_flink.py"]));
  });

  it("compiles with python3 -m py_compile, file by file", () => {
    // Byte code goes to a scratch folder, not beside the sources.
    const env = { ...process.env, PYTHONPYCACHEPREFIX: tmp("pycache") };
    for (const f of files) {
      const r = run(SYSTEM_PYTHON, ["-m", "py_compile", f], { env });
      expect(r.stderr, relative(ROOT, f)).toBe("");
      expect(r.status, relative(ROOT, f)).toBe(0);
    }
  }, 60_000);

  it("is shipped as written: slurm's mlp_serving.py and the flink UDF carry the one serving module", () => {
    const slurm = compile(join(CONFORMANCE, "minimal.mlp"));
    const serving = slurm.find((f) => f.path === SERVING_FILE)!.contents;
    expect(serving.endsWith(SERVING_PY)).toBe(true);
    const udf = udfModule({ sourceFile: () => "x.mlp", pipelineName: "x" });
    const body = SERVING_PY.replace(/^"""[\s\S]*?"""\n/, "").trim();
    expect(udf).toContain(body);
    expect(udf).not.toMatch(/^from mlp_serving import/m);
  });
});
