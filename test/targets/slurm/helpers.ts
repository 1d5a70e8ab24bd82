// Shared by the slurm target's tests: compiling .mlp files to Slurm files, writing
// them out with the stand-ins the jobs call, and running shell and Python checks.
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { IrDocument } from "../../../compiler/ir";
import { columnsOf, IrGraph } from "../../../compiler/query";
import { lower } from "../../../compiler/lower";
import { compilation } from "../../../compiler/compile";
import type { GeneratedFile } from "../../../compiler/target-api";
import { checkProgram } from "../../../language/checker/program";
import { emitSlurm } from "../../../targets/slurm/index";
import { emitSpark } from "../../../targets/spark/index";
import { Plan } from "../../../targets/slurm/plan";

export const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
export const CONFORMANCE = fileURLToPath(new URL("../../../../shared/conformance/valid/", import.meta.url));
export const SAMPLES = join(ROOT, "samples/");

/** The real interpreter behind `python3` (a version manager's shim costs a second per start). */
export const PYTHON = (() => {
  const r = spawnSync("python3", ["-c", "import sys; print(sys.executable)"], { encoding: "utf8" });
  return r.status === 0 && r.stdout.trim() ? r.stdout.trim() : "python3";
})();

/**
 * The Python the model steps run with: gates, tuning trials and CSV scoring go through
 * mlp_model.py, which needs pandas (Debian's python3 has it, with sklearn; no pyarrow, so
 * the tests' channels are CSV).
 */
export const MODEL_PYTHON = [PYTHON, "/usr/bin/python3"].find((py) => spawnSync(py, ["-c", "import pandas"]).status === 0) ?? PYTHON;

/** A Python that has optuna (the bayesian strategy), if any: PYTHON, else Debian's python3-optuna. */
export const OPTUNA_PYTHON = [PYTHON, "/usr/bin/python3"].find((py) => spawnSync(py, ["-c", "import optuna"]).status === 0);

const loader = {
  read(p: string) {
    try {
      return readFileSync(p, "utf8");
    } catch {
      return undefined;
    }
  },
};

/** Every pipeline the target must handle: the conformance valid files and the samples. */
export function inputs(): { name: string; path: string }[] {
  const list = (dir: string, prefix: string) =>
    existsSync(dir)
      ? readdirSync(dir)
          .filter((f) => f.endsWith(".mlp") && !f.startsWith("."))
          .sort()
          .map((f) => ({ name: `${prefix}${f.replace(/\.mlp$/, "")}`, path: dir + f }))
      : [];
  return [...list(CONFORMANCE, ""), ...list(SAMPLES, "sample-")];
}

export function checked(path: string, text?: string) {
  const program = checkProgram(path, loader, text);
  const errors = program.diagnostics.filter((d) => d.severity === "error");
  if (errors.length) throw new Error(`${path} has errors:\n${errors.map((d) => `  ${d.code} ${d.message}`).join("\n")}`);
  return program;
}

/** The IR of a file, or of one of its variants lowered from its own checked program. */
export function irOf(path: string, variant?: string, text?: string): IrDocument {
  return lower(checked(path, text), variant);
}

export function compile(path: string, variant?: string, text?: string): GeneratedFile[] {
  return emitSlurm(compilation(checked(path, text), variant));
}

/** The slurm files of an IR already lowered. */
export const emitIr = (ir: IrDocument): GeneratedFile[] => emitSlurm({ ir, variants: [] });

export function tmp(prefix: string): string {
  const base = join(ROOT, "test/.tmp");
  mkdirSync(base, { recursive: true });
  return mkdtempSync(join(base, `${prefix}-`));
}

/**
 * Writes DIR/slurm/... plus, with the IR, the spark target's SQL (the spark-sql stand-in
 * "writes" the tables its INSERTs name) and placeholder SQL for every flink job.
 */
export function writeOut(dir: string, files: GeneratedFile[], ir?: IrDocument): string {
  const slurm = join(dir, "slurm");
  for (const f of files) {
    const p = join(slurm, f.path);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, f.contents);
    if (f.path.endsWith(".sh") || f.path.endsWith(".sbatch")) chmodSync(p, 0o755);
  }
  if (ir) {
    const plan = new Plan(ir);
    mkdirSync(join(dir, "spark"), { recursive: true });
    for (const f of emitSpark({ ir, variants: [] })) writeFileSync(join(dir, "spark", f.path), f.contents);
    for (const j of plan.jobs) {
      if (j.role !== "flink" && j.role !== "stream-deploy") continue;
      const p = join(dir, "flink", `${j.node.id}.sql`);
      mkdirSync(dirname(p), { recursive: true });
      writeFileSync(p, `-- placeholder for ${JSON.stringify(j.node.id)}\n`);
    }
  }
  return slurm;
}

