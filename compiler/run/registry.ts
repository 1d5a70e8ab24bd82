// The local model registry: `<workdir>/registry/<name>/<version>/` holds the model files and
// metadata.json (metrics, the IR hash, the input fingerprints, the variant); versions are
// never rewritten. `stages.json` records every stage transition; `mlp serve` answers with the
// newest version of the endpoint's stage (else the newest version).
import { cpSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { readJson, writeJsonAtomic } from "./folder";

export interface RegisteredVersion {
  name: string;
  version: number;
  stage: string | null;
  fingerprint: string;
  created: string;
  pipeline: string;
  variant: string | null;
  run: string;
  step: string;
  ir_hash: string;
  framework: string;
  entry: string;
  /** Lineage: the fingerprints of the data and model the version came from. */
  inputs: Record<string, string | undefined>;
  metrics: Record<string, unknown>;
  gates: Record<string, unknown>;
}

export interface StageTransition {
  version: number;
  stage: string;
  time: string;
  run: string;
}

const versionsOf = (folder: string) =>
  existsSync(folder)
    ? readdirSync(folder)
        .filter((n) => /^[1-9]\d*$/.test(n))
        .map(Number)
        .sort((a, b) => a - b)
    : [];

export function registryFolder(workdir: string, name: string): string {
  return join(workdir, "registry", name);
}

export function readVersion(workdir: string, name: string, version: number): RegisteredVersion | undefined {
  return readJson<RegisteredVersion>(join(registryFolder(workdir, name), String(version), "metadata.json"));
}

/**
 * Registers a model folder. The same fingerprint (the same model from the same data and
 * code) is the same version: a re-run registers nothing new.
 */
export function register(workdir: string, modelDir: string, meta: Omit<RegisteredVersion, "version" | "created">): { version: number; path: string; fresh: boolean } {
  const folder = registryFolder(workdir, meta.name);
  mkdirSync(folder, { recursive: true });
  for (const v of versionsOf(folder).reverse()) {
    const m = readVersion(workdir, meta.name, v);
    if (m?.fingerprint === meta.fingerprint) return { version: v, path: join(folder, String(v)), fresh: false };
  }
  const tmp = join(folder, `.tmp-${process.pid}-${Date.now()}`);
  cpSync(modelDir, join(tmp, "model"), { recursive: true });
  let version = (versionsOf(folder).at(-1) ?? 0) + 1;
  const created = new Date().toISOString();
  for (;;) {
    writeJsonAtomic(join(tmp, "metadata.json"), { ...meta, version, created });
    try {
      // rename onto an existing version fails: two runs never share a number.
      if (existsSync(join(folder, String(version)))) throw Object.assign(new Error("exists"), { code: "EEXIST" });
      renameSync(tmp, join(folder, String(version)));
      break;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== "EEXIST" && code !== "ENOTEMPTY") {
        rmSync(tmp, { recursive: true, force: true });
        throw e;
      }
      version++;
    }
  }
  if (meta.stage) transition(workdir, meta.name, { version, stage: meta.stage, time: created, run: meta.run });
  return { version, path: join(folder, String(version)), fresh: true };
}

export function transitions(workdir: string, name: string): StageTransition[] {
  return readJson<StageTransition[]>(join(registryFolder(workdir, name), "stages.json")) ?? [];
}

function transition(workdir: string, name: string, t: StageTransition): void {
  writeJsonAtomic(join(registryFolder(workdir, name), "stages.json"), [...transitions(workdir, name), t]);
}

/** The version a stage points at now (the last transition into it), else the newest version. */
export function currentVersion(workdir: string, name: string, stage?: string): number | undefined {
  if (stage) {
    const last = transitions(workdir, name)
      .filter((t) => t.stage === stage)
      .at(-1);
    if (last) return last.version;
  }
  return versionsOf(registryFolder(workdir, name)).at(-1);
}
