// The fuzz campaign behind `npm run fuzz` (test/fuzz/run.mjs bundles this file and calls
// `runCampaign`). Inputs are mutations of the corpus (conformance cases, samples, fixtures);
// each input is run in process through parse, check, lower, format, print and every target,
// and judged by the oracles below. A failing input is shrunk and saved.
//
// Everything random comes from one seeded generator, so a seed replays the same inputs in
// the same order (how many depends on the time budget).
import { readdirSync, readFileSync, statSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { checkProgram } from "../../language/checker/program";
import type { FileLoader } from "../../language/checker/model";
import { hasErrors } from "../../language/diagnostics/diagnostic";
import { format } from "../../language/formatter";
import { parse } from "../../language/parser";
import { LineIndex } from "../../language/span";
import { compilation } from "../../compiler/compile";
import { parseIr } from "../../compiler/ir";
import { irText } from "../../compiler/ir-wire";
import { lower } from "../../compiler/lower";
import { print } from "../../compiler/print";
import { TargetError, TARGETS } from "../../compiler/targets";
import { knownAs } from "./known";
import { rng } from "../random";

// ---------- random ----------

export { rng } from "../random";

type Rand = () => number;
const int = (r: Rand, n: number) => Math.floor(r() * n);
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[int(r, xs.length)]!;

// ---------- mutators ----------

const TOKEN_RE = /\/\/[^\n\r]*|"(?:[^"\\\n\r]|\\.)*"?|[A-Za-z_][A-Za-z0-9_]*|\d+(?:\.\d+)?(?:[eE][+-]?\d+)?[A-Za-z]*|\.\.|->|==|!=|<=|>=|\s+|./gsu;
const tokens = (text: string): string[] => text.match(TOKEN_RE) ?? [];

const WORDS = [
  "import", "from", "pipeline", "schema", "use", "variant", "target", "layout", "true", "false", "null", "and", "or", "not", "is",
  "source", "cleanse", "aggregate", "join", "features", "split", "train", "tune", "evaluate", "register", "deploy", "notebook",
  "filter", "fill", "derive", "drop", "rename", "cast", "as", "dedupe", "by", "keep", "latest", "key", "require",
  "{", "}", "(", ")", "[", "]", "<", ">", ",", ":", "=", ".", "..", "->", "?", "-", "+", "*", "/", "%", "==", "!=", "<=", ">=",
  "0", "-1", "1.5", "1e400", "0.0", "7d", "5s", "1GiB", '""', '"x"', '"\\n"', "__proto__", "constructor", "toString",
  "Table", "Stream", "Model", "Features", "int", "float", "string", "bool", "timestamp", "date", "enum", "vector",
  "Table<S>", "cron(\"0 3 * * *\")", "choice(1, 2)", "online(ttl: 1d)", "// c", "\n", "\r\n", "\r", "\t",
];
const UNICODE = ["é", "\u0301", "ß", "İ", "\u200b", "\u200e", "\u202e", "\ufeff", "\u2028", "\u2029", "\u00a0", "😀", "𝔸", "\ud800", "\udc00", "中文", "\x00", "\x7f", "\x1b[31m", "\f", "\v"];

type Mutator = (r: Rand, text: string, corpus: readonly string[]) => string;

const at = (r: Rand, text: string) => int(r, text.length + 1);

