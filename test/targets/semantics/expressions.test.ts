// Operators and every row-level function of language/functions.ts on DuckDB, each as a
// `derive` over a few rows, against values written by hand from language/REFERENCE.md
// (Expressions, The function library); and the same plan in Spark and Flink.
import { beforeAll, describe, expect, it } from "vitest";
import { FUNCTIONS } from "../../../language/functions";
import { Duck, expectRows, expectSameShape, program, type Row } from "./harness";

let db: Duck;
beforeAll(async () => {
  db = await Duck.open();
});

const S = `  id:   string
  i:    int
  j:    int?
  x:    float
  y:    float?
  s:    string
  s2:   string?
  b:    bool?
  c:    bool?
  plan: enum(free, pro)
  ts:   timestamp
  t2:   timestamp?
  d:    date`;

const base: Row = { i: 0, x: 0, s: "", plan: "free", ts: "2024-01-01 00:00:00", d: "2024-01-01" };

/** Derives each expression as a column over `input`, keeps `id` and the derived columns. */
async function derive(exprs: Record<string, string>, input: Row[], timestamps: string[] = []): Promise<{ src: string; got: Row[] }> {
  const lines = Object.entries(exprs).map(([k, e]) => `  derive ${k} = ${e}`);
  const src = program(S, `cleanse out(src) {\n${lines.join("\n")}\n  drop i, j, x, y, s, s2, b, c, plan, ts, t2, d\n}`);
  const got = await db.run(
    src,
    { src: input.map((r) => ({ ...base, ...r })) },
  );
  void timestamps;
  return { src, got };
}

async function check(exprs: Record<string, string>, input: Row[], expected: Row[], timestamps: string[] = []): Promise<void> {
  const { src, got } = await derive(exprs, input);
  expectRows(got, expected, timestamps);
  expectSameShape(src);
}

