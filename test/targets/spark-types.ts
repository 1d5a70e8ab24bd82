// A small model of Spark SQL's result types (Spark 3.5, ANSI mode), read off the generated SQL
// text: literals (`1` INT, `1.0` DECIMAL(2,1), `1e-5` DOUBLE), arithmetic and its decimal
// widening, CASE/COALESCE (the wider branch), the aggregates (AVG of a DECIMAL is a DECIMAL),
// CAST and every function the lowering emits. It knows nothing of the lowering's own idea of
// types, so it can check it: each statement's stored columns against the declared schema.
// An unknown function or construct throws, so new lowerings cannot slip past unmodelled.

export type SparkType = string;

interface Tok {
  k: "id" | "qid" | "num" | "str" | "sym";
  v: string;
}

function tokenize(sql: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    if (/\s/.test(c)) i++;
    else if (c === "-" && sql[i + 1] === "-") while (i < sql.length && sql[i] !== "\n") i++;
    else if (c === "`") {
      let v = "";
      i++;
      for (;;) {
        if (sql[i] === "`" && sql[i + 1] === "`") (v += "`"), (i += 2);
        else if (sql[i] === "`") break;
        else v += sql[i++];
      }
      i++;
      out.push({ k: "qid", v });
    } else if (c === "'") {
      let v = "";
      i++;
      while (sql[i] !== "'") {
        if (sql[i] === "\\") v += sql[i++];
        v += sql[i++];
      }
      i++;
      out.push({ k: "str", v });
    } else if (/[0-9]/.test(c)) {
      const m = /^[0-9]+(\.[0-9]*)?([eE][-+]?[0-9]+)?/.exec(sql.slice(i))![0];
      out.push({ k: "num", v: m });
      i += m.length;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(sql.slice(i))![0];
      out.push({ k: "id", v: m.toUpperCase() });
      i += m.length;
    } else {
      const two = sql.slice(i, i + 2);
      if (["<>", "<=", ">=", "||", "!="].includes(two)) (out.push({ k: "sym", v: two }), (i += 2));
      else (out.push({ k: "sym", v: c }), i++);
    }
  }
  return out;
}

/** A relation's columns, by lower-cased name. */
export type Columns = Map<string, SparkType>;

const decimal = (p: number, s: number): SparkType => `DECIMAL(${Math.min(38, p)},${s})`;
const decParts = (t: SparkType): [number, number] | undefined => {
  const m = /^DECIMAL\((\d+),(\d+)\)$/.exec(t);
  return m ? [Number(m[1]), Number(m[2])] : undefined;
};
/** Integral types as the decimals Spark widens them to. */
const asDecimal = (t: SparkType): [number, number] | undefined => (t === "INT" ? [10, 0] : t === "BIGINT" ? [20, 0] : decParts(t));
const NUMERIC_RANK = (t: SparkType) => (t === "INT" ? 1 : t === "BIGINT" ? 2 : decParts(t) ? 3 : t === "DOUBLE" ? 4 : 0);

/** Spark's findWiderTypeForTwo over the types the lowering produces. */
export function wider(a: SparkType, b: SparkType): SparkType {
  if (a === b) return a;
  if (a === "NULL") return b;
  if (b === "NULL") return a;
  const ra = NUMERIC_RANK(a);
  const rb = NUMERIC_RANK(b);
  if (ra && rb) {
    if (ra === 4 || rb === 4) return "DOUBLE";
    if (ra === 3 || rb === 3) {
      const [p1, s1] = asDecimal(a)!;
      const [p2, s2] = asDecimal(b)!;
      const s = Math.max(s1, s2);
      return decimal(Math.max(p1 - s1, p2 - s2) + s, s);
    }
    return "BIGINT";
  }
  throw new Error(`no wider type of ${a} and ${b}`);
}

function arithmetic(op: string, a: SparkType, b: SparkType): SparkType {
  if (a === "TIMESTAMP" && b.startsWith("INTERVAL")) return "TIMESTAMP";
  if (a === "DATE" && b.startsWith("INTERVAL")) return b === "INTERVAL DAY" ? "DATE" : "TIMESTAMP";
  if (op === "/") {
    if (a === "DOUBLE" || b === "DOUBLE") return "DOUBLE";
    if (!decParts(a) && !decParts(b)) return "DOUBLE";
  }
  const w = wider(a, b);
  const da = asDecimal(a);
  const db = asDecimal(b);
  if (!decParts(w) || !da || !db) return w;
  const [p1, s1] = da;
  const [p2, s2] = db;
  switch (op) {
    case "+":
    case "-": {
      const s = Math.max(s1, s2);
      return decimal(Math.max(p1 - s1, p2 - s2) + s + 1, s);
    }
    case "*":
      return decimal(p1 + p2 + 1, s1 + s2);
    case "/": {
      const s = Math.max(6, s1 + p2 + 1);
      return decimal(p1 - s1 + s2 + s, s);
    }
    default: {
      const s = Math.max(s1, s2);
      return decimal(Math.min(p1 - s1, p2 - s2) + s, s);
    }
  }
}

