// `mlp run` and `mlp show` as users run them (the built bundle in a child process) on data
// pipelines: the run folder and run.json, the cache, --until/--only/--no-cache/--resume,
// sources that break their schema, and show's three formats. Model steps: run-models.test.ts.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { events, mlp, statuses } from "../run-helpers";

let tmp = "";
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), "mlp-run-"));
});
afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

const SALES = `store,amount,sold_at,kind
a,10.5,2026-11-29 10:00:00,web
a,,2026-11-29 11:00:00,shop
b,7,2026-11-20 10:00:00,web
b,3,2026-11-29T12:00:00Z,shop
c,1,2026-11-01 00:00:00,web
`;

const PIPELINE = `pipeline shop {}
schema Sale {
  store:   string
  amount:  float?
  sold_at: timestamp
  kind:    enum(web, shop)
}
source sales: Table<Sale> {
  uri    = "s3://lake/sales/"
  format = parquet
}
cleanse clean(sales) {
  fill   amount = 0.0
  derive big = amount > 5.0
}
aggregate last_week(clean) {
  by     store
  window = 7d
  total: float = sum(amount)
  n:     int   = count()
}
split halves(clean) {
  train = 0.5
  test  = 0.5
  by    = store
}
target local {
  sources = { sales: "data/sales.csv" }
  now     = "2026-11-30T00:00:00Z"
}
`;

function project(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmp, "p-"));
  mkdirSync(join(dir, "data"));
  writeFileSync(join(dir, "data/sales.csv"), SALES);
  writeFileSync(join(dir, "shop.mlp"), PIPELINE);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const runJsonOf = (dir: string, run: string) => JSON.parse(readFileSync(join(dir, ".mlp/runs", run, "run.json"), "utf8"));