describe("operators", () => {
  const rows2 = [
    { id: "r1", i: 7, j: null, x: 2.5, y: null },
    { id: "r2", i: -7, j: 2, x: -0.5, y: 4.0 },
  ];

  it("arithmetic propagates null; int stays int", async () => {
    await check({ a: "i + 1", b2: "j + 1", m: "i * j", neg: "-i", f: "i * x", sub: "x - j" }, rows2, [
      { id: "r1", a: 8, b2: null, m: null, neg: -7, f: 17.5, sub: null },
      { id: "r2", a: -6, b2: 3, m: -14, neg: 7, f: 3.5, sub: -2.5 },
    ]);
  });

  it("/ is always a float division", async () => {
    await check({ q: "i / 2", q2: "i / j", q3: "5 / 2", q4: "x / 2" }, rows2, [
      { id: "r1", q: 3.5, q2: null, q3: 2.5, q4: 1.25 },
      { id: "r2", q: -3.5, q2: -3.5, q3: 2.5, q4: -0.25 },
    ]);
  });

  it("% has the sign of the dividend, for ints and floats", async () => {
    await check({ m1: "i % 3", m2: "i % -3", m3: "x % 2.0", m4: "x % 2", m5: "i % j" }, rows2, [
      { id: "r1", m1: 1, m2: 1, m3: 0.5, m4: 0.5, m5: null },
      { id: "r2", m1: -1, m2: -1, m3: -0.5, m4: -0.5, m5: -1 },
    ]);
  });

  it("comparisons with null are null; int compares with float", async () => {
    await check({ gt: "i > j", eq: "j == 2", ne: "j != 2", mix: "i > x", le: "x <= 2.5", isn: "j is null", nn: "j is not null" }, rows2, [
      { id: "r1", gt: null, eq: null, ne: null, mix: true, le: true, isn: true, nn: false },
      { id: "r2", gt: false, eq: true, ne: false, mix: false, le: true, isn: false, nn: true },
    ]);
  });

  it("and / or / not are three-valued", async () => {
    const vals = [true, false, null];
    const input = vals.flatMap((b) => vals.map((c) => ({ id: `${b}-${c}`, b, c })));
    const and = (p: boolean | null, q: boolean | null) => (p === false || q === false ? false : p === null || q === null ? null : true);
    const or = (p: boolean | null, q: boolean | null) => (p === true || q === true ? true : p === null || q === null ? null : false);
    // The truth tables, spelled out: the helpers above only shorten writing them.
    expect(input.map((r) => and(r.b, r.c))).toEqual([true, false, null, false, false, false, null, false, null]);
    expect(input.map((r) => or(r.b, r.c))).toEqual([true, true, true, true, false, null, true, null, null]);
    await check(
      { a: "b and c", o: "b or c", n: "not b", nn: "not (b and c) or b is null" },
      input,
      input.map((r) => ({
        id: r.id,
        a: and(r.b, r.c),
        o: or(r.b, r.c),
        n: r.b === null ? null : !r.b,
        nn: or(and(r.b, r.c) === null ? null : !and(r.b, r.c), r.b === null),
      })),
    );
  });

  it("enums compare with members and with each other", async () => {
    await check({ pro: `plan == "pro"`, notfree: `plan != "free"`, txt: "concat(plan)", up: "upper(plan)" }, [
      { id: "a", plan: "free" },
      { id: "b", plan: "pro" },
    ], [
      { id: "a", pro: false, notfree: false, txt: "free", up: "FREE" },
      { id: "b", pro: true, notfree: true, txt: "pro", up: "PRO" },
    ]);
  });

  it("strings compare by code point order", async () => {
    await check({ lt: `s < "b"`, eq: `s == "B"`, n: "s2 == s" }, [
      { id: "a", s: "a", s2: null },
      { id: "B", s: "B", s2: "B" },
      { id: "c", s: "c", s2: "x" },
    ], [
      { id: "a", lt: true, eq: false, n: null },
      { id: "B", lt: true, eq: true, n: true },
      { id: "c", lt: false, eq: false, n: false },
    ]);
  });

  it("timestamp +/- duration, and a timestamp compared with a date (at midnight)", async () => {
    await check(
      { p: "ts + 1d", m: "ts - 90m", ms: "ts + 1500ms", h: "t2 + 6h", ge: "ts >= d", eq: "ts == d", lt: "d < ts" },
      [
        { id: "a", ts: "2024-02-28 23:30:00", t2: null, d: "2024-02-28" },
        { id: "b", ts: "2024-03-01 00:00:00", t2: "2024-12-31 20:00:00", d: "2024-03-01" },
      ],
      [
        { id: "a", p: "2024-02-29 23:30:00", m: "2024-02-28 22:00:00", ms: "2024-02-28 23:30:01.500", h: null, ge: true, eq: false, lt: true },
        { id: "b", p: "2024-03-02 00:00:00", m: "2024-02-29 22:30:00", ms: "2024-03-01 00:00:01.500", h: "2025-01-01 02:00:00", ge: true, eq: true, lt: false },
      ],
      ["p", "m", "ms", "h"],
    );
  });

  it("if takes the third argument when the condition is false or null; coalesce the first non-null", async () => {
    await check(
      { f: `if(j > 0, "pos", "other")`, g: "if(b, i, j)", c1: "coalesce(j, 0)", c2: "coalesce(y, x)", c3: "coalesce(j, x)", c4: "coalesce(s2, s2, s)" },
      [
        { id: "r1", i: 1, j: null, x: 2.5, y: null, b: null, s: "s", s2: null },
        { id: "r2", i: 1, j: 2, x: -0.5, y: 4.0, b: true, s: "s", s2: "t" },
        { id: "r3", i: 1, j: -3, x: 0.0, y: null, b: false, s: "s", s2: null },
      ],
      [
        { id: "r1", f: "other", g: null, c1: 0, c2: 2.5, c3: 2.5, c4: "s" },
        { id: "r2", f: "pos", g: 1, c1: 2, c2: 4.0, c3: 2.0, c4: "t" },
        { id: "r3", f: "other", g: -3, c1: -3, c2: 0.0, c3: -3.0, c4: "s" },
      ],
    );
  });
});

