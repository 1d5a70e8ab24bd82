// cleanse on DuckDB: each operation on tiny rows, against rows written by hand from the
// language reference (language/REFERENCE.md, cleanse), and the same plan in Spark and Flink.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Duck, expectRows, expectSameShape, program } from "./harness";

let db: Duck;
beforeAll(async () => {
  db = await Duck.open();
});
afterAll(() => {});

const S = `  id:    string
  n:     int?
  x:     float
  plan:  enum(free, pro)
  at:    timestamp
  ok:    bool?`;

const input = [
  { id: "a", n: 1, x: 1.5, plan: "free", at: "2024-01-01 10:00:00", ok: true },
  { id: "b", n: null, x: -2.0, plan: "pro", at: "2024-01-02 11:30:00", ok: false },
  { id: "c", n: 3, x: 0.25, plan: "pro", at: "2024-01-03 00:00:00.250", ok: null },
];

const cases: { name: string; steps: string; expected: Record<string, unknown>[]; ts?: string[] }[] = [
  {
    name: "filter keeps rows where the condition is true (a null condition drops the row)",
    steps: `cleanse out(src) {\n  filter n > 1 or ok\n}`,
    // a: n>1 false, ok true -> true; b: null or false -> null (dropped); c: true or null -> true.
    expected: [input[0]!, input[2]!],
    ts: ["at"],
  },
  {
    name: "filter on an enum compared with a member",
    steps: `cleanse out(src) {\n  filter plan == "pro"\n}`,
    expected: [input[1]!, input[2]!],
    ts: ["at"],
  },
  {
    name: "filter is not null",
    steps: `cleanse out(src) {\n  filter ok is not null and n is not null\n}`,
    expected: [input[0]!],
    ts: ["at"],
  },
  {
    name: "fill replaces nulls only",
    steps: `cleanse out(src) {\n  fill n = 0\n  fill ok = false\n}`,
    expected: [input[0]!, { ...input[1]!, n: 0 }, { ...input[2]!, ok: false }],
    ts: ["at"],
  },
  {
    name: "drop removes columns",
    steps: `cleanse out(src) {\n  drop x, at, ok\n}`,
    expected: [
      { id: "a", n: 1, plan: "free" },
      { id: "b", n: null, plan: "pro" },
      { id: "c", n: 3, plan: "pro" },
    ],
  },
  {
    name: "rename keeps the position",
    steps: `cleanse out(src) {\n  rename n -> count\n  drop x, at, ok, plan\n}`,
    expected: [
      { id: "a", count: 1 },
      { id: "b", count: null },
      { id: "c", count: 3 },
    ],
  },
  {
    name: "cast int -> float and float -> int (SQL casts; keeps nulls)",
    steps: `cleanse out(src) {\n  cast n as float\n  cast x as int\n  drop at, ok, plan\n}`,
    // float -> int truncates toward zero, as Spark and Flink do: 1.5 -> 1, -2.0 -> -2, 0.25 -> 0.
    expected: [
      { id: "a", n: 1, x: 1 },
      { id: "b", n: null, x: -2 },
      { id: "c", n: 3, x: 0 },
    ],
  },
  {
    name: "cast bool -> string, timestamp -> date",
    steps: `cleanse out(src) {\n  cast ok as string\n  cast at as date\n  drop n, x, plan\n}`,
    expected: [
      { id: "a", at: "2024-01-01", ok: "true" },
      { id: "b", at: "2024-01-02", ok: "false" },
      { id: "c", at: "2024-01-03", ok: null },
    ],
  },
  {
    name: "fill an enum with a member, cast to a nullable type",
    steps: `cleanse out(src) {\n  derive p = if(x > 0.0, plan, null)\n  fill p = "free"\n  cast n as float?\n  drop at, ok, plan, x\n}`,
    expected: [
      { id: "a", n: 1, p: "free" },
      { id: "b", n: null, p: "free" },
      { id: "c", n: 3, p: "pro" },
    ],
  },
  {
    name: "cast to string: ints, floats and timestamps as text",
    steps: `cleanse out(src) {\n  cast n as string\n  cast x as string\n  cast at as string\n  drop ok, plan\n}`,
    expected: [
      { id: "a", n: "1", x: "1.5", at: "2024-01-01 10:00:00.000" },
      { id: "b", n: null, x: "-2.0", at: "2024-01-02 11:30:00.000" },
      { id: "c", n: "3", x: "0.25", at: "2024-01-03 00:00:00.250" },
    ],
  },
  {
    name: "derive appends a new column",
    steps: `cleanse out(src) {\n  derive y = x * 2.0\n  drop at, ok, plan, n\n}`,
    expected: [
      { id: "a", x: 1.5, y: 3.0 },
      { id: "b", x: -2.0, y: -4.0 },
      { id: "c", x: 0.25, y: 0.5 },
    ],
  },
  {
    name: "derive replaces a column in place",
    steps: `cleanse out(src) {\n  derive n = n + 10\n  drop at, ok, plan, x\n}`,
    expected: [
      { id: "a", n: 11 },
      { id: "b", n: null },
      { id: "c", n: 13 },
    ],
  },
  {
    name: "ordered operations see the schema left by the ones before",
    steps: `cleanse out(src) {\n  fill n = 5\n  derive m = n * 2\n  filter m > 4\n  rename m -> twice\n  drop x, at, ok, plan\n}`,
    expected: [
      { id: "b", n: 5, twice: 10 },
      { id: "c", n: 3, twice: 6 },
    ],
  },
];

