// JSON text of values that came from a .mlp file, with numbers spelled as written: the
// language tells `0.0` (a float) from `0` (an int), JSON values do not, and the user's entry
// script gets hyperparameters and parameters as JSON on every platform (Slurm's SM_HPS,
// SageMaker's hyperparameters, notebook parameters), so each target prints them alike.

/** A number as JSON text; the .mlp's own spelling when it is valid JSON (keeps `0.0` a float). */
export class RawNumber {
  constructor(
    readonly value: number,
    readonly raw?: string,
  ) {}
}

export type JsonValue = string | number | boolean | null | RawNumber | JsonValue[] | { [k: string]: JsonValue };

const JSON_NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;

/** JSON text (one line), keys in insertion order; `ascii`: non-ASCII characters escaped, so it can go anywhere. */
export function json(v: JsonValue, ascii = true): string {
  if (v === null) return "null";
  if (v instanceof RawNumber) return v.raw !== undefined && JSON_NUMBER.test(v.raw) ? v.raw : num(v.value);
  if (typeof v === "number") return num(v);
  if (typeof v === "string") return ascii ? quoted(v) : JSON.stringify(v);
  if (typeof v === "boolean") return v ? "true" : "false";
  if (Array.isArray(v)) return `[${v.map((x) => json(x, ascii)).join(",")}]`;
  return `{${Object.entries(v)
    .map(([k, x]) => `${ascii ? quoted(k) : JSON.stringify(k)}:${json(x, ascii)}`)
    .join(",")}}`;
}

function num(n: number): string {
  if (!Number.isFinite(n)) return "null";
  return JSON.stringify(n);
}

/** The same object with its keys sorted (recursively), as SageMaker writes SM_HPS. */
export function sortKeys(v: JsonValue): JsonValue {
  if (v === null || typeof v !== "object" || v instanceof RawNumber) return v;
  if (Array.isArray(v)) return v.map(sortKeys);
  return Object.fromEntries(
    Object.keys(v)
      .sort()
      .map((k) => [k, sortKeys(v[k]!)]),
  );
}


/**
 * A JSON string literal with every character outside printable ASCII escaped, so it is safe
 * inside a bash or Python comment (no line break can end the comment early) and is also a
 * valid Python string literal with the same value.
 */
export function quoted(s: string): string {
  return printableAscii(JSON.stringify(s));
}

/**
 * JSON text with every character outside printable ASCII escaped as `\uXXXX`. Outside its
 * strings JSON text is printable ASCII already, so this escapes within the strings alone.
 */
export function printableAscii(jsonText: string): string {
  // Nearly every text is plain ASCII: testing first spares building a copy of each one.
  return NOT_PRINTABLE_ASCII.test(jsonText) ? jsonText.replace(NOT_PRINTABLE_ASCII_ALL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`) : jsonText;
}
const NOT_PRINTABLE_ASCII = /[^\x20-\x7e]/;
const NOT_PRINTABLE_ASCII_ALL = /[^\x20-\x7e]/g;
