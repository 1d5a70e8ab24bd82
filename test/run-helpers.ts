// Running the built `mlp` bundle as users do (a child process), for the suites of `mlp run`,
// `show` and `serve`: the result, and the NDJSON events of `--format json`.
import { execFile } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";

export const ROOT = fileURLToPath(new URL("../", import.meta.url));
export const BIN = join(ROOT, "compiler/bin/mlp.mjs");
/** Debian's Python, with its ML libraries (the `python3` on PATH may be a build without them). */
export const PY = "/usr/bin/python3";

export interface Result {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `mlp ARGS` in `cwd`; never a stack trace, never an internal error. */
export function mlp(args: string[], cwd: string, env: Record<string, string> = {}, timeout = 300_000): Promise<Result> {
  return new Promise((done) => {
    const child = execFile(process.execPath, [BIN, ...args], { cwd, encoding: "utf8", env: { ...process.env, NO_COLOR: "1", MLP_DEBUG: "", ...env }, timeout, maxBuffer: 64 << 20 }, (_e, stdout, stderr) => {
      const r = { status: child.exitCode, stdout, stderr };
      expect(r.stderr + r.stdout, "stack trace").not.toMatch(/^\s+at /m);
      expect(r.stdout + r.stderr, "internal error").not.toContain("internal error");
      done(r);
    });
  });
}

/** The NDJSON events of `--format json`. */
export const events = (r: Result): Record<string, unknown>[] =>
  r.stdout
    .trim()
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

/** Each step's last event (its final state). */
export const finals = (r: Result): Record<string, Record<string, unknown>> =>
  Object.fromEntries(events(r).filter((e) => e.event === "step" && e.status !== "running").map((e) => [e.step, e]));

export const statuses = (r: Result): Record<string, unknown> => Object.fromEntries(Object.entries(finals(r)).map(([k, e]) => [k, e.status]));