describe("mlp run: data steps", { timeout: 120_000 }, () => {
  it("runs every step, writes one parquet per port and a run.json, then reuses everything", async () => {
    const dir = project();
    const first = await mlp(["run", "shop.mlp", "--format", "json"], dir);
    expect(first.status).toBe(0);
    expect(statuses(first)).toEqual({ sales: "ok", clean: "ok", last_week: "ok", halves: "ok" });
    const run = String(events(first)[0]!.run);
    const record = runJsonOf(dir, run);
    expect(record.status).toBe("succeeded");
    expect(record.clock).toBe("2026-11-30T00:00:00.000Z");
    const byId = Object.fromEntries(record.steps.map((s: { id: string }) => [s.id, s]));
    expect(byId.sales.outputs.out.rows).toBe(5);
    expect(byId.last_week.outputs.out.rows).toBe(2); // c's only sale is older than 7 days
    expect(Object.keys(byId.halves.outputs).sort()).toEqual(["test", "train"]);
    expect(byId.halves.outputs.train.rows + byId.halves.outputs.test.rows).toBe(5);
    // Lineage: each step names the fingerprints of the outputs it read.
    expect(byId.clean.inputs).toEqual([{ port: "data", step: "sales", from_port: "out", fingerprint: byId.sales.fingerprint }]);
    expect(existsSync(join(dir, ".mlp", byId.clean.outputs.out.path))).toBe(true);

    const second = await mlp(["run", "shop.mlp", "--format", "json"], dir);
    expect(second.status).toBe(0);
    expect(statuses(second)).toEqual({ sales: "cached", clean: "cached", last_week: "cached", halves: "cached" });
    expect(events(second).find((e) => e.step === "clean")!.cached_from).toBe(run);
  });

  it("redoes what changed: data, a step's definition; --no-cache and --only redo on request", async () => {
    const dir = project();
    await mlp(["run", "shop.mlp"], dir);
    writeFileSync(join(dir, "data/sales.csv"), SALES + "c,2,2026-11-29 00:00:00,shop\n");
    expect(statuses(await mlp(["run", "shop.mlp", "--format", "json"], dir))).toEqual({ sales: "ok", clean: "ok", last_week: "ok", halves: "ok" });
    // A comment or a moved line is no change; a new aggregate column is.
    writeFileSync(join(dir, "shop.mlp"), "// moved\n" + PIPELINE.replace("n:     int   = count()", "n:     int   = count()\n  most:  float = max(amount)"));
    expect(statuses(await mlp(["run", "shop.mlp", "--format", "json"], dir))).toEqual({ sales: "cached", clean: "cached", last_week: "ok", halves: "cached" });
    expect(statuses(await mlp(["run", "shop.mlp", "--format", "json", "--only", "clean"], dir))).toEqual({ sales: "cached", clean: "ok" });
    expect(statuses(await mlp(["run", "shop.mlp", "--format", "json", "--until", "last_week", "--no-cache"], dir))).toEqual({ sales: "ok", clean: "ok", last_week: "ok" });
  });

  it("reads a data file again when it was rewritten within one timestamp tick (same size, same modification time)", async () => {
    const dir = project();
    const data = join(dir, "data/sales.csv");
    // A coarse clock: both writes get the same whole second, which is not yet past.
    const tick = Math.ceil(Date.now() / 1000) + 1;
    utimesSync(data, tick, tick);
    expect(statuses(await mlp(["run", "shop.mlp", "--format", "json"], dir)).sales).toBe("ok");
    writeFileSync(data, SALES.replace("a,10.5,", "a,10.6,"));
    utimesSync(data, tick, tick);
    expect(statuses(await mlp(["run", "shop.mlp", "--format", "json"], dir))).toEqual({ sales: "ok", clean: "ok", last_week: "ok", halves: "ok" });
  });

  it("stops on the first row that breaks the schema, naming file, line, column and value; --resume redoes the rest", async () => {
    const cases: [string, RegExp][] = [
      ["a,1,2026-11-29 10:00:00,phone\n", /sales: data\/sales\.csv line 7: column kind "phone" is not one of web, shop/],
      ["a,1,yesterday,web\n", /sales: data\/sales\.csv line 7: column sold_at "yesterday" is not a timestamp/],
      ["a,1,,web\n", /sales: data\/sales\.csv line 7: column sold_at is empty, but Sale declares it non-null/],
      ["a,ten,2026-11-29 10:00:00,web\n", /column amount "ten" is not a number/],
    ];
    for (const [row, message] of cases) {
      const dir = project();
      writeFileSync(join(dir, "data/sales.csv"), SALES + row);
      const r = await mlp(["run", "shop.mlp", "--format", "json"], dir);
      expect(r.status).toBe(1);
      const failed = events(r).find((e) => e.status === "failed")!;
      expect(failed.step).toBe("sales");
      expect(String(failed.error)).toMatch(message);
      expect(statuses(r)).toEqual({ sales: "failed", clean: "skipped", last_week: "skipped", halves: "skipped" });
      const run = String(events(r)[0]!.run);
      expect(runJsonOf(dir, run).status).toBe("failed");
      // Fixed data, same run: only the failed and skipped steps run.
      writeFileSync(join(dir, "data/sales.csv"), SALES);
      const resumed = await mlp(["run", "shop.mlp", "--format", "json", "--resume", run], dir);
      expect(resumed.status).toBe(0);
      expect(events(resumed)[0]!.run).toBe(run);
      expect(runJsonOf(dir, run).status).toBe("succeeded");
    }
  });

  it("says how to bind a source with no local file, and refuses an unknown one", async () => {
    const dir = project();
    writeFileSync(join(dir, "shop.mlp"), PIPELINE.replace('sources = { sales: "data/sales.csv" }', ""));
    const r = await mlp(["run", "shop.mlp", "--format", "json"], dir);
    expect(r.status).toBe(1);
    expect(String(events(r).find((e) => e.step === "sales")!.error)).toMatch(/no local data for this source \(it reads s3:\/\/lake\/sales\/\); bind a file with --source sales=PATH/);
    const bound = await mlp(["run", "shop.mlp", "--source", "sales=data/sales.csv"], dir);
    expect(bound.status).toBe(0);
    const wrong = await mlp(["run", "shop.mlp", "--source", "sale=data/sales.csv"], dir);
    expect(wrong.status).toBe(2);
    expect(wrong.stderr).toBe("mlp: --source binds sale, but the pipeline has no source sale (sources: sales)\n");
    const missing = await mlp(["run", "shop.mlp", "--source", "sales=data/none.csv", "--format", "json"], dir);
    expect(String(events(missing).find((e) => e.step === "sales")!.error)).toBe("sales: no such file data/none.csv");
  });

  it("names an unknown step or run in one line (exit 2)", async () => {
    const dir = project();
    const until = await mlp(["run", "shop.mlp", "--until", "nope"], dir);
    expect(until.status).toBe(2);
    expect(until.stderr).toBe("mlp: the pipeline has no step nope (steps: sales, clean, last_week, halves)\n");
    const resume = await mlp(["run", "shop.mlp", "--resume", "20260101-000000-0000"], dir);
    expect(resume.status).toBe(2);
    expect(resume.stderr).toMatch(/^mlp: no run 20260101-000000-0000 in .*\.mlp\n$/);
  });

  it("refuses a file with errors before running anything", async () => {
    const dir = project();
    writeFileSync(join(dir, "shop.mlp"), PIPELINE.replace("by     store", "by     stor"));
    const r = await mlp(["run", "shop.mlp"], dir);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("unknown column `stor`");
    expect(existsSync(join(dir, ".mlp/runs"))).toBe(false);
  });

  it("replays a stream file in event-time order into tumbling windows aligned to the epoch", async () => {
    const dir = project({
      "clicks.mlp": `pipeline clicks {}
schema Click { user: string  at: timestamp }
source clicks: Stream<Click> { topic = "clicks"  format = json  event_time = at  lateness = 1m }
aggregate per_minute(clicks) {
  by     user
  window = 1m
  n: int = count()
}
target local { sources = { clicks: "data/clicks.jsonl" } }
`,
    });
    writeFileSync(
      join(dir, "data/clicks.jsonl"),
      ['{"user":"u","at":"2026-11-30 10:00:59"}', '{"user":"u","at":"2026-11-30 10:00:01"}', '{"user":"v","at":"2026-11-30 10:01:00"}', '{"user":"u","at":"2026-11-30 10:01:30"}'].join("\n") + "\n",
    );
    const r = await mlp(["run", "clicks.mlp"], dir);
    expect(r.status).toBe(0);
    const shown = await mlp(["show", "clicks.mlp", "per_minute", "--format", "json"], dir);
    const rows = (JSON.parse(shown.stdout) as Record<string, unknown>[]).sort((a, b) => String(a.window_start).localeCompare(String(b.window_start)) || String(a.user).localeCompare(String(b.user)));
    expect(rows).toEqual([
      { user: "u", n: 2, window_start: "2026-11-30T10:00:00Z", window_end: "2026-11-30T10:01:00Z" },
      { user: "u", n: 1, window_start: "2026-11-30T10:01:00Z", window_end: "2026-11-30T10:02:00Z" },
      { user: "v", n: 1, window_start: "2026-11-30T10:01:00Z", window_end: "2026-11-30T10:02:00Z" },
    ]);
  });
});

