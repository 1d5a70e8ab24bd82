// Golden output of the Spark, Flink and Cassandra targets for every conformance valid file,
// every target fixture and every sample, and determinism: the same input compiles to
// byte-identical files. Goldens live under test/fixtures/<target>/<case>/ (test/golden.ts);
// `MLP_UPDATE=1 npx vitest run test/targets/golden.test.ts` rewrites them.
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { expectGolden, goldenDir, UPDATE } from "../golden";
import { cases, compileIr, emit, emitAll, TARGET_NAMES } from "./helpers";

describe.each(cases())("$id", (c) => {
  const { ir, errors } = compileIr(c.path);

  it("checks without errors", () => {
    if (!c.strict && errors.length) return; // a sample being written: nothing to compile yet
    expect(errors).toEqual([]);
  });

  for (const target of TARGET_NAMES) {
    const run = errors.length === 0 && (c.strict || UPDATE || existsSync(goldenDir(target, c.id))) ? it : it.skip;
    run(`${target} matches its golden files`, () => expectGolden(target, c.id, emit(target, ir)));
  }

  it.skipIf(errors.length > 0)("compiles to byte-identical files twice", () => {
    const again = compileIr(c.path).ir;
    const a = emitAll(ir);
    const b = emitAll(again);
    const c2 = emitAll(ir);
    expect(b).toEqual(a);
    expect(c2).toEqual(a);
    for (const t of TARGET_NAMES) {
      const paths = a[t].map((f) => f.path);
      expect(new Set(paths).size, `${t}: unique paths`).toBe(paths.length);
    }
  });
});
