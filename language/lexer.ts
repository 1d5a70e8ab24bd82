// Tokens of .mlp. Top-level keywords are reserved; the words that start body
// operations (`filter`, `by`, `key`, ...) are soft: they are also identifiers, so
// columns and attributes may carry those names (`split { by = id }`).
import { createToken, Lexer, type IToken, type TokenType } from "chevrotain";

export const Identifier = createToken({ name: "Identifier", pattern: /[A-Za-z_][A-Za-z0-9_]*/ });

// chevrotain cannot see the first character of a pattern with a lookahead, and one pattern it
// cannot analyse makes its lexer try every token at every offset: the hints keep the reference
// lexer (below) fast enough to compare with the scanner on large inputs.
const keyword = (word: string) => ({ pattern: new RegExp(`${word}(?![A-Za-z0-9_])`), start_chars_hint: [word[0]!], longer_alt: Identifier });
const hard = (name: string, word: string) => createToken({ name, ...keyword(word) });
const soft = (name: string, word: string) => createToken({ name, ...keyword(word), categories: [Identifier] });

export const Import = hard("Import", "import");
export const From = hard("From", "from");
export const Pipeline = hard("Pipeline", "pipeline");
export const Schema = hard("Schema", "schema");
export const Use = hard("Use", "use");
export const Variant = hard("Variant", "variant");
export const Target = hard("Target", "target");
export const Layout = hard("Layout", "layout");
export const True = hard("True", "true");
export const False = hard("False", "false");
export const Null = hard("Null", "null");
export const And = hard("And", "and");
export const Or = hard("Or", "or");
export const Not = hard("Not", "not");
export const Is = hard("Is", "is");

export const Filter = soft("Filter", "filter");
export const Fill = soft("Fill", "fill");
export const Derive = soft("Derive", "derive");
export const Drop = soft("Drop", "drop");
export const Rename = soft("Rename", "rename");
export const Cast = soft("Cast", "cast");
export const As = soft("As", "as");
export const Dedupe = soft("Dedupe", "dedupe");
export const By = soft("By", "by");
export const Keep = soft("Keep", "keep");
export const Latest = soft("Latest", "latest");
export const Earliest = soft("Earliest", "earliest");
export const Key = soft("Key", "key");
export const Require = soft("Require", "require");

export const Duration = createToken({ name: "Duration", pattern: /\d+(?:ms|s|m|h|d)(?![A-Za-z0-9_])/ });
export const Size = createToken({ name: "Size", pattern: /\d+(?:KiB|MiB|GiB|TiB)(?![A-Za-z0-9_])/ });
// The lookahead takes the longest number atomically, so `64GB` is one bad token rather than `6` and `4GB`.
export const NumberLit = createToken({ name: "Number", pattern: /(?=(\d+(?:\.\d+)?(?:[eE][+-]?\d+)?))\1(?![A-Za-z0-9_])/, start_chars_hint: [..."0123456789"] });
/** `64GB`, `1.5h`, `.5`: a number glued to something that is no unit. Reported, then parsed as a value. */
export const BadNumber = createToken({ name: "BadNumber", pattern: /\d+(?:\.\d+)?[A-Za-z0-9_]*|\.\d+[A-Za-z0-9_]*/ });
export const StringLit = createToken({ name: "String", pattern: /"(?:[^"\\\n\r]|\\.)*"/ });
/** A string cut off by the end of its line; the parser takes it as a string and the lexer pass reports it. */
export const UnterminatedString = createToken({ name: "UnterminatedString", pattern: /"(?:[^"\\\n\r]|\\.)*\\?/ });

export const Comment = createToken({ name: "Comment", pattern: /\/\/[^\n\r]*/, group: "comments" });
export const WhiteSpace = createToken({ name: "WhiteSpace", pattern: /[ \t\r\n\f\uFEFF]+/, group: Lexer.SKIPPED });

export const Arrow = createToken({ name: "Arrow", pattern: /->/ });
export const DotDot = createToken({ name: "DotDot", pattern: /\.\./ });
export const Dot = createToken({ name: "Dot", pattern: /\./ });
export const EqEq = createToken({ name: "EqEq", pattern: /==/ });
export const NotEq = createToken({ name: "NotEq", pattern: /!=/ });
export const LtEq = createToken({ name: "LtEq", pattern: /<=/ });
export const GtEq = createToken({ name: "GtEq", pattern: />=/ });
export const Lt = createToken({ name: "Lt", pattern: /</ });
export const Gt = createToken({ name: "Gt", pattern: />/ });
export const Equals = createToken({ name: "Equals", pattern: /=/ });
export const Colon = createToken({ name: "Colon", pattern: /:/ });
export const Comma = createToken({ name: "Comma", pattern: /,/ });
export const LParen = createToken({ name: "LParen", pattern: /\(/ });
export const RParen = createToken({ name: "RParen", pattern: /\)/ });
export const LCurly = createToken({ name: "LCurly", pattern: /\{/ });
export const RCurly = createToken({ name: "RCurly", pattern: /\}/ });
export const LBracket = createToken({ name: "LBracket", pattern: /\[/ });
export const RBracket = createToken({ name: "RBracket", pattern: /\]/ });
export const Question = createToken({ name: "Question", pattern: /\?/ });
export const Plus = createToken({ name: "Plus", pattern: /\+/ });
export const Minus = createToken({ name: "Minus", pattern: /-/ });
export const Star = createToken({ name: "Star", pattern: /\*/ });
export const Slash = createToken({ name: "Slash", pattern: /\// });
export const Percent = createToken({ name: "Percent", pattern: /%/ });

export const allTokens: TokenType[] = [
  WhiteSpace,
  Comment,
  Duration,
  Size,
  NumberLit,
  BadNumber,
  StringLit,
  UnterminatedString,
  Import,
  From,
  Pipeline,
  Schema,
  Use,
  Variant,
  Target,
  Layout,
  True,
  False,
  Null,
  And,
  Or,
  Not,
  Is,
  Filter,
  Fill,
  Derive,
  Drop,
  Rename,
  Cast,
  As,
  Dedupe,
  By,
  Keep,
  Latest,
  Earliest,
  Key,
  Require,
  Identifier,
  Arrow,
  DotDot,
  Dot,
  EqEq,
  NotEq,
  LtEq,
  GtEq,
  Lt,
  Gt,
  Equals,
  Colon,
  Comma,
  LParen,
  RParen,
  LCurly,
  RCurly,
  LBracket,
  RBracket,
  Question,
  Plus,
  Minus,
  Star,
  Slash,
  Percent,
];

/**
 * chevrotain's lexer over the tokens above: the specification of scanner.ts, which the parser
 * runs (and which tests compare with it). Built on first use: building it analyses every pattern.
 */
export function referenceLexer(): Lexer {
  return (reference ??= new Lexer(allTokens, { positionTracking: "full", ensureOptimizations: true, skipValidations: true }));
}
let reference: Lexer | undefined;

export type { IToken };
