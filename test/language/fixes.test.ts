// Fixes attached to diagnostics do what they say: applied to the files, the diagnostic is
// gone and nothing new is wrong.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { checkProgram } from "../../language/checker/program";
import type { Diagnostic, Fix } from "../../language/diagnostics/diagnostic";

const FIXTURES = fileURLToPath(new URL("../fixtures/check/", import.meta.url));

/** The files with a fix's edits applied (from the end, so earlier offsets hold). */
function apply(texts: Record<string, string>, fix: Fix): Record<string, string> {
  const out = { ...texts };
  const edits = [...fix.edits].sort((a, b) => b.span.start - a.span.start);
  for (const e of edits) out[e.file] = out[e.file]!.slice(0, e.span.start) + e.text + out[e.file]!.slice(e.span.end);
  return out;
}

const key = (d: Diagnostic) => `${d.code} ${d.file} ${d.message}`;

describe("fixes", () => {
  it("the leakage warning's fix computes the features every week and joins them as of each row's time", () => {
    const entry = join(FIXTURES, "leakage.mlp");
    const lib = join(FIXTURES, "lib", "features_now.mlp");
    const texts: Record<string, string> = { [entry]: readFileSync(entry, "utf8"), [lib]: readFileSync(lib, "utf8") };
    const check = (t: Record<string, string>) => checkProgram(entry, { read: (p) => t[p] ?? readFileSync(p, "utf8") }).diagnostics;
    const before = check(texts);
    const leaks = before.filter((d) => d.code === "MLP0606");
    expect(leaks.length).toBeGreaterThan(1);
    let fixed = 0;
    for (const d of leaks) {
      if (!d.fixes) continue;
      fixed++;
      const after = apply(texts, d.fixes[0]!);
      const now = check(after);
      // This leak is gone, no other diagnostic is new, and nothing is an error.
      expect(now.map(key)).not.toContain(key(d));
      const known = new Set(before.map(key));
      expect(now.filter((x) => !known.has(key(x))).map(key)).toEqual([]);
      expect(now.filter((x) => x.severity === "error")).toEqual([]);
    }
    expect(fixed).toBeGreaterThan(0);
  });

  it("writes the new lines aligned with the ones above them", () => {
    const text = `pipeline p {}
schema Sale {
  sku:     string
  units:   int
  sold_at: timestamp
}
schema Label {
  sku:  string
  week: timestamp
  next: int
}
source sales: Table<Sale> {
  uri    = "s3://s/"
  format = parquet
}
source labels: Table<Label> {
  uri    = "s3://l/"
  format = parquet
}
aggregate sales_28d(sales) {
  by     sku
  window = 28d // four weeks
  units_28d: int = sum(units)
}
join rows(labels, sales_28d) {
  on = sku
}
split parts(rows) {
  train = 0.8
  test  = 0.2
}
train model(parts.train) {
  framework = sklearn
  entry     = "train.py"
  label     = next
}
`;
    const d = checkProgram("p.mlp", { read: () => undefined }, text).diagnostics.find((x) => x.code === "MLP0606")!;
    expect(d.fixes![0]!.title).toBe("Compute `sales_28d` every 7d and join it as of `week`");
    const fixed = apply({ "p.mlp": text }, d.fixes![0]!)["p.mlp"]!;
    expect(fixed).toContain("  by     sku\n  every  = 7d\n  window = 28d // four weeks\n");
    expect(fixed).toContain("  on = sku\n  asof = week >= window_end\n}");
  });
});
