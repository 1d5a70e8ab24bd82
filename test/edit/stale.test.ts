// `mlp edit` builds the editor again when its sources changed since the build (a `git pull`
// in the checkout), and not for files that are not its sources.
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { changedSince } from "../../compiler/edit/command";

const root = mkdtempSync(join(tmpdir(), "mlp-stale-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const BUILT = Date.parse("2026-12-01T12:00:00Z");
function file(rel: string, at: number): void {
  const p = join(root, rel);
  mkdirSync(dirname(p), { recursive: true });
  writeFileSync(p, "x");
  utimesSync(p, at / 1000, at / 1000);
}

describe("the editor build's staleness", () => {
  it("is fresh when every source is older than the build, whatever happened to other files", () => {
    for (const rel of ["editor/src/App.tsx", "editor/index.html", "language/parser.ts", "compiler/cli.ts", "targets/aws/index.ts"]) file(rel, BUILT - 60_000);
    // Not sources: build outputs, Python's caches, the project's samples (read from disk), tests.
    for (const rel of ["compiler/dist/mlp.cjs", "editor/dist/index.html", "targets/python/__pycache__/m.pyc", "samples/churn.mlp", "test/x.test.ts"]) file(rel, BUILT + 60_000);
    expect(changedSince(root, BUILT)).toBeUndefined();
  });

  it("names a source changed after the build", () => {
    file("language/checker/program.ts", BUILT + 1000);
    expect(changedSince(root, BUILT)).toBe("language/checker/program.ts");
    file("language/checker/program.ts", BUILT - 1000);
    file("editor/src/canvas/Canvas.tsx", BUILT + 1000);
    expect(changedSince(root, BUILT)).toBe("editor/src/canvas/Canvas.tsx");
  });
});
