// Shared by the suites of targets/python's modules: Debian's python3 (the one with numpy,
// pandas, sklearn, optuna and nbclient), scratch folders and running Python with the modules
// on PYTHONPATH.
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { mkdirSync, mkdtempSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
export const PY_DIR = join(ROOT, "targets/python");
export const MODEL_PY = join(PY_DIR, "mlp_model.py");
export const SYSTEM_PYTHON = "/usr/bin/python3";

function can(code: string): boolean {
  return spawnSync(SYSTEM_PYTHON, ["-c", code], { encoding: "utf8" }).status === 0;
}

/** Whether Debian's python3 has what these suites need (CI installs it); they skip, with a warning, when not. */
export const HAVE_SKLEARN = can("import numpy, pandas, sklearn");
export const HAVE_NBCLIENT = can("import nbclient, nbformat, ipykernel");
if (!HAVE_SKLEARN) console.warn(`targets/python suites skipped: ${SYSTEM_PYTHON} cannot import numpy, pandas and sklearn (apt-get install python3-sklearn python3-pandas)`);
if (HAVE_SKLEARN && !HAVE_NBCLIENT) console.warn(`the notebook test is skipped: ${SYSTEM_PYTHON} cannot import nbclient (apt-get install python3-nbclient python3-ipykernel)`);

export function tmp(prefix: string): string {
  const base = join(ROOT, "test/.tmp");
  mkdirSync(base, { recursive: true });
  return mkdtempSync(join(base, `${prefix}-`));
}

/** The environment the runner gives the Python modules: targets/python on PYTHONPATH. */
export function pyEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, PYTHONPATH: PY_DIR, PYTHONDONTWRITEBYTECODE: "1", ...extra };
  for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];
  for (const k of Object.keys(env)) if (k.startsWith("SM_") || k.startsWith("MLP_")) if (!(k in extra)) delete env[k];
  return env;
}

export function python(args: string[], opts: { cwd?: string; env?: Record<string, string | undefined>; input?: string; timeout?: number } = {}): SpawnSyncReturns<string> {
  return spawnSync(SYSTEM_PYTHON, args, { encoding: "utf8", cwd: opts.cwd, env: pyEnv(opts.env), input: opts.input, timeout: opts.timeout ?? 60_000 });
}

/** The last line of a process's stderr (where mlp_model.py puts its one-line cause). */
export function lastLine(text: string): string {
  const lines = text.trimEnd().split("\n");
  return lines[lines.length - 1] ?? "";
}
