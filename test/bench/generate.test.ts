// The benchmark's generator must produce valid pipelines of the exact size asked for.
import { describe, expect, it } from "vitest";
import { checkProgram } from "../../language/checker/program";
import { generatePipeline, MIN_STEPS } from "./generate";

const noFiles = { read: () => undefined };
// A cold check of 1,000 steps takes well under a second, but shared CI machines can be slow.
const TIMEOUT = 60_000;

describe("benchmark pipeline generator", () => {
  it("generates a 1,000-step pipeline that checks with zero errors", () => {
    const text = generatePipeline(1000);
    const p = checkProgram("bench_1000.mlp", noFiles, text);
    const errors = p.diagnostics.filter((d) => d.severity === "error");
    expect(errors.map((d) => `${d.code} ${d.message}`)).toEqual([]);
    expect(p.entry.steps.size).toBe(1000);
    expect(p.entry.pipeline?.name.name).toBe("bench_1000");
  }, TIMEOUT);

  it("is deterministic and exact for other sizes", () => {
    expect(generatePipeline(MIN_STEPS)).toBe(generatePipeline(MIN_STEPS));
    for (const n of [MIN_STEPS, 57, 401]) {
      const p = checkProgram(`bench_${n}.mlp`, noFiles, generatePipeline(n, { layout: false }));
      expect(p.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
      expect(p.entry.steps.size).toBe(n);
    }
    expect(() => generatePipeline(MIN_STEPS - 1)).toThrow(RangeError);
  }, TIMEOUT);
});
