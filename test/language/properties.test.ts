// Properties over random and mutated programs (fast-check, fixed seeds so CI is deterministic):
//  (a) parse and checkProgram never throw, finish quickly, and every diagnostic is well formed;
//  (b) format is idempotent on every input that parses without syntax errors;
//  (c) text -> IR -> text -> IR is stable (ignoring spans), and the printed text is the formatted input.
// The corpus is every .mlp file we have: conformance, samples (globbed at test time), fixtures.
import { readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkProgram } from "../../language/checker/program";
import type { CheckedProgram, FileLoader } from "../../language/checker/model";
import { CATALOG } from "../../language/diagnostics/catalog";
import type { Diagnostic } from "../../language/diagnostics/diagnostic";
import { format } from "../../language/formatter";
import { parse } from "../../language/parser";
import { LineIndex } from "../../language/span";
import { lower } from "../../compiler/lower";
import { print } from "../../compiler/print";
import { mlpFiles as allMlpFiles } from "../mlp-files";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
/** Fixed for CI; `MLP_SEED=n MLP_RUNS_SCALE=k` explores other inputs locally. */
const SEED = Number(process.env.MLP_SEED ?? 0x6d6c70); // "mlp"
const SCALE = Number(process.env.MLP_RUNS_SCALE ?? 1);
const runs = (n: number) => Math.max(1, Math.round(n * SCALE));
/** One run (parse + check, or a round trip) must not take longer than this. */
const BUDGET_MS = 2000;

/** The .mlp files under a folder of the project, as paths from its root. */
const mlpFiles = (dir: string): string[] => allMlpFiles(join(ROOT, dir)).map((p) => relative(ROOT, p));

interface Source {
  path: string;
  text: string;
}

const CORPUS: Source[] = [
  ...mlpFiles("../shared/conformance/valid"),
  ...mlpFiles("../shared/conformance/invalid"),
  ...mlpFiles("../shared/conformance/point-in-time"),
  ...mlpFiles("samples"),
  ...mlpFiles("test/fixtures/fmt").filter((f) => !f.endsWith(".expected.mlp")),
  ...mlpFiles("test/fixtures/check"),
  ...mlpFiles("test/fixtures/graph"),
].flatMap((path) => {
  try {
    return [{ path, text: readFileSync(join(ROOT, path), "utf8") }];
  } catch {
    return []; // a sample removed while we glob
  }
});

/** Imports of a mutated file still resolve on disk; only .mlp files are ever read. */
const loader: FileLoader = {
  read(path) {
    if (!path.endsWith(".mlp")) return undefined;
    try {
      return readFileSync(join(ROOT, path), "utf8");
    } catch {
      return undefined;
    }
  },
};

// ---------- generators ----------

const TOKENS = [
  // declarations and soft keywords
  "import", "from", "pipeline", "schema", "use", "variant", "target", "layout", "true", "false", "null", "and", "or", "not", "is",
  "filter", "fill", "derive", "drop", "rename", "cast", "as", "dedupe", "by", "keep", "latest", "earliest", "key", "require",
  "every", "asof", "within", "window", "window_end", "keep earliest", "asof = t >= window_end",
  // step kinds, types, artifacts
  "source", "cleanse", "aggregate", "join", "features", "split", "train", "tune", "evaluate", "register", "deploy", "notebook",
  "int", "float", "string?", "bool", "timestamp", "date", "enum(a, b)", "vector(3)", "Table<Customer>", "Stream<Txn>", "Model",
  // names people use
  "customers", "customer_id", "churned", "monthly_spend", "age", "x", "_a1", "aws", "onprem", "eu",
  // punctuation
  "{", "}", "(", ")", "[", "]", "<", ">", "=", "==", "!=", "<=", ">=", ":", ",", ".", "..", "->", "?", "+", "-", "*", "/", "%",
  // literals
  "0", "-2", "0.5", "1e-5", "30s", "7d", "512MiB", '"s"', '"unterminated', '"\\q"', '"a\\', 'cron("0 3 * * *")', 'cron("61 * *")',
  "online(ttl: 7d)", "2..8", "8..2", "{ x: 1, y: 2 }", "choice(1, 2)", "uniform(1, 0)", "maximize(auc)",
  // trivia and junk
  "// comment\n", "\n", "\n\n", " ", "\t", "\r\n", "@", "#", ";", "é", "\u0000", "\uFEFF", "`", "'", "\\", "$",
];

