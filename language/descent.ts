// The grammar of grammar.ts, hand-written as a plain recursive-descent parser for files that
// have no syntax error: it builds the same tree (same objects, keys in the same order, same
// spans) without chevrotain's per-rule machinery or its self-analysis at start-up, reading the
// scanner's typed-array tokens rather than token objects. At its first
// syntax error, or anywhere its reading and chevrotain's might differ, it gives up (undefined)
// and parser.ts runs the chevrotain grammar, which recovers and words the errors. grammar.ts
// stays the specification: test/language/descent.test.ts compares the two on every .mlp file
// we have, on generated pipelines and on random edits of them.
import type { TokenType } from "chevrotain";
import type * as A from "./ast";
import { binary, spanTo, unquote } from "./grammar";
import * as T from "./lexer";
import { spanAt, type TokenStream } from "./scanner";
import type { Span } from "./span";

const idx = (t: TokenType) => t.tokenTypeIdx!;
const IDENT = idx(T.Identifier);
const [IMPORT, FROM, PIPELINE, SCHEMA, USE, VARIANT, TARGET, LAYOUT] = [T.Import, T.From, T.Pipeline, T.Schema, T.Use, T.Variant, T.Target, T.Layout].map(idx);
const [TRUE, FALSE, NULL, AND, OR, NOT, IS] = [T.True, T.False, T.Null, T.And, T.Or, T.Not, T.Is].map(idx);
const [FILTER, FILL, DERIVE, DROP, RENAME, CAST, AS, DEDUPE, BY, KEEP, LATEST, EARLIEST, KEY, REQUIRE] = [
  T.Filter, T.Fill, T.Derive, T.Drop, T.Rename, T.Cast, T.As, T.Dedupe, T.By, T.Keep, T.Latest, T.Earliest, T.Key, T.Require,
].map(idx);
const [DURATION, SIZE, NUMBER, BAD_NUMBER, STRING, UNTERMINATED] = [T.Duration, T.Size, T.NumberLit, T.BadNumber, T.StringLit, T.UnterminatedString].map(idx);
const [ARROW, DOTDOT, DOT, EQEQ, NOTEQ, LTEQ, GTEQ, LT, GT, EQUALS, COLON, COMMA] = [T.Arrow, T.DotDot, T.Dot, T.EqEq, T.NotEq, T.LtEq, T.GtEq, T.Lt, T.Gt, T.Equals, T.Colon, T.Comma].map(idx);
const [LPAREN, RPAREN, LCURLY, RCURLY, LBRACKET, RBRACKET, QUESTION, PLUS, MINUS, STAR, SLASH, PERCENT] = [
  T.LParen, T.RParen, T.LCurly, T.RCurly, T.LBracket, T.RBracket, T.Question, T.Plus, T.Minus, T.Star, T.Slash, T.Percent,
].map(idx);
/** No token: the end of the input. */
const EOF = -1;

/** Tokens that chevrotain's `CONSUME(Identifier)` takes: identifiers and the soft keywords (category Identifier). */
const identLike = new Uint8Array(256);
identLike[IDENT] = 1;
for (const t of T.allTokens) if ((t.CATEGORIES ?? []).includes(T.Identifier)) identLike[idx(t)] = 1;

const COMPARE: Record<number, A.CompareOp> = { [EQEQ]: "==", [NOTEQ]: "!=", [LTEQ]: "<=", [GTEQ]: ">=", [LT]: "<", [GT]: ">" };
const isCompare = (k: number) => k === EQEQ || k === NOTEQ || k === LTEQ || k === GTEQ || k === LT || k === GT;

/** Thrown at the first token this parser does not expect; parseValid turns it into undefined. */
const GIVE_UP = new Error("not a clean parse");

/**
 * Every span a declaration's tree holds (and a few the parser made on the way), by top-level
 * declaration: `list[first..end)`. Incremental parsing moves the spans of the declarations
 * after an edit; a flat list does that without walking each tree (a tenth of the time).
 * Each span object is listed once, and trees share none.
 */
