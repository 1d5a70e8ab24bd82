// Golden files, one way for every suite: the generated files of a case live under
// test/fixtures/<suite>/<case>/, one file each, exactly as generated. `MLP_UPDATE=1 npx vitest run`
// rewrites them instead of comparing (reviewers read the diff, as with rustc's --bless).
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";
import type { GeneratedFile } from "../compiler/target-api";

export const ROOT = fileURLToPath(new URL("../", import.meta.url));
export const UPDATE = process.env.MLP_UPDATE === "1";

/** The folder of a case's golden files. */
export const goldenDir = (suite: string, name: string) => join(ROOT, "test", "fixtures", suite, name);

/** Every file under `dir`, relative, `/`-separated, sorted. */
export function listFiles(dir: string): string[] {
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

/** Compares `files` with the case's golden folder file by file (or rewrites the folder under MLP_UPDATE=1). */
export function expectGolden(suite: string, name: string, files: readonly GeneratedFile[]): void {
  const dir = goldenDir(suite, name);
  if (UPDATE) {
    rmSync(dir, { recursive: true, force: true });
    for (const f of files) {
      mkdirSync(dirname(join(dir, f.path)), { recursive: true });
      writeFileSync(join(dir, f.path), f.contents);
    }
    return;
  }
  expect(existsSync(dir), `no golden files in ${relative(ROOT, dir)}: run MLP_UPDATE=1 npx vitest run`).toBe(true);
  expect(files.map((f) => f.path).sort(), `${suite}/${name}: the generated files`).toEqual(listFiles(dir));
  for (const f of files) expect(f.contents, `${suite}/${name}/${f.path}`).toBe(readFileSync(join(dir, f.path), "utf8"));
}