const token = fc.oneof({ weight: 12, arbitrary: fc.constantFrom(...TOKENS) }, { weight: 1, arbitrary: fc.string({ maxLength: 6 }) });

const soup = fc
  .array(fc.tuple(token, fc.constantFrom(" ", "", "\n", "  ")), { maxLength: 150 })
  .map((parts) => ({ path: "test/fixtures/soup.mlp", text: parts.map(([t, s]) => t + s).join("") }));

type Mutation =
  | { op: "delete" | "duplicate"; at: number; len: number }
  | { op: "swap"; a: number; b: number }
  | { op: "deleteLine" | "duplicateLine"; line: number }
  | { op: "swapLines"; a: number; b: number }
  | { op: "insert"; at: number; token: string }
  | { op: "insertLine"; line: number; token: string };

const charMutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constantFrom("delete" as const, "duplicate" as const), at: fc.nat(), len: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ op: fc.constant("swap" as const), a: fc.nat(), b: fc.nat() }),
  fc.record({ op: fc.constant("insert" as const), at: fc.nat(), token }),
);

/** Whole-line edits keep tokens intact, so many mutated files still parse and reach the checker and lowering. */
const lineMutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constantFrom("deleteLine" as const, "duplicateLine" as const), line: fc.nat() }),
  fc.record({ op: fc.constant("swapLines" as const), a: fc.nat(), b: fc.nat() }),
  fc.record({ op: fc.constant("insertLine" as const), line: fc.nat(), token }),
);

function mutate(text: string, m: Mutation): string {
  const n = Math.max(1, text.length);
  const lines = text.split("\n");
  const L = lines.length;
  switch (m.op) {
    case "delete": {
      const at = m.at % n;
      return text.slice(0, at) + text.slice(at + m.len);
    }
    case "duplicate": {
      const at = m.at % n;
      return text.slice(0, at + m.len) + text.slice(at, at + m.len) + text.slice(at + m.len);
    }
    case "swap": {
      const chars = [...text];
      if (chars.length < 2) return text;
      const a = m.a % chars.length;
      const b = m.b % chars.length;
      [chars[a], chars[b]] = [chars[b]!, chars[a]!];
      return chars.join("");
    }
    case "insert": {
      const at = m.at % (text.length + 1);
      return text.slice(0, at) + m.token + text.slice(at);
    }
    case "deleteLine":
      lines.splice(m.line % L, 1);
      return lines.join("\n");
    case "duplicateLine": {
      const i = m.line % L;
      lines.splice(i, 0, lines[i]!);
      return lines.join("\n");
    }
    case "swapLines": {
      const a = m.a % L;
      const b = m.b % L;
      [lines[a], lines[b]] = [lines[b]!, lines[a]!];
      return lines.join("\n");
    }
    case "insertLine":
      lines.splice(m.line % (L + 1), 0, m.token);
      return lines.join("\n");
  }
}

const file = CORPUS.length ? fc.constantFrom(...CORPUS) : fc.constant({ path: "empty.mlp", text: "" });

const mutated = (edits: fc.Arbitrary<Mutation>, max: number) =>
  fc.record({ src: file, edits: fc.array(edits, { minLength: 1, maxLength: max }) }).map(({ src, edits }) => ({
    path: src.path,
    text: edits.reduce(mutate, src.text),
  }));

const anyMutation = mutated(fc.oneof(charMutation, lineMutation), 5);
const lineMutated = mutated(lineMutation, 3);

// ---------- helpers ----------

function timed<T>(what: string, f: () => T): T {
  const t0 = performance.now();
  const r = f();
  const ms = performance.now() - t0;
  if (ms > BUDGET_MS) throw new Error(`${what} took ${Math.round(ms)}ms (budget ${BUDGET_MS}ms)`);
  return r;
}

