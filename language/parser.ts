// parse: text -> syntax tree and diagnostics. Runs the lexer, reports what it could not
// read, guards the nesting depth, runs the grammar (grammar.ts) with recovery, words its
// errors (syntax-errors.ts) and attaches comments to the statements they belong to.
import type * as A from "./ast";
import { attachComments } from "./comments";
import { DiagnosticSink, type Diagnostic } from "./diagnostics/diagnostic";
import { ESCAPES, MlpParser } from "./grammar";
import * as T from "./lexer";
import { deepNesting, limitExpressionDepth, MAX_DEPTH } from "./limits";
import { LineIndex } from "./span";
import { badNumberHelp, errorSpan, spanOfToken, syntaxExtras, syntaxMessage } from "./syntax-errors";

export { unquote } from "./grammar";

/** The grammar analyses itself once (chevrotain's self-analysis is slow); it is reused for every file. */
let shared: MlpParser | undefined;

export interface ParseResult {
  ast: A.SourceFileAst;
  diagnostics: Diagnostic[];
  lines: LineIndex;
}

/** Parse one file. Never throws: syntax problems come back as diagnostics. */
export function parse(text: string, path = "<input>"): ParseResult {
  const sink = new DiagnosticSink(path);
  const lines = new LineIndex(text);
  const lexed = T.mlpLexer.tokenize(text);
  for (const err of lexed.errors) {
    const span = lines.span(err.offset, err.offset + Math.max(1, err.length));
    const ch = text.slice(err.offset, err.offset + err.length);
    sink.report("MLP0103", span, `unexpected character \`${ch.length > 12 ? ch.slice(0, 12) + "…" : ch}\``, { label: "not part of the language" });
  }
  for (const t of lexed.tokens) {
    if (t.tokenType === T.BadNumber) sink.report("MLP0106", spanOfToken(t), `\`${t.image}\` is not a number, duration or size`, { help: badNumberHelp(t.image) });
    if (t.tokenType === T.UnterminatedString) {
      sink.report("MLP0102", spanOfToken(t), "unterminated string", { label: "string starts here", help: 'close it with `"` on the same line' });
    }
    if ((t.tokenType === T.StringLit || t.tokenType === T.UnterminatedString) && t.image.includes("\\")) {
      const re = /\\(.)/g;
      for (let m = re.exec(t.image); m; m = re.exec(t.image)) {
        if (!(m[1]! in ESCAPES)) {
          const at = t.startOffset + m.index;
          sink.report("MLP0104", lines.span(at, at + 2), `unknown escape \`\\${m[1]}\` in string`, { help: 'the escapes are \\", \\\\, \\n and \\t' });
        }
      }
    }
  }
  const tooDeep = deepNesting(lexed.tokens);
  if (tooDeep) {
    // The recursive-descent parser would exhaust the stack; one error says why instead.
    sink.report("MLP0105", spanOfToken(tooDeep), `nesting deeper than ${MAX_DEPTH} levels`, { help: "split the expression into several `derive` steps" });
    return { ast: { path, decls: [] }, diagnostics: sink.list, lines };
  }
  shared ??= new MlpParser();
  const parser = shared;
  parser.startFile();
  parser.input = lexed.tokens;
  let decls: A.Decl[];
  try {
    decls = parser.file() ?? [];
  } catch (e) {
    // A recovery path we did not foresee; the syntax errors found so far explain the input.
    if (parser.errors.length === 0) throw e;
    decls = [];
  }
  for (const t of parser.stray) sink.report("MLP0101", spanOfToken(t), `unexpected second \`${t.image}\``, { label: "remove this" });
  // After a syntax error the parser re-synchronises, and what it skips on that line tends
  // to produce follow-on errors: report the first error of each line only.
  const lineHasError = new Set(parser.stray.map((t) => t.startLine));
  for (const err of parser.errors) {
    const span = errorSpan(err, lines, text);
    if (lineHasError.has(span.line)) continue;
    lineHasError.add(span.line);
    sink.report("MLP0101", span, syntaxMessage(err), syntaxExtras(err));
  }
  const ast: A.SourceFileAst = { path, decls: decls.filter(Boolean) };
  limitExpressionDepth(ast, sink);
  attachComments(ast, lexed.groups.comments ?? [], text);
  return { ast, diagnostics: sink.list, lines };
}