export function run(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string; timeout?: number } = {}): SpawnSyncReturns<string> {
  return spawnSync(cmd, args, { encoding: "utf8", cwd: opts.cwd, env: opts.env ?? process.env, input: opts.input, timeout: opts.timeout ?? 60_000 });
}

/** `bash -n` on each file: the syntax errors, or an empty list. */
export function bashSyntaxErrors(paths: string[]): string[] {
  if (paths.length === 0) return [];
  const r = run("bash", ["-c", 'for f in "$@"; do bash -n "$f" 2>&1 || printf "^ in %s\\n" "$f"; done', "bash-n", ...paths]);
  return r.stdout.trim() ? [r.stdout] : [];
}

const AST_CHECK = `
import ast, sys
bad = []
for p in sys.argv[1:]:
    try:
        ast.parse(open(p, encoding="utf-8").read(), p)
    except SyntaxError as e:
        bad.append("%s: %s" % (p, e))
print("\\n".join(bad))
sys.exit(1 if bad else 0)
`;

/** Python's own parser on each file: the syntax errors, or an empty list. */
export function pythonSyntaxErrors(paths: string[]): string[] {
  if (paths.length === 0) return [];
  const r = run(PYTHON, ["-c", AST_CHECK, ...paths]);
  if (r.status === 0) return [];
  return [r.stdout + r.stderr];
}

/** One-line `python3 -c 'import ast,sys; ast.parse(open(sys.argv[1]).read())'` as the brief spells it. */
export function pythonParses(path: string): boolean {
  return run(PYTHON, ["-c", "import ast,sys; ast.parse(open(sys.argv[1]).read())", path]).status === 0;
}

export function script(path: string, text: string): string {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  chmodSync(path, 0o755);
  return path;
}

/**
 * Stand-ins for the tools this machine does not have: spark-sql and Flink's
 * sql-client (check the SQL file exists, log their arguments), torchrun (starts
 * --nproc_per_node copies of the script with RANK/LOCAL_RANK/WORLD_SIZE), papermill
 * (copies the notebook, keeps the parameters) and a copy command for remote outputs.
 * Each appends one JSON line per call to DIR/calls.jsonl.
 */