describe("functions", () => {
  it("covers every row-level function of the library here or in aggregate.test.ts", () => {
    const here = ["lower", "upper", "trim", "length", "concat", "abs", "log", "log1p", "exp", "sqrt", "round", "floor", "ceil", "coalesce", "if", "now", "today", "days_between", "hour", "day_of_week", "year", "month"];
    const aggregates = ["count", "count_distinct", "sum", "avg", "min", "max"];
    expect(FUNCTIONS.map((f) => f.name).sort()).toEqual([...here, ...aggregates].sort());
  });

  it("text: lower, upper, trim (spaces only), length (characters)", async () => {
    await check(
      { lo: "lower(s)", up: "upper(s)", tr: "trim(s)", n: "length(s)", n2: "length(s2)" },
      [
        { id: "a", s: "  Héllo Wörld  ", s2: null },
        { id: "b", s: "\tx😀 ", s2: "" },
      ],
      [
        { id: "a", lo: "  héllo wörld  ", up: "  HÉLLO WÖRLD  ", tr: "Héllo Wörld", n: 15, n2: null },
        { id: "b", lo: "\tx😀 ", up: "\tX😀 ", tr: "\tx😀", n: 4, n2: 0 },
      ],
    );
  });

  it("concat converts scalars to text and is null when any argument is null", async () => {
    await check(
      { cc: `concat(s, "-", i, "-", x, "-", b, "-", plan, "-", ts, "-", d)`, n: `concat("a", s2)`, one: "concat(i)" },
      [
        { id: "a", s: "s", i: -3, x: 2.5, b: true, plan: "pro", ts: "2024-01-02 03:04:05.678", d: "2024-01-02", s2: null },
        { id: "b", s: "", i: 0, x: -0.25, b: false, plan: "free", ts: "2024-12-31 23:59:59", d: "1999-12-31", s2: "z" },
      ],
      [
        { id: "a", cc: "s--3-2.5-true-pro-2024-01-02 03:04:05.678-2024-01-02", n: null, one: "-3" },
        { id: "b", cc: "-0--0.25-false-free-2024-12-31 23:59:59.000-1999-12-31", n: "az", one: "0" },
      ],
    );
  });

  it("concat of a null bool is null", async () => {
    await check({ cx: `concat("x", b)` }, [{ id: "a", b: null }], [{ id: "a", cx: null }]);
  });

  it("numbers: abs, log, log1p, exp, sqrt", async () => {
    await check(
      { ai: "abs(i)", ax: "abs(x)", l: "log(x)", l1: "log1p(y)", e: "exp(i)", r: "sqrt(x)", aj: "abs(j)" },
      [
        { id: "a", i: -3, x: 4.0, y: 1e-10, j: null },
        { id: "b", i: 0, x: Math.E, y: 1.0, j: -1 },
      ],
      [
        { id: "a", ai: 3, ax: 4.0, l: Math.log(4), l1: 1e-10 - 5e-21, e: Math.exp(-3), r: 2.0, aj: null },
        { id: "b", ai: 0, ax: Math.E, l: 1.0, l1: Math.LN2, e: 1.0, r: Math.sqrt(Math.E), aj: 1 },
      ],
    );
  });

  it("round is half away from zero; floor and ceil are ints", async () => {
    await check(
      { r: "round(x)", r1: "round(x, 1)", ri: "round(i)", rn: "round(i, -1)", f: "floor(x)", ce: "ceil(x)", fi: "floor(i)" },
      [
        { id: "a", x: 2.5, i: 15 },
        { id: "b", x: -2.5, i: -15 },
        { id: "c", x: 0.25, i: 4 },
        { id: "d", x: -0.5, i: 0 },
      ],
      [
        { id: "a", r: 3.0, r1: 2.5, ri: 15, rn: 20, f: 2, ce: 3, fi: 15 },
        { id: "b", r: -3.0, r1: -2.5, ri: -15, rn: -20, f: -3, ce: -2, fi: -15 },
        { id: "c", r: 0.0, r1: 0.3, ri: 4, rn: 0, f: 0, ce: 1, fi: 4 },
        { id: "d", r: -1.0, r1: -0.5, ri: 0, rn: 0, f: -1, ce: 0, fi: 0 },
      ],
    );
  });

  it("now() and today() are the run's instant", async () => {
    await check(
      { n: "now()", t: "today()", old: "ts < now() - 7d", days: "days_between(d, today())" },
      [
        { id: "a", ts: "2024-03-01 00:00:00", d: "2024-03-01" },
        { id: "b", ts: "2024-03-05 00:00:00", d: "2024-03-11" },
      ],
      [
        { id: "a", n: "2024-03-10 12:00:00", t: "2024-03-10", old: true, days: 9 },
        { id: "b", n: "2024-03-10 12:00:00", t: "2024-03-10", old: false, days: -1 },
      ],
      ["n"],
    );
  });

  it("days_between counts calendar days from the first to the second", async () => {
    await check(
      { dd: "days_between(d, ts)", tt: "days_between(ts, t2)", n: "days_between(t2, d)" },
      [
        { id: "a", d: "2024-01-01", ts: "2024-03-01 00:00:00", t2: "2024-03-01 23:59:59" },
        { id: "b", d: "2024-03-01", ts: "2024-01-01 10:00:00", t2: null },
        { id: "c", d: "2023-12-31", ts: "2024-01-01 23:00:00", t2: "2024-01-02 01:00:00" },
      ],
      [
        { id: "a", dd: 60, tt: 0, n: -60 },
        { id: "b", dd: -60, tt: null, n: null },
        { id: "c", dd: 1, tt: 1, n: -2 },
      ],
    );
  });

  it("hour, day_of_week (1 = Sunday ... 7 = Saturday), year, month of timestamps and dates", async () => {
    await check(
      { h: "hour(ts)", hd: "hour(d)", w: "day_of_week(ts)", wd: "day_of_week(d)", yy: "year(ts)", yd: "year(d)", m: "month(ts)", md: "month(d)", ht: "hour(t2)" },
      [
        { id: "sun", ts: "2024-01-07 23:59:59", d: "2024-01-07", t2: null },
        { id: "sat", ts: "2024-01-13 00:00:00", d: "2023-12-30", t2: "2024-01-01 05:00:00" },
        { id: "wed", ts: "2025-12-31 13:00:00", d: "2024-02-29", t2: null },
      ],
      [
        { id: "sun", h: 23, hd: 0, w: 1, wd: 1, yy: 2024, yd: 2024, m: 1, md: 1, ht: null },
        { id: "sat", h: 0, hd: 0, w: 7, wd: 7, yy: 2024, yd: 2023, m: 1, md: 12, ht: 5 },
        { id: "wed", h: 13, hd: 0, w: 4, wd: 5, yy: 2025, yd: 2024, m: 12, md: 2, ht: null },
      ],
    );
  });
});

