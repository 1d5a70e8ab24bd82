// The dialects' string literals and quoted names (targets/sql/dialect.ts) write a string with
// nothing to escape without their character loops: they must write every string as the loops
// do. The loops are copied here as they were before that shortcut.
import { describe, expect, it } from "vitest";
import { DUCKDB, FLINK, SPARK } from "../../targets/sql/dialect";

function sparkLoop(value: string): string {
  let out = "'";
  let prev = "";
  for (const ch of value) {
    const c = ch.codePointAt(0)!;
    const dashes = ch === "-" && prev === "-";
    prev = dashes ? "" : ch;
    if (dashes) out += "\\u002D";
    else if (ch === "\\") out += "\\\\";
    else if (ch === "'") out += "\\'";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\t") out += "\\t";
    else if (ch === "\r") out += "\\r";
    else if (ch === "$" || ch === ";" || c < 0x20 || c === 0x7f || c === 0x2028 || c === 0x2029 || c === 0x85) out += "\\u" + c.toString(16).toUpperCase().padStart(4, "0");
    else out += ch;
  }
  return out + "'";
}

function chrLoop(value: string, unsafe: (c: number, prev: number | undefined) => boolean): string {
  const parts: string[] = [];
  let run = "";
  let prev: number | undefined;
  for (const ch of value) {
    const c = ch.codePointAt(0)!;
    if (unsafe(c, prev)) {
      if (run) parts.push(`'${run}'`);
      run = "";
      parts.push(`CHR(${c})`);
      prev = undefined;
      continue;
    }
    run += ch === "'" ? "''" : ch;
    prev = c;
  }
  if (run || parts.length === 0) parts.push(`'${run}'`);
  return parts.length === 1 ? parts[0]! : `(${parts.join(" || ")})`;
}
const flinkLoop = (v: string) => chrLoop(v, (c, prev) => c < 0x20 || c === 0x7f || c === 0x3b || c === 0x5c || (c === 0x2d && prev === 0x2d));
const duckdbLoop = (v: string) => chrLoop(v, (c, prev) => c < 0x20 || c === 0x7f || c === 0x3b || (c === 0x2d && prev === 0x2d));

/** Every BMP code unit alone and between letters, lone surrogates and pairs, dashes, quotes. */
function samples(): string[] {
  const out = ["", "plain", "a-b", "a--b", "---", "it's", "''", "x`y", 'x"y', "😀", "\ud800", "a\udc00b", "é-–—", "$", "${env:X}"];
  for (let c = 0; c < 0x10000; c++) {
    const ch = String.fromCharCode(c);
    out.push(ch, `a${ch}b`);
  }
  return out;
}

describe("dialect strings", () => {
  it("writes every string as the character loops did", () => {
    const all = samples();
    const differ = (write: (v: string) => string, loop: (v: string) => string) => all.filter((v) => write(v) !== loop(v));
    expect(all.length).toBeGreaterThan(0x10000);
    expect(differ(SPARK.string, sparkLoop)).toEqual([]);
    expect(differ(FLINK.string, flinkLoop)).toEqual([]);
    expect(differ(DUCKDB.string, duckdbLoop)).toEqual([]);
  });

  it("quotes names as before: the quote character doubled", () => {
    for (const v of ["a", "a`b", "``", 'a"b', '""', ""]) {
      expect(SPARK.ident(v)).toBe("`" + v.replaceAll("`", "``") + "`");
      expect(DUCKDB.ident(v)).toBe(`"${v.replaceAll('"', '""')}"`);
    }
  });

  it("refuses in a Flink option value what it refused before", () => {
    for (const v of ["a;b", "a\\b", "a\nb", "\x7f", "\x00"]) expect(() => FLINK.literal(v)).toThrow(/cannot be a Flink SQL option value/);
    expect(FLINK.literal("a'b--c😀")).toBe("'a''b--c😀'");
  });
});