export function standIns(dir: string): Record<string, string> {
  const log = join(dir, "calls.jsonl");
  const sqlClient = (tool: string) => `#!${PYTHON}
import json, os, sys
args = sys.argv[1:]
f = args[args.index("-f") + 1] if "-f" in args else None
with open(${JSON.stringify(log)}, "a") as out:
    out.write(json.dumps({"tool": ${JSON.stringify(tool)}, "args": args, "job": os.environ.get("SLURM_JOB_ID"), "model": os.environ.get("MLP_MODEL_PATH"), "cassandra": [os.environ.get("MLP_CASSANDRA_USERNAME"), os.environ.get("MLP_CASSANDRA_PASSWORD")]}) + "\\n")
if not f or not os.path.isfile(f):
    sys.exit("stand-in ${tool}: no SQL file %r" % f)
if ${JSON.stringify(tool)} == "spark-sql":
    # What the job would write: every INSERT OVERWRITE DIRECTORY of the file, in the run's
    # folder after spark-sql substituted MLP_RUN_ID, gets seedData's rows for its table
    # (from <warehouse>/_seed/); the SQL's warehouse is the one MLP_DATA_DIR mounts here.
    import re, shutil
    sql = open(f).read()
    run = os.environ.get("MLP_RUN_ID")
    if run is None or not re.fullmatch(r"[A-Za-z0-9._-]+", run) or run in (".", ".."):
        sys.exit("stand-in spark-sql: MLP_RUN_ID is not set or not a plain name")
    data = os.environ["MLP_DATA_DIR"]
    # A job that fails (MLP_TEST_FAIL_SQL names its file) after writing its first table.
    failing = os.environ.get("MLP_TEST_FAIL_SQL") == os.path.basename(f)
    for rel in re.findall(r"INSERT OVERWRITE DIRECTORY '[^']*/runs/\\$\\{env:MLP_RUN_ID\\}/([^']*)'", sql):
        out = os.path.join(data, "runs", run, rel)
        shutil.rmtree(out, ignore_errors=True)
        seed = os.path.join(data, "_seed", rel)
        if os.path.isdir(seed):
            shutil.copytree(seed, out)
        else:
            os.makedirs(out)
        if failing:
            sys.exit("stand-in spark-sql: %s failed (MLP_TEST_FAIL_SQL)" % f)
print("stand-in ${tool} ran", f)
`;
  return {
    MLP_SPARK_SQL: script(join(dir, "bin/spark-sql"), sqlClient("spark-sql")),
    MLP_FLINK_SQL: script(join(dir, "bin/sql-client.sh"), sqlClient("sql-client")),
    MLP_TORCHRUN: script(
      join(dir, "bin/torchrun"),
      `#!${PYTHON}
# Stand-in torchrun: the options it is given are logged; it starts nproc_per_node copies
# of the script with the environment torchrun would set, and fails if one fails.
import json, os, subprocess, sys
opts, rest = {}, []
args = sys.argv[1:]
while args:
    a = args.pop(0)
    if rest or not a.startswith("--"):
        rest.append(a)
        continue
    k, _, v = a[2:].partition("=")
    opts[k] = v
nproc = int(opts.get("nproc_per_node", "1"))
nnodes = int(opts.get("nnodes", "1"))
node = int(os.environ.get("SLURM_NODEID", "0"))
with open(${JSON.stringify(log)}, "a") as out:
    out.write(json.dumps({"tool": "torchrun", "opts": opts, "script": rest, "node": node, "job": os.environ.get("SLURM_JOB_ID")}) + "\\n")
procs = []
for local in range(nproc):
    env = dict(os.environ, RANK=str(node * nproc + local), LOCAL_RANK=str(local), WORLD_SIZE=str(nnodes * nproc), LOCAL_WORLD_SIZE=str(nproc))
    procs.append(subprocess.Popen([os.environ.get("MLP_PYTHON", sys.executable)] + rest, env=env))
sys.exit(max(p.wait() for p in procs))
`,
    ),
    MLP_PAPERMILL: script(
      join(dir, "bin/papermill"),
      `#!${PYTHON}
import json, shutil, sys
args = sys.argv[1:]
params = json.load(open(args[args.index("-f") + 1]))
shutil.copyfile(args[0], args[1])
with open(${JSON.stringify(log)}, "a") as out:
    out.write(json.dumps({"tool": "papermill", "args": args, "parameters": params}) + "\\n")
`,
    ),
    MLP_COPY: script(
      join(dir, "bin/copy"),
      `#!${PYTHON}
import json, shutil, sys
src, dest = sys.argv[1:3]
with open(${JSON.stringify(log)}, "a") as out:
    out.write(json.dumps({"tool": "copy", "args": [src, dest]}) + "\\n")
shutil.copytree(src, ${JSON.stringify(join(dir, "remote"))} + "/" + dest.replace("://", "/"), dirs_exist_ok=True)
`,
    ),
  };
}

/**
 * A stand-in for sbatch that runs each script at once with bash, as Slurm would run it
 * on one node: array tasks one after the other, a job whose afterok dependency did not
 * complete is cancelled, scripts that need srun (multi-task launches, serving) are
 * recorded but not run. Job states go to DIR/fake-slurm.json. Used where no Slurm runs;
 * the real cluster is exercised by slurm.test.ts.
 */