describe("split", { timeout: 60_000 }, () => {
  it("puts every row on exactly one side, all rows of a `by` value together, the same way every run", async () => {
    const dir = project();
    const many = ["store,amount,sold_at,kind", ...Array.from({ length: 400 }, (_, i) => `s${i % 40},${i},2026-11-29 10:00:00,web`)].join("\n") + "\n";
    writeFileSync(join(dir, "data/sales.csv"), many);
    expect((await mlp(["run", "shop.mlp", "--until", "halves"], dir)).status).toBe(0);
    const side = async (port: string) => JSON.parse((await mlp(["show", "shop.mlp", `halves.${port}`, "--format", "json", "--limit", "1000"], dir)).stdout) as { store: string; amount: number }[];
    const [train, test] = [await side("train"), await side("test")];
    expect(train.length + test.length).toBe(400);
    const trainStores = new Set(train.map((r) => r.store));
    for (const r of test) expect(trainStores.has(r.store)).toBe(false);
    // Roughly half of the 40 stores on each side.
    expect(trainStores.size).toBeGreaterThan(10);
    expect(trainStores.size).toBeLessThan(30);
    expect((await mlp(["run", "shop.mlp", "--until", "halves", "--no-cache"], dir)).status).toBe(0);
    expect(new Set((await side("train")).map((r) => r.store))).toEqual(trainStores);
  });
});

describe("mlp show", { timeout: 60_000 }, () => {
  it("prints a step's rows as a table, CSV or JSON from the latest run", async () => {
    const dir = project();
    await mlp(["run", "shop.mlp"], dir);
    const json = await mlp(["show", "shop.mlp", "clean", "--format", "json", "--limit", "2"], dir);
    expect(json.status).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual([
      { store: "a", amount: 10.5, sold_at: "2026-11-29T10:00:00Z", kind: "web", big: true },
      { store: "a", amount: 0, sold_at: "2026-11-29T11:00:00Z", kind: "shop", big: false },
    ]);
    const csv = await mlp(["show", "shop.mlp", "last_week", "--format", "csv"], dir);
    expect(csv.stdout.split("\n")[0]).toBe("store,total,n");
    expect(csv.stdout.trim().split("\n").slice(1).sort()).toEqual(["a,10.5,2", "b,3,1"].sort());
    const table = await mlp(["show", "shop.mlp", "halves.test"], dir);
    expect(table.stdout.split("\n")[0]).toMatch(/^store\s+amount\s+sold_at\s+kind\s+big$/);
    const none = await mlp(["show", "shop.mlp", "halves.nope"], dir);
    expect(none.status).toBe(2);
    expect(none.stderr).toMatch(/halves has no rows to show on port nope \(ports: train, test\)/);
  });

  it("says when nothing has run yet", async () => {
    const dir = project();
    const r = await mlp(["show", "shop.mlp", "clean"], dir);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe("mlp: no run has produced clean yet; run it first: mlp run shop.mlp --until clean\n");
  });
});

describe("the run folder", { timeout: 60_000 }, () => {
  it("keeps every run apart: a later run never rewrites an earlier one's files", async () => {
    const dir = project();
    await mlp(["run", "shop.mlp"], dir);
    const runs = () => readdirSync(join(dir, ".mlp/runs")).sort();
    const [first] = runs();
    const before = readFileSync(join(dir, ".mlp/runs", first!, "run.json"), "utf8");
    await mlp(["run", "shop.mlp", "--no-cache"], dir);
    expect(runs()).toHaveLength(2);
    expect(readFileSync(join(dir, ".mlp/runs", first!, "run.json"), "utf8")).toBe(before);
  });
});
