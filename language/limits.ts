// Nesting limits: later phases recurse over expressions, so nesting deeper than any real
// pipeline needs is reported (MLP0105) instead of exhausting the stack.
import type { IToken } from "chevrotain";
import type * as A from "./ast";
import type { DiagnosticSink } from "./diagnostics/diagnostic";
import * as T from "./lexer";

/** Deeper nesting than any real pipeline needs; the later phases recurse over expressions. */
export const MAX_DEPTH = 200;

/** The first token that opens a bracket or prefix operator beyond MAX_DEPTH, if any. */
export function deepNesting(tokens: IToken[]): IToken | undefined {
  let depth = 0;
  let prefix = 0;
  for (const t of tokens) {
    const ty = t.tokenType;
    if (ty === T.LParen || ty === T.LBracket || ty === T.LCurly) depth++;
    else if (ty === T.RParen || ty === T.RBracket || ty === T.RCurly) depth = Math.max(0, depth - 1);
    prefix = ty === T.Not || ty === T.Minus ? prefix + 1 : 0;
    if (depth > MAX_DEPTH || prefix > MAX_DEPTH) return t;
  }
  return undefined;
}

/** Replaces expressions nested deeper than MAX_DEPTH (long operator chains) by an error node. */
export function limitExpressionDepth(ast: A.SourceFileAst, sink: DiagnosticSink): void {
  const check = (e: A.Expr): A.Expr => {
    if (exprDepth(e) <= MAX_DEPTH) return e;
    sink.report("MLP0105", e.span, `expression nested deeper than ${MAX_DEPTH} levels`, { help: "split it into several `derive` steps" });
    return { kind: "error", span: e.span };
  };
  const stmts = (body: A.BodyStmt[]) => {
    for (const s of body) {
      switch (s.kind) {
        case "attr": s.value = check(s.value); break;
        case "column": s.value = check(s.value); break;
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
  }
}

/** Depth of an expression tree, without recursion. */
function exprDepth(root: A.Expr): number {
  let max = 0;
  const stack: [A.Expr, number][] = [[root, 1]];
  while (stack.length) {
    const [e, d] = stack.pop()!;
    if (d > max) max = d;
    if (max > MAX_DEPTH) return max;
    switch (e.kind) {
      case "binary": stack.push([e.left, d + 1], [e.right, d + 1]); break;
      case "unary": case "isnull": stack.push([e.operand, d + 1]); break;
      case "range": stack.push([e.lo, d + 1], [e.hi, d + 1]); break;
      case "list": for (const i of e.items) stack.push([i, d + 1]); break;
      case "object": for (const en of e.entries) stack.push([en.value, d + 1]); break;
      case "call": for (const a of e.args) stack.push([a.value, d + 1]); break;
      default: break;
    }
  }
  return max;
}