describe("edge values", () => {
  it("log, log1p and sqrt outside their domain are IEEE values, not a failed run", async () => {
    await check(
      { l: "log(x)", l1: "log1p(x)", r: "sqrt(x)", li: "log(i)", ly: "log(y)" },
      [
        { id: "zero", x: 0.0, i: 0, y: null },
        { id: "neg", x: -1.0, i: -5, y: null },
        { id: "below", x: -2.0, i: 1, y: null },
      ],
      [
        { id: "zero", l: -Infinity, l1: 0.0, r: 0.0, li: -Infinity, ly: null },
        { id: "neg", l: NaN, l1: -Infinity, r: NaN, li: NaN, ly: null },
        { id: "below", l: NaN, l1: NaN, r: NaN, li: 0.0, ly: null },
      ],
    );
  });

  it("round rounds the written decimal half away from zero", async () => {
    await check({ r: "round(x, 2)", ri: "round(x, i)", rj: "round(i, -2)", r0: "round(y, 1)" }, [
      { id: "a", x: 2.675, i: 2, y: 1e20 },
      { id: "b", x: -1.005, i: 1, y: null },
      { id: "c", x: 123456789.125, i: 0, y: -0.05 },
      { id: "d", x: 1e-7, i: 7, y: 0.45 },
    ], [
      { id: "a", r: 2.68, ri: 2.68, rj: 0, r0: 1e20 },
      { id: "b", r: -1.01, ri: -1.0, rj: 0, r0: null },
      { id: "c", r: 123456789.13, ri: 123456789.0, rj: 0, r0: -0.1 },
      { id: "d", r: 0.0, ri: 1e-7, rj: 0, r0: 0.5 },
    ]);
  });
});

describe("division and remainder by zero", () => {
  it("an int % 0 stops the run (as Spark and Flink do), never a null in an int column", async () => {
    await expect(derive({ m: "i % j" }, [{ id: "a", i: 7, j: 0 }])).rejects.toThrow(/remainder by zero/);
    await check({ m: "i % j" }, [{ id: "a", i: 7, j: null }, { id: "b", i: 7, j: 4 }], [
      { id: "a", m: null },
      { id: "b", m: 3 },
    ]);
  });
});

describe("case mappings", () => {
  it("upper and lower map one character to several as Spark and Flink (Java) do", async () => {
    await check({ up: "upper(s)", lo: "lower(s2)" }, [{ id: "a", s: "straße ﬁx ŉ ẞ", s2: "İstanbul" }], [
      { id: "a", up: "STRASSE FIX ʼN ẞ", lo: "i\u0307stanbul" },
    ]);
  });
});
