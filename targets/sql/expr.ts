// One typed lowering of IR expressions to SQL text, parameterised by a dialect.
//
// Types are the checker's (each IR expression carries its own). Each lowered expression
// carries that type and whether its SQL type is exactly the column type the dialect stores
// that language type as (`exact`): `0.5` is a DECIMAL literal and `1` an INT, so a column
// computed from them is CAST to DOUBLE / BIGINT when it is stored, while `amount * 2`
// (DOUBLE) is stored as is. Operators are parenthesised by SQL precedence; a unary minus and
// a negative literal are always parenthesised so `--` (a comment in SQL) never appears in
// generated text.
import type { IrTExpr, IrType } from "../../compiler/ir";
import type { Dialect } from "./dialect";

export interface Sql {
  sql: string;
  prec: number;
  type: IrType;
  exact: boolean;
}

export const PREC = { OR: 1, AND: 2, NOT: 3, IS: 4, CMP: 5, ADD: 6, MUL: 7, ATOM: 9 } as const;

export interface ExprCtx {
  d: Dialect;
  /** How a column is written: default the quoted name; joins qualify, window inputs rename. */
  column?: (name: string) => string;
}

const atom = (sql: string, type: IrType, exact: boolean): Sql => ({ sql, prec: PREC.ATOM, type, exact });
const paren = (x: Sql, min: number) => (x.prec < min ? `(${x.sql})` : x.sql);

export function lowerExpr(e: IrTExpr, ctx: ExprCtx): Sql {
  const { d } = ctx;
  const type = e.type;
  switch (e.kind) {
    case "ref":
      return atom(ctx.column ? ctx.column(e.name) : d.ident(e.name), type, true);
    case "number": {
      // `1e-5` is a DOUBLE literal in both engines; `0.5` a DECIMAL and `1` an INT.
      const exact = /[eE]/.test(e.raw);
      return atom(e.raw.startsWith("-") ? `(${e.raw})` : e.raw, type, exact);
    }
    case "string":
      return atom(d.string(e.value), type, true);
    case "bool":
      return atom(e.value ? "TRUE" : "FALSE", type, true);
    case "null":
      return atom("NULL", type, false);
    case "duration":
      return atom(d.interval(e.ms, false), type, true);
    case "unary": {
      const o = lowerExpr(e.operand, ctx);
      if (e.op === "not") return { sql: `NOT ${paren(o, PREC.ATOM)}`, prec: PREC.NOT, type, exact: true };
      return atom(`(-${paren(o, PREC.ATOM)})`, type, o.exact);
    }
    case "isnull": {
      const o = lowerExpr(e.operand, ctx);
      return { sql: `${paren(o, PREC.ATOM)} IS ${e.negated ? "NOT " : ""}NULL`, prec: PREC.IS, type, exact: true };
    }
    case "binary":
      return binary(e, type, ctx);
    case "call":
      return callExpr(e, type, ctx);
  }
}

function binary(e: IrTExpr & { kind: "binary" }, type: IrType, ctx: ExprCtx): Sql {
  const { d } = ctx;
  let l = lowerExpr(e.left, ctx);
  let r = lowerExpr(e.right, ctx);
  // Left-associative operators keep an equal-precedence left operand bare; comparisons do not chain.
  const infix = (op: string, prec: number, assoc = false): Sql => ({
    sql: `${paren(l, prec === PREC.CMP ? prec + 1 : prec)} ${op} ${paren(r, assoc ? prec : prec + 1)}`,
    prec,
    type,
    exact: true,
  });
  switch (e.op) {
    case "or":
      return infix("OR", PREC.OR, true);
    case "and":
      return infix("AND", PREC.AND, true);
    case "==":
    case "!=":
    case "<":
    case "<=":
    case ">":
    case ">=": {
      // A timestamp compares with a date at midnight.
      if (l.type.kind === "timestamp" && r.type.kind === "date") r = atom(`CAST(${r.sql} AS ${d.type(l.type)})`, l.type, true);
      if (r.type.kind === "timestamp" && l.type.kind === "date") l = atom(`CAST(${l.sql} AS ${d.type(r.type)})`, r.type, true);
      const op = e.op === "==" ? "=" : e.op === "!=" ? "<>" : e.op;
      return infix(op, PREC.CMP);
    }
    case "+":
    case "-":
      if (r.type.kind === "duration") return infix(e.op, PREC.ADD);
      return { ...infix(e.op, PREC.ADD, e.op === "+"), exact: exactArithmetic(l, r, type) };
    case "*":
      return { ...infix("*", PREC.MUL, true), exact: exactArithmetic(l, r, type) };
    case "/": {
      // Division is always a float: the dividend is made a DOUBLE first.
      const num = l.exact && l.type.kind === "float" ? paren(l, PREC.MUL) : `CAST(${l.sql} AS DOUBLE)`;
      return { sql: `${num} / ${paren(r, PREC.MUL + 1)}`, prec: PREC.MUL, type, exact: true };
    }
    case "%":
      return atom(d.remainder(paren(l, PREC.ATOM), paren(r, PREC.ATOM), type.kind === "float"), type, exactArithmetic(l, r, type));
  }
}

