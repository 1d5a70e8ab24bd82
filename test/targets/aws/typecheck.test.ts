// Every generated project type-checks against the real @pulumi/aws and @pulumi/pulumi types:
// the projects of all samples, conformance files and fixtures are written side by side into
// one temporary folder (its node_modules is the repository's) and checked by one tsc run
// with the compiler options the generated tsconfig.json sets.
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, expect, test } from "vitest";
import { awsCases, fileOf, projectOf, removeWorkspace, ROOT, workspace, writeProject } from "./harness";

const dir = workspace("tsc");
afterAll(() => removeWorkspace(dir));

test("every generated project type-checks with tsc --noEmit", () => {
  const cases = awsCases();
  expect(cases.length).toBeGreaterThanOrEqual(9);
  for (const c of cases) writeProject(join(dir, c.id), projectOf(c.path));
  const generated = JSON.parse(fileOf(projectOf(cases[0]!.path), "tsconfig.json")!) as { compilerOptions: Record<string, unknown> };
  writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions: { ...generated.compilerOptions, noEmit: true }, include: cases.map((c) => `${c.id}/index.ts`) }));
  let out = "";
  try {
    out = execFileSync(process.execPath, [join(ROOT, "node_modules/typescript/bin/tsc"), "-p", dir, "--listFiles"], { encoding: "utf8", maxBuffer: 64 << 20 });
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string };
    throw new Error(`tsc found errors in the generated programs:\n${(err.stdout ?? "").split("\n").filter((l) => !l.startsWith("/")).join("\n")}${err.stderr ?? ""}`);
  }
  // The programs were checked against the real provider types, not stubs.
  for (const c of cases) expect(out).toContain(join(dir, c.id, "index.ts"));
  expect(out).toMatch(/node_modules\/@pulumi\/aws\/sagemaker\/endpoint\.d\.ts/);
}, 600_000);
