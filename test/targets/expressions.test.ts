// The typed expression lowering and the dialect table: every library function in both
// dialects, null semantics, literal escaping, intervals, types, and precedence. Expressions
// reach the lowering as the targets get them: typed by the checker, lowered to the IR.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { IrTExpr } from "../../compiler/ir";
import { texpr } from "../../compiler/lower";
import { TargetError } from "../../compiler/target-api";
import type * as A from "../../language/ast";
import { typeOf } from "../../language/checker/expressions";
import { FUNCTIONS } from "../../language/functions";
import { Schema, type ColumnType } from "../../language/types";
import { FLINK, SPARK, type Dialect } from "../../targets/sql/dialect";
import { lowerExpr, stored } from "../../targets/sql/expr";
import { flinkErrors, sparkErrors } from "./sql-grammar";

const T = (kind: "int" | "float" | "string" | "bool" | "timestamp" | "date", nullable = false): ColumnType => ({ kind, nullable });
const env = new Map<string, ColumnType>([
  ["n", T("int")],
  ["m", T("int", true)],
  ["x", T("float")],
  ["y", T("float", true)],
  ["s", T("string")],
  ["b", T("bool")],
  ["ts", T("timestamp")],
  ["d", T("date")],
  ["plan", { kind: "enum", members: ["free", "pro"], nullable: false }],
  ["we`ird", T("string")],
]);

const span = { start: 0, end: 0, line: 1, col: 1, endLine: 1, endCol: 1 };
const ref = (name: string): A.Expr => ({ kind: "ref", name, span });
const num = (raw: string): A.Expr => ({ kind: "number", value: Number(raw), raw, span });
const str = (value: string): A.Expr => ({ kind: "string", value, span });
const dur = (raw: string): A.Expr => ({ kind: "duration", raw, span });
const call = (callee: string, ...args: A.Expr[]): A.Expr => ({ kind: "call", callee: { kind: "ident", name: callee, span }, args: args.map((value) => ({ value })), span });
const bin = (op: A.BinaryOp, left: A.Expr, right: A.Expr): A.Expr => ({ kind: "binary", op, left, right, span });
const neg = (operand: A.Expr): A.Expr => ({ kind: "unary", op: "-", operand, span });
const not = (operand: A.Expr): A.Expr => ({ kind: "unary", op: "not", operand, span });
const isNull = (operand: A.Expr, negated = false): A.Expr => ({ kind: "isnull", operand, negated, span });

const schema = new Schema([...env].map(([name, type]) => ({ name, type })));

/** The expression as the targets get it: checked against `env` (in an aggregate, so `avg` is allowed) and lowered to the IR. */
function typed(e: A.Expr, problems: string[] = []): IrTExpr {
  const types = new Map<A.Expr, ColumnType>();
  typeOf(e, { schema, step: "t", source: "the test columns", aggregates: true, report: (code, _span, message) => problems.push(`${code} ${message}`), types });
  return texpr(e, types);
}

/** Typed without any diagnostic: the expressions below are valid programs' expressions. */
function valid(e: A.Expr): IrTExpr {
  const problems: string[] = [];
  const t = typed(e, problems);
  expect(problems).toEqual([]);
  return t;
}

const sql = (d: Dialect, e: A.Expr) => lowerExpr(valid(e), { d }).sql;
const both = (e: A.Expr) => [sql(SPARK, e), sql(FLINK, e)];