function numberType(raw: string): SparkType {
  if (/[eE]/.test(raw)) return "DOUBLE";
  if (!raw.includes(".")) {
    const n = BigInt(raw);
    return n <= 2147483647n ? "INT" : n <= 9223372036854775807n ? "BIGINT" : decimal(raw.length, 0);
  }
  // Java's BigDecimal: precision counts the unscaled value's digits, at least the scale.
  const [int, frac = ""] = raw.split(".");
  const digits = (int! + frac).replace(/^0+/, "") || "0";
  return decimal(Math.max(digits.length, frac.length), frac.length);
}

const FUNCTIONS: Record<string, (args: SparkType[]) => SparkType> = {
  COUNT: () => "BIGINT",
  SUM: ([t]) => (t === "INT" || t === "BIGINT" ? "BIGINT" : decParts(t!) ? decimal(decParts(t!)![0] + 10, decParts(t!)![1]) : t === "DOUBLE" ? "DOUBLE" : fail(`SUM(${t})`)),
  AVG: ([t]) => (t === "INT" || t === "BIGINT" || t === "DOUBLE" ? "DOUBLE" : decParts(t!) ? decimal(decParts(t!)![0] + 4, decParts(t!)![1] + 4) : fail(`AVG(${t})`)),
  MIN: ([t]) => t!,
  MAX: ([t]) => t!,
  ABS: ([t]) => t!,
  ROUND: ([t]) => t!,
  FLOOR: ([t]) => (decParts(t!) ? t! : "BIGINT"),
  CEIL: ([t]) => (decParts(t!) ? t! : "BIGINT"),
  EXP: () => "DOUBLE",
  LN: () => "DOUBLE",
  LOG1P: () => "DOUBLE",
  SQRT: () => "DOUBLE",
  LOWER: () => "STRING",
  UPPER: () => "STRING",
  TRIM: () => "STRING",
  CONCAT: () => "STRING",
  DATE_FORMAT: () => "STRING",
  CHAR_LENGTH: () => "INT",
  YEAR: () => "INT",
  MONTH: () => "INT",
  HOUR: () => "INT",
  DAYOFWEEK: () => "INT",
  DATEDIFF: () => "INT",
  CURRENT_TIMESTAMP: () => "TIMESTAMP",
  CURRENT_DATE: () => "DATE",
  XXHASH64: () => "BIGINT",
  PMOD: ([a, b]) => wider(a!, b!),
  ROW_NUMBER: () => "INT",
  RANK: () => "INT",
  WINDOW: () => "STRUCT<start:TIMESTAMP,end:TIMESTAMP>",
  RAISE_ERROR: () => "NULL",
  COALESCE: (ts) => ts.reduce(wider),
};

function fail(what: string): never {
  throw new Error(`the Spark type model does not know ${what}`);
}

/** Where names resolve: each relation in FROM by its alias. */
type Scope = Map<string, Columns>;

class Parser {
  private i = 0;
  constructor(
    private readonly t: Tok[],
    private readonly views: Map<string, Columns>,
  ) {}

  private peek(o = 0): Tok | undefined {
    return this.t[this.i + o];
  }
  private is(v: string, o = 0): boolean {
    const x = this.peek(o);
    return !!x && (x.k === "id" || x.k === "sym") && x.v === v;
  }
  private eat(v: string): boolean {
    if (!this.is(v)) return false;
    this.i++;
    return true;
  }
  private expect(v: string): void {
    if (!this.eat(v)) fail(`'${this.peek()?.v}' where ${v} was expected (token ${this.i})`);
  }
  private skipParens(): void {
    this.expect("(");
    for (let depth = 1; depth > 0; this.i++) {
      if (this.is("(")) depth++;
      else if (this.is(")")) depth--;
    }
  }
  get done(): boolean {
    return this.i >= this.t.length;
  }

