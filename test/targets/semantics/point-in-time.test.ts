// Point-in-time steps (shared/design/point-in-time.md, section 5) on DuckDB, against rows
// written by hand: hopping look-back windows on tables (`every`), as-of joins (`asof`,
// `within`, left and inner) and `dedupe ... keep earliest`. As-of joins also run with the
// ranked key join Spark uses (DUCKDB_RANKED), which must give the same rows; and the Spark and
// Flink lowerings have the shape of that plan.
//
// Calendar used below: 1970-01-01 is a Thursday, and 2024-01-04 (a Thursday) is epoch day
// 19726 = 7 * 2818 = 2 * 9863, so 7-day and 2-day windows start on 2024-01-04.
import { beforeAll, describe, expect, it } from "vitest";
import { emitAws } from "../../../targets/aws/index";
import { emitSpark } from "../../../targets/spark/index";
import { compileIr } from "../helpers";
import { Duck, DUCKDB_RANKED, expectRows, expectSameShape, FLINK, lowerAll, compile, program, SPARK, type Row } from "./harness";

let db: Duck;
beforeAll(async () => {
  db = await Duck.open();
});

const SALES = `  k:     string
  units: int
  at:    timestamp?`;

const hopping = (window: string, every: string) =>
  program(SALES, `aggregate out(src) {\n  by k\n  window = ${window}\n  every = ${every}\n  time = at\n  total: int = sum(units)\n  rows: int = count()\n}`);

const TS = ["at", "t", "window_start", "window_end", "week_start"];

