// parse: text -> syntax tree and diagnostics. Runs the lexer, reports what it could not
// read, guards the nesting depth, runs the grammar (grammar.ts) with recovery, words its
// errors (syntax-errors.ts) and attaches comments to the statements they belong to.
import type * as A from "./ast";
import { attachComments } from "./comments";
import type { Code } from "./diagnostics/catalog";
import { DiagnosticSink, type Diagnostic, type DiagnosticExtras } from "./diagnostics/diagnostic";
import { ESCAPES, MlpParser } from "./grammar";
import * as T from "./lexer";
import { cutDeepNesting, limitExpressionDepth, MAX_BRACKETS } from "./limits";
import { tokenize } from "./scanner";
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
  const lexed = tokenize(text);
  // Syntax errors are gathered here, capped, then reported in order of position.
  const syntax: { code: Code; span: Span; message: string; extras: DiagnosticExtras }[] = [];
  const add = (code: Code, span: Span, message: string, extras: DiagnosticExtras = {}) => {
    syntax.push({ code, span, message, extras });
  };
  // Each source of errors stops after one more than the cap, so "too many" is still known.
  let base = 0;
  const full = () => syntax.length - base > MAX_SYNTAX_ERRORS;
  for (const err of lexed.errors) {
    if (full()) break;
    const span = lines.span(err.offset, err.offset + Math.max(1, err.length));
    const ch = text.slice(err.offset, err.offset + err.length);
    add("MLP0103", span, `unexpected character \`${ch.length > 12 ? ch.slice(0, 12) + "…" : ch}\``, { label: "not part of the language" });
  }
  base = syntax.length;
  for (const t of lexed.tokens) {
    if (full()) break;
    if (t.tokenType === T.NumberLit) {
      const problem = numberProblem(t.image);
      if (problem) add("MLP0109", spanOfToken(t), problem.message, { help: problem.help });
    }
    if (t.tokenType === T.BadNumber) add("MLP0106", spanOfToken(t), `\`${t.image}\` is not a number, duration or size`, { help: badNumberHelp(t.image) });
    if (t.tokenType === T.UnterminatedString) {
      add("MLP0102", spanOfToken(t), "unterminated string", { label: "string starts here", help: 'close it with `"` on the same line' });
    }
    if ((t.tokenType === T.StringLit || t.tokenType === T.UnterminatedString) && t.image.includes("\\")) {
      const re = /\\(.)/g;
      for (let m = re.exec(t.image); m; m = re.exec(t.image)) {
        if (!(m[1]! in ESCAPES)) {
          const at = t.startOffset + m.index;
          add("MLP0104", lines.span(at, at + 2), `unknown escape \`\\${m[1]}\` in string`, { help: 'the escapes are \\", \\\\, \\n and \\t' });
        }
      }
    }
  }
  // Groups nested too deep are cut out (one error each) so the parser's stack holds and the rest still parses.
  const { tokens, cuts } = cutDeepNesting(lexed.tokens);
  for (const c of cuts.slice(0, MAX_SYNTAX_ERRORS + 1)) {
    add("MLP0105", lines.span(c.open.startOffset, c.close.endOffset! + 1), `brackets nested deeper than ${MAX_BRACKETS} levels`, {
      label: "too deep",
      help: "split the expression into several `derive` steps",
    });
  }
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
  base = syntax.length;
  for (const t of parser.stray.slice(0, MAX_SYNTAX_ERRORS + 1)) add("MLP0101", spanOfToken(t), `unexpected second \`${t.image}\``, { label: "remove this" });
  // After a syntax error the parser re-synchronises, and what it skips on that line tends
  // to produce follow-on errors: report the first error of each line only.
  const lineHasError = new Set(parser.stray.map((t) => t.startLine));
  base = syntax.length;
  for (const err of parser.errors) {
    if (full()) break;
    const span = errorSpan(err, lines, text);
    if (lineHasError.has(span.line)) continue;
    lineHasError.add(span.line);
    add("MLP0101", span, syntaxMessage(err), syntaxExtras(err));
  }
  // The shared parser would otherwise hold this file's tokens (a large file's biggest part) until the next parse.
  parser.input = [];
  syntax.sort((a, b) => a.span.start - b.span.start);
  for (const d of syntax.slice(0, MAX_SYNTAX_ERRORS)) sink.report(d.code, d.span, d.message, d.extras);
  if (syntax.length > MAX_SYNTAX_ERRORS) {
    const last = syntax[MAX_SYNTAX_ERRORS]!.span;
    sink.report("MLP0107", last, `too many syntax errors; stopping after ${MAX_SYNTAX_ERRORS}`, { help: "fix the first errors and run again" });
  }
  const ast: A.SourceFileAst = { path, decls: decls.filter(Boolean) };
  limitExpressionDepth(ast, sink);
  attachComments(ast, lexed.groups.comments ?? [], text);
  return { ast, diagnostics: sink.list, lines };
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
