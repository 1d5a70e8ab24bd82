// aggregate (with and without a look-back window), join (inner, left, two keys) and features
// on DuckDB, against rows written by hand from language/REFERENCE.md (Step kinds); and the
// same plan in Spark and Flink.
import { beforeAll, describe, expect, it } from "vitest";
import { Duck, expectRows, expectSameShape, program } from "./harness";

let db: Duck;
beforeAll(async () => {
  db = await Duck.open();
});

const S = `  k:   string
  g:   string?
  n:   int
  m:   int?
  x:   float?
  at:  timestamp`;

const input = [
  { k: "a", g: "p", n: 1, m: 10, x: 1.5, at: "2024-03-10 11:00:00" },
  { k: "a", g: "q", n: 2, m: null, x: null, at: "2024-03-09 12:00:00" },
  { k: "a", g: "p", n: 4, m: 30, x: 2.5, at: "2024-03-01 00:00:00" },
  { k: "b", g: null, n: 5, m: null, x: null, at: "2024-03-10 12:00:00" },
  { k: "c", g: "r", n: 7, m: 3, x: -1.0, at: "2024-03-10 13:00:00" },
];

describe("aggregate", () => {
  it("count, count(x), count_distinct, sum, avg, min, max per group", async () => {
    const src = program(
      S,
      `aggregate out(src) {
  by k
  rows:  int    = count()
  ms:    int    = count(m)
  gs:    int    = count_distinct(g)
  total: int    = sum(n)
  msum:  int?   = sum(m)
  mean:  float  = avg(n)
  xavg:  float? = avg(x)
  lo:    string? = min(g)
  hi:    timestamp = max(at)
  xmin:  float? = min(x)
}`,
    );
    expectRows(
      await db.run(src, { src: input }),
      [
        // avg of ints is a float (7 / 3); avg and sum skip nulls; all-null sums/avgs/mins are null.
        { k: "a", rows: 3, ms: 2, gs: 2, total: 7, msum: 40, mean: 7 / 3, xavg: 2.0, lo: "p", hi: "2024-03-10 11:00:00", xmin: 1.5 },
        { k: "b", rows: 1, ms: 0, gs: 0, total: 5, msum: null, mean: 5.0, xavg: null, lo: null, hi: "2024-03-10 12:00:00", xmin: null },
        { k: "c", rows: 1, ms: 1, gs: 1, total: 7, msum: 3, mean: 7.0, xavg: -1.0, lo: "r", hi: "2024-03-10 13:00:00", xmin: -1.0 },
      ],
      ["hi"],
    );
    expectSameShape(src);
  });

  it("a nullable by column groups nulls together; several by columns", async () => {
    const src = program(S, `aggregate out(src) {\n  by g\n  by k\n  rows: int = count()\n  per: float? = max(if(n > 1, x, null))\n}`);
    expectRows(await db.run(src, { src: input }), [
      { g: "p", k: "a", rows: 2, per: 2.5 },
      { g: "q", k: "a", rows: 1, per: null },
      { g: null, k: "b", rows: 1, per: null },
      { g: "r", k: "c", rows: 1, per: -1.0 },
    ]);
    expectSameShape(src);
  });

  it("without by: one group over the whole table", async () => {
    const src = program(S, `aggregate out(src) {\n  rows: int = count()\n  total: int = sum(n)\n  first: timestamp = min(at)\n}`);
    expectRows(await db.run(src, { src: input }), [{ rows: 5, total: 19, first: "2024-03-01 00:00:00" }], ["first"]);
    expectSameShape(src);
  });

  it("min and max of dates and strings, sum of floats, count_distinct of an enum", async () => {
    const src = program(
      `  k: string\n  d: date\n  s: string\n  f: float\n  e: enum(x, y)`,
      `aggregate out(src) {\n  by k\n  first: date = min(d)\n  last: date = max(d)\n  lo: string = min(s)\n  hi: string = max(s)\n  total: float = sum(f)\n  kinds: int = count_distinct(e)\n}`,
    );
    const rows = [
      { k: "a", d: "2024-02-29", s: "b", f: 0.5, e: "x" },
      { k: "a", d: "2023-12-31", s: "B", f: 0.25, e: "x" },
      { k: "a", d: "2024-01-01", s: "ab", f: -1.0, e: "y" },
      { k: "b", d: "2020-01-01", s: "", f: 1e-3, e: "y" },
    ];
    expectRows(await db.run(src, { src: rows }), [
      // Strings order by code point: "B" < "ab" < "b".
      { k: "a", first: "2023-12-31", last: "2024-02-29", lo: "B", hi: "b", total: -0.25, kinds: 2 },
      { k: "b", first: "2020-01-01", last: "2020-01-01", lo: "", hi: "", total: 1e-3, kinds: 1 },
    ]);
    expectSameShape(src);
  });

  it("a look-back window on a table keeps the rows of the last `window` before now", async () => {
    // now = 2024-03-10 12:00:00: the last day is [2024-03-09 12:00, 2024-03-10 12:00].
    // 2024-03-01 is too old; 2024-03-10 13:00 is after the run's instant, not before it.
    const src = program(S, `aggregate out(src) {\n  by k\n  window = 1d\n  rows: int = count()\n  total: int = sum(n)\n}`);
    expectRows(await db.run(src, { src: input }, { now: "2024-03-10 12:00:00" }), [
      { k: "a", rows: 2, total: 3 },
      { k: "b", rows: 1, total: 5 },
    ]);
    expectSameShape(src);
  });

  it("a look-back window measured on the `time` column given", async () => {
    const src = program(`${S}\n  seen: timestamp?`, `aggregate out(src) {\n  window = 2h\n  time = seen\n  rows: int = count()\n}`);
    const rows = [
      { k: "a", n: 1, at: "2024-03-10 11:00:00", seen: "2024-03-10 10:00:00" },
      { k: "b", n: 1, at: "2024-03-10 11:00:00", seen: "2024-03-10 09:59:59" },
      { k: "c", n: 1, at: "2024-01-01 00:00:00", seen: "2024-03-10 11:59:00" },
      { k: "d", n: 1, at: "2024-03-10 11:00:00", seen: null },
    ];
    expectRows(await db.run(src, { src: rows }, { now: "2024-03-10 12:00:00" }), [{ rows: 2 }]);
    expectSameShape(src);
  });

  it("aggregates of an expression and of a cleansed input", async () => {
    const src = program(S, `cleanse c(src) {\n  fill m = 0\n}\n\naggregate out(c) {\n  by k\n  s: float = sum(n * 1.5 + m)\n  big: int = count(if(m > 5, 1, null))\n}`);
    expectRows(await db.run(src, { src: input }), [
      { k: "a", s: 1.5 + 10 + 3 + 0 + 6 + 30, big: 2 },
      { k: "b", s: 7.5, big: 0 },
      { k: "c", s: 10.5 + 3, big: 0 },
    ]);
    expectSameShape(src);
  });
});