describe("the dialect table", () => {
  it("lowers every function of the library in every dialect", () => {
    for (const d of [SPARK, FLINK]) for (const f of FUNCTIONS) expect(d.fns[f.name], `${d.name}: ${f.name}`).toBeTypeOf("function");
  });

  it("maps column types", () => {
    const types: ColumnType[] = [T("int"), T("float"), T("string"), T("bool"), T("timestamp"), T("date"), { kind: "enum", members: ["a"], nullable: false }, { kind: "vector", size: 3, nullable: false }];
    expect(types.map((t) => SPARK.type(t))).toEqual(["BIGINT", "DOUBLE", "STRING", "BOOLEAN", "TIMESTAMP", "DATE", "STRING", "ARRAY<DOUBLE>"]);
    expect(types.map((t) => FLINK.type(t))).toEqual(["BIGINT", "DOUBLE", "STRING", "BOOLEAN", "TIMESTAMP(3)", "DATE", "STRING", "ARRAY<DOUBLE>"]);
  });

  it("quotes identifiers with backticks, doubling a backtick", () => {
    expect(both(ref("we`ird"))).toEqual(["`we``ird`", "`we``ird`"]);
  });

  it("escapes string literals per dialect", () => {
    const hostile = "it's \\ $x; --\n\t";
    expect(SPARK.string(hostile)).toBe("'it\\'s \\\\ \\u0024x\\u003B -\\u002D\\n\\t'");
    expect(FLINK.string(hostile)).toBe("('it''s ' || CHR(92) || ' $x' || CHR(59) || ' -' || CHR(45) || CHR(10) || CHR(9))");
    expect(FLINK.string("plain 'quote'")).toBe("'plain ''quote'''");
    expect(FLINK.string("")).toBe("''");
    expect(SPARK.string("ünï😀")).toBe("'ünï😀'");
    expect(() => FLINK.literal("a;b")).toThrow(TargetError);
    expect(FLINK.literal("a'b--c")).toBe("'a''b--c'");
  });

  it("writes intervals Flink accepts (leading precision 2)", () => {
    const ms = (s: number) => s * 1000;
    expect(FLINK.interval(ms(30), true)).toBe("INTERVAL '30' SECOND");
    expect(FLINK.interval(ms(120), true)).toBe("INTERVAL '2' MINUTE");
    expect(FLINK.interval(ms(90), true)).toBe("INTERVAL '90' SECOND");
    expect(FLINK.interval(ms(150), true)).toBe("INTERVAL '0 00:02:30' DAY TO SECOND");
    expect(FLINK.interval(500, true)).toBe("INTERVAL '0.500' SECOND");
    expect(FLINK.interval(ms(86400 * 30), true)).toBe("INTERVAL '30' DAY");
    expect(FLINK.interval(ms(86400 * 100), false)).toBe("(INTERVAL '99' DAY + INTERVAL '1' DAY)");
    expect(SPARK.interval(ms(86400 * 100), true)).toBe("INTERVAL '100' DAY");
    expect(SPARK.interval(1500, true)).toBe("INTERVAL '1.500' SECOND");
  });
});

