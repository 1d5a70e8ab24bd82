// Every generated project type-checks against the real @pulumi/aws and @pulumi/pulumi types:
// the projects of all samples, conformance files and fixtures are written side by side into
// one temporary folder (its node_modules is the repository's) and checked by one tsc run
// with the compiler options the generated tsconfig.json sets.
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, expect, test } from "vitest";
import { readFileSync } from "node:fs";
import { compilation } from "../../../compiler/compile";
import type { GeneratedFile } from "../../../compiler/target-api";
import { checkProgram } from "../../../language/checker/program";
import { emitAws } from "../../../targets/aws/index";
import { loader } from "../helpers";
import { awsCases, fileOf, projectOf, removeWorkspace, ROOT, workspace, writeProject } from "./harness";

const FINDINGS = "../shared/findings/reliability/";

/** Programs of the reliability findings, fixed where the finding's own input is refused. */
function findingProjects(): { id: string; files: GeneratedFile[] }[] {
  const of = (path: string, text?: string) => {
    const p = checkProgram(path, loader, text);
    expect(p.diagnostics.filter((d) => d.severity === "error").map((d) => d.message), path).toEqual([]);
    return emitAws(compilation(p));
  };
  const f11 = `${FINDINGS}F11-same-topic-aws-ts1117.mlp`;
  // F11: the same topic twice is refused (test/targets/refusals.test.ts); with its own topic the
  // deployment's scores are a second key of the `streams` output.
  const f11Text = readFileSync(join(ROOT, f11), "utf8").replace(/(deploy live[^}]*topic\s*=\s*)"events"/, '$1"scores"');
  expect(f11Text).toContain('"scores"');
  const out = [{ id: "finding-F11", files: of(f11, f11Text) }];
  // F14: Object.prototype names as step ids, columns, hyperparameters and tags.
  for (const f of ["F14-__proto__-hyperparam-lost.mlp", "F14b-__proto__-tag-silently-dropped.mlp"]) {
    const p = checkProgram(FINDINGS + f, loader);
    if (!p.diagnostics.some((d) => d.severity === "error")) out.push({ id: `finding-${f.slice(0, 4)}`, files: emitAws(compilation(p)) });
  }
  return out;
}

const dir = workspace("tsc");
afterAll(() => removeWorkspace(dir));

test("every generated project type-checks with tsc --noEmit", () => {
  const cases = awsCases();
  expect(cases.length).toBeGreaterThanOrEqual(9);
  for (const c of cases) writeProject(join(dir, c.id), projectOf(c.path));
  const findings = findingProjects();
  for (const f of findings) writeProject(join(dir, f.id), f.files);
  expect(fileOf(findings[0]!.files, "index.ts")).toContain("export const streams = { events: eventsStream.name, scores: liveScores.name };");
  const generated = JSON.parse(fileOf(projectOf(cases[0]!.path), "tsconfig.json")!) as { compilerOptions: Record<string, unknown> };
  writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions: { ...generated.compilerOptions, noEmit: true }, include: [...cases.map((c) => c.id), ...findings.map((f) => f.id)].map((id) => `${id}/index.ts`) }));
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