function wellFormed(d: Diagnostic, texts: ReadonlyMap<string, string>): void {
  const where = `${d.code} ${JSON.stringify(d.span)} ${d.message}`;
  expect(CATALOG[d.code], where).toBeDefined();
  expect(d.severity, where).toBe(CATALOG[d.code].severity);
  expect(d.message.trim().length, where).toBeGreaterThan(0);
  const text = texts.get(d.file);
  expect(text, `${where}: in a file the program did not read (${d.file})`).toBeDefined();
  const lines = new LineIndex(text!);
  const s = d.span;
  expect(s.line >= 1 && s.line <= lines.lineCount, `${where}: line in 1..${lines.lineCount}`).toBe(true);
  expect(s.endLine >= s.line && s.endLine <= lines.lineCount, `${where}: end line`).toBe(true);
  expect(s.col >= 1 && s.endCol >= 1, `${where}: columns`).toBe(true);
  expect(0 <= s.start && s.start <= s.end && s.end <= text!.length, `${where}: offsets in 0..${text!.length}`).toBe(true);
  expect(lines.position(s.start), `${where}: line/col of start`).toEqual({ line: s.line, col: s.col });
  for (const n of d.notes ?? []) {
    if (!n.file) continue;
    const nt = texts.get(n.file);
    expect(nt, `${where}: note in an unread file`).toBeDefined();
    expect(n.span.end <= nt!.length, `${where}: note span`).toBe(true);
  }
}

function check(src: Source): CheckedProgram {
  return checkProgram(src.path, loader, src.text);
}

const hasSyntaxErrors = (text: string) => parse(text).diagnostics.some((d) => d.code.startsWith("MLP01"));

/** A syntax tree without positions (`span`, and an operation's `keyword` span). */
function noPositions(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(noPositions);
  if (!v || typeof v !== "object") return v;
  return Object.fromEntries(Object.entries(v).filter(([k]) => k !== "span" && k !== "keyword").map(([k, x]) => [k, noPositions(x)]));
}

function noSpans(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(noSpans);
  if (!v || typeof v !== "object") return v;
  return Object.fromEntries(Object.entries(v).filter(([k]) => k !== "span").map(([k, x]) => [k, noSpans(x)]));
}

/**
 * Known losses of the IR round trip (see test/compiler/graph.golden.test.ts): a second pipeline
 * (MLP0214), a second layout (MLP0218) and inputs the binder rejects (MLP0213 extra inputs, MLP0208 unknown port) are dropped.
 * Programs showing them are left out of property (c) until those bugs are fixed.
 */
const LOSSY_CODES = new Set(["MLP0214", "MLP0218", "MLP0213", "MLP0208"]);

// ---------- (a) robustness ----------

describe("(a) parse and check never throw and report well-formed diagnostics", { timeout: 60_000 }, () => {
  const robust = (src: Source) => {
    const parsed = timed(`parse ${src.path}`, () => parse(src.text, src.path));
    const texts = new Map([[src.path, src.text]]);
    for (const d of parsed.diagnostics) wellFormed(d, texts);
    const program = timed(`check ${src.path}`, () => check(src));
    const all = new Map(program.files.map((f) => [f.path, f.text]));
    expect(all.get(src.path)).toBe(src.text);
    for (const d of program.diagnostics) wellFormed(d, all);
    timed(`lower ${src.path}`, () => lower(program));
  };

  it("the corpus itself", () => {
    expect(CORPUS.length).toBeGreaterThanOrEqual(50);
    for (const src of CORPUS) robust(src);
  });

  it("random token soup", () => {
    fc.assert(fc.property(soup, robust), { seed: SEED, numRuns: runs(600) });
  });

  it("mutated corpus files (characters and lines deleted, duplicated, swapped; tokens inserted)", () => {
    fc.assert(fc.property(anyMutation, robust), { seed: SEED + 1, numRuns: runs(600) });
  });
});

