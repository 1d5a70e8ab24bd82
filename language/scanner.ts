// The lexer the parser runs: a hand-written scanner over char codes that gives exactly what
// chevrotain's regex lexer gives for the token definitions in lexer.ts (same tokens, lines
// and columns, comments, and error runs), several times faster and without a regex per
// token. lexer.ts stays the specification: test/language/scanner.test.ts compares the two on
// every .mlp file we have and on random text. `scan` gives the tokens as a stream of typed
// arrays (what descent.ts reads); `tokenize` makes chevrotain's token objects of it.
import type { IToken, TokenType } from "chevrotain";
import * as T from "./lexer";
import type { Span } from "./span";

export interface LexError {
  offset: number;
  length: number;
  line: number;
  column: number;
  message: string;
}

export interface Lexed {
  tokens: IToken[];
  groups: { comments: IToken[] };
  errors: LexError[];
}

const KEYWORDS: [string, TokenType][] = (
  [
    T.Import, T.From, T.Pipeline, T.Schema, T.Use, T.Variant, T.Target, T.Layout, T.True, T.False, T.Null, T.And, T.Or, T.Not, T.Is,
    T.Filter, T.Fill, T.Derive, T.Drop, T.Rename, T.Cast, T.As, T.Dedupe, T.By, T.Keep, T.Latest, T.Earliest, T.Key, T.Require,
  ] as TokenType[]
).map((t) => [(t.PATTERN as RegExp).source.replace(/\(.*$/, ""), t]);

/** Keywords by first character: a word is compared with the few that could be it, without cutting it out of the text. */
const KEYWORDS_BY_FIRST: [string, TokenType][][] = [];
for (const kw of KEYWORDS) (KEYWORDS_BY_FIRST[kw[0].charCodeAt(0)] ??= []).push(kw);

/** The keyword that the word at [i, j) is, if any. */
function keywordAt(s: string, i: number, j: number): TokenType | undefined {
  const candidates = KEYWORDS_BY_FIRST[s.charCodeAt(i)];
  if (candidates === undefined) return undefined;
  for (let k = 0; k < candidates.length; k++) {
    const word = candidates[k]![0];
    if (word.length === j - i && s.startsWith(word, i)) return candidates[k]![1];
  }
  return undefined;
}

const isDigit = (c: number) => c >= 48 && c <= 57;
/** `[A-Za-z0-9_]`: what may not follow a keyword, number, duration or size. */
const isWord = (c: number) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || isDigit(c) || c === 95;
const isWordStart = (c: number) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
/** `[ \t\r\n\f\uFEFF]` */
const isSpace = (c: number) => c === 32 || c === 10 || c === 13 || c === 9 || c === 12 || c === 0xfeff;
/** What `.` does not match in a JS regex without the `s` flag. */
const isLineEnd = (c: number) => c === 10 || c === 13 || c === 0x2028 || c === 0x2029;

// One match at an offset: the token type (null for skipped whitespace) and its end.
let matchType: TokenType | null = null;
let matchEnd = 0;

/** The first token of lexer.ts's list that matches at `i` (chevrotain's rule), or false. */
function match(s: string, i: number): boolean {
  const n = s.length;
  const c = s.charCodeAt(i);
  if (isSpace(c)) {
    let j = i + 1;
    while (j < n && isSpace(s.charCodeAt(j))) j++;
    return found(null, j);
  }
  if (isWordStart(c)) {
    let j = i + 1;
    while (j < n && isWord(s.charCodeAt(j))) j++;
    return found(keywordAt(s, i, j) ?? T.Identifier, j);
  }
  if (isDigit(c)) return number(s, i);
  switch (c) {
    case 47 /* / */:
      if (s.charCodeAt(i + 1) === 47) {
        let j = i + 2;
        while (j < n && s.charCodeAt(j) !== 10 && s.charCodeAt(j) !== 13) j++;
        return found(T.Comment, j);
      }
      return found(T.Slash, i + 1);
    case 34 /* " */:
      return string(s, i);
    case 46 /* . */:
      if (isDigit(s.charCodeAt(i + 1))) {
        let j = i + 2;
        while (j < n && isWord(s.charCodeAt(j))) j++;
        return found(T.BadNumber, j);
      }
      return s.charCodeAt(i + 1) === 46 ? found(T.DotDot, i + 2) : found(T.Dot, i + 1);
    case 45 /* - */:
      return s.charCodeAt(i + 1) === 62 ? found(T.Arrow, i + 2) : found(T.Minus, i + 1);
    case 61 /* = */:
      return s.charCodeAt(i + 1) === 61 ? found(T.EqEq, i + 2) : found(T.Equals, i + 1);
    case 33 /* ! */:
      return s.charCodeAt(i + 1) === 61 ? found(T.NotEq, i + 2) : false;
    case 60 /* < */:
      return s.charCodeAt(i + 1) === 61 ? found(T.LtEq, i + 2) : found(T.Lt, i + 1);
    case 62 /* > */:
      return s.charCodeAt(i + 1) === 61 ? found(T.GtEq, i + 2) : found(T.Gt, i + 1);
    case 58: return found(T.Colon, i + 1);
    case 44: return found(T.Comma, i + 1);
    case 40: return found(T.LParen, i + 1);
    case 41: return found(T.RParen, i + 1);
    case 123: return found(T.LCurly, i + 1);
    case 125: return found(T.RCurly, i + 1);
    case 91: return found(T.LBracket, i + 1);
    case 93: return found(T.RBracket, i + 1);
    case 63: return found(T.Question, i + 1);
    case 43: return found(T.Plus, i + 1);
    case 42: return found(T.Star, i + 1);
    case 37: return found(T.Percent, i + 1);
  }
  return false;
}

function found(type: TokenType | null, end: number): true {
  matchType = type;
  matchEnd = end;
  return true;
}

/** Duration, Size, Number, then BadNumber (which always matches at a digit). */
function number(s: string, i: number): true {
  const n = s.length;
  let j = i;
  while (j < n && isDigit(s.charCodeAt(j))) j++;
  const digits = j;
  // Duration: \d+(?:ms|s|m|h|d)(?![A-Za-z0-9_])
  const u = s.charCodeAt(digits);
  if (u === 109 /* m */ && s.charCodeAt(digits + 1) === 115 /* s */ && !isWord(s.charCodeAt(digits + 2))) return found(T.Duration, digits + 2);
  if ((u === 115 || u === 109 || u === 104 || u === 100) && !isWord(s.charCodeAt(digits + 1))) return found(T.Duration, digits + 1);
  // Size: \d+(?:KiB|MiB|GiB|TiB)(?![A-Za-z0-9_])
  if ((u === 75 || u === 77 || u === 71 || u === 84) && s.charCodeAt(digits + 1) === 105 && s.charCodeAt(digits + 2) === 66 && !isWord(s.charCodeAt(digits + 3))) {
    return found(T.Size, digits + 3);
  }
  // Number, taken atomically: \d+(?:\.\d+)?(?:[eE][+-]?\d+)? not followed by a word character.
  let k = digits;
  if (s.charCodeAt(k) === 46 && isDigit(s.charCodeAt(k + 1))) {
    k += 2;
    while (k < n && isDigit(s.charCodeAt(k))) k++;
  }
  const fractionEnd = k;
  const e = s.charCodeAt(k);
  if (e === 101 || e === 69) {
    let m = k + 1;
    const sign = s.charCodeAt(m);
    if (sign === 43 || sign === 45) m++;
    if (isDigit(s.charCodeAt(m))) {
      m++;
      while (m < n && isDigit(s.charCodeAt(m))) m++;
      k = m;
    }
  }
  if (!isWord(s.charCodeAt(k))) return found(T.NumberLit, k);
  // BadNumber: \d+(?:\.\d+)?[A-Za-z0-9_]*
  k = fractionEnd;
  while (k < n && isWord(s.charCodeAt(k))) k++;
  return found(T.BadNumber, k);
}

/** StringLit `"(?:[^"\\\n\r]|\\.)*"`, else UnterminatedString `"(?:[^"\\\n\r]|\\.)*\\?`. */
function string(s: string, i: number): true {
  const n = s.length;
  let j = i + 1;
  for (;;) {
    if (j >= n) return found(T.UnterminatedString, j);
    const c = s.charCodeAt(j);
    if (c === 34) return found(T.StringLit, j + 1);
    if (c === 10 || c === 13) return found(T.UnterminatedString, j);
    if (c === 92 /* \ */) {
      if (j + 1 >= n || isLineEnd(s.charCodeAt(j + 1))) return found(T.UnterminatedString, j + 1);
      j += 2;
    } else j++;
  }
}

/**
 * The tokens of a text as numbers, not objects: a large file has hundreds of thousands, and
 * as objects they were most of what the parse allocated (and its garbage collector copied).
 * Token k is `type[k]` (its tokenTypeIdx) over [start[k], end[k]) at `line[k]`, `col[k]`
 * (1-based); a token never spans lines. Comments, few, are tokens as chevrotain has them.
 */
export interface TokenStream {
  readonly text: string;
  readonly count: number;
  readonly type: Uint8Array;
  readonly start: Int32Array;
  readonly end: Int32Array;
  readonly line: Int32Array;
  readonly col: Int32Array;
  readonly comments: IToken[];
  readonly errors: LexError[];
}

/** The span of token k of a stream (a token never spans lines). */
export function spanAt(s: TokenStream, k: number): Span {
  const line = s.line[k]!;
  const col = s.col[k]!;
  const start = s.start[k]!;
  const end = s.end[k]!;
  return { start, line, col, end, endLine: line, endCol: col + end - start };
}

/** Token types by tokenTypeIdx. */
const TYPES: TokenType[] = [];
for (const t of T.allTokens) TYPES[t.tokenTypeIdx!] = t;

/** Tokens, comments and unreadable runs of `text`, with 1-based lines and columns. */
export function scan(text: string): TokenStream {
  const n = text.length;
  // Room for a token per five characters, doubled when a dense text needs more.
  let room = Math.max(16, (n / 5) | 0);
  let type = new Uint8Array(room);
  let start = new Int32Array(room);
  let end = new Int32Array(room);
  let lines = new Int32Array(room);
  let cols = new Int32Array(room);
  let count = 0;
  const comments: IToken[] = [];
  const errors: LexError[] = [];
  let line = 1;
  let column = 1;
  let i = 0;
  while (i < n) {
    // Whitespace (isSpace's characters), a third of a formatted file, is counted here in one
    // pass (match() would find its end, then its lines would be counted over again). It is
    // the only text that holds line breaks: \n, \r\n or \r.
    const c = text.charCodeAt(i);
    if (c === 32 || c === 9 || c === 12 || c === 0xfeff) {
      column++;
      i++;
      continue;
    }
    if (c === 10 || c === 13) {
      if (c === 10 || text.charCodeAt(i + 1) !== 10) {
        line++;
        column = 1;
      } else column++;
      i++;
      continue;
    }
    if (match(text, i)) {
      const to = matchEnd;
      // Never whitespace (null): the same characters as isSpace are taken above.
      const t = matchType!;
      if (t === T.Comment) comments.push(new Token(text.slice(i, to), i, line, column, t.tokenTypeIdx!, t));
      else {
        if (count === room) {
          room *= 2;
          type = grow(type, new Uint8Array(room));
          start = grow(start, new Int32Array(room));
          end = grow(end, new Int32Array(room));
          lines = grow(lines, new Int32Array(room));
          cols = grow(cols, new Int32Array(room));
        }
        type[count] = t.tokenTypeIdx!;
        start[count] = i;
        end[count] = to;
        lines[count] = line;
        cols[count] = column;
        count++;
      }
      column += to - i;
      i = to;
      continue;
    }
    // Skip to the next offset where some token matches, as chevrotain's recovery does.
    const from = i;
    do i++;
    while (i < n && !match(text, i));
    errors.push({ offset: from, length: i - from, line, column, message: `unexpected character: ->${text.charAt(from)}<- at offset: ${from}, skipped ${i - from} characters.` });
    column += i - from;
  }
  return { text, count, type, start, end, line: lines, col: cols, comments, errors };
}

function grow<A extends Uint8Array | Int32Array>(old: A, into: A): A {
  into.set(old);
  return into;
}

/**
 * A token as chevrotain's parser reads it, made from a stream for the parses with syntax
 * errors (and for tools): a token never spans lines, so its end is derived rather than stored.
 */
class Token implements IToken {
  constructor(
    readonly image: string,
    readonly startOffset: number,
    readonly startLine: number,
    readonly startColumn: number,
    readonly tokenTypeIdx: number,
    readonly tokenType: TokenType,
  ) {}
  get endOffset(): number {
    return this.startOffset + this.image.length - 1;
  }
  get endLine(): number {
    return this.startLine;
  }
  get endColumn(): number {
    return this.startColumn + this.image.length - 1;
  }
}

/** Punctuation and keywords always read the same: one string each, by token type, not one per token. */
const fixedImages: (string | undefined)[] = [];
const VARIABLE = new Set<TokenType>([T.Identifier, T.StringLit, T.UnterminatedString, T.NumberLit, T.Duration, T.Size, T.BadNumber, T.Comment]);

/** Token k of a stream as chevrotain's token. */
function tokenAt(s: TokenStream, k: number): IToken {
  const idx = s.type[k]!;
  const type = TYPES[idx]!;
  const from = s.start[k]!;
  const to = s.end[k]!;
  const image = VARIABLE.has(type) ? s.text.slice(from, to) : (fixedImages[idx] ??= s.text.slice(from, to));
  return new Token(image, from, s.line[k]!, s.col[k]!, idx, type);
}

/** The tokens of a stream as chevrotain's parser reads them. */
export function tokensOf(s: TokenStream): IToken[] {
  const tokens: IToken[] = new Array(s.count);
  for (let k = 0; k < s.count; k++) tokens[k] = tokenAt(s, k);
  return tokens;
}

/** Tokens, comments and unreadable runs of `text`, as chevrotain's lexer gives them. */
export function tokenize(text: string): Lexed {
  const s = scan(text);
  return { tokens: tokensOf(s), groups: { comments: s.comments }, errors: s.errors };
}
