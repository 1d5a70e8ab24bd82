// parse: text -> syntax tree and diagnostics. Runs the lexer, reports what it could not
// read, guards the nesting depth, reads the tokens with the hand-written parser (descent.ts)
// or, at a syntax error, with the grammar (grammar.ts) and its recovery, words its errors
// (syntax-errors.ts) and attaches comments to the statements they belong to.
import type * as A from "./ast";
import { attachComments } from "./comments";
import type { Code } from "./diagnostics/catalog";
import { DiagnosticSink, type Diagnostic, type DiagnosticExtras } from "./diagnostics/diagnostic";
import type { IToken } from "chevrotain";
import { parseValid, type ParseFacts } from "./descent";
import { ESCAPES, MlpParser } from "./grammar";
import * as T from "./lexer";
import { cutDeepNesting, limitExpressionDepth, MAX_BRACKETS, MAX_DEPTH, nestsTooDeep } from "./limits";
import { scan, spanAt, tokensOf, type TokenStream } from "./scanner";
import { LineIndex, type Span } from "./span";
import { badNumberHelp, errorSpan, spanOfToken, syntaxExtras, syntaxMessage } from "./syntax-errors";

export { unquote } from "./grammar";

/** The grammar analyses itself once (chevrotain's self-analysis is slow); it is reused for every file. */
let shared: MlpParser | undefined;

export interface ParseResult {
  ast: A.SourceFileAst;
  diagnostics: Diagnostic[];
  lines: LineIndex;
}

/**
 * Syntax errors reported per file. Past this the rest are mostly noise from the first few
 * (or the file is not .mlp at all), and a million diagnostics cost more than the parse.
 */
export const MAX_SYNTAX_ERRORS = 100;

/** Parse one file. Never throws: syntax problems come back as diagnostics. */
export function parse(text: string, path = "<input>"): ParseResult {
  const sink = new DiagnosticSink(path);
  const lines = new LineIndex(text);
  const empty = (): ParseResult => ({ ast: { path, decls: [] }, diagnostics: sink.list, lines });
  const nul = text.indexOf("\0");
  if (nul >= 0) {
    // A binary file: lexing it would only produce an error per byte.
    sink.report("MLP0108", lines.span(nul, nul + 1), "this is not a text file: it contains a NUL byte", { label: "NUL byte", help: "pass a .mlp source file" });
    return empty();
  }
  const stream = scan(text);
  const errors = new SyntaxErrors();
  const add = errors.add;
  const full = errors.full;
  for (const err of stream.errors) {
    if (full()) break;
    const span = lines.span(err.offset, err.offset + Math.max(1, err.length));
    const ch = text.slice(err.offset, err.offset + err.length);
    add("MLP0103", span, `unexpected character \`${ch.length > 12 ? ch.slice(0, 12) + "…" : ch}\``, { label: "not part of the language" });
  }
  errors.nextSource();
  literalProblems(stream, lines, errors);
  // Groups nested too deep are cut out (one error each) so the parser's stack holds and the
  // rest still parses. A file without syntax errors (nearly every file) takes the
  // hand-written parser; the chevrotain grammar, which recovers from errors and words them,
  // reads the rest.
  const facts: ParseFacts = { longestExpr: 0 };
  let decls = nestsTooDeep(stream) ? undefined : parseValid(stream, facts);
  let mayBeDeep = facts.longestExpr > MAX_DEPTH;
  if (decls === undefined) {
    mayBeDeep = true;
    const { tokens, cuts } = cutDeepNesting(tokensOf(stream));
    for (const c of cuts.slice(0, MAX_SYNTAX_ERRORS + 1)) {
      add("MLP0105", lines.span(c.open.startOffset, c.close.endOffset! + 1), `brackets nested deeper than ${MAX_BRACKETS} levels`, {
        label: "too deep",
        help: "split the expression into several `derive` steps",
      });
    }
    decls = recovering(tokens, text, lines, errors);
  }
  const syntax = errors.list;
  syntax.sort((a, b) => a.span.start - b.span.start);
  for (const d of syntax.slice(0, MAX_SYNTAX_ERRORS)) sink.report(d.code, d.span, d.message, d.extras);
  if (syntax.length > MAX_SYNTAX_ERRORS) {
    const last = syntax[MAX_SYNTAX_ERRORS]!.span;
    sink.report("MLP0107", last, `too many syntax errors; stopping after ${MAX_SYNTAX_ERRORS}`, { help: "fix the first errors and run again" });
  }
  const ast: A.SourceFileAst = { path, decls: decls.filter(Boolean) };
  if (mayBeDeep) limitExpressionDepth(ast, sink);
  attachComments(ast, stream.comments, text);
  return { ast, diagnostics: sink.list, lines };
}

const [NUMBER, BAD_NUMBER, STRING, UNTERMINATED] = [T.NumberLit, T.BadNumber, T.StringLit, T.UnterminatedString].map((t) => t.tokenTypeIdx!);

/**
 * What the lexer read but the language does not allow in a literal: numbers out of range, bad
 * numbers and strings, unknown escapes. Runs over every literal of every parse, so a literal
 * without a problem costs no string or span.
 */