export function fakeSbatch(dir: string): string {
  const state = join(dir, "fake-slurm.json");
  return script(
    join(dir, "bin/fake-sbatch"),
    `#!${PYTHON}
import json, os, re, subprocess, sys
state_path = ${JSON.stringify(state)}
args = sys.argv[1:]
path = args[-1]
deps = []
after = "afterok"
for a in args[:-1]:
    if a.startswith("--dependency="):
        after, _, rest = a[len("--dependency="):].partition(":")
        deps = rest.split(":")
st = json.load(open(state_path)) if os.path.exists(state_path) else {"next": 100, "jobs": {}, "order": []}
jid = st["next"]
st["next"] += 1
text = open(path).read()
name = os.path.basename(path)[: -len(".sbatch")]
array = re.search(r"^#SBATCH --array=(\\d+)-(\\d+)", text, re.M)
if os.environ.get("FAKE_SBATCH_DRY") == "1":
    result = "SUBMITTED"
elif after == "afterok" and any(st["jobs"].get(d) != "COMPLETED" for d in deps):
    result = "CANCELLED"
elif re.search(r"^(mlp_launch )?srun ", text, re.M) or " -- srun " in text:
    result = "NOT_RUN"
else:
    code = 0
    for task in (range(int(array.group(1)), int(array.group(2)) + 1) if array else [None]):
        env = dict(os.environ, SLURM_JOB_ID=str(jid), SLURM_SUBMIT_DIR=os.getcwd(), SLURM_JOB_NODELIST="localhost")
        suffix = "%d" % jid
        if task is not None:
            env.update(SLURM_ARRAY_TASK_ID=str(task), SLURM_ARRAY_JOB_ID=str(jid))
            suffix = "%d_%d" % (jid, task)
        with open(os.path.join("logs", "%s-%s.out" % (name, suffix)), "w") as log:
            code = subprocess.call(["bash", path], env=env, stdout=log, stderr=subprocess.STDOUT) or code
    result = "COMPLETED" if code == 0 else "FAILED"
st["jobs"][str(jid)] = result
st["order"].append({"job": name, "id": jid, "state": result, "deps": deps})
with open(state_path, "w") as f:
    json.dump(st, f)
print(jid)
`,
  );
}

export interface FakeJob {
  job: string;
  id: number;
  state: string;
  deps: string[];
}

export function fakeJobs(dir: string): FakeJob[] {
  const p = join(dir, "fake-slurm.json");
  return existsSync(p) ? (JSON.parse(readFileSync(p, "utf8")).order as FakeJob[]) : [];
}