  /** SELECT items FROM rel [WHERE ...] [GROUP BY ...]: the output columns, in order. */
  query(): [string, SparkType][] {
    this.expect("SELECT");
    const start = this.i;
    // The FROM clause is read first: the items resolve against it.
    let depth = 0;
    while (!(depth === 0 && this.is("FROM"))) {
      if (this.is("(")) depth++;
      if (this.is(")")) depth--;
      this.i++;
    }
    const itemsEnd = this.i;
    this.i++;
    const scope = this.from();
    const end = this.i;
    this.i = start;
    const out: [string, SparkType][] = [];
    while (this.i < itemsEnd) {
      if (this.eat("*")) {
        for (const cols of scope.values()) for (const [n, t] of cols) out.push([n, t]);
      } else {
        const first = this.i;
        const type = this.expr(scope);
        let name: string;
        if (this.eat("AS")) name = this.name();
        else {
          const last = this.t[this.i - 1]!;
          name = last.k === "qid" && this.i - first >= 1 ? last.v : fail("an unnamed select item");
        }
        out.push([name, type]);
      }
      if (this.i < itemsEnd) this.expect(",");
    }
    this.i = end;
    // WHERE / GROUP BY do not change the columns: skip to the end of this query.
    depth = 0;
    while (!this.done && !(depth === 0 && this.is(")"))) {
      if (this.is("(")) depth++;
      if (this.is(")")) depth--;
      this.i++;
    }
    return out;
  }

  private name(): string {
    const x = this.t[this.i++]!;
    return x.k === "qid" ? x.v : x.v.toLowerCase();
  }

  private relation(): [string, Columns] {
    let cols: Columns;
    let alias: string;
    if (this.eat("(")) {
      cols = new Map(this.query().map(([n, t]) => [n.toLowerCase(), t]));
      this.expect(")");
      alias = "";
    } else {
      alias = this.name();
      cols = this.views.get(alias.toLowerCase()) ?? fail(`the relation ${alias}`);
    }
    if (this.eat("AS")) alias = this.name();
    return [alias, cols];
  }

  private from(): Scope {
    const scope: Scope = new Map();
    const [a, c] = this.relation();
    scope.set(a, c);
    while (this.is("JOIN") || this.is("LEFT")) {
      const left = this.eat("LEFT");
      this.expect("JOIN");
      const [b, d] = this.relation();
      // Spark types the right side of a LEFT JOIN as it is (nullability aside).
      void left;
      scope.set(b, d);
      this.expect("ON");
      this.expr(scope);
    }
    return scope;
  }

  expr(scope: Scope, min = 0): SparkType {
    let left = this.unary(scope);
    for (;;) {
      const op = this.binaryOp();
      if (!op || op.prec < min) return left;
      this.i += op.width;
      if (op.v === "IS") {
        this.eat("NOT");
        this.expect("NULL");
        left = "BOOLEAN";
        continue;
      }
      if (op.v === "IN") {
        this.expect("(");
        do this.expr(scope);
        while (this.eat(","));
        this.expect(")");
        left = "BOOLEAN";
        continue;
      }
      const right = this.expr(scope, op.prec + 1);
      left = op.prec <= 3 ? "BOOLEAN" : op.v === "||" ? "STRING" : arithmetic(op.v, left, right);
    }
  }

  private binaryOp(): { v: string; prec: number; width: number } | undefined {
    const x = this.peek();
    if (!x || (x.k !== "sym" && x.k !== "id")) return undefined;
    if (x.v === "NOT" && this.is("IN", 1)) return { v: "IN", prec: 3, width: 2 };
    const prec: Record<string, number> = { OR: 1, AND: 2, IS: 3, IN: 3, "=": 3, "<>": 3, "!=": 3, "<": 3, "<=": 3, ">": 3, ">=": 3, "||": 4, "+": 5, "-": 5, "*": 6, "/": 6, "%": 6 };
    return prec[x.v] !== undefined ? { v: x.v, prec: prec[x.v]!, width: 1 } : undefined;
  }

  private unary(scope: Scope): SparkType {
    if (this.eat("NOT")) {
      this.expr(scope, 3);
      return "BOOLEAN";
    }
    if (this.eat("-")) return this.unary(scope);
    return this.primary(scope);
  }

  private type(): SparkType {
    const t = this.t[this.i++]!.v;
    if (t === "ARRAY") {
      this.expect("<");
      const e = this.type();
      this.expect(">");
      return `ARRAY<${e}>`;
    }
    return t;
  }

