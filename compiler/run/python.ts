// The Python side of `mlp run`: which interpreter runs a framework, the model runtime's
// files (the same .py files the Slurm and AWS targets ship), and one step as a child process
// whose last `mlp: ...` line on stderr is the one-line cause of a failure.
import { spawn, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { createWriteStream, existsSync, mkdirSync, readFileSync } from "node:fs";
import { delimiter, join } from "node:path";
import { writeFileAtomic } from "./folder";
import MLP_DATA from "../../targets/python/mlp_data.py?raw";
import MLP_METRICS from "../../targets/python/mlp_metrics.py?raw";
import MLP_MODEL from "../../targets/python/mlp_model.py?raw";
import MLP_SERVING from "../../targets/python/mlp_serving.py?raw";

const RUNTIME: Record<string, string> = {
  "mlp_data.py": MLP_DATA,
  "mlp_metrics.py": MLP_METRICS,
  "mlp_model.py": MLP_MODEL,
  "mlp_serving.py": MLP_SERVING,
};

/** A hash of the runtime's code: part of every Python step's fingerprint. */
export const RUNTIME_HASH = createHash("sha256")
  .update(Object.entries(RUNTIME).map(([n, t]) => `${n}\0${t}`).join("\0"))
  .digest("hex")
  .slice(0, 16);

/** Writes the runtime once per version into `<workdir>/python/<hash>/`; returns the folder. */
export function runtimeFolder(workdir: string): string {
  const folder = join(workdir, "python", RUNTIME_HASH);
  for (const [name, text] of Object.entries(RUNTIME)) {
    const path = join(folder, name);
    if (!existsSync(path) || readFileSync(path, "utf8") !== text) writeFileAtomic(path, text);
  }
  return folder;
}

/** Debian packages that provide a module, for the one line that says what to install. */
const DEBIAN: Record<string, string> = {
  sklearn: "python3-sklearn",
  xgboost: "python3-xgboost",
  torch: "python3-torch",
  tensorflow: "(no Debian package: install TensorFlow with pip into a virtualenv and set MLP_PYTHON)",
  optuna: "python3-optuna",
  nbclient: "python3-nbclient python3-ipykernel",
  pandas: "python3-pandas",
  numpy: "python3-numpy",
};

export class PythonMissing extends Error {}

/**
 * The interpreter for a module: MLP_PYTHON, else the `target local` setting, else the first
 * `python3` on PATH that imports it (a pyenv or virtualenv python3 often lacks Debian's
 * packages, which /usr/bin/python3 has). Answers are remembered for the process.
 */
export class PythonFinder {
  /** Answers by interpreter and module; promises, so parallel steps ask once and nothing blocks. */
  private readonly known = new Map<string, Promise<boolean>>();
  constructor(private readonly setting: string | undefined) {}

  async find(module: string | undefined): Promise<string> {
    const chosen = process.env.MLP_PYTHON || this.setting;
    const needs = module ? [module, "pandas"] : ["pandas"];
    if (chosen) {
      for (const m of needs) if (!(await this.imports(chosen, m))) throw new PythonMissing(`${chosen} cannot import ${m}; ${install(m)}`);
      return chosen;
    }
    const candidates = [...new Set([...pathPythons(), "/usr/bin/python3"])].filter((c) => existsSync(c));
    if (candidates.length === 0) throw new PythonMissing("no python3 on PATH; apt-get install python3");
    for (const c of candidates) {
      let all = true;
      for (const m of needs) if (!(await this.imports(c, m))) all = false;
      if (all) return c;
    }
    let missing = needs[0]!;
    for (const m of needs) {
      let any = false;
      for (const c of candidates) if (await this.imports(c, m)) any = true;
      if (!any) {
        missing = m;
        break;
      }
    }
    throw new PythonMissing(`no python3 on PATH can import ${missing}; ${install(missing)}`);
  }

  private imports(python: string, module: string): Promise<boolean> {
    const key = `${python}\0${module}`;
    let ok = this.known.get(key);
    if (!ok) {
      ok = new Promise((resolve) => {
        const child = spawn(python, ["-c", `import ${module}`], { stdio: "ignore" });
        const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
        child.on("error", () => resolve(false));
        child.on("close", (code) => {
          clearTimeout(timer);
          resolve(code === 0);
        });
      });
      this.known.set(key, ok);
    }
    return ok;
  }
}

const install = (m: string) => (DEBIAN[m]?.startsWith("(") ? DEBIAN[m]! : `install it with: apt-get install ${DEBIAN[m] ?? `python3-${m}`}`);

function pathPythons(): string[] {
  const out: string[] = [];
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (!dir) continue;
    const p = join(dir, "python3");
    if (existsSync(p)) out.push(p);
  }
  return out;
}

export interface PythonRun {
  code: number;
  /** The last `mlp: ...` line of stderr, else its last line. */
  cause?: string;
}

/** Children still running: an interrupted run stops them. */
export const children = new Set<ChildProcess>();

/**
 * Runs `mlp_model.py TASK CONFIG` with stdout and stderr appended to `log`. `onLine` sees
 * each stdout line (progress of tuning trials).
 */
export function runPython(python: string, runtime: string, args: string[], opts: { cwd: string; log: string; env: Record<string, string>; onLine?: (line: string) => void }): Promise<PythonRun> {
  mkdirSync(opts.cwd, { recursive: true });
  const log = createWriteStream(opts.log, { flags: "a" });
  return new Promise((resolve) => {
    const child = spawn(python, ["-u", join(runtime, "mlp_model.py"), ...args], {
      cwd: opts.cwd,
      env: { ...process.env, ...opts.env, PYTHONPATH: [runtime, process.env.PYTHONPATH].filter(Boolean).join(delimiter), PYTHONDONTWRITEBYTECODE: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    children.add(child);
    let lastErr = "";
    let cause: string | undefined;
    let pending = "";
    child.stdout!.on("data", (b: Buffer) => {
      log.write(b);
      pending += b.toString("utf8");
      const lines = pending.split("\n");
      pending = lines.pop()!;
      for (const l of lines) opts.onLine?.(l);
    });
    child.stderr!.on("data", (b: Buffer) => {
      log.write(b);
      for (const l of b.toString("utf8").split("\n")) {
        const t = l.trim();
        if (!t) continue;
        lastErr = t;
        if (t.startsWith("mlp: ")) cause = t.slice(5);
      }
    });
    const finish = (code: number, why?: string) => {
      children.delete(child);
      log.end(() => resolve({ code, ...(why ?? cause ?? lastErr ? { cause: why ?? cause ?? lastErr } : {}) }));
    };
    child.on("error", (e) => finish(127, `cannot start ${python}: ${e.message}`));
    child.on("close", (code, signal) => finish(code ?? (signal ? 128 : 1), signal && !cause ? `stopped by ${signal}` : undefined));
  });
}