const MUTATORS: Record<string, Mutator> = {
  insertChar: (r, t) => {
    const i = at(r, t);
    return t.slice(0, i) + String.fromCharCode(int(r, 4) ? 32 + int(r, 95) : int(r, 256)) + t.slice(i);
  },
  deleteRange: (r, t) => {
    const i = at(r, t);
    return t.slice(0, i) + t.slice(i + 1 + int(r, int(r, 4) ? 4 : 200));
  },
  duplicateRange: (r, t) => {
    const i = at(r, t);
    const j = Math.min(t.length, i + 1 + int(r, 120));
    return t.slice(0, j) + t.slice(i, j) + t.slice(j);
  },
  flipChar: (r, t) => {
    if (!t.length) return t;
    const i = int(r, t.length);
    return t.slice(0, i) + String.fromCharCode(t.charCodeAt(i) ^ (1 << int(r, 7))) + t.slice(i + 1);
  },
  tokenDelete: (r, t) => {
    const ts = tokens(t);
    if (!ts.length) return t;
    ts.splice(int(r, ts.length), 1 + int(r, 2));
    return ts.join("");
  },
  tokenDuplicate: (r, t) => {
    const ts = tokens(t);
    if (!ts.length) return t;
    const i = int(r, ts.length);
    ts.splice(i, 0, ...ts.slice(i, i + 1 + int(r, 5)));
    return ts.join("");
  },
  tokenReplace: (r, t, corpus) => {
    const ts = tokens(t);
    if (!ts.length) return t;
    const from = int(r, 2) ? WORDS : tokens(pick(r, corpus)).filter((x) => x.trim());
    ts[int(r, ts.length)] = from.length ? pick(r, from) : "x";
    return ts.join("");
  },
  tokenSwap: (r, t) => {
    const ts = tokens(t);
    if (ts.length < 2) return t;
    const i = int(r, ts.length);
    const j = int(r, ts.length);
    [ts[i], ts[j]] = [ts[j]!, ts[i]!];
    return ts.join("");
  },
  splice: (r, t, corpus) => {
    const other = pick(r, corpus);
    const byLine = int(r, 2) === 0;
    const cut = (s: string) => {
      if (!byLine) return at(r, s);
      const lines = [0, ...[...s.matchAll(/\n/g)].map((m) => m.index! + 1)];
      return pick(r, lines);
    };
    return t.slice(0, cut(t)) + other.slice(cut(other));
  },
  insertDecl: (r, t, corpus) => {
    // A whole declaration from another file: keeps inputs mostly valid, so later oracles run.
    const decls = pick(r, corpus).split(/\n(?=\S)/);
    const lines = t.split("\n");
    lines.splice(int(r, lines.length + 1), 0, pick(r, decls));
    return lines.join("\n");
  },
  deepNesting: (r, t) => {
    const n = 1 + int(r, int(r, 3) ? 60 : 400);
    const shapes = [
      () => "(".repeat(n) + "1" + ")".repeat(n),
      () => "[".repeat(n) + "1" + "]".repeat(n),
      () => "not ".repeat(n) + "true",
      () => "- ".repeat(n) + "1",
      () => "{ a: ".repeat(n) + "1" + " }".repeat(n),
      () => Array.from({ length: n }, (_, i) => `x${i}`).join(" + "),
      () => "(".repeat(n),
      () => "f(".repeat(n) + ")".repeat(n),
    ];
    const ts = tokens(t);
    const spots = ts.map((x, i) => (/^\d|^"|^true$|^false$/.test(x) ? i : -1)).filter((i) => i >= 0);
    const s = pick(r, shapes)();
    if (spots.length && int(r, 4)) ts[pick(r, spots)] = s;
    else ts.splice(int(r, ts.length + 1), 0, s);
    return ts.join("");
  },
  unicode: (r, t) => {
    const i = at(r, t);
    return t.slice(0, i) + pick(r, UNICODE) + t.slice(i);
  },
  lineEndings: (r, t) => {
    const eol = pick(r, ["\r\n", "\r", "\n\r", "\u2028"]);
    if (int(r, 2)) return t.replace(/\n/g, eol);
    // Mixed: only some lines.
    return t.replace(/\n/g, (m) => (int(r, 3) ? m : eol));
  },
  longLine: (r, t) => {
    const n = 500 + int(r, 6000);
    const shapes = ["a".repeat(n), `"${"s".repeat(n)}"`, `// ${"c".repeat(n)}`, "9".repeat(n), " ".repeat(n), `${"1 + ".repeat(n / 4)}1`];
    const i = at(r, t);
    return t.slice(0, i) + pick(r, shapes) + t.slice(i);
  },
  trailingGarbage: (r, t) => t + pick(r, ["", "\n", "}", "{", "\"", "//", "\u0000", "\ufeff"]),
};
const MUTATOR_NAMES = Object.keys(MUTATORS);

export function mutate(r: Rand, seedText: string, corpus: readonly string[]): { text: string; how: string[] } {
  let text = seedText;
  const how: string[] = [];
  const rounds = 1 + int(r, int(r, 3) ? 2 : 6);
  for (let k = 0; k < rounds; k++) {
    const name = pick(r, MUTATOR_NAMES);
    text = MUTATORS[name]!(r, text, corpus);
    how.push(name);
  }
  return { text, how };
}

// ---------- oracles ----------

export interface Verdict {
  /** Which oracle failed, e.g. `throw:check`, `span`, `fmt-idempotent`. */
  oracle: string;
  message: string;
}

/** The IR with spans removed: what formatting must not change. */
function withoutSpans(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(withoutSpans);
  if (v && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (k !== "span") out[k] = withoutSpans(x);
    return out;
  }
  return v;
}

function firstDifference(a: string, b: string): string {
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  return `at ${i}: ${JSON.stringify(a.slice(Math.max(0, i - 30), i + 30))} vs ${JSON.stringify(b.slice(Math.max(0, i - 30), i + 30))}`;
}

const short = (e: unknown) => String((e as Error)?.message ?? e).split("\n")[0]!.slice(0, 200);

/** Per input: a text under 10 KB must go through everything within this budget. */
export const HANG_MS = 2000;
const HANG_LIMIT_BYTES = 10 * 1024;

export interface Options {
  /** Check every emitter on valid inputs (slower, but where target bugs show). */
  targets?: boolean;
}

/**
 * Runs one input through every phase; returns the first oracle it breaks, or undefined.
 * `path` is where the input pretends to live, so its imports resolve against the corpus.
 */
export function judge(text: string, path: string, loader: FileLoader, opts: Options = {}): Verdict | undefined {
  const started = performance.now();
  const slow = (): Verdict | undefined => {
    const ms = performance.now() - started;
    return text.length < HANG_LIMIT_BYTES && ms > HANG_MS ? { oracle: "hang", message: `${Math.round(ms)} ms for ${text.length} characters` } : undefined;
  };
  const step = <T>(name: string, f: () => T): T | Verdict => {
    try {
      return f();
    } catch (e) {
      return { oracle: `throw:${name}`, message: short(e) } satisfies Verdict;
    }
  };
  const isVerdict = (x: unknown): x is Verdict => !!x && typeof x === "object" && "oracle" in x && "message" in x && Object.keys(x).length === 2;

  const parsed = step("parse", () => parse(text, path));
  if (isVerdict(parsed)) return parsed;
  const program = step("check", () => checkProgram(path, loader, text));
  if (isVerdict(program)) return program;

  // Spans inside the file and where the line index puts them.
  const index = new LineIndex(text);
  for (const d of [...parsed.diagnostics, ...program.diagnostics]) {
    if (d.file !== path) continue;
    const s = d.span;
    if (!(s.start >= 0 && s.start <= s.end && s.end <= text.length)) return { oracle: "span", message: `${d.code} span ${s.start}..${s.end} outside a file of ${text.length}` };
    const a = index.position(s.start);
    const b = index.position(s.end);
    if (a.line !== s.line || a.col !== s.col || b.line !== s.endLine || b.col !== s.endCol)
      return { oracle: "span", message: `${d.code} span ${s.start}..${s.end} says ${s.line}:${s.col}-${s.endLine}:${s.endCol}, the line index ${a.line}:${a.col}-${b.line}:${b.col}` };
    if (s.line > index.lineCount || s.endLine > index.lineCount) return { oracle: "span", message: `${d.code} line ${s.endLine} of ${index.lineCount}` };
  }

  const ir = step("lower", () => lower(program));
  if (isVerdict(ir)) return ir;
  const json = step("ir-json", () => irText(ir));
  if (isVerdict(json)) return json;
  const reloaded = step("ir-reload", () => parseIr(JSON.parse(json)));
  if (isVerdict(reloaded)) return reloaded;
  if (!reloaded.ok) return { oracle: "ir-reload", message: reloaded.problems[0]! };

  const syntaxOk = !hasErrors(parsed.diagnostics);
  if (syntaxOk) {
    const formatted = step("fmt", () => format(parsed.ast));
    if (isVerdict(formatted)) return formatted;
    const again = step("parse-fmt", () => parse(formatted, path));
    if (isVerdict(again)) return again;
    if (hasErrors(again.diagnostics)) return { oracle: "fmt-syntax", message: `formatted text has syntax errors: ${again.diagnostics.find((d) => d.severity === "error")!.message}` };
    const twice = step("fmt", () => format(again.ast));
    if (isVerdict(twice)) return twice;
    if (twice !== formatted) return { oracle: "fmt-idempotent", message: firstDifference(formatted, twice) };
    const program2 = step("check-fmt", () => checkProgram(path, loader, formatted));
    if (isVerdict(program2)) return program2;
    const ir2 = step("lower-fmt", () => lower(program2));
    if (isVerdict(ir2)) return ir2;
    const [x, y] = [JSON.stringify(withoutSpans(ir)), JSON.stringify(withoutSpans(ir2))];
    if (x !== y) return { oracle: "fmt-meaning", message: `the IR changes after fmt ${firstDifference(x, y)}` };

    if (!hasErrors(program.diagnostics)) {
      const printed = step("print", () => print(ir));
      if (isVerdict(printed)) return printed;
      if (printed !== formatted) return { oracle: "print", message: `print(lower(x)) != fmt(x) ${firstDifference(formatted, printed)}` };
      if (opts.targets !== false) {
        const unit = step("compilation", () => compilation(program));
        if (isVerdict(unit)) return unit;
        for (const t of TARGETS) {
          if (!t.emit) continue;
          try {
            t.emit(unit);
          } catch (e) {
            if (!(e instanceof TargetError)) return { oracle: `throw:emit-${t.name}`, message: short(e) };
          }
        }
      }
    }
  }
  return slow();
}

// ---------- shrinking ----------

/** The smallest text (by greedy chunk removal, then character simplification) that still fails the same oracle. */
export function minimise(text: string, fails: (t: string) => boolean, budgetMs = 5000): string {
  const deadline = performance.now() + budgetMs;
  let best = text;
  // Chunks of lines, then of characters, halving the chunk size (ddmin without the complements).
  for (const unit of ["line", "char"] as const) {
    const split = (t: string) => (unit === "line" ? t.split(/(?<=\n)/) : [...t]);
    let parts = split(best);
    for (let size = Math.max(1, parts.length >> 1); size >= 1; size = size === 1 ? 0 : size >> 1) {
      for (let i = 0; i < parts.length && performance.now() < deadline; ) {
        const candidate = [...parts.slice(0, i), ...parts.slice(i + size)].join("");
        if (candidate.length < best.length && fails(candidate)) {
          best = candidate;
          parts = split(best);
        } else i += size;
      }
      if (performance.now() >= deadline) return best;
    }
  }
  return best;
}

// ---------- campaign ----------

export interface CorpusFile {
  path: string;
  text: string;
}

/** Every .mlp under the given folders (recursively), sorted by path for determinism. */
export function loadCorpus(dirs: string[]): CorpusFile[] {
  const files: CorpusFile[] = [];
  const walk = (d: string) => {
    let names: string[];
    try {
      names = readdirSync(d).sort();
    } catch {
      return;
    }
    for (const n of names) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else if (n.endsWith(".mlp")) files.push({ path: p, text: readFileSync(p, "utf8") });
    }
  };
  for (const d of dirs) walk(d);
  return files;
}

export interface CampaignOptions {
  seconds: number;
  seed: number;
  corpus: CorpusFile[];
  /** Where minimised failures are written (one `.mlp` and one `.txt` per distinct failure). */
  outDir: string;
  /** Stop after this many inputs (for a reproducible count regardless of speed). */
  maxInputs?: number;
  log?: (line: string) => void;
  targets?: boolean;
  /** Count failures listed in known.ts apart (`known`), not as failed. */
  allowKnown?: boolean;
}

export interface Failure {
  oracle: string;
  message: string;
  seedFile: string;
  mutations: string[];
  input: string;
  minimised: string;
  saved: string;
  /** The finding it is already reported as, if any. */
  known?: string;
}

export function runCampaign(o: CampaignOptions): { passed: number; failed: number; known: number; inputs: number; failures: Failure[] } {
  const r = rng(o.seed);
  const texts = o.corpus.map((f) => f.text);
  // Imports resolve on disk, beside the corpus file a mutant came from; the mutant itself is in memory.
  const loader = (self: string, selfText: string): FileLoader => ({
    read(p) {
      if (resolve(p) === resolve(self)) return selfText;
      try {
        return readFileSync(p, "utf8");
      } catch {
        return undefined;
      }
    },
  });
  const deadline = performance.now() + o.seconds * 1000;
  const failures: Failure[] = [];
  const seen = new Set<string>();
  let passed = 0;
  let failed = 0;
  let knownCount = 0;
  let inputs = 0;
  // Each corpus file as it is comes first: the oracles must hold on them before any mutant.
  const queue = o.corpus.map((f) => ({ file: f, text: f.text, how: [] as string[] }));
  while (performance.now() < deadline && (o.maxInputs === undefined || inputs < o.maxInputs)) {
    const job = queue.shift() ?? (() => {
      const file = o.corpus[int(r, o.corpus.length)]!;
      const m = mutate(r, file.text, texts);
      return { file, text: m.text, how: m.how };
    })();
    inputs++;
    const path = job.file.path;
    const opts = { targets: o.targets };
    let v = judge(job.text, path, loader(path, job.text), opts);
    // Time depends on the machine's load (and a GC at the wrong moment): a slow input must be slow twice.
    if (v?.oracle === "hang") v = judge(job.text, path, loader(path, job.text), opts);
    if (!v) {
      passed++;
      continue;
    }
    const known = knownAs(v.oracle, v.message);
    if (known && o.allowKnown) knownCount++;
    else failed++;
    // One saved (and minimised) input per oracle and message shape; numbers and names vary.
    const signature = `${v.oracle}: ${v.message.replace(/^[\w.]+: /, "").replace(/\d+/g, "N").replace(/`[^`]*`|"[^"]*"/g, "_")}`;
    if (seen.has(signature)) continue;
    seen.add(signature);
    const minimised = minimise(job.text, (t) => judge(t, path, loader(path, t), opts)?.oracle === v.oracle);
    const name = `${failures.length + 1}-${v.oracle.replace(/[^a-z0-9-]+/gi, "_")}`;
    const saved = join(o.outDir, `${name}.mlp`);
    mkdirSync(dirname(saved), { recursive: true });
    writeFileSync(saved, minimised);
    writeFileSync(
      join(o.outDir, `${name}.txt`),
      `oracle: ${v.oracle}\nmessage: ${v.message}\nknown: ${known ?? "no"}\nfrom: ${path}\nmutations: ${job.how.join(", ") || "(none)"}\nseed: ${o.seed}\nminimised (JSON): ${JSON.stringify(minimised)}\n`,
    );
    failures.push({ oracle: v.oracle, message: v.message, seedFile: path, mutations: job.how, input: job.text, minimised, saved, known });
    o.log?.(`${known ? `KNOWN ${known}` : "FAIL"} ${v.oracle}: ${v.message}\n  minimised to ${minimised.length} characters: ${saved}`);
  }
  return { passed, failed, known: knownCount, inputs, failures };
}