function literalProblems(s: TokenStream, lines: LineIndex, errors: SyntaxErrors): void {
  const { add, full } = errors;
  const text = s.text;
  for (let k = 0; k < s.count; k++) {
    const type = s.type[k];
    if (type !== NUMBER && type !== BAD_NUMBER && type !== STRING && type !== UNTERMINATED) continue;
    const from = s.start[k]!;
    const to = s.end[k]!;
    if (type === NUMBER && plainNumber(text, from, to)) continue;
    if (type === STRING && !hasBackslash(text, from, to)) continue;
    if (full()) break;
    const image = text.slice(from, to);
    const span = spanAt(s, k);
    if (type === NUMBER) {
      const problem = numberProblem(image);
      if (problem) add("MLP0109", span, problem.message, { help: problem.help });
    }
    if (type === BAD_NUMBER) add("MLP0106", span, `\`${image}\` is not a number, duration or size`, { help: badNumberHelp(image) });
    if (type === UNTERMINATED) add("MLP0102", span, "unterminated string", { label: "string starts here", help: 'close it with `"` on the same line' });
    if ((type === STRING || type === UNTERMINATED) && image.includes("\\")) {
      const re = /\\(.)/g;
      for (let m = re.exec(image); m; m = re.exec(image)) {
        if (!(m[1]! in ESCAPES)) {
          const at = span.start + m.index;
          add("MLP0104", lines.span(at, at + 2), `unknown escape \`\\${m[1]}\` in string`, { help: 'the escapes are \\", \\\\, \\n and \\t' });
        }
      }
    }
  }
}

/**
 * A number literal of at most 15 digits and points, without an exponent: always finite and,
 * as an integer, below 2^53 (numberProblem finds nothing in it).
 */
function plainNumber(text: string, from: number, to: number): boolean {
  if (to - from > 15) return false;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c === 101 || c === 69) return false; // e, E
  }
  return true;
}

function hasBackslash(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (text.charCodeAt(i) === 92) return true;
  return false;
}

/** Syntax errors, gathered here, capped, then reported in order of position. */
class SyntaxErrors {
  readonly list: { code: Code; span: Span; message: string; extras: DiagnosticExtras }[] = [];
  private base = 0;
  readonly add = (code: Code, span: Span, message: string, extras: DiagnosticExtras = {}): void => {
    this.list.push({ code, span, message, extras });
  };
  /** Each source of errors stops after one more than the cap, so "too many" is still known. */
  readonly full = (): boolean => this.list.length - this.base > MAX_SYNTAX_ERRORS;
  nextSource(): void {
    this.base = this.list.length;
  }
}

/** The chevrotain grammar with error recovery: the declarations it could read, its errors in `errors`. */
function recovering(tokens: IToken[], text: string, lines: LineIndex, errors: SyntaxErrors): A.Decl[] {
  const { add, full } = errors;
  shared ??= new MlpParser();
  const parser = shared;
  parser.startFile();
  parser.input = tokens;
  let decls: A.Decl[];
  try {
    decls = parser.file() ?? [];
  } catch (e) {
    // Not foreseen: the stack ran out anyway (a host program calling from deep in its own
    // stack), or a recovery path we did not foresee. Say so rather than throw.
    const at = parser.errors[0]?.token;
    const span = at && !Number.isNaN(at.startOffset) ? spanOfToken(at) : lines.span(0, 0);
    if (e instanceof RangeError) add("MLP0105", span, "the file is nested too deeply to parse", { help: "split deeply nested expressions into several `derive` steps" });
    else if (parser.errors.length === 0) throw e;
    decls = [];
  }
  errors.nextSource();
  for (const t of parser.stray.slice(0, MAX_SYNTAX_ERRORS + 1)) add("MLP0101", spanOfToken(t), `unexpected second \`${t.image}\``, { label: "remove this" });
  // After a syntax error the parser re-synchronises, and what it skips on that line tends
  // to produce follow-on errors: report the first error of each line only.
  const lineHasError = new Set(parser.stray.map((t) => t.startLine));
  errors.nextSource();
  for (const err of parser.errors) {
    if (full()) break;
    const span = errorSpan(err, lines, text);
    if (lineHasError.has(span.line)) continue;
    lineHasError.add(span.line);
    add("MLP0101", span, syntaxMessage(err), syntaxExtras(err));
  }
  // The shared parser would otherwise hold this file's tokens (a large file's biggest part) until the next parse.
  parser.input = [];
  return decls;
}

/**
 * A literal the IR cannot carry exactly: JSON has no Infinity (`1e400` would become `null`),
 * and an integer past 2^53 - 1 silently becomes a neighbour (`9007199254740993` reads as ...992).
 */
function numberProblem(image: string): { message: string; help: string } | undefined {
  const v = Number(image);
  if (!Number.isFinite(v)) return { message: `\`${image}\` is too large: it is beyond the range of a float`, help: `floats go up to about 1.8e308` };
  if (/^\d+$/.test(image) && !Number.isSafeInteger(v))
    return { message: `\`${image}\` is too large for an integer`, help: `integers go up to 9007199254740991 (2^53 - 1); write \`${image[0]}.${image.slice(1, 4)}e${image.length - 1}\` if a float is meant` };
  return undefined;
}