const J = `schema R {
  rk:    string
  label: string?
  score: float
}

source right: Table<R> {
  uri    = "data/r.parquet"
  format = parquet
}

schema R2 {
  k:     string
  label: string?
}

source right2: Table<R2> {
  uri    = "data/r2.parquet"
  format = parquet
}

`;

const L = `  k: string\n  v: int`;
const left = [
  { k: "a", v: 1 },
  { k: "b", v: 2 },
  { k: "b", v: 3 },
  { k: "z", v: 4 },
];
const right = [
  { rk: "a", label: "x", score: 0.5 },
  { rk: "b", label: null, score: 1.0 },
  { rk: "b", label: "y", score: 2.0 },
  { rk: "q", label: "w", score: 3.0 },
];

describe("join", () => {
  it("inner on left == right keeps matching pairs and both keys", async () => {
    const src = program(L, `join out(src, right) {\n  on = k == rk\n}`, J);
    expectRows(await db.run(src, { src: left, right }), [
      { k: "a", v: 1, rk: "a", label: "x", score: 0.5 },
      { k: "b", v: 2, rk: "b", label: null, score: 1.0 },
      { k: "b", v: 2, rk: "b", label: "y", score: 2.0 },
      { k: "b", v: 3, rk: "b", label: null, score: 1.0 },
      { k: "b", v: 3, rk: "b", label: "y", score: 2.0 },
    ]);
    expectSameShape(src);
  });

  it("left keeps every left row, the right side null when nothing matches", async () => {
    const src = program(L, `join out(src, right) {\n  on = k == rk\n  type = left\n}`, J);
    expectRows(await db.run(src, { src: left, right }), [
      { k: "a", v: 1, rk: "a", label: "x", score: 0.5 },
      { k: "b", v: 2, rk: "b", label: null, score: 1.0 },
      { k: "b", v: 2, rk: "b", label: "y", score: 2.0 },
      { k: "b", v: 3, rk: "b", label: null, score: 1.0 },
      { k: "b", v: 3, rk: "b", label: "y", score: 2.0 },
      { k: "z", v: 4, rk: null, label: null, score: null },
    ]);
    expectSameShape(src);
  });

  it("on a shared name: the key once (the left one); null keys never match", async () => {
    const src = program(`  k: string?\n  v: int`, `join out(src, right2) {\n  on = k\n  type = left\n}`, J);
    const r2 = [
      { k: "a", label: "A" },
      { k: null, label: "N" },
    ];
    expectRows(
      await db.run(src, {
        src: [
          { k: "a", v: 1 },
          { k: null, v: 2 },
        ],
        right2: r2,
      }),
      [
        { k: "a", v: 1, label: "A" },
        { k: null, v: 2, label: null },
      ],
    );
    const inner = program(`  k: string?\n  v: int`, `join out(src, right2) {\n  on = k\n}`, J);
    expectRows(await db.run(inner, { src: [{ k: null, v: 2 }, { k: "a", v: 1 }], right2: r2 }), [{ k: "a", v: 1, label: "A" }]);
    expectSameShape(src);
    expectSameShape(inner);
  });
});

