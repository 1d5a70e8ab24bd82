// Nesting limits: later phases recurse over expressions, so nesting deeper than any real
// pipeline needs is reported (MLP0105) instead of exhausting the stack.
import type { IToken } from "chevrotain";
import type * as A from "./ast";
import type { DiagnosticSink } from "./diagnostics/diagnostic";
import * as T from "./lexer";
import type { TokenStream } from "./scanner";

/** Deeper expression trees than any real pipeline needs; the later phases recurse over expressions. */
export const MAX_DEPTH = 200;

/**
 * Brackets of every kind, counted together. Each bracket level costs the recursive-descent
 * parser about ten rule calls (expr, andExpr, ... primary), ~5 KB of stack: at node's default
 * stack it overflows near 200 levels, and sooner when called from deep in a host program.
 * 64 leaves a margin of three; prefix runs (`not not`, `- -`) are read in a loop and cost nothing.
 */
export const MAX_BRACKETS = 64;

export interface TooDeep {
  /** The bracket that opens the group nested too deep. */
  open: IToken;
  /** Its matching close (or the last token when it is never closed). */
  close: IToken;
}

// By tokenTypeIdx: the same sets serve token objects and the scanner's token stream.
const OPEN = new Set([T.LParen, T.LBracket, T.LCurly].map((t) => t.tokenTypeIdx!));
const CLOSE = new Set([T.RParen, T.RBracket, T.RCurly].map((t) => t.tokenTypeIdx!));

/** Whether some bracket group of a token stream is nested deeper than MAX_BRACKETS (what cutDeepNesting would cut). */
export function nestsTooDeep(s: TokenStream): boolean {
  let depth = 0;
  const type = s.type;
  for (let k = 0; k < s.count; k++) {
    const d = BRACKET[type[k]!]!;
    if (d === 1) {
      if (++depth > MAX_BRACKETS) return true;
    } else if (d === 2 && depth > 0) depth--;
  }
  return false;
}

/** By tokenTypeIdx: 1 opens a group, 2 closes one (a table: this runs over every token of every parse). */
const BRACKET = new Uint8Array(256);
for (const t of OPEN) BRACKET[t] = 1;
for (const t of CLOSE) BRACKET[t] = 2;

/**
 * Cuts every bracket group nested deeper than MAX_BRACKETS out of `tokens`, leaving one
 * placeholder token the grammar reads as an error expression, so the rest of the file
 * still parses and checks (its own errors are not lost). Returns the tokens and the cuts.
 */
export function cutDeepNesting(tokens: IToken[]): { tokens: IToken[]; cuts: TooDeep[] } {
  const cuts: TooDeep[] = [];
  let out: IToken[] | undefined;
  let depth = 0;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (OPEN.has(t.tokenTypeIdx)) depth++;
    else if (CLOSE.has(t.tokenTypeIdx)) depth = Math.max(0, depth - 1);
    if (depth <= MAX_BRACKETS) {
      out?.push(t);
      continue;
    }
    // Skip to the close that brings the depth back to the opener's level.
    let j = i;
    for (let d = depth; j + 1 < tokens.length && d > MAX_BRACKETS; ) {
      j++;
      const u = tokens[j]!.tokenTypeIdx;
      if (OPEN.has(u)) d++;
      else if (CLOSE.has(u)) d--;
    }
    out ??= tokens.slice(0, i);
    // `g(...)`: the callee goes with its arguments, else `g` followed by a placeholder is a bogus syntax error.
    let first = t;
    if (t.tokenType === T.LParen && out.length && out.at(-1)!.tokenType === T.Identifier && out.at(-1)!.endOffset! + 1 === t.startOffset) first = out.pop()!;
    const close = tokens[j]!;
    cuts.push({ open: t, close });
    out.push({
      ...first,
      image: "_",
      tokenType: T.BadNumber,
      tokenTypeIdx: T.BadNumber.tokenTypeIdx!,
      endOffset: close.endOffset!,
      endLine: close.endLine!,
      endColumn: close.endColumn!,
    });
    depth -= 1;
    i = j;
  }
  return { tokens: out ?? tokens, cuts };
}

/** Replaces expressions nested deeper than MAX_DEPTH (long operator chains) by an error node. */
export function limitExpressionDepth(ast: A.SourceFileAst, sink: DiagnosticSink): void {
  const check = (e: A.Expr): A.Expr => {
    if (!deeperThan(e, MAX_DEPTH)) return e;
    sink.report("MLP0105", e.span, `expression nested deeper than ${MAX_DEPTH} levels`, { help: "split it into several `derive` steps" });
    return { kind: "error", span: e.span };
  };
  // Type arguments are expressions too (`enum(a, b)`, `vector(384)`): a long operator chain
  // there would nest the IR as deep as one in a filter.
  const typeRef = (t: A.TypeRef) => {
    if (t.args) t.args = t.args.map(check);
  };
  const stmts = (body: A.BodyStmt[]) => {
    for (const s of body) {
      switch (s.kind) {
        case "attr": s.value = check(s.value); break;
        case "column": typeRef(s.type); s.value = check(s.value); break;
        case "cast": typeRef(s.type); break;
        case "block": stmts(s.body); break;
        case "filter": s.cond = check(s.cond); break;
        case "fill": case "derive": case "require": s.value = check(s.value); break;
        default: break;
      }
    }
  };
  for (const d of ast.decls) {
    if (d.kind === "step") stmts(d.body);
    else if (d.kind === "pipeline" || d.kind === "target") stmts(d.body);
    else if (d.kind === "layout") stmts(d.entries);
    else if (d.kind === "variant") for (const o of d.overrides) o.value = check(o.value);
    else if (d.kind === "schema") for (const f of d.fields) typeRef(f.type);
  }
}

/**
 * Is an expression tree deeper than `max`. Recursive, but never more than `max` calls deep:
 * it stops where the limit is passed (a chain of ten thousand `+` costs two hundred frames).
 * Allocates nothing: it runs on every expression of every parse.
 */
function deeperThan(e: A.Expr | undefined, max: number): boolean {
  // After a recovered syntax error an operand may be missing.
  if (e === undefined) return false;
  if (max <= 0) return true;
  switch (e.kind) {
    case "binary": return deeperThan(e.left, max - 1) || deeperThan(e.right, max - 1);
    case "unary": case "isnull": return deeperThan(e.operand, max - 1);
    case "range": return deeperThan(e.lo, max - 1) || deeperThan(e.hi, max - 1);
    case "list": for (const i of e.items) if (deeperThan(i, max - 1)) return true; return false;
    case "object": for (const en of e.entries) if (deeperThan(en.value, max - 1)) return true; return false;
    case "call": for (const a of e.args) if (deeperThan(a.value, max - 1)) return true; return false;
    default: return false;
  }
}
