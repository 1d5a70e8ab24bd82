// Golden files: the whole generated project of two samples, file by file
// (test/fixtures/aws/golden/<sample>/; `.ts` files carry a `.golden` suffix so the repository's
// own type-check leaves them alone). MLP_UPDATE=1 rewrites them. Also: the output is
// byte-identical from one compilation to the next.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { describe, expect, test } from "vitest";
import { emitAws } from "../../../targets/aws/index";
import { UPDATE } from "../helpers";
import { awsCases, irOf, projectOf, ROOT } from "./harness";

const GOLDEN = join(ROOT, "test/fixtures/aws/golden");
const SAMPLES = ["sample-ad_click_through", "sample-demand_forecast"];

const stored = (path: string) => (path.endsWith(".ts") ? `${path}.golden` : path);

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? listFiles(p) : [p];
  });
}

describe.each(SAMPLES)("%s", (id) => {
  const c = awsCases().find((x) => x.id === id)!;
  const files = projectOf(c.path);
  const dir = join(GOLDEN, id.replace(/^sample-/, ""));

  test("matches its golden files", () => {
    if (UPDATE) {
      rmSync(dir, { recursive: true, force: true });
      for (const f of files) {
        const p = join(dir, stored(f.path));
        mkdirSync(dirname(p), { recursive: true });
        writeFileSync(p, f.contents);
      }
    }
    const expected = listFiles(dir).map((p) => relative(dir, p)).sort();
    expect(files.map((f) => stored(f.path)).sort()).toEqual(expected);
    for (const f of files) expect(f.contents, f.path).toBe(readFileSync(join(dir, stored(f.path)), "utf8"));
  });
});

test("every project is byte-identical from one compilation to the next", () => {
  for (const c of awsCases()) {
    const a = emitAws(irOf(c.path));
    const b = emitAws(structuredClone(irOf(c.path)));
    expect(b.map((f) => f.path)).toEqual(a.map((f) => f.path));
    b.forEach((f, i) => expect(f.contents, `${c.id}/${f.path}`).toBe(a[i]!.contents));
  }
});
