// Golden output of the Spark, Flink and Cassandra targets for every conformance valid file,
// every target fixture and every sample, and determinism: the same input compiles to
// byte-identical files. `MLP_UPDATE=1 npx vitest run test/targets` rewrites the goldens under
// test/fixtures/targets/golden/<group>/<name>/<target>/.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { cases, compileIr, emitAll, EMITTERS, GOLDEN, TARGET_NAMES, UPDATE } from "./helpers";

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(relative(dir, p).split("\\").join("/"));
    }
  };
  walk(dir);
  return out.sort();
}

describe.each(cases())("$id", (c) => {
  const { ir, errors } = compileIr(c.path);

  it("checks without errors", () => {
    if (!c.strict && errors.length) return; // a sample being written: nothing to compile yet
    expect(errors).toEqual([]);
  });

  for (const target of TARGET_NAMES) {
    const dir = join(GOLDEN, c.id, target);
    const run = errors.length === 0 && (c.strict || UPDATE || existsSync(dir)) ? it : it.skip;
    run(`${target} matches its golden files`, () => {
      const files = EMITTERS[target](ir);
      if (UPDATE) {
        rmSync(dir, { recursive: true, force: true });
        for (const f of files) {
          mkdirSync(dirname(join(dir, f.path)), { recursive: true });
          writeFileSync(join(dir, f.path), f.contents);
        }
        return;
      }
      expect(files.map((f) => f.path).sort()).toEqual(listFiles(dir));
      for (const f of files) expect(f.contents, `${c.id}/${target}/${f.path}`).toBe(readFileSync(join(dir, f.path), "utf8"));
    });
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
