// Escaping for each language a .mlp string can land in, and the unit conversions the
// #SBATCH lines need. Every value that comes from the .mlp goes through one of these.
import { durationMs, sizeBytes } from "../../language/catalog/values";

/** A bash word that is exactly `s`: single quotes, with `'` written as `'\''`. */
export function sh(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

// JSON text and string literals (compiler/json-text.ts): ASCII only, so a quoted value is
// safe inside a bash or Python comment and is also a valid Python string literal.
export { json, quoted, RawNumber, sortKeys, type JsonValue } from "../../compiler/json-text";

/** Slurm's time format: [D-]HH:MM:SS, at least one second. */
export function slurmTime(duration: string): string {
  const total = Math.max(1, Math.ceil(durationMs(duration) / 1000));
  const d = Math.floor(total / 86400);
  const h = Math.floor((total % 86400) / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const hms = [h, m, s].map((x) => String(x).padStart(2, "0")).join(":");
  return d > 0 ? `${d}-${hms}` : hms;
}

/** Slurm memory (binary units): the largest of T, G, M that divides exactly, else MiB rounded up. */
export function slurmMemory(size: string): string {
  return slurmMemoryMiB(Math.ceil(sizeBytes(size) / 2 ** 20));
}

export function slurmMemoryMiB(mib: number): string {
  const m = Math.max(1, Math.ceil(mib));
  if (m % 2 ** 20 === 0) return `${m / 2 ** 20}T`;
  if (m % 1024 === 0) return `${m / 1024}G`;
  return `${m}M`;
}

/** A name Slurm takes on an #SBATCH line as it is (partitions, accounts). */
export const SLURM_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.,:+@-]*$/;

/** A file-name and job-name safe form of a step id; collisions are resolved by the caller. */
export function slugOf(id: string): string {
  const s = id.replace(/[^A-Za-z0-9_]/g, "_");
  return s === id ? s : `${s}_${fnv(id)}`;
}

/** A short stable hash (FNV-1a, 32 bit) in base 36. */
export function fnv(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(36);
}