  private primary(scope: Scope): SparkType {
    const x = this.t[this.i++] ?? fail("the end of a statement");
    if (x.k === "num") return numberType(x.v);
    if (x.k === "str") return "STRING";
    if (x.k === "sym" && x.v === "(") {
      const t = this.expr(scope);
      this.expect(")");
      return t;
    }
    if (x.k === "qid") {
      // `a`.`b`: a qualified column, or a struct field.
      if (this.eat(".")) {
        const field = this.name();
        const rel = scope.get(x.v);
        if (rel) return rel.get(field.toLowerCase()) ?? fail(`column ${x.v}.${field}`);
        const struct = this.column(scope, x.v);
        const m = new RegExp(`[<,]${field}:([A-Z]+)`).exec(struct);
        return m ? m[1]! : fail(`field ${field} of ${struct}`);
      }
      return this.column(scope, x.v);
    }
    switch (x.v) {
      case "TRUE":
      case "FALSE":
        return "BOOLEAN";
      case "NULL":
        return "NULL";
      case "INTERVAL": {
        this.i++; // the literal
        return `INTERVAL ${this.t[this.i++]!.v}`;
      }
      case "CAST": {
        this.expect("(");
        this.expr(scope);
        this.expect("AS");
        const t = this.type();
        this.expect(")");
        return t;
      }
      case "CASE": {
        let t: SparkType = "NULL";
        while (this.eat("WHEN")) {
          this.expr(scope);
          this.expect("THEN");
          t = wider(t, this.expr(scope));
        }
        if (this.eat("ELSE")) t = wider(t, this.expr(scope));
        this.expect("END");
        return t;
      }
      case "FROM_JSON": {
        this.expect("(");
        this.expr(scope);
        this.expect(",");
        const schema = this.t[this.i++]!;
        this.expect(")");
        return schema.v.replaceAll(" ", "").toUpperCase();
      }
    }
    if (x.k === "id" && this.is("(")) {
      const fn = FUNCTIONS[x.v] ?? fail(`the function ${x.v}`);
      this.expect("(");
      const args: SparkType[] = [];
      if (this.eat("*")) args.push("BIGINT");
      else if (!this.is(")")) {
        this.eat("DISTINCT");
        do args.push(this.expr(scope));
        while (this.eat(","));
      }
      this.expect(")");
      if (this.eat("OVER")) this.skipParens();
      return fn(args);
    }
    return fail(`'${x.v}'`);
  }

  private column(scope: Scope, name: string): SparkType {
    const hits = [...scope.values()].map((c) => c.get(name.toLowerCase())).filter((t) => t !== undefined);
    if (hits.length !== 1) fail(`column ${name} (${hits.length} matches)`);
    return hits[0]!;
  }
}

/** A file read without a schema: every name is a column of one type. */
class FileColumns extends Map<string, SparkType> {
  constructor(private readonly each: SparkType) {
    super();
  }
  override get(): SparkType {
    return this.each;
  }
}

/** One storing statement of a file: where it writes, and each column's Spark type. */
export interface Stored {
  /** The INSERT's target: a directory path, or the view it inserts into. */
  target: string;
  columns: [string, SparkType][];
}

/**
 * Every INSERT of a generated Spark file, typed. Views are typed as they are created: a
 * declared schema is taken as written, a csv read without one is all STRING, a
 * self-describing file's columns are whatever it holds (`ANY`, only valid inside a CAST).
 */
export function storedTypes(sql: string): Stored[] {
  const views = new Map<string, Columns>();
  const out: Stored[] = [];
  const statements = sql.split(/;\n/).map((s) => tokenize(s)).filter((t) => t.length > 0);
  for (const t of statements) {
    const p = new Parser(t, views);
    const word = (i: number) => t[i]?.v;
    if (word(0) === "SET") continue;
    // The run guard (a SELECT that stores nothing, and fails when the run id is missing).
    if (word(0) === "SELECT" && word(1) === "RAISE_ERROR") continue;
    if (word(0) === "CREATE") {
      const name = t[5]!.v.toLowerCase();
      if (word(6) === "AS") {
        for (let k = 0; k < 7; k++) p["i"]++;
        views.set(name, new Map(p.query().map(([n, ty]) => [n.toLowerCase(), ty])));
      } else if (word(6) === "(") {
        const cols: Columns = new Map();
        let i = 7;
        while (word(i) !== ")") {
          const col = t[i]!.v;
          let ty = t[i + 1]!.v;
          i += 2;
          if (ty === "ARRAY") (ty = `ARRAY<${t[i + 1]!.v}>`), (i += 3);
          cols.set(col.toLowerCase(), ty);
          if (word(i) === ",") i++;
        }
        views.set(name, cols);
      } else if (word(6) === "USING") {
        const format = word(7);
        views.set(name, new FileColumns(format === "CSV" ? "STRING" : "ANY"));
      } else fail(`CREATE ... ${word(6)}`);
      continue;
    }
    if (word(0) === "INSERT" && word(1) === "OVERWRITE") {
      const target = t[3]!.v;
      let i = 4;
      while (word(i) !== "SELECT") i++;
      p["i"] = i;
      out.push({ target, columns: p.query() });
      continue;
    }
    if (word(0) === "INSERT" && word(1) === "INTO") {
      const target = t[2]!.v;
      let i = 3;
      while (word(i) !== "SELECT") i++;
      p["i"] = i;
      out.push({ target, columns: p.query() });
      continue;
    }
    fail(`a statement starting ${word(0)} ${word(1)}`);
  }
  return out;
}

/** The type of one expression over named columns (for the model's own tests). */
export function exprType(sql: string, columns: Record<string, SparkType> = {}): SparkType {
  const p = new Parser(tokenize(sql), new Map());
  return p.expr(new Map([["", new Map(Object.entries(columns))]]));
}
