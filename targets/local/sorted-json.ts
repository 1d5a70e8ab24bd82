// `json(sortKeys(v))` (compiler/json-text.ts) in one pass, without the sorted copy: the local
// plan writes every step's definition this way (its fingerprint for `mlp run`) and plan.json,
// and for a large pipeline the copies cost more than the rest of planning. Values of any other
// shape than plain data (a class instance other than RawNumber, `undefined`, a `__proto__` or
// array-index key, whose order or meaning the copy would change) are left to the original:
// `sortedJson` returns undefined for them.
import { json, quoted, RawNumber, type JsonValue } from "../../compiler/json-text";

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
  const out: string[] = [];
  return write(v, o, out) ? out.join("") : undefined;
}

const PRINTABLE = /^[\x20-\x7e]*$/;
const INDEX = /^(?:0|[1-9][0-9]*)$/;

function str(s: string, ascii: boolean): string {
  return ascii && !PRINTABLE.test(s) ? quoted(s) : JSON.stringify(s);
}

function write(v: unknown, o: SortedJsonOptions, out: string[]): boolean {
  switch (typeof v) {
    case "string":
      out.push(str(v, o.ascii));
      return true;
    case "number":
    case "boolean":
      out.push(json(v, o.ascii));
      return true;
    case "object":
      break;
    default:
      return false;
  }
  if (v === null) {
    out.push("null");
    return true;
  }
  if (v instanceof RawNumber) {
    if (o.skip) return false;
    out.push(json(v, o.ascii));
    return true;
  }
  if (Array.isArray(v)) {
    out.push("[");
    for (let i = 0; i < v.length; i++) {
      if (i > 0) out.push(",");
      if (!(i in v) || !write(v[i], o, out)) return false;
    }
    out.push("]");
    return true;
  }
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return false;
  const obj = v as { [k: string]: JsonValue };
  const keys = Object.keys(obj)
    .filter((k) => !o.skip?.has(k))
    .sort();
  out.push("{");
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    if (k === "__proto__" || INDEX.test(k)) return false;
    out.push(`${i > 0 ? "," : ""}${str(k, o.ascii)}:`);
    if (!write(obj[k], o, out)) return false;
  }
  out.push("}");
  return true;
}
