// Semantic tokens: what each token of a file is, for editors that colour by meaning rather
// than by a grammar's guesses. From the lexer's tokens and a little context: a step kind
// starting a declaration, the name it declares, a setting before `=`, a function before `(`.
import type { IToken } from "chevrotain";
import { KIND_NAMES } from "../catalog";
import * as T from "../lexer";
import { tokenize } from "../scanner";

export const TOKEN_TYPES = ["keyword", "type", "function", "variable", "property", "string", "number", "comment", "operator", "class"] as const;
export type TokenKind = (typeof TOKEN_TYPES)[number];
/** The `declaration` modifier (bit 0): the name a declaration introduces. */
export const TOKEN_MODIFIERS = ["declaration"] as const;

export interface SemanticToken {
  line: number; // 0-based
  char: number; // 0-based, UTF-16
  length: number;
  kind: TokenKind;
  declaration: boolean;
}

const KINDS = new Set<string>(KIND_NAMES);
const TYPE_WORDS = new Set(["Table", "Stream", "Features", "Model", "Endpoint", "Report", "int", "float", "string", "bool", "timestamp", "date", "enum", "vector"]);
const KEYWORDS = new Set([T.Import, T.From, T.Pipeline, T.Schema, T.Use, T.Variant, T.Target, T.Layout, T.And, T.Or, T.Not, T.Is, T.Filter, T.Fill, T.Derive, T.Drop, T.Rename, T.Cast, T.As, T.Dedupe, T.By, T.Keep, T.Latest, T.Earliest, T.Key, T.Require]);
const CONSTANTS = new Set([T.True, T.False, T.Null]);
const NUMBERS = new Set([T.NumberLit, T.Duration, T.Size]);
const OPERATORS = new Set([T.Arrow, T.DotDot, T.EqEq, T.NotEq, T.LtEq, T.GtEq, T.Lt, T.Gt, T.Equals, T.Plus, T.Minus, T.Star, T.Slash, T.Percent, T.Question]);

export function semanticTokens(text: string): SemanticToken[] {
  const { tokens, groups } = tokenize(text);
  const out: SemanticToken[] = [];
  const push = (t: IToken, kind: TokenKind, declaration = false) => out.push({ line: t.startLine! - 1, char: t.startColumn! - 1, length: t.image.length, kind, declaration });
  let depth = 0;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    const tt = t.tokenType;
    const next = tokens[i + 1];
    const prev = tokens[i - 1];
    if (tt === T.LCurly) depth++;
    else if (tt === T.RCurly) depth = Math.max(0, depth - 1);
    if (KEYWORDS.has(tt)) push(t, "keyword");
    else if (CONSTANTS.has(tt)) push(t, "keyword");
    else if (NUMBERS.has(tt)) push(t, "number");
    else if (tt === T.StringLit || tt === T.UnterminatedString) push(t, "string");
    else if (OPERATORS.has(tt)) push(t, "operator");
    else if (tt === T.Identifier) {
      if (depth === 0 && KINDS.has(t.image) && next?.tokenType === T.Identifier) push(t, "class");
      else if (depth === 0 && prev && (KINDS.has(prev.image) || [T.Schema, T.Pipeline, T.Target, T.Variant, T.Use].includes(prev.tokenType)) && prev.startLine === t.startLine) push(t, "function", true);
      else if (TYPE_WORDS.has(t.image)) push(t, "type");
      else if (next?.tokenType === T.LParen && next.startOffset === t.startOffset + t.image.length && depth > 0) push(t, "function");
      else if (depth > 0 && next?.tokenType === T.Equals && (!prev || prev.startLine !== t.startLine)) push(t, "property");
      else push(t, "variable");
    }
  }
  for (const c of groups.comments ?? []) {
    // A comment is one line: its length in UTF-16 units is its image's.
    push(c, "comment");
  }
  return out.sort((a, b) => a.line - b.line || a.char - b.char);
}