// ---------- (b) the formatter ----------

describe("(b) format is idempotent", { timeout: 60_000 }, () => {
  const idempotent = (src: Source): boolean => {
    const first = parse(src.text, src.path);
    if (first.diagnostics.some((d) => d.code.startsWith("MLP01"))) return false;
    const once = format(first.ast);
    const again = parse(once, src.path);
    expect(again.diagnostics.filter((d) => d.code.startsWith("MLP01")).map((d) => d.message), "formatted text parses").toEqual([]);
    expect(format(again.ast)).toBe(once);
    // The formatter never changes meaning: the same tree (positions aside), the same findings.
    expect(noPositions(again.ast), "formatting keeps the syntax tree").toEqual(noPositions(first.ast));
    return true;
  };

  it("on the corpus", () => {
    const parsed = CORPUS.filter(idempotent);
    expect(parsed.length).toBeGreaterThan(CORPUS.length / 2);
  });

  it("on mutated files that still parse", () => {
    let parsed = 0;
    fc.assert(
      fc.property(fc.oneof(lineMutated, anyMutation), (src) => {
        if (idempotent(src)) parsed++;
      }),
      { seed: SEED + 2, numRuns: runs(600) },
    );
    expect(parsed, "enough mutated files parse to exercise the formatter").toBeGreaterThan(40);
  });

  it("on token soup that happens to parse", () => {
    fc.assert(fc.property(soup, (src) => void idempotent(src)), { seed: SEED + 3, numRuns: runs(300) });
  });

  it("formatting keeps every diagnostic code (on the corpus and mutated files that parse)", () => {
    const sameCodes = (src: Source) => {
      const first = parse(src.text, src.path);
      if (first.diagnostics.some((d) => d.code.startsWith("MLP01"))) return;
      const codes = (text: string) => check({ path: src.path, text }).diagnostics.filter((d) => d.file === src.path).map((d) => d.code).sort();
      expect(codes(format(first.ast)), src.path).toEqual(codes(src.text));
    };
    for (const src of CORPUS) sameCodes(src);
    fc.assert(fc.property(lineMutated, sameCodes), { seed: SEED + 5, numRuns: runs(200) });
  });
});

describe("the corpus", () => {
  // The properties are only as good as the syntax the corpus and the soup exercise.
  it.each([["hopping windows", /^\s*every\s*=/m], ["as-of joins", /^\s*asof\s*=/m], ["within", /^\s*within\s*=/m], ["keep earliest", /keep earliest/]])(
    "holds %s",
    (_, re) => expect(CORPUS.some((s) => re.test(s.text) && !hasSyntaxErrors(s.text))).toBe(true),
  );
});

// ---------- (c) the IR round trip ----------

describe("(c) text -> IR -> text -> IR is stable", { timeout: 60_000 }, () => {
  /** Returns false when the input is out of scope (syntax errors, or a known lossy construct). */
  const stable = (src: Source): boolean => {
    if (hasSyntaxErrors(src.text)) return false;
    const p1 = timed(`check ${src.path}`, () => check(src));
    if (p1.diagnostics.some((d) => LOSSY_CODES.has(d.code) && d.file === src.path)) return false;
    const ir1 = lower(p1);
    const text1 = print(ir1);
    expect(text1, "printing the IR gives the formatted input").toBe(format(parse(src.text, src.path).ast));
    const ir2 = lower(check({ path: src.path, text: text1 }));
    expect(noSpans(ir2)).toEqual(noSpans(ir1));
    expect(print(ir2)).toBe(text1);
    return true;
  };

  it("on the corpus", () => {
    const inScope = CORPUS.filter(stable);
    expect(inScope.length).toBeGreaterThan(CORPUS.length / 2);
  });

  it("on mutated files that parse", () => {
    let n = 0;
    fc.assert(
      fc.property(lineMutated, (src) => {
        if (stable(src)) n++;
      }),
      { seed: SEED + 4, numRuns: runs(400) },
    );
    expect(n, "enough mutated files reach lowering").toBeGreaterThan(30);
  });
});
