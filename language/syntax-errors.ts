// What a syntax error says: chevrotain's exceptions in the language's own words ("expected
// `{`, found `source`"), the span they point at, and help for numbers written with units
// the language does not have.
import type { IRecognitionException, IToken } from "chevrotain";
import type { LineIndex, Span } from "./span";

export function badNumberHelp(image: string): string {
  if (image.startsWith(".")) return `write \`0${image}\``;
  const unit = image.replace(/^[\d.]+/, "");
  const sizes: Record<string, string> = { KB: "KiB", MB: "MiB", GB: "GiB", TB: "TiB", K: "KiB", M: "MiB", G: "GiB", T: "TiB", Gi: "GiB", Mi: "MiB" };
  if (sizes[unit]) return `sizes are written in binary units: \`${image.slice(0, image.length - unit.length)}${sizes[unit]}\``;
  return "durations end in ms, s, m, h or d (`30s`, `6h`); sizes in KiB, MiB, GiB or TiB (`64GiB`)";
}

export function spanOfToken(t: IToken): Span {
  return { start: t.startOffset, line: t.startLine!, col: t.startColumn!, end: t.endOffset! + 1, endLine: t.endLine!, endCol: t.endColumn! + 1 };
}

export function errorSpan(err: IRecognitionException, lines: LineIndex, text: string): Span {
  const t = err.token;
  if (t && !Number.isNaN(t.startOffset) && t.tokenType.name !== "EOF") return spanOfToken(t);
  const prev = (err as { previousToken?: IToken }).previousToken;
  if (prev && !Number.isNaN(prev.startOffset)) return lines.span(prev.endOffset! + 1, prev.endOffset! + 1);
  return lines.span(text.length, text.length);
}

const TOKEN_TEXT: Record<string, string> = {
  Identifier: "a name",
  Number: "a number",
  String: "a string",
  Equals: "`=`",
  Colon: "`:`",
  Comma: "`,`",
  LParen: "`(`",
  RParen: "`)`",
  LCurly: "`{`",
  RCurly: "`}`",
  LBracket: "`[`",
  RBracket: "`]`",
  Arrow: "`->`",
  Dot: "`.`",
  Lt: "`<`",
  Gt: "`>`",
  As: "`as`",
  By: "`by`",
  From: "`from`",
  Latest: "`latest`",
  Null: "`null`",
};

function describe(t: IToken | undefined): string {
  if (!t || t.tokenType.name === "EOF") return "the end of the file";
  return `\`${t.image.length > 20 ? t.image.slice(0, 20) + "…" : t.image}\``;
}

function expectedOf(err: IRecognitionException): string | undefined {
  // chevrotain's MismatchedTokenException message is "Expecting token of type --> X <-- but found --> Y <--".
  const m = /-->\s*(\w+)\s*<--\s*but found/.exec(err.message);
  if (m) return TOKEN_TEXT[m[1]!] ?? `\`${m[1]!.toLowerCase()}\``;
  return undefined;
}

export function syntaxMessage(err: IRecognitionException): string {
  const found = describe(err.token);
  const expected = expectedOf(err);
  if (expected) return `expected ${expected}, found ${found}`;
  if (err.name === "NotAllInputParsedException") return `unexpected ${found}: expected a declaration`;
  const rule = err.context?.ruleStack?.at(-1);
  return rule && RULE_TEXT[rule] ? `unexpected ${found} in ${RULE_TEXT[rule]}` : `unexpected ${found}`;
}

const RULE_TEXT: Record<string, string> = {
  decl: "a declaration",
  stmt: "a step body",
  op: "a step body",
  primary: "an expression",
  unary: "an expression",
  expr: "an expression",
  typeRef: "a type",
  inputs: "the step inputs",
  inputRef: "a step input",
  attr: "an attribute",
  columnDef: "a column definition",
  block: "a block",
  body: "a step body",
  attrBlock: "a block",
  schemaDecl: "a schema",
  variantDecl: "a variant",
  callArgs: "the arguments of a call",
  identList: "a list of names",
  notExpr: "an expression",
  andExpr: "an expression",
  cmpExpr: "an expression",
  rangeExpr: "an expression",
  addExpr: "an expression",
  mulExpr: "an expression",
};

export function syntaxExtras(err: IRecognitionException): { label?: string; help?: string } {
  const rule = err.context?.ruleStack?.at(-1);
  if (rule === "decl" || err.name === "NotAllInputParsedException")
    return { help: "a declaration starts with `import`, `pipeline`, `schema`, `use`, `variant`, `target`, `layout` or a step kind such as `source`" };
  return {};
}