export function calls(dir: string): { tool: string; [k: string]: unknown }[] {
  const p = join(dir, "calls.jsonl");
  if (!existsSync(p)) return [];
  return readFileSync(p, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}

/**
 * Rows for every batch data step's output (what the Spark jobs would write), as CSV under
 * DATA_DIR/_seed at the step's path in a run's folder, for the spark-sql stand-in to "write"
 * into the run (and `seedRun` to put there directly): ROWS rows typed by the step's columns. Row i of every
 * table is the same, so a split's train and test ports and a gate's data agree; a label
 * column (the label of some training) depends only on the parity of i, and every other
 * column encodes i (ints i, floats i + 0.25, strings "r<i>", timestamps 10:<i> on
 * 2026-11-01, dates i days after 2026-11-01, vectors [i, 0.5], bools i even), so TRAIN_PY's
 * model (a parity table on the first feature) learns every label, and a validation split of
 * ROWS rows holds both classes.
 */
export const ROWS = 56;

export function seedData(dataDir: string, ir: IrDocument): void {
  const g = new IrGraph(ir);
  const plan = new Plan(ir);
  const labels = new Map<string, string>();
  for (const n of ir.nodes) if (n.kind === "train" && n.config.label) labels.set(n.config.label, g.output(n).model?.task ?? n.config.task ?? "regression");
  for (const job of plan.jobs) {
    if (job.role !== "data") continue;
    const n = job.node;
    const ports = n.kind === "split" ? ["train", "test"] : ["out"];
    for (const port of ports) {
      const loc = plan.location(n, port);
      if (loc.env !== "MLP_TABLES_DIR") continue;
      const cols = columnsOf(g.output(n, port));
      if (!cols.length) continue;
      const lines = [cols.map((c) => c.name).join(",")];
      for (let i = 0; i < ROWS; i++) lines.push(cols.map((c) => csvCell(cellOf(c.type.kind, i, labels.get(c.name)))).join(","));
      const folder = join(dataDir, "_seed", loc.path);
      mkdirSync(folder, { recursive: true });
      writeFileSync(join(folder, "part-0.csv"), lines.join("\n") + "\n");
    }
  }
}

/** The seeded tables as run `run`'s (what its data jobs would have written), for tests that run single jobs. */
export function seedRun(dataDir: string, run: string): void {
  cpSync(join(dataDir, "_seed"), join(dataDir, "runs", run), { recursive: true });
}

function cellOf(kind: string, i: number, task: string | undefined): string {
  const two = String(i).padStart(2, "0");
  const day = new Date(Date.UTC(2026, 10, 1 + i)).toISOString().slice(0, 10);
  if (task === "classification") {
    const k = i % 2;
    return kind === "bool" ? String(k === 0) : kind === "int" ? String(k) : kind === "float" ? `${k}.0` : `c${k}`;
  }
  if (task !== undefined) return kind === "int" ? String(10 + (i % 2) * 5) : `${10 + (i % 2) * 5}.0`;
  switch (kind) {
    case "int":
      return String(i);
    case "float":
      return `${i}.25`;
    case "bool":
      return String(i % 2 === 0);
    case "timestamp":
      return `2026-11-01 10:${two}:00`;
    case "date":
      return day;
    case "vector":
      return `[${i}.0, 0.5]`;
    default:
      return `r${i}`;
  }
}

const csvCell = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

/**
 * A training entry that honours the contract: reads its training channel with mlp_data
 * (typed by MLP_COLUMNS), learns the label of each parity of the first feature (see
 * seedData), saves model.json to SM_MODEL_DIR (rank 0 only) and records what it saw per rank
 * in SM_OUTPUT_DATA_DIR/ranks/. It writes no metrics: mlp computes them. With
 * MLP_TEST_BAD_METRICS=1 it learns the opposite labels, so every gate fails. It also serves:
 * model_fn, predict_fn (a table: its predictions; a request's JSON list: the old
 * {"prediction", "row"} records) and predict_proba_fn.
 */
export const TRAIN_PY = `import json, os, sys
import mlp_data

def parity(v):
    if hasattr(v, "item") and not isinstance(v, (list, str)) and getattr(v, "shape", ()) == ():
        v = v.item()
    if isinstance(v, bool):
        return int(v)
    if hasattr(v, "toordinal"):
        return (v.toordinal() + getattr(v, "minute", 0)) % 2
    if not isinstance(v, (str, int, float)) and hasattr(v, "__len__"):
        v = list(v)[0]
    if isinstance(v, str):
        digits = "".join(ch for ch in v if ch.isdigit())
        return int(digits or 0) % 2
    return int(float(v)) % 2

def plain(v):
    return v.item() if hasattr(v, "item") else v

def model_fn(model_dir):
    with open(os.path.join(model_dir, "model.json")) as f:
        return json.load(f)

def label_of(model, v):
    return model["table"].get(str(parity(v)), model["default"])

def predict_fn(data, model):
    if hasattr(data, "columns"):
        return [label_of(model, v) for v in data[data.columns[0]].tolist()]
    rows = data if isinstance(data, list) else [data]
    return [{"prediction": model["w"], "row": i} for i, _ in enumerate(rows)]

def predict_proba_fn(data, model):
    classes = sorted(set(model["table"].values()), key=lambda c: (str(type(c)), c))
    return [[1.0 if label_of(model, v) == c else 0.0 for c in classes] for v in data[data.columns[0]].tolist()]

def main():
    hps = json.loads(os.environ["SM_HPS"])
    rank = int(os.environ.get("RANK") or os.environ.get("SLURM_PROCID") or 0)
    seen = {
        "rank": rank,
        "hps": hps,
        "argv": sys.argv[1:],
        "env": {k: v for k, v in sorted(os.environ.items()) if k.startswith(("SM_", "MLP_"))},
        "cwd": os.getcwd(),
    }
    os.makedirs(os.path.join(os.environ["SM_OUTPUT_DATA_DIR"], "ranks"), exist_ok=True)
    with open(os.path.join(os.environ["SM_OUTPUT_DATA_DIR"], "ranks", "%d.json" % rank), "w") as f:
        json.dump(seen, f)
    if rank != 0:
        return
    if os.environ.get("MLP_TRIAL") and os.environ["MLP_TRIAL"] in os.environ.get("MLP_TEST_FAIL_TRIALS", "").split(","):
        sys.exit("trial %s fails on purpose (MLP_TEST_FAIL_TRIALS)" % os.environ["MLP_TRIAL"])
    X, y = mlp_data.xy(mlp_data.channel("train"))
    first = X[X.columns[0]].tolist()
    votes = {}
    for v, label in zip(first, y.tolist()):
        votes.setdefault(str(parity(v)), []).append(plain(label))
    table = {k: max(set(ls), key=ls.count) for k, ls in votes.items()}
    if os.environ.get("MLP_TEST_BAD_METRICS") == "1":
        if mlp_data.task() == "regression":
            table = {k: v + 1000 for k, v in table.items()}
        else:
            swapped = {"0": table.get("1"), "1": table.get("0")}
            table = {k: v for k, v in swapped.items() if v is not None}
    nums = [float(v) for v in hps.values() if isinstance(v, (int, float)) and not isinstance(v, bool)]
    b = (sum(nums) % 1.0) * 0.01
    default = list(table.values())[0]
    with open(os.path.join(os.environ["SM_MODEL_DIR"], "model.json"), "w") as f:
        json.dump({"w": b, "seen": seen, "table": table, "default": default}, f)

if __name__ == "__main__":
    main()
`;

/**
 * A project folder with TRAIN_PY at every entry path and an empty notebook at every notebook
 * path; with `dataDir` (the run's MLP_DATA_DIR), seedData's rows for every batch data step.
 */
export function project(dir: string, ir: IrDocument, dataDir?: string): string {
  if (dataDir) seedData(dataDir, ir);
  for (const n of ir.nodes) {
    const entry = n.kind === "train" ? n.config.entry : undefined;
    if (typeof entry === "string") script(entry.startsWith("/") ? entry : join(dir, entry), TRAIN_PY);
    const nb = n.kind === "notebook" ? n.config.path : undefined;
    if (typeof nb === "string") script(nb.startsWith("/") ? nb : join(dir, nb), JSON.stringify({ cells: [], metadata: {}, nbformat: 4, nbformat_minor: 5 }));
  }
  return dir;
}

/**
 * An entry that checkpoints: one "epoch" per TEST_EPOCH_SECONDS, its state in
 * MLP_CHECKPOINT_DIR/state.json after each; on USR1 (the time limit is near) it saves and
 * exits non-zero; started again it resumes from the saved epoch. Its model records where
 * each start began. With TEST_FAIL_AT=N its first start fails at epoch N.
 */
export const CHECKPOINT_PY = `import json, os, signal, sys, time
import mlp_data

if __name__ == "__main__":
    folder = os.environ["MLP_CHECKPOINT_DIR"]
    path = os.path.join(folder, "state.json")
    state = json.load(open(path)) if os.path.exists(path) else {"epoch": 0, "starts": []}
    state["starts"].append(state["epoch"])
    stop = []
    signal.signal(signal.SIGUSR1, lambda *_: stop.append(1))
    while state["epoch"] < int(os.environ.get("TEST_EPOCHS", "8")):
        if os.environ.get("TEST_FAIL_AT") and len(state["starts"]) == 1 and state["epoch"] >= int(os.environ["TEST_FAIL_AT"]):
            sys.exit("failing at epoch %d on purpose (TEST_FAIL_AT)" % state["epoch"])
        if stop:
            sys.exit("stopped at epoch %d: the job is requeued" % state["epoch"])
        time.sleep(float(os.environ.get("TEST_EPOCH_SECONDS", "0.05")))
        state["epoch"] += 1
        with open(path + ".tmp", "w") as f:
            json.dump(state, f)
        os.replace(path + ".tmp", path)
    mlp_data.save_model({"epochs": state["epoch"], "starts": state["starts"], "checkpoint": folder})
`;

/**
 * The small pipeline of the checkpoint, requeue and tuning tests: a CSV source and an sklearn
 * training on `train.py` (`resources` as written), plus the steps asked for: a 2-trial grid
 * tune registered as `ckpt` (with the untuned model registered too, so the training also runs
 * on its own), or the training registered as `ckpt`; an endpoint on that registration; and a
 * `target onprem` block holding `onprem`.
 */
export function ckptPipeline(o: { resources?: string; tune?: boolean; register?: boolean; endpoint?: boolean; onprem?: string } = {}): string {
  const parts = [
    `pipeline ckpt {}
schema Row {
  id: string
  x:  float
  y:  float
}
source rows: Table<Row> {
  uri    = "data/rows.csv"
  format = csv
}
train model(rows) {
  framework   = sklearn
  entry       = "train.py"
  label       = y
  hyperparams = { alpha: 0.5 }${o.resources ? `\n  resources   = ${o.resources}` : ""}
}`,
  ];
  if (o.tune)
    parts.push(`tune tuned(model) {
  objective = minimize(rmse)
  strategy  = grid
  trials    = 2
  parallel  = 2
  search {
    alpha = choice(0.1, 1.0)
  }
}
register registry(tuned) {
  name = "ckpt"
}
register untuned(model) {
  name = "ckpt-untuned"
}`);
  else if (o.register || o.endpoint) parts.push(`register registry(model) {\n  name = "ckpt"\n}`);
  if (o.endpoint) parts.push(`deploy api(registry) {\n  mode = endpoint\n}`);
  if (o.onprem !== undefined) parts.push(`target onprem {\n  ${o.onprem}\n}`);
  return parts.join("\n") + "\n";
}