describe("features", () => {
  it("keys, then kept columns, then the features; nothing else is carried", async () => {
    const src = program(
      `  id: string\n  plan: enum(free, pro)\n  signup: timestamp\n  spend: float?\n  churned: bool\n  noise: int`,
      `features out(src) {
  key  id
  keep churned
  tenure: int   = days_between(signup, now())
  paid:   bool  = plan != "free"
  spend0: float = coalesce(spend, 0)
  half:   float? = spend / 2
}`,
    );
    const got = await db.run(
      src,
      {
        src: [
          { id: "u1", plan: "pro", signup: "2024-03-01 23:00:00", spend: 10.0, churned: false, noise: 1 },
          { id: "u2", plan: "free", signup: "2023-03-10 00:00:00", spend: null, churned: true, noise: 2 },
        ],
      },
      { now: "2024-03-10 12:00:00" },
    );
    expect(Object.keys(got[0]!)).toEqual(["id", "churned", "tenure", "paid", "spend0", "half"]);
    expectRows(got, [
      { id: "u1", churned: false, tenure: 9, paid: true, spend0: 10.0, half: 5.0 },
      { id: "u2", churned: true, tenure: 366, paid: false, spend0: 0.0, half: null },
    ]);
    expectSameShape(src);
  });

  it("several keys and an int feature stored from an int expression", async () => {
    const src = program(`  a: string\n  b: int\n  n: int`, `features out(src) {\n  key a, b\n  twice: int = n * 2\n  ratio: float = n / b\n}`);
    expectRows(await db.run(src, { src: [{ a: "x", b: 4, n: 3 }] }), [{ a: "x", b: 4, twice: 6, ratio: 0.75 }]);
    expectSameShape(src);
  });
});
