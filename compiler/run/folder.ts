// The run folder and the cache of `mlp run`:
//   <workdir>/runs/<run-id>/run.json            steps, status, timings, rows, fingerprints, lineage
//   <workdir>/runs/<run-id>/steps/<step>/        one parquet per data port, the step's log, models
//   <workdir>/cache/<fingerprint>.json           which earlier run holds a step's good outputs
//   <workdir>/registry/<name>/<version>/         immutable registered models (registry.ts)
// Every file is written whole or not at all (temp file + rename), so an interrupted run
// leaves a run.json that says which steps finished, and nothing of an earlier run changes.
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

export type StepStatus = "pending" | "running" | "ok" | "cached" | "failed" | "skipped";

export interface OutputRecord {
  /** Relative to the workdir. */
  path: string;
  rows?: number;
}

export interface StepRecord {
  id: string;
  kind: string;
  status: StepStatus;
  fingerprint?: string;
  started?: string;
  finished?: string;
  seconds?: number;
  /** The run whose outputs a cached step reuses. */
  cached_from?: string;
  /** Why the step did not run: the step that failed upstream. */
  skipped_because?: string;
  error?: string;
  /** Relative to the workdir. */
  log?: string;
  /** Lineage: which outputs (by fingerprint) made this step's outputs. */
  inputs: { port: string; step: string; from_port: string; fingerprint?: string }[];
  outputs: Record<string, OutputRecord>;
  /** Step-specific facts: a gate's checks, the version a register made, a tune's best trial. */
  detail?: Record<string, unknown>;
}

export interface RunRecord {
  format: "mlp.run/1";
  run_id: string;
  pipeline: string;
  file: string;
  variant: string | null;
  clock: string;
  ir_hash: string;
  started: string;
  finished?: string;
  status: "running" | "succeeded" | "failed" | "interrupted";
  /** Peak resident memory of the mlp process (the data steps run in it), in MB. */
  peak_rss_mb?: number;
  steps: StepRecord[];
}

export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}-${randomBytes(3).toString("hex")}`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

export const writeJsonAtomic = (path: string, value: unknown) => writeFileAtomic(path, JSON.stringify(value, null, 2) + "\n");

export function readJson<T>(path: string): T | undefined {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as T;
  } catch {
    return undefined;
  }
}

/** Run ids sort by time: `20261204-035312-a1b2`. */
export function newRunId(now = new Date()): string {
  const t = now.toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
  return `${t}-${randomBytes(2).toString("hex")}`;
}

export const runDir = (workdir: string, run: string) => join(workdir, "runs", run);
export const runJson = (workdir: string, run: string) => join(runDir(workdir, run), "run.json");
export const stepDir = (workdir: string, run: string, step: string) => join(runDir(workdir, run), "steps", step);
/** A training's MLP_CHECKPOINT_DIR: beside the step folder, which a rerun empties, so `--resume` finds what the entry saved. */
export const checkpointDir = (workdir: string, run: string, step: string) => join(runDir(workdir, run), "checkpoints", step);

/** The runs of a workdir, newest first. */
export function listRuns(workdir: string): string[] {
  const root = join(workdir, "runs");
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .filter((n) => /^\d{8}-\d{6}-[0-9a-f]+$/.test(n) && existsSync(runJson(workdir, n)))
    .sort()
    .reverse();
}

export interface CacheEntry {
  run: string;
  step: string;
  outputs: Record<string, OutputRecord>;
  detail?: Record<string, unknown>;
}

const cachePath = (workdir: string, fingerprint: string) => join(workdir, "cache", `${fingerprint}.json`);

/** A cached step whose files are all still there. */
export function lookupCache(workdir: string, fingerprint: string): CacheEntry | undefined {
  const entry = readJson<CacheEntry>(cachePath(workdir, fingerprint));
  if (!entry || typeof entry.run !== "string" || !entry.outputs) return undefined;
  for (const o of Object.values(entry.outputs)) if (!existsSync(join(workdir, o.path))) return undefined;
  return entry;
}

export function storeCache(workdir: string, fingerprint: string, entry: CacheEntry): void {
  writeJsonAtomic(cachePath(workdir, fingerprint), entry);
}