describe("expressions", () => {
  it("divides as floats", () => {
    expect(both(bin("/", ref("n"), ref("m")))).toEqual(["CAST(`n` AS DOUBLE) / `m`", "CAST(`n` AS DOUBLE) / `m`"]);
    expect(sql(SPARK, bin("/", ref("x"), num("2")))).toBe("`x` / 2");
  });

  it("keeps SQL null semantics: is null, coalesce, if as CASE", () => {
    expect(both(isNull(ref("m")))).toEqual(["`m` IS NULL", "`m` IS NULL"]);
    expect(both(isNull(bin("+", ref("m"), num("1")), true))).toEqual(["(`m` + 1) IS NOT NULL", "(`m` + 1) IS NOT NULL"]);
    expect(both(call("coalesce", ref("m"), num("0")))).toEqual(["COALESCE(`m`, 0)", "COALESCE(`m`, 0)"]);
    expect(both(call("if", ref("b"), str("yes"), str("no")))).toEqual(["CASE WHEN `b` THEN 'yes' ELSE 'no' END", "CASE WHEN `b` THEN 'yes' ELSE 'no' END"]);
  });

  it("compares enums as strings", () => {
    expect(both(bin("!=", ref("plan"), str("free")))).toEqual(["`plan` <> 'free'", "`plan` <> 'free'"]);
  });

  it("counts days between calendar dates, first to second", () => {
    expect(sql(SPARK, call("days_between", ref("ts"), call("now")))).toBe("CAST(DATEDIFF(CAST(CURRENT_TIMESTAMP() AS DATE), CAST(`ts` AS DATE)) AS BIGINT)");
    expect(sql(FLINK, call("days_between", ref("ts"), call("now")))).toBe("CAST(TIMESTAMPDIFF(DAY, CAST(`ts` AS DATE), CAST(LOCALTIMESTAMP AS DATE)) AS BIGINT)");
    expect(sql(SPARK, call("days_between", ref("d"), call("today")))).toBe("CAST(DATEDIFF(CURRENT_DATE(), `d`) AS BIGINT)");
  });

  it("numbers days of the week from Sunday = 1 and takes hours of timestamps", () => {
    expect(both(call("day_of_week", ref("ts")))).toEqual(["CAST(DAYOFWEEK(CAST(`ts` AS DATE)) AS BIGINT)", "CAST(DAYOFWEEK(CAST(`ts` AS DATE)) AS BIGINT)"]);
    expect(both(call("hour", ref("ts")))).toEqual(["CAST(HOUR(`ts`) AS BIGINT)", "CAST(HOUR(`ts`) AS BIGINT)"]);
    expect(both(call("hour", ref("d")))).toEqual(["CAST(HOUR(CAST(`d` AS TIMESTAMP)) AS BIGINT)", "CAST(HOUR(CAST(`d` AS TIMESTAMP(3))) AS BIGINT)"]);
  });

  it("computes log1p exactly near zero in both dialects", () => {
    // Spark's LOG1P is NULL at and below -1, where the language's non-null float is -Infinity / NaN.
    expect(sql(SPARK, call("log1p", ref("x")))).toBe(
      "CASE WHEN `x` > -1 THEN LOG1P(`x`) WHEN `x` = -1 THEN CAST('-Infinity' AS DOUBLE) WHEN `x` < -1 THEN CAST('NaN' AS DOUBLE) END",
    );
    expect(sql(FLINK, call("log1p", ref("x")))).toBe(
      "CASE WHEN 1 + CAST(`x` AS DOUBLE) = 1 THEN CAST(`x` AS DOUBLE) ELSE LN(1 + CAST(`x` AS DOUBLE)) * CAST(`x` AS DOUBLE) / ((1 + CAST(`x` AS DOUBLE)) - 1) END",
    );
    // The formula, evaluated in doubles, is exact where ln(1 + x) is not.
    const flinkLog1p = (x: number) => (1 + x === 1 ? x : (Math.log(1 + x) * x) / (1 + x - 1));
    for (const x of [1e-10, 1e-15, 3e-8, 0.5, 10]) expect(Math.abs(flinkLog1p(x) - Math.log1p(x)) / Math.log1p(x)).toBeLessThan(1e-15);
  });

  it("uses the engine's clock: now() and today()", () => {
    expect(both(call("now"))).toEqual(["CURRENT_TIMESTAMP()", "LOCALTIMESTAMP"]);
    expect(both(call("today"))).toEqual(["CURRENT_DATE()", "CURRENT_DATE"]);
  });

  it("adds durations to timestamps", () => {
    expect(both(bin("-", call("now"), dur("7d")))).toEqual(["CURRENT_TIMESTAMP() - INTERVAL '7' DAY", "LOCALTIMESTAMP - INTERVAL '7' DAY"]);
  });

  it("renders values as the same text in both dialects", () => {
    const e = call("concat", ref("s"), ref("n"), ref("b"), ref("ts"), ref("d"));
    const [s, f] = both(e);
    expect(s).toBe("CONCAT(`s`, CAST(`n` AS STRING), CASE WHEN `b` THEN 'true' WHEN NOT `b` THEN 'false' END, DATE_FORMAT(`ts`, 'yyyy-MM-dd HH:mm:ss.SSS'), CAST(`d` AS STRING))");
    expect(f).toBe(s);
  });

  it("averages integers as doubles, remainders per engine", () => {
    expect(both(call("avg", ref("n")))).toEqual(["AVG(CAST(`n` AS DOUBLE))", "AVG(CAST(`n` AS DOUBLE))"]);
    expect(both(bin("%", ref("n"), num("3")))).toEqual(["`n` % 3", "MOD(`n`, 3)"]);
    expect(both(bin("%", ref("x"), num("2.5")))).toEqual(["`x` % 2.5", "(`x` - 2.5 * TRUNCATE(`x` / 2.5, 0))"]);
  });

  it("parenthesises by precedence and never writes --", () => {
    expect(sql(SPARK, bin("*", bin("+", ref("n"), num("1")), ref("n")))).toBe("(`n` + 1) * `n`");
    expect(sql(SPARK, bin("-", ref("n"), bin("-", ref("n"), num("1"))))).toBe("`n` - (`n` - 1)");
    expect(sql(SPARK, bin("-", ref("n"), num("-2")))).toBe("`n` - (-2)");
    expect(sql(SPARK, bin("-", ref("n"), neg(ref("n"))))).toBe("`n` - (-`n`)");
    expect(sql(SPARK, not(bin("and", ref("b"), ref("b"))))).toBe("NOT (`b` AND `b`)");
    expect(sql(SPARK, bin("and", bin("or", ref("b"), ref("b")), ref("b")))).toBe("(`b` OR `b`) AND `b`");
    expect(sql(SPARK, bin("==", bin(">", ref("n"), num("1")), ref("b")))).toBe("(`n` > 1) = `b`");
  });

  it("stores a value in its declared type, casting only when the SQL type differs", () => {
    const x = (e: A.Expr) => lowerExpr(valid(e), { d: SPARK });
    expect(stored(x(num("0.5")), T("float"), SPARK)).toBe("CAST(0.5 AS DOUBLE)");
    expect(stored(x(num("1e-5")), T("float"), SPARK)).toBe("1e-5");
    expect(stored(x(bin("*", ref("x"), num("2"))), T("float"), SPARK)).toBe("`x` * 2");
    expect(stored(x(bin("+", ref("n"), num("1"))), T("int"), SPARK)).toBe("`n` + 1");
    expect(stored(x(bin("+", ref("n"), num("1"))), T("float"), SPARK)).toBe("CAST(`n` + 1 AS DOUBLE)");
    expect(stored(x(num("3")), T("int"), SPARK)).toBe("CAST(3 AS BIGINT)");
    expect(stored(x(ref("b")), T("string"), SPARK)).toBe("CASE WHEN `b` THEN 'true' WHEN NOT `b` THEN 'false' END");
  });
});