describe("aggregate with every: hopping windows on a table", () => {
  it("epoch-aligned windows, a row on a boundary, keys with gaps and a null time", async () => {
    const src = hopping("14d", "7d");
    const sales = [
      { k: "a", units: 1, at: "2024-01-04 00:00:00" }, // on a boundary: first in [01-04, 01-18), last in [12-28, 01-11)
      { k: "a", units: 2, at: "2024-01-10 23:59:59" },
      { k: "a", units: 4, at: "2024-01-11 00:00:00" }, // [12-28, 01-11) ends here: not in it
      { k: "a", units: 8, at: "2024-02-01 12:00:00" }, // nothing in [01-18, 02-01): no row for that window
      { k: "b", units: 16, at: "2024-01-03 23:59:59" },
      { k: "b", units: 32, at: null }, // in no window
    ];
    expectRows(
      await db.run(src, { src: sales }),
      [
        { k: "a", window_start: "2023-12-28 00:00:00", window_end: "2024-01-11 00:00:00", total: 3, rows: 2 },
        { k: "a", window_start: "2024-01-04 00:00:00", window_end: "2024-01-18 00:00:00", total: 7, rows: 3 },
        { k: "a", window_start: "2024-01-11 00:00:00", window_end: "2024-01-25 00:00:00", total: 4, rows: 1 },
        { k: "a", window_start: "2024-01-25 00:00:00", window_end: "2024-02-08 00:00:00", total: 8, rows: 1 },
        { k: "a", window_start: "2024-02-01 00:00:00", window_end: "2024-02-15 00:00:00", total: 8, rows: 1 },
        { k: "b", window_start: "2023-12-21 00:00:00", window_end: "2024-01-04 00:00:00", total: 16, rows: 1 },
        { k: "b", window_start: "2023-12-28 00:00:00", window_end: "2024-01-11 00:00:00", total: 16, rows: 1 },
      ],
      TS,
    );
    expectSameShape(src);
  });

  it("every larger than window leaves gaps: rows between windows are in none", async () => {
    const src = hopping("1d", "7d");
    const sales = [
      { k: "a", units: 1, at: "2024-01-04 00:00:00" },
      { k: "a", units: 2, at: "2024-01-04 23:59:59" },
      { k: "a", units: 4, at: "2024-01-05 00:00:00" }, // the window [01-04, 01-05) has ended
      { k: "a", units: 8, at: "2024-01-11 06:00:00" },
    ];
    expectRows(
      await db.run(src, { src: sales }),
      [
        { k: "a", window_start: "2024-01-04 00:00:00", window_end: "2024-01-05 00:00:00", total: 3, rows: 2 },
        { k: "a", window_start: "2024-01-11 00:00:00", window_end: "2024-01-12 00:00:00", total: 8, rows: 1 },
      ],
      TS,
    );
    expectSameShape(src, { flink: false });
  });

  it("every not dividing window: a row is in the windows that reach it, not in every hop back", async () => {
    const src = hopping("3d", "2d");
    const sales = [
      { k: "a", units: 1, at: "2024-01-04 00:00:00" }, // in [01-02, 01-05) and [01-04, 01-07)
      { k: "a", units: 2, at: "2024-01-05 12:00:00" }, // in [01-04, 01-07) only: [01-02, 01-05) has ended
    ];
    expectRows(
      await db.run(src, { src: sales }),
      [
        { k: "a", window_start: "2024-01-02 00:00:00", window_end: "2024-01-05 00:00:00", total: 1, rows: 1 },
        { k: "a", window_start: "2024-01-04 00:00:00", window_end: "2024-01-07 00:00:00", total: 3, rows: 2 },
      ],
      TS,
    );
    expectSameShape(src, { flink: false });
  });

  it("sub-day windows are aligned to the epoch too", async () => {
    const src = hopping("2h", "1h");
    const sales = [{ k: "a", units: 1, at: "2024-01-04 10:30:00" }];
    expectRows(
      await db.run(src, { src: sales }),
      [
        { k: "a", window_start: "2024-01-04 09:00:00", window_end: "2024-01-04 11:00:00", total: 1, rows: 1 },
        { k: "a", window_start: "2024-01-04 10:00:00", window_end: "2024-01-04 12:00:00", total: 1, rows: 1 },
      ],
      TS,
    );
    expectSameShape(src);
  });

  it("hopping windows over hopping windows: the input's window columns make way for the new ones", async () => {
    const src = program(
      SALES,
      `aggregate weekly(src) {\n  by k\n  window = 7d\n  every = 7d\n  time = at\n  total: int = sum(units)\n}\n\naggregate out(weekly) {\n  by k\n  window = 14d\n  every = 7d\n  time = window_end\n  total: int = sum(total)\n  weeks: int = count()\n  first: timestamp = min(window_start)\n}`,
    );
    const sales = [
      { k: "a", units: 1, at: "2024-01-04 00:00:00" }, // weekly [01-04, 01-11)
      { k: "a", units: 2, at: "2024-01-12 00:00:00" }, // weekly [01-11, 01-18)
    ];
    // Timed by window_end: 01-11 is in [01-04, 01-18) and [01-11, 01-25); 01-18 in [01-11, 01-25) and [01-18, 02-01).
    expectRows(
      await db.run(src, { src: sales }),
      [
        { k: "a", window_start: "2024-01-04 00:00:00", window_end: "2024-01-18 00:00:00", total: 1, weeks: 1, first: "2024-01-04 00:00:00" },
        { k: "a", window_start: "2024-01-11 00:00:00", window_end: "2024-01-25 00:00:00", total: 3, weeks: 2, first: "2024-01-04 00:00:00" },
        { k: "a", window_start: "2024-01-18 00:00:00", window_end: "2024-02-01 00:00:00", total: 2, weeks: 1, first: "2024-01-11 00:00:00" },
      ],
      [...TS, "first"],
    );
    expectSameShape(src);
  });

  it("Spark groups window(time, size, slide), or a tumbling window(time, every) when every > window", () => {
    const hop = (src: string) => lowerAll(compile(src), SPARK)[0]!.views[0]!.query;
    expect(hop(hopping("14d", "7d"))).toContain("FROM (SELECT *, window(`at`, '14 days', '7 days') AS `__mlp_window` FROM `src`) AS `__mlp_hop`");
    expect(hop(hopping("14d", "7d"))).not.toContain("WHERE");
    expect(hop(hopping("90m", "30m"))).toContain("window(`at`, '90 minutes', '30 minutes')");
    const gaps = hop(hopping("1d", "7d"));
    expect(gaps).toContain("window(`at`, '7 days') AS `__mlp_window`");
    expect(gaps).toContain("WHERE `at` < `__mlp_window`.`start` + INTERVAL '1' DAY");
  });
});

// ---------- asof joins ----------

const FEATURES = `schema F {
  k: string
  t: timestamp
  f: int
}

source feats: Table<F> {
  uri    = "data/f.parquet"
  format = parquet
}

cleanse fr(feats) {
  dedupe by k, t
}

`;

const LABELS = `  k:  string\n  at: timestamp\n  v:  int`;

const asof = (type: "left" | "inner", within?: string) =>
  program(LABELS, `join out(src, fr) {\n  on = k\n  asof = at >= t\n${within ? `  within = ${within}\n` : ""}  type = ${type}\n}`, FEATURES);

const feats = [
  { k: "a", t: "2024-01-01 00:00:00", f: 10 },
  { k: "a", t: "2024-01-05 00:00:00", f: 20 },
  { k: "a", t: "2024-01-10 00:00:00", f: 30 },
  { k: "a", t: "2024-01-12 00:00:00", f: 40 },
  { k: "b", t: "2023-12-01 00:00:00", f: 50 },
];

