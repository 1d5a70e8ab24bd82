// Text that lands in the generated Pulumi program and its assets. Everything that comes
// from the .mlp file is data: TypeScript string literals and comments hold printable ASCII
// only (anything else is an escape), so no quote, backtick, `${`, line break or U+2028 can
// end a string or a comment; JSON is written by JSON.stringify; names are generated.

/** Printable ASCII but the double quote and the backslash: what tsString quotes as it is. */
const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/** Whether tsString(s) is `s` between double quotes (nothing to escape). */
export const quotesAsIs = (s: string): boolean => PLAIN.test(s);

/** A TypeScript (and JSON) string literal: double quotes, every non-printable-ASCII character escaped. */
export function tsString(s: string): string {
  if (PLAIN.test(s)) return `"${s}"`;
  // The text between escapes is copied a run at a time: most of a string needs none.
  let out = '"';
  let from = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const esc = c === 0x22 ? '\\"' : c === 0x5c ? "\\\\" : c === 0x0a ? "\\n" : c === 0x0d ? "\\r" : c === 0x09 ? "\\t" : c < 0x20 || c > 0x7e ? "\\u" + c.toString(16).padStart(4, "0") : undefined;
    if (esc === undefined) continue;
    out += s.slice(from, i) + esc;
    from = i + 1;
  }
  return out + s.slice(from) + '"';
}

/** The length of tsString(s), without writing it when nothing needs escaping. */
export const tsStringLength = (s: string): number => (PLAIN.test(s) ? s.length + 2 : tsString(s).length);

/** Text for a `//` comment or a YAML/Python comment: a JSON-quoted ASCII string when it is not plain. */
export function commentText(s: string): string {
  return /^[A-Za-z0-9 _.,:/@+=()-]*$/.test(s) ? s : tsString(s);
}

/** A property key in TypeScript: bare when it is an identifier, else quoted. */
export function tsKey(k: string): string {
  // `__proto__: x` and `"__proto__": x` set an object literal's prototype; a computed key is a key.
  if (k === "__proto__") return `[${tsString(k)}]`;
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(k) ? k : tsString(k);
}

/** JSON with sorted keys at every level, two-space indented, ending in a newline. */
export function stableJson(v: unknown): string {
  return JSON.stringify(sortKeys(v), null, 2) + "\n";
}

export function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === "object") {
    return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]));
  }
  return v;
}

/** FNV-1a, 32 bits, as 8 hex digits: short stable suffixes for names that had to change. */
export function hash8(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, "0");
}

/**
 * A name made of `[a-z0-9-]` from a step id (`churn_model` -> `churn-model`), at most `max`
 * characters. A name that had to change beyond `_` -> `-` gets a hash of the original, so two
 * ids never share a slug.
 */
export function slug(id: string, max = 40): string {
  // Lowercase words joined by single `_`: only the `_` change (the common case, without regexes).
  if (id.length <= max && SNAKE.test(id)) return id.replaceAll("_", "-");
  const plain = id.replace(/_/g, "-").toLowerCase();
  let s = plain.replace(/[^a-z0-9-]+/g, "-").replace(/-+/g, "-").replace(/^-|-$/g, "");
  const changed = s !== plain || id !== id.toLowerCase() || s.length > max || s === "";
  if (changed) s = `${s.slice(0, Math.max(0, max - 9)).replace(/-$/, "")}-${hash8(id)}`.replace(/^-/, "");
  return s;
}

const SNAKE = /^[a-z0-9]+(?:_[a-z0-9]+)*$/;

/** A camelCase TypeScript identifier from a step id and suffixes: (`churn_model`, `job`) -> `churnModelJob`. */
export function camel(...parts: string[]): string {
  // The words (runs of ASCII letters and digits) found by scanning: no array and no substring per word.
  let out = "";
  for (const p of parts) {
    let i = 0;
    for (;;) {
      while (i < p.length && !isAlnum(p.charCodeAt(i))) i++;
      if (i >= p.length) break;
      let j = i + 1;
      while (j < p.length && isAlnum(p.charCodeAt(j))) j++;
      const first = out === "" ? p[i]!.toLowerCase() : p[i]!.toUpperCase();
      out += i === 0 && j === p.length && first === p[0] ? p : first + p.slice(i + 1, j);
      i = j;
    }
  }
  const id = /^[0-9]/.test(out) ? `s${out}` : out || "x";
  return RESERVED.has(id) ? `${id}_` : id;
}

function isAlnum(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39);
}

const RESERVED = new Set(
  "break case catch class const continue debugger default delete do else enum export extends false finally for function if import in instanceof new null return super switch this throw true try typeof var void while with as implements interface let package private protected public static yield await any boolean number string symbol type from of aws pulumi config stack fs path".split(
    " ",
  ),
);