export const spansOf = new WeakMap<A.Decl, { list: Span[]; first: number; end: number }>();

/**
 * The declarations of `tokens` exactly as grammar.ts's `file` rule builds them, or undefined
 * when the tokens hold a syntax error (or anything this parser leaves to chevrotain).
 */
export function parseValid(tokens: TokenStream, facts?: ParseFacts): A.Decl[] | undefined {
  const p = new Descent(tokens);
  try {
    const decls = p.file();
    if (facts) facts.longestExpr = p.longestExpr;
    return decls;
  } catch (e) {
    // A stack overflow too: chevrotain's path reports it as a diagnostic.
    if (e === GIVE_UP || e instanceof RangeError) return undefined;
    throw e;
  }
}

/** What parseValid learnt on the way that spares later passes a walk of the tree. */
export interface ParseFacts {
  /**
   * Tokens in the longest top-level expression. Every node of an expression owns a token of
   * its own, so no expression is deeper than this: limits.ts need not look when it is small.
   */
  longestExpr: number;
}

/** A token is its index in the stream. */
type Tok = number;

class Descent {
  private pos = 0;
  private readonly spans: Span[] = [];
  /** Where the top-level expression being read starts (-1: none), and the longest so far. */
  private exprFrom = -1;
  longestExpr = 0;
  private readonly words = new Words();
  private readonly count: number;
  private readonly type: Uint8Array;
  private readonly text: string;
  constructor(private readonly s: TokenStream) {
    this.count = s.count;
    this.type = s.type;
    this.text = s.text;
  }

  // ---------- tokens ----------

  /** The type index of the token k ahead (1: the next one), EOF past the end. */
  private la(k: number): number {
    const at = this.pos + k - 1;
    return at < this.count ? this.type[at]! : EOF;
  }

  private next(): Tok {
    if (this.pos >= this.count) throw GIVE_UP;
    return this.pos++;
  }

  private eat(type: number): Tok {
    if (this.pos >= this.count || this.type[this.pos] !== type) throw GIVE_UP;
    return this.pos++;
  }

  private eatIdent(): Tok {
    if (this.pos >= this.count || identLike[this.type[this.pos]!] !== 1) throw GIVE_UP;
    return this.pos++;
  }

  private image(t: Tok): string {
    return this.text.slice(this.s.start[t], this.s.end[t]);
  }

  /** A name or literal's text, one string per distinct text (see Words). */
  private word(t: Tok): string {
    return this.words.get(this.text, this.s.start[t]!, this.s.end[t]!);
  }

  // Tokens never span lines (the scanner's guarantee).
  private span(t: Tok): Span {
    const sp = spanAt(this.s, t);
    this.spans.push(sp);
    return sp;
  }

  /** From a token to the end of the last token read (grammar.ts's `from`). */
  private from(t: Tok): Span {
    const { start, end, line, col } = this.s;
    const e = this.pos - 1;
    const sp = { start: start[t]!, line: line[t]!, col: col[t]!, end: end[e]!, endLine: line[e]!, endCol: col[e]! + end[e]! - start[e]! };
    this.spans.push(sp);
    return sp;
  }

  /** From a span to the end of the last token read. */
  private fromSpan(a: Span): Span {
    const { start, end, line, col } = this.s;
    const e = this.pos - 1;
    const sp = { start: a.start, line: a.line, col: a.col, end: end[e]!, endLine: line[e]!, endCol: col[e]! + end[e]! - start[e]! };
    this.spans.push(sp);
    return sp;
  }

  /** `spanTo` of a span this parser made (listed) and another: the result listed once. */
  private spanTo(a: Span, b: Span): Span {
    const sp = spanTo(a, b);
    if (sp !== a) this.spans.push(sp);
    return sp;
  }

  /** A binary node, its span listed. */
  private binary(op: A.BinaryOp, left: A.Expr, right: A.Expr): A.Expr {
    const e = binary(op, left, right);
    this.spans.push(e.span);
    return e;
  }

