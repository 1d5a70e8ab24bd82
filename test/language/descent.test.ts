// The hand-written parser (language/descent.ts) must read exactly what the chevrotain grammar
// (language/grammar.ts, the specification) reads without an error, into the same tree (keys
// in the same order, same spans), and give up on everything the grammar reports an error in.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type * as A from "../../language/ast";
import { parseValid } from "../../language/descent";
import { MlpParser } from "../../language/grammar";
import { cutDeepNesting } from "../../language/limits";
import { scan, tokenize } from "../../language/scanner";
import { generatePipeline } from "../bench/generate";
import { mlpFiles } from "../mlp-files";
import { below } from "../random";

const ROOT = join(import.meta.dirname, "..", "..");


const grammar = new MlpParser();

/** The grammar's tree, or undefined when it reported a syntax error. */
function byGrammar(text: string): A.Decl[] | undefined {
  const { tokens } = cutDeepNesting(tokenize(text).tokens);
  grammar.startFile();
  grammar.input = tokens;
  let decls: A.Decl[] | undefined;
  try {
    decls = grammar.file();
  } catch {
    return undefined;
  }
  return grammar.errors.length === 0 && grammar.stray.length === 0 ? decls : undefined;
}

/** The same reading, or a message saying how the two differ. */
function compare(text: string): string | undefined {
  const lexed = tokenize(text);
  // Brackets nested too deep are cut out for the grammar (parser.ts never runs descent.ts on them).
  if (cutDeepNesting(lexed.tokens).cuts.length > 0) return undefined;
  const expected = byGrammar(text);
  const actual = parseValid(scan(text));
  if (expected === undefined && actual === undefined) return undefined;
  if (expected === undefined) return `the grammar reports an error, descent.ts accepts:\n${text}`;
  if (actual === undefined) return `descent.ts gives up on what the grammar reads cleanly:\n${text}`;
  // JSON compares key order too: the checker's objects must keep one shape.
  const [e, a] = [JSON.stringify(expected), JSON.stringify(actual)];
  return e === a ? undefined : `different trees for:\n${text}\ngrammar: ${e.slice(0, 2000)}\ndescent: ${a.slice(0, 2000)}`;
}

const files = [...mlpFiles(join(ROOT, "samples")), ...mlpFiles(join(ROOT, "test", "fixtures")), ...mlpFiles(join(ROOT, "..", "shared"))];

describe("descent.ts against the grammar", () => {
  it("reads every .mlp file of the project and the shared cases as the grammar does", () => {
    expect(files.length).toBeGreaterThan(50);
    let clean = 0;
    for (const f of files) {
      const text = readFileSync(f, "utf8");
      expect(compare(text), f).toBeUndefined();
      if (byGrammar(text)) clean++;
    }
    // Most files parse cleanly (the others are syntax-error fixtures): both paths are exercised.
    expect(clean).toBeGreaterThan(files.length / 2);
  }, 120_000);

  it("reads a generated 1,000-step pipeline as the grammar does", () => {
    const text = generatePipeline(1000);
    expect(byGrammar(text)).toBeDefined();
    expect(compare(text)).toBeUndefined();
  }, 60_000);

  it("decides the grammar's close calls alike", () => {
    const step = (body: string) => `transform t(a) {\n${body}\n}\n`;
    const cases = [
      "dedupe by a keep latest ts", "dedupe by a, b keep earliest ts", "dedupe by a\nkeep x", "dedupe by a\nkeep latest, x", "dedupe by a\nkeep latest",
      "dedupe by a\nkeep latest\nx = 1", "dedupe by a keep latest ts\nkeep = 3", "filter { a: 1 }", "filter {}", "x = = 1", "x = {}", "x = { a: 1, b: [1, 2] }",
      "x = { a: 1, 5: 2 }", "filter not not a", "x = - -3", "x = -2", "x = - 2", "x = -a", "x = --2.5e-3", "filter a < b < c", "filter x is not null and y is null",
      "x = 1..5", "x = a..b + 1", "x = f(a: 1, 2)", "x = f()", "x = f(a:)", "x = []", "x = [1,]", "y: vector(384)? = v", "y: enum(a, b) = c", "y: int = 1",
      "cast a as float?", "rename a -> b", "drop a, b", "drop", "fill a = 0", "derive b = a * 2 % 3 / 4 - 1 + 2", "require auc >= 0.8", "require auc 0.8",
      "by a, b", "key k", "keep a", "block { x = 1 }", "block { }", "filter = 1", "by = x", "x = latest", "x = filter", "x = (1 + 2) * 3", "x = ((1)",
      "x = \"s\\\"t\" \"u\"", "x = \"open", "x = 64GB", "x = 5ms", "x = 10GiB", "x = true or false and not null", "x = a.b", "x = a b", "foo bar",
    ];
    for (const c of cases) expect(compare(step(c))).toBeUndefined();
    const decls = [
      "import { a, b } from \"lib.mlp\"", "import {} from \"x\"", "import { a } from x", "pipeline p { schedule = \"@daily\" }", "target t { x = 1 }",
      "schema s { a: int, b: string? }", "schema s { a: int b: string? }", "schema s { a: int\n b: decimal(10, 2)? }", "use u = t(a, port: b.out)", "use u = t",
      "variant v { pipeline.schedule = \"x\"\n t.n = 1 }", "variant v { t..n = 1 }", "layout { a = [1, 2] }", "source s: table<x> { }", "source s: table<x { }",
      "transform t() { }", "transform t(a,) { }", "transform t(a) : table { }", "pipeline { }", "t", "}", "",
    ];
    for (const d of decls) expect(compare(d)).toBeUndefined();
  });

  it("agrees with the grammar on random edits of every sample", () => {
    const pick = below(Number(process.env.MLP_SEED ?? 20261205));
    const pieces = [
      " keep ", " latest ", " earliest ", ",", "=", "==", "(", ")", "{", "}", "[", "]", ":", ".", "..", "-", " not ", " is ", " null ", " and ", "<", "?",
      " x ", " 1 ", " \"s\" ", " by ", " dedupe ", " filter ", " pipeline ", " import ", " schema ", "\n", "->", "*", " f(", " as ", " 5ms ", " 64GB ",
    ];
    const texts = files.map((f) => readFileSync(f, "utf8")).filter((t) => t.length < 20_000 && byGrammar(t));
    let errors = 0;
    for (let n = 0; n < Number(process.env.MLP_EDITS ?? 3000); n++) {
      const text = texts[pick(texts.length)]!;
      const tokens = tokenize(text).tokens;
      if (tokens.length === 0) continue;
      const t = tokens[pick(tokens.length)]!;
      const at = pick(2) ? t.startOffset : t.startOffset + t.image.length;
      const edit = pick(3);
      const edited = edit === 0 ? text.slice(0, t.startOffset) + text.slice(t.startOffset + t.image.length) : edit === 1 ? text.slice(0, at) + pieces[pick(pieces.length)] + text.slice(at) : text.slice(0, at) + t.image + " " + text.slice(at);
      const problem = compare(edited);
      if (problem) expect.fail(problem);
      if (!byGrammar(edited)) errors++;
    }
    // Both readings were exercised: edits that break the file and edits that do not.
    expect(errors).toBeGreaterThan(300);
    expect(errors).toBeLessThan(Number(process.env.MLP_EDITS ?? 3000) * 0.9);
  }, 120_000);
});
