// `mlp run`'s progress lines write row counts as `toLocaleString("en-US")` would, without loading
// the locale data that call needs (progress.ts).
import { describe, expect, it } from "vitest";
import { grouped } from "../../compiler/run/progress";

describe("row counts in progress lines", () => {
  it("are grouped by thousands exactly as en-US writes them", () => {
    const counts = [0, 1, 12, 999, 1000, 1001, 12_345, 999_999, 1_000_000, 1_234_567, 10_000_000, 2 ** 31, Number.MAX_SAFE_INTEGER, -1, -1234, -1_000_000];
    for (let n = 1; n < 1e15; n = n * 7 + 3) counts.push(n);
    for (const n of counts) expect(grouped(n), String(n)).toBe(n.toLocaleString("en-US"));
  });
});
