// The scanner the parser runs must give exactly what chevrotain's lexer gives for the token
// definitions in language/lexer.ts: the same tokens with the same lines and columns, the same
// comments, the same runs of unreadable characters.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { ILexingResult, IToken } from "chevrotain";
import { referenceLexer } from "../../language/lexer";
import { tokenize, type Lexed } from "../../language/scanner";
import { generatePipeline } from "../bench/generate";
import { mlpFiles } from "../mlp-files";

const ROOT = join(import.meta.dirname, "..", "..");


const tok = (t: IToken) => [t.tokenType.name, t.image, t.startOffset, t.endOffset, t.startLine, t.endLine, t.startColumn, t.endColumn, t.tokenTypeIdx];
const view = (r: Lexed | ILexingResult) => ({
  tokens: r.tokens.map(tok),
  comments: (r.groups.comments ?? []).map(tok),
  errors: r.errors.map((e) => [e.offset, e.length, e.line, e.column]),
});

function same(text: string): void {
  expect(view(tokenize(text))).toEqual(view(referenceLexer().tokenize(text)));
}

describe("scanner", () => {
  it("lexes every .mlp file of the project and the shared cases as chevrotain's lexer does", () => {
    const files = [...mlpFiles(join(ROOT, "samples")), ...mlpFiles(join(ROOT, "test", "fixtures")), ...mlpFiles(join(ROOT, "..", "shared"))];
    expect(files.length).toBeGreaterThan(50);
    for (const f of files) same(readFileSync(f, "utf8"));
  }, 120_000);

  it("lexes a generated 1,000-step pipeline as chevrotain's lexer does", () => {
    same(generatePipeline(1000));
  }, 60_000);

  it("lexes the edge cases of numbers, durations, sizes, strings, keywords and errors alike", () => {
    const cases = [
      "", " ", "\r\n\r\r\n\n", "\uFEFFpipeline", "5ms 5m 5msx 5s3 5d 10KiB 10KiBx 3GiB 1.5 1.5e3 1.5e+3x 1e+ 1.x 1..5 1.2.3 .5 .5x .. . 64GB 0x1F",
      'x = "a\\"b" "unterminated\n"tail\\', '"a\\\u2028b"', '"a\u2028b"', '"\\', "imports import importx is isnull not null true_ falsey earliest_",
      "a -> b => c == d != e ! f <= >= < > !=", "@#$ ~ `x` 😀 \u00A0 \u2028", "// comment\r\nx // after\r// last", "a/b//c/", "!!=", "a!", "?+*%:,()[]{}",
    ];
    for (const c of cases) same(c);
  });

  it("lexes random text over the characters that matter as chevrotain's lexer does", () => {
    const alphabet = [..."09.eE+-msdhKMGTiB\"\\\n\r \t/!=<>_aZ()[]{},:?*%@"].concat(["\u2028", "\uFEFF", "😀", "import", "keep", "1.5", "//", "->", "..", "5", "ms", "KiB", "e-"]);
    let seed = 12345;
    const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x80000000);
    for (let n = 0; n < 10_000; n++) {
      let s = "";
      const len = Math.floor(rand() * 24);
      for (let i = 0; i < len; i++) s += alphabet[Math.floor(rand() * alphabet.length)];
      same(s);
    }
  }, 60_000);
});