/** BIGINT op INT is a BIGINT, DOUBLE op DECIMAL a DOUBLE; INT op INT or BIGINT op DECIMAL are not exact. */
function exactArithmetic(l: Sql, r: Sql, type: IrType): boolean {
  return [l, r].some((x) => x.exact && x.type.kind === type.kind);
}

function callExpr(e: IrTExpr & { kind: "call" }, type: IrType, ctx: ExprCtx): Sql {
  const { d } = ctx;
  const lowering = d.fns[e.callee];
  if (!lowering) throw new Error(`${d.name}: no lowering for function ${e.callee}`);
  const args = e.args.map((a) => lowerExpr(a, ctx));
  const types = args.map((a) => a.type);
  let texts = args.map((a) => a.sql);
  if (e.callee === "concat") texts = args.map((a) => asText(a, d));
  const sql = lowering(texts, types);
  let exact: boolean;
  switch (e.callee) {
    case "abs":
    case "round":
    case "min":
    case "max":
    case "sum":
      exact = args[0]!.exact;
      break;
    case "avg":
      // AVG of a DECIMAL is a DECIMAL (Spark: `AVG(CASE WHEN c THEN 1.0 ELSE 0.0 END)`); ints
      // are averaged as DOUBLEs (see the dialects' avg), and a DOUBLE averages to a DOUBLE.
      exact = types[0]?.kind === "int" || args[0]!.exact;
      break;
    case "coalesce":
      exact = args.some((a) => a.exact && a.type.kind === type.kind);
      break;
    case "if":
      exact = args.slice(1).some((a) => a.exact && a.type.kind === type.kind);
      break;
    default:
      // Every other lowering returns the stored type itself (CASTs included), see dialect.ts.
      exact = true;
  }
  // Every lowering is a call, a CAST or a CASE ... END (Flink's LOG1P too): an operand as is.
  return atom(sql, type, exact);
}

/**
 * A value as text, the same in every dialect: booleans as `true`/`false`, timestamps as
 * `yyyy-MM-dd HH:mm:ss.SSS`, dates as `yyyy-MM-dd`, numbers as the engine prints them.
 */
export function asText(x: Sql, d: Dialect): string {
  switch (x.type.kind) {
    case "string":
    case "enum":
    case "null":
      return x.sql;
    case "bool":
      return `CASE WHEN ${paren(x, PREC.IS + 1)} THEN 'true' WHEN NOT ${paren(x, PREC.ATOM)} THEN 'false' END`;
    case "timestamp":
      return d.timestampText(x.sql);
    default:
      return `CAST(${x.sql} AS STRING)`;
  }
}

/** The expression as a column of type `t`: CAST unless its SQL type already is the stored type. */
export function stored(x: Sql, t: IrType, d: Dialect): string {
  if (t.kind === "string" || t.kind === "enum") {
    if (x.type.kind === "string" || x.type.kind === "enum") return x.sql;
    if (x.type.kind !== "null") return asText(x, d);
  }
  if (x.exact && d.type(x.type) === d.type(t)) return x.sql;
  // A float stored as an int is truncated toward zero in every dialect (see Dialect.floatToInt).
  if (x.type.kind === "float" && t.kind === "int") return d.floatToInt(x.sql);
  return `CAST(${x.sql} AS ${d.type(t)})`;
}
