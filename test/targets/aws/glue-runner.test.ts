// The Glue runner (scripts/glue_run_sql.py) with Debian's python3: the run id the state machine
// passes is refused unless it is a plain name, before Glue's or Spark's modules load, and the
// SQL it runs names the tables of that run only (each statement still valid Spark SQL).
import { spawnSync } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { GLUE_RUNNER } from "../../../targets/aws/scripts";
import { SYSTEM_PYTHON, tmp } from "../python/helpers";
import { sparkErrors } from "../sql-grammar";
import { projectOf } from "./harness";

const dir = tmp("aws-glue-runner");
const runner = join(dir, "run_sql.py");
writeFileSync(runner, GLUE_RUNNER);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const env = { PATH: process.env.PATH, PYTHONDONTWRITEBYTECODE: "1" };
const start = (...args: string[]) => spawnSync(SYSTEM_PYTHON, [runner, "--JOB_NAME", "j", "--sql", "s3://b/x.sql", "--warehouse", "s3://b/warehouse", ...args], { encoding: "utf8", env });

/** The runner's fill() and statements() over `sql`: the statements Spark would be given. */
function filled(sql: string, run: string): string[] {
  const code = "import json, sys\nsys.path.insert(0, sys.argv[1])\nimport run_sql\nprint(json.dumps(run_sql.statements(run_sql.fill(sys.stdin.read(), 's3://acme-ml-artifacts/warehouse/', sys.argv[2]))))";
  const r = spawnSync(SYSTEM_PYTHON, ["-c", code, dir, run], { encoding: "utf8", input: sql, env });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as string[];
}

describe("issue 11: targets that survive their first production run", () => {
  test("spark: outputs are written per run id and latest moves only when the run succeeds (aws)", () => {
    // A run id that could end the SQL literal or leave the run's folder stops the job, with a
    // clear message and no traceback, before Glue's modules are even imported.
    for (const bad of ["x'y", "../up", "..", ".", "a/b", "", "a b", "${env:HOME}", "é"]) {
      const r = start("--mlp_run_id", bad);
      expect(r.status, bad).not.toBe(0);
      expect(r.stderr, bad).toMatch(/^mlp: --mlp_run_id .* is not a plain name/);
      expect(r.stderr, bad).not.toMatch(/Traceback/);
    }
    const missing = start();
    expect(missing.status).not.toBe(0);
    expect(missing.stderr).toMatch(/^mlp: no --mlp_run_id/);
    // A plain id passes the check: the job goes on to load Glue's modules (absent here).
    const good = start("--mlp_run_id", "0a1b2c3d");
    expect(good.stderr).toMatch(/No module named 'awsglue'/);

    // The churn sample's Glue SQL: every table it reads or writes is in the run's folder.
    const files = projectOf("../shared/conformance/valid/churn.mlp").filter((f) => /assets\/glue\/[^/]+\.sql$/.test(f.path));
    expect(files.length).toBeGreaterThan(3);
    for (const f of files) {
      const statements = filled(f.contents, "0a1b2c3d");
      const text = statements.join("\n");
      expect(text, f.path).not.toMatch(/MLP_RUN_ID\}|\{\{warehouse\}\}/);
      const paths = [...text.matchAll(/'(s3:\/\/[^']*)'/g)].map((m) => m[1]!);
      expect(paths.length, f.path).toBeGreaterThan(0);
      for (const p of paths.filter((x) => x.startsWith("s3://acme-ml-artifacts/"))) expect(p, f.path).toMatch(/^s3:\/\/acme-ml-artifacts\/warehouse\/runs\/0a1b2c3d\/\w+(\/(train|test))?$/);
      // The spark target's own guard sees the run id, and passes on it.
      expect(statements[3], f.path).toMatch(/^SELECT RAISE_ERROR\(.*\nWHERE '0a1b2c3d' NOT RLIKE /s);
      for (const s of statements) expect(sparkErrors(s), `${f.path}: ${s}`).toEqual([]);
    }

    // Data that spells the run id's text is left alone: a literal writes its `$` as \u0024.
    const hostile = projectOf("test/fixtures/aws/hostile.mlp").filter((f) => /assets\/(stacks\/[^/]+\/)?glue\/[^/]+\.sql$/.test(f.path));
    expect(hostile.length).toBeGreaterThan(0);
    for (const f of hostile) {
      const before = [...f.contents.matchAll(/\\u0024/g)].length;
      expect([...filled(f.contents, "r1").join("\n").matchAll(/\\u0024/g)].length, f.path).toBe(before);
    }
    // A dozen Python processes, one after another: seconds on a busy machine.
  }, 60_000);
});