  private spanOfLast(): Span {
    return this.span(this.pos - 1);
  }

  private ident(t: Tok): A.Ident {
    return { kind: "ident", name: this.word(t), span: this.span(t) };
  }

  // ---------- file ----------

  file(): A.Decl[] {
    const decls: A.Decl[] = [];
    while (this.pos < this.count) {
      const first = this.spans.length;
      const d = this.decl();
      decls.push(d);
      spansOf.set(d, { list: this.spans, first, end: this.spans.length });
    }
    return decls;
  }

  private decl(): A.Decl {
    const k = this.la(1);
    if (k === IMPORT) return this.importDecl();
    if (k === PIPELINE || k === TARGET) return this.settingsDecl();
    if (k === SCHEMA) return this.schemaDecl();
    if (k === USE) return this.useDecl();
    if (k === VARIANT) return this.variantDecl();
    if (k === LAYOUT) return this.layoutDecl();
    if (identLike[k] === 1) return this.stepDecl();
    throw GIVE_UP;
  }

  private importDecl(): A.ImportDecl {
    const start = this.next();
    this.eat(LCURLY);
    const names = this.identList();
    this.eat(RCURLY);
    this.eat(FROM);
    const path = this.eat(STRING);
    return { kind: "import", names, from: { value: unquote(this.image(path)), span: this.span(path) }, span: this.from(start) };
  }

  private settingsDecl(): A.PipelineDecl | A.TargetDecl {
    const start = this.next();
    const name = this.eatIdent();
    const d: A.PipelineDecl | A.TargetDecl = { kind: this.type[start] === PIPELINE ? "pipeline" : "target", name: this.ident(name), body: [], span: this.span(start) };
    d.body = this.attrBlock();
    d.span = this.from(start);
    return d;
  }

  private layoutDecl(): A.LayoutDecl {
    const start = this.next();
    const d: A.LayoutDecl = { kind: "layout", entries: [], span: this.span(start) };
    d.entries = this.attrBlock();
    d.span = this.from(start);
    return d;
  }

  private attrBlock(): A.Attr[] {
    const list: A.Attr[] = [];
    this.eat(LCURLY);
    while (identLike[this.la(1)] === 1) list.push(this.attr());
    this.eat(RCURLY);
    return fit(list);
  }

  private schemaDecl(): A.SchemaDecl {
    const start = this.next();
    const name = this.eatIdent();
    const d: A.SchemaDecl = { kind: "schema", name: this.ident(name), fields: [], span: this.span(start) };
    this.eat(LCURLY);
    while (identLike[this.la(1)] === 1) {
      const f = this.next();
      this.eat(COLON);
      const type = this.typeRef();
      d.fields.push({ name: this.ident(f), type, span: this.from(f) });
    }
    d.fields = fit(d.fields);
    this.eat(RCURLY);
    d.span = this.from(start);
    return d;
  }

  private useDecl(): A.UseDecl {
    const start = this.next();
    const name = this.eatIdent();
    this.eat(EQUALS);
    const of = this.eatIdent();
    const inputs = this.inputs();
    return { kind: "use", name: this.ident(name), of: this.ident(of), inputs, span: this.from(start) };
  }

  private variantDecl(): A.VariantDecl {
    const start = this.next();
    const name = this.eatIdent();
    const d: A.VariantDecl = { kind: "variant", name: this.ident(name), overrides: [], span: this.span(start) };
    this.eat(LCURLY);
    for (let k = this.la(1); identLike[k] === 1 || k === PIPELINE; k = this.la(1)) {
      const first = this.next();
      const path = [first];
      while (this.la(1) === DOT) {
        this.pos++;
        path.push(this.eatIdent());
      }
      this.eat(EQUALS);
      const value = this.expr();
      d.overrides.push({ path: path.map((t) => this.ident(t)), value, span: this.from(first) });
    }
    d.overrides = fit(d.overrides);
    this.eat(RCURLY);
    d.span = this.from(start);
    return d;
  }