describe("cleanse on DuckDB", () => {
  for (const c of cases)
    it(c.name, async () => {
      const src = program(S, c.steps);
      expectRows(await db.run(src, { src: input }), c.expected, c.ts);
      expectSameShape(src);
    });
});

describe("dedupe", () => {
  const D = `  k:  string\n  v:  int\n  at: timestamp?`;
  const rowsD = [
    { k: "a", v: 1, at: "2024-01-01 00:00:00" },
    { k: "a", v: 2, at: "2024-01-03 00:00:00" },
    { k: "a", v: 3, at: null },
    { k: "b", v: 4, at: null },
    { k: "c", v: 5, at: "2024-01-01 00:00:00" },
    { k: "c", v: 5, at: "2024-01-01 00:00:00" },
  ];

  it("keep latest COL keeps the row with the greatest COL (nulls last)", async () => {
    const src = program(D, `cleanse out(src) {\n  dedupe by k keep latest at\n}`);
    expectRows(
      await db.run(src, { src: rowsD }),
      [
        { k: "a", v: 2, at: "2024-01-03 00:00:00" },
        { k: "b", v: 4, at: null },
        { k: "c", v: 5, at: "2024-01-01 00:00:00" },
      ],
      ["at"],
    );
    expectSameShape(src);
  });

  it("without keep latest keeps one row per key (which one is unspecified)", async () => {
    const src = program(D, `cleanse out(src) {\n  dedupe by k\n}`);
    const got = await db.run(src, { src: rowsD });
    expect(got.map((r) => r.k).sort()).toEqual(["a", "b", "c"]);
    for (const r of got) expect(rowsD.some((x) => x.k === r.k && x.v === r.v)).toBe(true);
    expectSameShape(src);
  });

  it("by several columns", async () => {
    const src = program(D, `cleanse out(src) {\n  dedupe by k, v\n  drop at\n}`);
    expectRows(await db.run(src, { src: rowsD }), [
      { k: "a", v: 1 },
      { k: "a", v: 2 },
      { k: "a", v: 3 },
      { k: "b", v: 4 },
      { k: "c", v: 5 },
    ]);
    expectSameShape(src);
  });
});

describe("columns named like SQL keywords and helper columns", () => {
  it("pass through every operation", async () => {
    const src = program(
      `  select: string\n  order:  int\n  __mlp_rank: int\n  __mlp_dedupe: float\n  emb: vector(2)`,
      `cleanse out(src) {\n  dedupe by select keep latest order\n  derive group = order * 2\n  rename __mlp_rank -> where\n  filter __mlp_dedupe > 0.0\n}`,
    );
    const got = await db.run(src, {
      src: [
        { select: "a", order: 1, __mlp_rank: 10, __mlp_dedupe: 1.0, emb: [1, 2] },
        { select: "a", order: 2, __mlp_rank: 20, __mlp_dedupe: 2.0, emb: [3, 4] },
        { select: "b", order: 5, __mlp_rank: 50, __mlp_dedupe: -1.0, emb: [5, 6] },
      ],
    });
    expectRows(got, [{ select: "a", order: 2, where: 20, __mlp_dedupe: 2.0, emb: [3, 4], group: 4 }]);
    expectSameShape(src);
  });
});
