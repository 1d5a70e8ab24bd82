// `json(sortKeys(v))` (compiler/json-text.ts) without its copies: the local plan writes every
// step's definition this way (its fingerprint for `mlp run`) and plan.json, and for a large
// pipeline the copies cost more than the rest of planning. It copies only the objects whose
// keys are out of order (or have something changed below them) and leaves the writing to
// JSON.stringify: a writer in JavaScript, piece by piece, took ten times as long. Values of any other
// shape than plain data (a class instance other than RawNumber, `undefined`, a `__proto__` or
// array-index key, whose order or meaning the copy would change) are left to the original:
// `sortedJson` returns undefined for them.
import { json, printableAscii, RawNumber, type JsonValue } from "../../compiler/json-text";

export interface SortedJsonOptions {
  /** Non-ASCII characters escaped (json's `ascii`). */
  ascii: boolean;
  /**
   * Keys left out at every level, as if removed by a copy before sorting (which also made every
   * object, a RawNumber too, a plain one: with `skip`, a RawNumber is not taken).
   */
  skip?: ReadonlySet<string>;
}

/** JSON text of `v` with sorted keys, as `json(sortKeys(v), ascii)`; undefined when `v` is not plain data. */
export function sortedJson(v: unknown, o: SortedJsonOptions): string | undefined {
  return stringify(v, { sort: true, skip: o.skip, raws: [], nul: false }, o.ascii);
}

/**
 * `json(v, ascii)` (keys in their own order) through JSON.stringify: the Slurm target writes a
 * configuration this way into every step's script.
 */
export function plainJson(v: JsonValue, ascii = true): string {
  return stringify(v, { sort: false, skip: undefined, raws: [], nul: false }, ascii) ?? json(v, ascii);
}

function stringify(v: unknown, c: Copy, ascii: boolean): string | undefined {
  const copied = copy(v, c);
  if (copied === NOT_PLAIN || (c.nul && c.raws.length > 0)) return undefined;
  // JSON.stringify writes what json() writes for plain data, strings and numbers alike; only a
  // number spelled otherwise than JavaScript prints it comes back from its placeholder.
  let text = JSON.stringify(copied);
  if (c.raws.length > 0) text = text.replace(PLACEHOLDER, (_, i: string) => c.raws[Number(i)]!);
  return ascii ? printableAscii(text) : text;
}

/**
 * The copy that JSON.stringify then writes: objects with their keys in sorted order (an object
 * already in that order, and with nothing to change below it, is the original itself), numbers
 * spelled otherwise as placeholders (`\u0000<n>`, indexes into `raws`).
 */
interface Copy {
  /** Keys sorted (else kept in their order, which JSON.stringify and json() share). */
  sort: boolean;
  skip: ReadonlySet<string> | undefined;
  raws: string[];
  /** A string holds NUL, so a placeholder's text could also be a string's. */
  nul: boolean;
}

const NOT_PLAIN: unique symbol = Symbol("not plain data");
const PLACEHOLDER = /"\\u0000(\d+)"/g;
const INDEX = /^(?:0|[1-9][0-9]*)$/;

/** An array index as a key (`0`, `12`): its place in the order would change in a copy. */
function isIndex(k: string): boolean {
  const c = k.charCodeAt(0);
  return c >= 48 && c <= 57 && INDEX.test(k);
}

function copy(v: unknown, c: Copy): unknown {
  switch (typeof v) {
    case "string":
      if (v.includes("\u0000")) c.nul = true;
      return v;
    case "number":
    case "boolean":
      return v;
    case "object":
      break;
    default:
      return NOT_PLAIN;
  }
  if (v === null) return v;
  if (v instanceof RawNumber) {
    if (c.skip) return NOT_PLAIN;
    const text = json(v);
    if (text === json(v.value)) return v.value;
    c.raws.push(text);
    return `\u0000${c.raws.length - 1}`;
  }
  if (Array.isArray(v)) return copyArray(v, c);
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return NOT_PLAIN;
  return copyObject(v as { [k: string]: unknown }, c);
}

function copyArray(v: unknown[], c: Copy): unknown {
  let out: unknown[] | undefined;
  for (let i = 0; i < v.length; i++) {
    if (!(i in v)) return NOT_PLAIN;
    const x = v[i];
    const y = copy(x, c);
    if (y === NOT_PLAIN) return NOT_PLAIN;
    if (y !== x && !out) out = v.slice(0, i);
    if (out) out.push(y);
  }
  return out ?? v;
}

function copyObject(v: { [k: string]: unknown }, c: Copy): unknown {
  const all = Object.keys(v);
  const skip = c.skip;
  const keys = skip ? all.filter((k) => !skip.has(k)) : all;
  // Sorted already, nothing left out and nothing changed below: the original is its own copy.
  let same = keys.length === all.length;
  if (c.sort) {
    for (let i = 1; same && i < keys.length; i++) if (keys[i - 1]! > keys[i]!) same = false;
    if (!same) keys.sort();
  }
  const values: unknown[] = new Array(keys.length);
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    if (k === "__proto__" || isIndex(k)) return NOT_PLAIN;
    if (k.includes("\u0000")) c.nul = true;
    const x = v[k];
    const y = copy(x, c);
    if (y === NOT_PLAIN) return NOT_PLAIN;
    if (y !== x) same = false;
    values[i] = y;
  }
  if (same) return v;
  const out: { [k: string]: unknown } = {};
  for (let i = 0; i < keys.length; i++) out[keys[i]!] = values[i];
  return out;
}