  private stepDecl(): A.StepDecl {
    const kind = this.next();
    const name = this.eatIdent();
    let inputs: A.InputRef[] | undefined;
    let output: A.ArtifactTypeRef | undefined;
    if (this.la(1) === LPAREN) inputs = this.inputs();
    if (this.la(1) === COLON) {
      this.pos++;
      output = this.artifactType();
    }
    const d: A.StepDecl = { kind: "step", stepKind: this.ident(kind), name: this.ident(name), body: [], span: this.span(kind) };
    if (inputs) d.inputs = inputs;
    if (output) d.output = output;
    d.body = this.body();
    d.span = this.from(kind);
    return d;
  }

  private inputs(): A.InputRef[] {
    const list: A.InputRef[] = [];
    this.eat(LPAREN);
    if (identLike[this.la(1)] === 1) {
      list.push(this.inputRef());
      while (this.la(1) === COMMA) {
        this.pos++;
        list.push(this.inputRef());
      }
    }
    this.eat(RPAREN);
    return fit(list);
  }

  private inputRef(): A.InputRef {
    let port: Tok | undefined;
    if (identLike[this.la(1)] === 1 && this.la(2) === COLON) {
      port = this.next();
      this.pos++;
    }
    const step = this.eatIdent();
    let output: Tok | undefined;
    if (this.la(1) === DOT) {
      this.pos++;
      output = this.eatIdent();
    }
    const r: A.InputRef = { step: this.ident(step), span: this.from(port ?? step) };
    if (port !== undefined) r.port = this.ident(port);
    if (output !== undefined) r.output = this.ident(output);
    return r;
  }

  private artifactType(): A.ArtifactTypeRef {
    const name = this.eatIdent();
    let schema: Tok | undefined;
    if (this.la(1) === LT) {
      this.pos++;
      schema = this.eatIdent();
      this.eat(GT);
    }
    const r: A.ArtifactTypeRef = { kind: "artifact", name: this.ident(name), span: this.from(name) };
    if (schema !== undefined) r.schema = this.ident(schema);
    return r;
  }

  private typeRef(): A.TypeRef {
    const name = this.eatIdent();
    let args: A.Expr[] | undefined;
    let nullable = false;
    if (this.la(1) === LPAREN) {
      this.pos++;
      args = [];
      if (startsExpr(this.la(1))) {
        args.push(this.expr());
        while (this.la(1) === COMMA) {
          this.pos++;
          args.push(this.expr());
        }
      }
      this.eat(RPAREN);
    }
    if (this.la(1) === QUESTION) {
      this.pos++;
      nullable = true;
    }
    const r: A.TypeRef = { kind: "type", name: this.ident(name), nullable, span: this.from(name) };
    if (args) r.args = fit(args);
    return r;
  }

  // ---------- step bodies ----------

  private body(): A.BodyStmt[] {
    const list: A.BodyStmt[] = [];
    this.eat(LCURLY);
    while (identLike[this.la(1)] === 1) list.push(this.stmt());
    this.eat(RCURLY);
    return fit(list);
  }

  /** grammar.ts decides by the token after the first (its gates), then by the operation's keyword. */
  private stmt(): A.BodyStmt {
    const second = this.la(2);
    if (second === EQUALS) return this.attr();
    if (second === COLON) return this.columnDef();
    if (second === LCURLY) return this.block();
    return this.op();
  }

  private attr(): A.Attr {
    const name = this.eatIdent();
    this.eat(EQUALS);
    // `x = = 1` is chevrotain's to report.
    if (this.la(1) === EQUALS) throw GIVE_UP;
    const value = this.expr();
    return { kind: "attr", name: this.ident(name), value, span: this.from(name) };
  }

  private columnDef(): A.ColumnDef {
    const name = this.next();
    this.pos++;
    const type = this.typeRef();
    this.eat(EQUALS);
    const value = this.expr();
    return { kind: "column", name: this.ident(name), type, value, span: this.from(name) };
  }

  private block(): A.Block {
    const name = this.next();
    const body = this.body();
    return { kind: "block", name: this.ident(name), body, span: this.from(name) };
  }