const labels = [
  { k: "a", at: "2024-01-10 00:00:00", v: 1 }, // equal times match
  { k: "a", at: "2024-01-10 00:00:00", v: 1 }, // an identical left row is kept as often as it comes
  { k: "a", at: "2024-01-09 00:00:00", v: 2 }, // the latest of several earlier rows (01-05, not 01-01)
  { k: "a", at: "2023-12-31 00:00:00", v: 3 }, // nothing at or before it
  { k: "b", at: "2024-01-10 00:00:00", v: 4 }, // its only match is 40 days old
  { k: "c", at: "2024-01-10 00:00:00", v: 5 }, // no right row with its key
  { k: "a", at: "2024-01-19 00:00:00", v: 6 }, // 01-12 is exactly 7 days old
  { k: "a", at: "2024-01-19 00:00:01", v: 7 }, // 01-12 is a second more than 7 days old
];

const matched = [
  { k: "a", at: "2024-01-10 00:00:00", v: 1, t: "2024-01-10 00:00:00", f: 30 },
  { k: "a", at: "2024-01-10 00:00:00", v: 1, t: "2024-01-10 00:00:00", f: 30 },
  { k: "a", at: "2024-01-09 00:00:00", v: 2, t: "2024-01-05 00:00:00", f: 20 },
  { k: "a", at: "2024-01-19 00:00:00", v: 6, t: "2024-01-12 00:00:00", f: 40 },
];
const unmatched = [
  { k: "a", at: "2023-12-31 00:00:00", v: 3, t: null, f: null },
  { k: "c", at: "2024-01-10 00:00:00", v: 5, t: null, f: null },
];

/** The rows of `src` on DuckDB's ASOF JOIN and on Spark's ranked join run by DuckDB: both must be `expected`. */
async function expectAsof(src: string, expected: Row[]): Promise<void> {
  const inputs = { src: labels, feats };
  expectRows(await db.run(src, inputs), expected, TS);
  expectRows(await db.run(src, inputs, { dialect: DUCKDB_RANKED }), expected, TS);
  expectSameShape(src);
}

describe("join with asof", () => {
  it("type = left: the latest right row at or before each left row, nulls without one", async () => {
    await expectAsof(asof("left"), [
      ...matched,
      ...unmatched,
      { k: "b", at: "2024-01-10 00:00:00", v: 4, t: "2023-12-01 00:00:00", f: 50 },
      { k: "a", at: "2024-01-19 00:00:01", v: 7, t: "2024-01-12 00:00:00", f: 40 },
    ]);
  });

  it("within: a match older than the left time minus within is no match, and the row stays (left)", async () => {
    await expectAsof(asof("left", "7d"), [
      ...matched,
      ...unmatched,
      { k: "b", at: "2024-01-10 00:00:00", v: 4, t: null, f: null },
      { k: "a", at: "2024-01-19 00:00:01", v: 7, t: null, f: null },
    ]);
  });

  it("type = inner drops the left rows without a match", async () => {
    await expectAsof(asof("inner"), [
      ...matched,
      { k: "b", at: "2024-01-10 00:00:00", v: 4, t: "2023-12-01 00:00:00", f: 50 },
      { k: "a", at: "2024-01-19 00:00:01", v: 7, t: "2024-01-12 00:00:00", f: 40 },
    ]);
  });

  it("type = inner with within drops stale matches too", async () => {
    await expectAsof(asof("inner", "7d"), matched);
  });

  it("the right side nullable for a left join, as the checker types it", () => {
    const out = lowerAll(compile(asof("left")), SPARK).at(-1)!.out;
    expect(out.columns.map((c) => [c.name, c.type.nullable])).toEqual([
      ["k", false],
      ["at", false],
      ["v", false],
      ["t", true],
      ["f", true],
    ]);
  });

  it("joined to hopping windows: each label meets the window that ended last at or before it", async () => {
    const src = program(
      `  k:     string\n  units: int\n  at:    timestamp`,
      `aggregate s14(src) {
  by k
  window = 14d
  every = 7d
  time = at
  units_14d: int = sum(units)
}

join out(labels, s14) {
  on = k
  asof = week_start >= window_end
  type = left
}`,
      `schema W {\n  k:          string\n  week_start: timestamp\n  y:          int\n}\n\nsource labels: Table<W> {\n  uri    = "data/w.parquet"\n  format = parquet\n}\n\n`,
    );
    const inputs = {
      src: [
        { k: "a", units: 1, at: "2024-01-04 00:00:00" },
        { k: "a", units: 2, at: "2024-01-10 00:00:00" },
      ],
      // Windows of a: [12-28, 01-11) = 3 and [01-04, 01-18) = 3.
      labels: [
        { k: "a", week_start: "2024-01-10 00:00:00", y: 1 },
        { k: "a", week_start: "2024-01-11 00:00:00", y: 2 },
        { k: "a", week_start: "2024-01-17 00:00:00", y: 3 },
        { k: "a", week_start: "2024-01-18 00:00:00", y: 4 },
      ],
    };
    const expected = [
      { k: "a", week_start: "2024-01-10 00:00:00", y: 1, window_start: null, window_end: null, units_14d: null },
      { k: "a", week_start: "2024-01-11 00:00:00", y: 2, window_start: "2023-12-28 00:00:00", window_end: "2024-01-11 00:00:00", units_14d: 3 },
      { k: "a", week_start: "2024-01-17 00:00:00", y: 3, window_start: "2023-12-28 00:00:00", window_end: "2024-01-11 00:00:00", units_14d: 3 },
      { k: "a", week_start: "2024-01-18 00:00:00", y: 4, window_start: "2024-01-04 00:00:00", window_end: "2024-01-18 00:00:00", units_14d: 3 },
    ];
    expectRows(await db.run(src, inputs), expected, TS);
    expectRows(await db.run(src, inputs, { dialect: DUCKDB_RANKED }), expected, TS);
    expectSameShape(src);
  });
});