// ---------- random expressions parse in both grammars ----------

const leaf = fc.constantFrom<A.Expr>(ref("n"), ref("m"), ref("x"), ref("y"), num("2"), num("-3"), num("0.5"), num("1e-5"));
const numeric: fc.Arbitrary<A.Expr> = fc.letrec<{ e: A.Expr }>((tie) => ({
  e: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    leaf,
    fc.tuple(fc.constantFrom<A.BinaryOp>("+", "-", "*", "/", "%"), tie("e"), tie("e")).map(([op, l, r]) => bin(op, l, r)),
    tie("e").map(neg),
    tie("e").map((a) => call("abs", a)),
    fc.tuple(tie("e"), tie("e")).map(([a, b]) => call("coalesce", a, b)),
  ),
})).e;
const boolean: fc.Arbitrary<A.Expr> = fc.letrec<{ b: A.Expr }>((tie) => ({
  b: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.tuple(numeric, numeric, fc.constantFrom<A.BinaryOp>("==", "!=", "<", ">=")).map(([l, r, op]) => bin(op, l, r)),
    fc.tuple(fc.constantFrom<A.BinaryOp>("and", "or"), tie("b"), tie("b")).map(([op, l, r]) => bin(op, l, r)),
    tie("b").map(not),
    numeric.map((e) => isNull(e)),
    fc.string({ maxLength: 6 }).map((s) => bin("==", ref("s"), str(s))),
  ),
})).b;

describe("random expressions", () => {
  it("lower to SQL both grammars accept, without --", { timeout: 300_000 }, () => {
    fc.assert(
      fc.property(boolean, (e) => {
        // Random trees may hold what the checker warns about (`is null` on a non-null value): lowered all the same.
        const t = typed(e);
        const [s, f] = [lowerExpr(t, { d: SPARK }).sql, lowerExpr(t, { d: FLINK }).sql];
        expect(s.includes("--") || f.includes("--")).toBe(false);
        expect(sparkErrors(`SELECT ${s} AS \`v\` FROM \`t\`;`)).toEqual([]);
        expect(flinkErrors(`SELECT ${f} AS \`v\` FROM \`t\`;`)).toEqual([]);
      }),
      { numRuns: 40, seed: 42 },
    );
  });
});