  /** Each operation is built whole, its keyword and span last (grammar.ts spreads them onto the body: same keys, same order). */
  private op(): A.Op {
    const kw = this.next();
    const k = this.type[kw]!;
    if (k === FILTER) {
      const cond = this.expr();
      return { kind: "filter", cond, keyword: this.span(kw), span: this.from(kw) };
    }
    if (k === FILL || k === DERIVE) {
      const column = this.eatIdent();
      this.eat(EQUALS);
      const value = this.expr();
      return { kind: k === FILL ? "fill" : "derive", column: this.ident(column), value, keyword: this.span(kw), span: this.from(kw) };
    }
    if (k === DROP) {
      const columns = this.identList();
      return { kind: "drop", columns, keyword: this.span(kw), span: this.from(kw) };
    }
    if (k === RENAME) {
      const from = this.eatIdent();
      this.eat(ARROW);
      const to = this.eatIdent();
      return { kind: "rename", from: this.ident(from), to: this.ident(to), keyword: this.span(kw), span: this.from(kw) };
    }
    if (k === CAST) {
      const column = this.eatIdent();
      this.eat(AS);
      const type = this.typeRef();
      return { kind: "cast", column: this.ident(column), type, keyword: this.span(kw), span: this.from(kw) };
    }
    if (k === DEDUPE) {
      this.eat(BY);
      const by = this.identList();
      // Any `keep` right after a dedupe's columns is its `keep latest|earliest COL` (the
      // grammar looks one token ahead): `keep x` on the next line is a syntax error there too.
      if (this.la(1) !== KEEP) return { kind: "dedupe", by, keyword: this.span(kw), span: this.from(kw) };
      this.pos++;
      const order = this.type[this.next()];
      if (order !== LATEST && order !== EARLIEST) throw GIVE_UP;
      const col = this.ident(this.eatIdent());
      if (order === EARLIEST) return { kind: "dedupe", by, earliest: col, keyword: this.span(kw), span: this.from(kw) };
      return { kind: "dedupe", by, latest: col, keyword: this.span(kw), span: this.from(kw) };
    }
    if (k === BY || k === KEY || k === KEEP) {
      const columns = this.identList();
      return { kind: k === KEY ? "key" : k === KEEP ? "keep" : "by", columns, keyword: this.span(kw), span: this.from(kw) };
    }
    if (k === REQUIRE) {
      const metric = this.eatIdent();
      const cmp = this.type[this.next()]!;
      if (!isCompare(cmp)) throw GIVE_UP;
      const value = this.expr();
      return { kind: "require", metric: this.ident(metric), op: COMPARE[cmp]!, value, keyword: this.span(kw), span: this.from(kw) };
    }
    throw GIVE_UP;
  }

  private identList(): A.Ident[] {
    const list = [this.ident(this.eatIdent())];
    while (this.la(1) === COMMA) {
      this.pos++;
      list.push(this.ident(this.eatIdent()));
    }
    return fit(list);
  }

  // ---------- expressions ----------

  expr(): A.Expr {
    const outer = this.exprFrom < 0;
    if (outer) this.exprFrom = this.pos;
    let left = this.andExpr();
    while (this.la(1) === OR) {
      this.pos++;
      left = this.binary("or", left, this.andExpr());
    }
    if (outer) {
      this.longestExpr = Math.max(this.longestExpr, this.pos - this.exprFrom);
      this.exprFrom = -1;
    }
    return left;
  }

  private andExpr(): A.Expr {
    let left = this.notExpr();
    while (this.la(1) === AND) {
      this.pos++;
      left = this.binary("and", left, this.notExpr());
    }
    return left;
  }

  private notExpr(): A.Expr {
    const first = this.pos;
    while (this.la(1) === NOT) this.pos++;
    const nots = this.pos - first;
    let e = this.cmpExpr();
    if (nots === 0) return e;
    const end = this.spanOfLast();
    for (let i = first + nots - 1; i >= first; i--) e = { kind: "unary", op: "not", operand: e, span: this.spanTo(this.span(i), end) };
    return e;
  }