// ---------- dedupe keep earliest ----------

describe("dedupe keep earliest", () => {
  const S = `  k:  string\n  at: timestamp?\n  n:  int`;
  const input = [
    { k: "a", at: "2024-01-02 00:00:00", n: 1 },
    { k: "a", at: "2024-01-01 00:00:00", n: 2 },
    { k: "a", at: null, n: 3 },
    { k: "b", at: null, n: 4 },
    { k: "b", at: "2024-01-05 00:00:00", n: 5 },
    { k: "c", at: null, n: 6 },
  ];
  const dedupe = (keep: string) => program(S, `cleanse out(src) {\n  dedupe by k keep ${keep} at\n}`);

  it("keeps the smallest time per key, a null time only when there is no other", async () => {
    expectRows(
      await db.run(dedupe("earliest"), { src: input }),
      [
        { k: "a", at: "2024-01-01 00:00:00", n: 2 },
        { k: "b", at: "2024-01-05 00:00:00", n: 5 },
        { k: "c", at: null, n: 6 },
      ],
      TS,
    );
    expectSameShape(dedupe("earliest"));
  });

  it("keep latest on the same rows keeps the greatest", async () => {
    expectRows(
      await db.run(dedupe("latest"), { src: input }),
      [
        { k: "a", at: "2024-01-02 00:00:00", n: 1 },
        { k: "b", at: "2024-01-05 00:00:00", n: 5 },
        { k: "c", at: null, n: 6 },
      ],
      TS,
    );
  });

  it("on a stream (Flink): ordered by the column ascending", () => {
    const views = lowerAll(compile(dedupe("earliest")), FLINK, true).flatMap((s) => s.views);
    expect(views.map((v) => v.query).join("\n")).toContain("ROW_NUMBER() OVER (PARTITION BY `k` ORDER BY `at` ASC)");
  });
});

// ---------- where the targets put it ----------

describe("the targets", () => {
  const fixture = "test/fixtures/targets/point_in_time.mlp";

  it("a stream never gets hopping windows or as-of joins: the SQL lowering refuses them", () => {
    // The checker rejects both on streams; a graph that has them anyway must not lose them silently.
    expect(() => lowerAll(compile(hopping("14d", "7d")), FLINK, true)).toThrow(/`every` hops a look-back window on a table; a stream has none/);
    expect(() => lowerAll(compile(asof("left")), FLINK, true)).toThrow(/a stream is not as-of joined/);
  });

  it("Flink's HOP refuses a window that is not a whole number of hops", () => {
    expect(() => lowerAll(compile(hopping("3d", "2d")), FLINK)).toThrow(/whole number of `every`/);
    expect(lowerAll(compile(hopping("14d", "7d")), FLINK)[0]!.views[0]!.query).toContain("FROM TABLE(HOP(TABLE `src`, DESCRIPTOR(`at`), INTERVAL '7' DAY, INTERVAL '14' DAY))");
  });

  it("AWS Glue runs the Spark target's SQL of each step, as-of joins and hopping windows included", () => {
    const { ir, errors } = compileIr(fixture);
    expect(errors).toEqual([]);
    const spark = new Map(emitSpark({ ir, variants: [] }).map((f) => [f.path, f.contents]));
    const aws = emitAws({ ir, variants: [] })
      .map((f) => f.contents)
      .join("\n");
    for (const [step, marker] of [
      ["sales_28d.sql", "window(`sold_at`, '28 days', '7 days')"],
      ["monday_sales.sql", "window(`sold_at`, '7 days')"],
      ["training_rows.sql", "RANK() OVER (PARTITION BY `l`.`store_sku`, `l`.`week_start`, `l`.`units_next` ORDER BY `r`.`window_end` DESC NULLS LAST)"],
      ["first_sales.sql", "ORDER BY `sold_at` ASC NULLS LAST"],
    ] as const) {
      expect(spark.get(step), step).toContain(marker);
      expect(aws, step).toContain(marker);
    }
  });
});
