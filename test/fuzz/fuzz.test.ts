// A short, fixed run of `npm run fuzz` (seed 42, 20 s): the oracles hold on the corpus and on
// the mutants the seed reaches in that time. Failures already reported (test/fuzz/known.ts)
// are counted apart; a new kind of failure fails the test, its minimised input saved under
// test/.tmp/fuzz-failures/42/. Longer campaigns: README, Development.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

describe("npm run fuzz", () => {
  it("holds every oracle for 20 s of seed 42", () => {
    const r = spawnSync(process.execPath, [join(ROOT, "test/fuzz/run.mjs"), "--seconds", "20", "--seed", "42", "--allow-known"], { cwd: ROOT, encoding: "utf8", timeout: 170_000 });
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines.at(-1), r.stdout + r.stderr).toMatch(/^\d+ passed, \d+ failed$/);
    expect(Number(lines.at(-1)!.split(" ")[0]), "inputs run").toBeGreaterThan(100);
    expect(lines.filter((l) => l.startsWith("FAIL")), r.stdout).toEqual([]);
    expect(r.status).toBe(0);
  }, 180_000);
});