  private cmpExpr(): A.Expr {
    const left = this.rangeExpr();
    const k = this.la(1);
    if (isCompare(k)) {
      this.pos++;
      return this.binary(COMPARE[k]!, left, this.rangeExpr());
    }
    if (k === IS) {
      this.pos++;
      let negated = false;
      if (this.la(1) === NOT) {
        this.pos++;
        negated = true;
      }
      this.eat(NULL);
      return { kind: "isnull", operand: left, negated, span: this.fromSpan(left.span) };
    }
    return left;
  }

  private rangeExpr(): A.Expr {
    const lo = this.addExpr();
    if (this.la(1) !== DOTDOT) return lo;
    this.pos++;
    const hi = this.addExpr();
    return { kind: "range", lo, hi, span: this.fromSpan(lo.span) };
  }

  private addExpr(): A.Expr {
    let left = this.mulExpr();
    for (let k = this.la(1); k === PLUS || k === MINUS; k = this.la(1)) {
      this.pos++;
      left = this.binary(k === PLUS ? "+" : "-", left, this.mulExpr());
    }
    return left;
  }

  private mulExpr(): A.Expr {
    let left = this.unary();
    for (let k = this.la(1); k === STAR || k === SLASH || k === PERCENT; k = this.la(1)) {
      this.pos++;
      left = this.binary(k === STAR ? "*" : k === SLASH ? "/" : "%", left, this.unary());
    }
    return left;
  }

  private unary(): A.Expr {
    const first = this.pos;
    while (this.la(1) === MINUS) this.pos++;
    const minuses = this.pos - first;
    let e = this.primary();
    if (minuses === 0) return e;
    const end = this.spanOfLast();
    for (let i = first + minuses - 1; i >= first; i--) {
      const t = this.span(i);
      const span = this.spanTo(t, end);
      // A minus directly before a number is part of the literal (grammar.ts's `unary`).
      if (e.kind === "number" && e.span.start === t.end && !e.raw.startsWith("-")) e = { kind: "number", value: -e.value, raw: "-" + e.raw, span };
      else e = { kind: "unary", op: "-", operand: e, span };
    }
    return e;
  }

  private primary(): A.Expr {
    const t = this.next();
    const k = this.type[t]!;
    switch (k) {
      case NUMBER: {
        const raw = this.word(t);
        return { kind: "number", value: Number(raw), raw, span: this.span(t) };
      }
      case DURATION: return { kind: "duration", raw: this.word(t), span: this.span(t) };
      case SIZE: return { kind: "size", raw: this.word(t), span: this.span(t) };
      case STRING: return { kind: "string", value: this.stringValue(t, true), span: this.span(t) };
      case UNTERMINATED: return { kind: "string", value: this.stringValue(t, false), span: this.span(t) };
      case BAD_NUMBER: return { kind: "error", span: this.span(t) };
      case TRUE: return { kind: "bool", value: true, span: this.span(t) };
      case FALSE: return { kind: "bool", value: false, span: this.span(t) };
      case NULL: return { kind: "null", span: this.span(t) };
      case LPAREN: {
        const e = this.expr();
        this.eat(RPAREN);
        return e;
      }
      case LBRACKET: {
        const items: A.Expr[] = [];
        if (startsExpr(this.la(1))) {
          items.push(this.expr());
          while (this.la(1) === COMMA) {
            this.pos++;
            items.push(this.expr());
          }
        }
        this.eat(RBRACKET);
        return { kind: "list", items: fit(items), span: this.from(t) };
      }
      case LCURLY: {
        const entries: A.ObjectEntry[] = [];
        if (identLike[this.la(1)] === 1) {
          entries.push(this.entry());
          while (this.la(1) === COMMA) {
            this.pos++;
            entries.push(this.entry());
          }
        }
        this.eat(RCURLY);
        return { kind: "object", entries: fit(entries), span: this.from(t) };
      }
    }
    if (identLike[k] !== 1) throw GIVE_UP;
    if (this.la(1) !== LPAREN) return { kind: "ref", name: this.word(t), span: this.span(t) };
    const args = this.callArgs();
    return { kind: "call", callee: this.ident(t), args, span: this.from(t) };
  }

