// `mlp run` (the built bundle, as users run it) on a point-in-time pipeline: the local engine
// runs the DuckDB lowering of `keep earliest`, hopping windows and an as-of join with
// `within` over csv files, and `mlp show` prints the rows worked out by hand below.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { mlp } from "../../run-helpers";

const PIPELINE = `pipeline weekly_demand {}

schema Sale {
  sale_id:   string
  store_sku: string
  units:     int
  sold_at:   timestamp
}

schema WeekLabel {
  store_sku:  string
  week_start: timestamp
  units_next: int
}

source sales: Table<Sale> {
  uri    = "s3://retail/sales/"
  format = csv
}

source labels: Table<WeekLabel> {
  uri    = "s3://retail/weekly_labels/"
  format = csv
}

cleanse first_sales(sales) {
  dedupe by sale_id keep earliest sold_at
}

aggregate sales_14d(first_sales) {
  by     store_sku
  window = 14d
  every  = 7d
  time   = sold_at
  units_14d: int = sum(units)
}

join training_rows(labels, sales_14d) {
  on     = store_sku
  asof   = week_start >= window_end
  within = 7d
  type   = left
}

target local {
  sources = { sales: "data/sales.csv", labels: "data/labels.csv" }
}
`;

// s1 is recorded twice: its earliest record (1 unit, 01-04) counts. Windows start on Thursdays
// (2024-01-04 is one): a has [12-28, 01-11) = 3 and [01-04, 01-18) = 3; b has [12-21, 01-04) = 5
// and [12-28, 01-11) = 5.
const SALES = `sale_id,store_sku,units,sold_at
s1,a,1,2024-01-04 00:00:00
s1,a,100,2024-01-05 00:00:00
s2,a,2,2024-01-10 00:00:00
s3,b,5,2024-01-03 12:00:00
`;

const LABELS = `store_sku,week_start,units_next
a,2024-01-10 00:00:00,1
a,2024-01-11 00:00:00,2
a,2024-01-18 00:00:00,3
a,2024-02-01 00:00:00,4
b,2024-01-11 00:00:00,5
c,2024-01-11 00:00:00,6
`;

let tmp = "";
afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

const sorted = (csv: string) => csv.trim().split("\n").slice(1).sort();

it("mlp run computes point-in-time training rows on the local engine", { timeout: 120_000 }, async () => {
  tmp = mkdtempSync(join(tmpdir(), "mlp-pit-"));
  mkdirSync(join(tmp, "data"));
  writeFileSync(join(tmp, "pit.mlp"), PIPELINE);
  writeFileSync(join(tmp, "data/sales.csv"), SALES);
  writeFileSync(join(tmp, "data/labels.csv"), LABELS);
  const run = await mlp(["run", "pit.mlp"], tmp);
  expect(run.status, run.stdout + run.stderr).toBe(0);

  const windows = await mlp(["show", "pit.mlp", "sales_14d", "--format", "csv"], tmp);
  expect(windows.stdout.split("\n")[0]).toBe("store_sku,window_start,window_end,units_14d");
  expect(sorted(windows.stdout)).toEqual([
    "a,2023-12-28T00:00:00Z,2024-01-11T00:00:00Z,3",
    "a,2024-01-04T00:00:00Z,2024-01-18T00:00:00Z,3",
    "b,2023-12-21T00:00:00Z,2024-01-04T00:00:00Z,5",
    "b,2023-12-28T00:00:00Z,2024-01-11T00:00:00Z,5",
  ]);

  const rows = await mlp(["show", "pit.mlp", "training_rows", "--format", "csv"], tmp);
  expect(rows.stdout.split("\n")[0]).toBe("store_sku,week_start,units_next,window_start,window_end,units_14d");
  expect(sorted(rows.stdout)).toEqual([
    "a,2024-01-10T00:00:00Z,1,,,", // no window has ended by then
    "a,2024-01-11T00:00:00Z,2,2023-12-28T00:00:00Z,2024-01-11T00:00:00Z,3", // ended exactly then
    "a,2024-01-18T00:00:00Z,3,2024-01-04T00:00:00Z,2024-01-18T00:00:00Z,3",
    "a,2024-02-01T00:00:00Z,4,,,", // its latest window ended 14 days before: older than within
    "b,2024-01-11T00:00:00Z,5,2023-12-28T00:00:00Z,2024-01-11T00:00:00Z,5",
    "c,2024-01-11T00:00:00Z,6,,,", // no sales
  ]);
});