  /** A string literal's value (grammar.ts's `unquote`), cut straight from the text when it has no escape. */
  private stringValue(t: Tok, closed: boolean): string {
    const text = this.text;
    const from = this.s.start[t]! + 1;
    const to = closed ? this.s.end[t]! - 1 : this.s.end[t]!;
    for (let i = from; i < to; i++) if (text.charCodeAt(i) === 92 /* \ */) return unquote(closed ? this.image(t) : this.image(t) + '"');
    return this.words.get(text, from, to);
  }

  private entry(): A.ObjectEntry {
    const k = this.eatIdent();
    this.eat(COLON);
    return { key: this.ident(k), value: this.expr() };
  }

  private callArgs(): A.Arg[] {
    const args: A.Arg[] = [];
    this.pos++;
    if (startsExpr(this.la(1))) {
      args.push(this.arg());
      while (this.la(1) === COMMA) {
        this.pos++;
        args.push(this.arg());
      }
    }
    this.eat(RPAREN);
    return fit(args);
  }

  private arg(): A.Arg {
    let name: Tok | undefined;
    if (identLike[this.la(1)] === 1 && this.la(2) === COLON) {
      name = this.next();
      this.pos++;
    }
    const a: A.Arg = { value: this.expr() };
    if (name !== undefined) a.name = this.ident(name);
    return a;
  }
}

/**
 * A list the tree keeps, at its length: a list that grew by push holds room for 17 or more
 * (V8's growth), and a tree's thousands of short lists would carry that room for its lifetime.
 */
function fit<T>(list: T[]): T[] {
  return list.length === 0 ? list : list.slice();
}

/**
 * The strings of a parse, one per distinct text. A pipeline names the same columns, steps and
 * values on many lines (10,000 steps: 160,000 names, 10,500 distinct): the tree then holds
 * a tenth of the strings, none is cut from the text twice, and a map hashes each one once.
 * Open addressing over the text itself, so a name seen before costs no allocation.
 */
class Words {
  private keys: (string | undefined)[] = new Array(1024);
  private hashes = new Int32Array(1024);
  private size = 0;

  get(text: string, from: number, to: number): string {
    let h = 0;
    for (let i = from; i < to; i++) h = (Math.imul(h, 31) + text.charCodeAt(i)) | 0;
    const keys = this.keys;
    const mask = keys.length - 1;
    let at = h & mask;
    for (let k = keys[at]; k !== undefined; k = keys[at]) {
      if (this.hashes[at] === h && k.length === to - from && text.startsWith(k, from)) return k;
      at = (at + 1) & mask;
    }
    const word = text.slice(from, to);
    keys[at] = word;
    this.hashes[at] = h;
    if (++this.size * 2 > keys.length) this.grow();
    return word;
  }

  private grow(): void {
    const keys = this.keys;
    const hashes = this.hashes;
    this.keys = new Array(keys.length * 2);
    this.hashes = new Int32Array(keys.length * 2);
    const mask = this.keys.length - 1;
    for (let i = 0; i < keys.length; i++) {
      if (keys[i] === undefined) continue;
      let at = hashes[i]! & mask;
      while (this.keys[at] !== undefined) at = (at + 1) & mask;
      this.keys[at] = keys[i];
      this.hashes[at] = hashes[i]!;
    }
  }
}

/** The tokens an expression can start with (grammar.ts's `expr` first set). */
function startsExpr(k: number): boolean {
  return (
    identLike[k] === 1 ||
    k === NOT || k === MINUS || k === NUMBER || k === DURATION || k === SIZE || k === STRING || k === UNTERMINATED || k === BAD_NUMBER ||
    k === TRUE || k === FALSE || k === NULL || k === LPAREN || k === LBRACKET || k === LCURLY
  );
}
