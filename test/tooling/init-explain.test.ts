// `mlp init` and `mlp explain`, run as users run them (the built CLI).
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { explanation } from "../../compiler/tooling/explain";
import { pipelineName } from "../../compiler/tooling/init";
import { CATALOG } from "../../language/diagnostics/catalog";
import { parse as parseYaml } from "yaml";
import { BIN, events, mlp } from "../run-helpers";

const tmp = mkdtempSync(join(tmpdir(), "mlp-init-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const tree = (dir: string): Record<string, string> => {
  const out: Record<string, string> = {};
  const walk = (d: string, rel: string) => {
    for (const f of readdirSync(d, { withFileTypes: true })) {
      if (f.isDirectory()) walk(join(d, f.name), `${rel}${f.name}/`);
      else out[rel + f.name] = readFileSync(join(d, f.name), "utf8");
    }
  };
  walk(dir, "");
  return out;
};

describe("mlp init", { timeout: 300_000 }, () => {
  it("makes a project that checks clean, runs, passes its gate and compiles, the same bytes every time", async () => {
    const dir = join(tmp, "Customer-Churn 2");
    // A PATH with no mlp on it, whatever this machine has.
    const r = await mlp(["init", dir], tmp, { PATH: join(tmp, "no-such-folder") });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("created pipeline.mlp, models/churn/train.py, data/customers.csv, .gitignore, .github/workflows/mlp.yml");
    expect(r.stdout).toContain(`cd "${dir}"`);
    // The next steps say `mlp ...`: without mlp on PATH, the output says how to put it there.
    expect(r.stdout.endsWith("\nmlp is not on PATH: `npm link` in mlp's checkout puts it there\n"), r.stdout).toBe(true);
    const files = tree(dir);
    expect(Object.keys(files).sort()).toEqual([".github/workflows/mlp.yml", ".gitignore", "data/customers.csv", "models/churn/train.py", "pipeline.mlp"]);
    expect(files["pipeline.mlp"]).toContain("pipeline customer_churn_2 {");
    expect(files[".github/workflows/mlp.yml"]).toContain("mlp check pipeline.mlp --format github");

    const check = await mlp(["check", "pipeline.mlp"], dir);
    expect([check.status, check.stdout + check.stderr]).toEqual([0, ""]);
    const run = await mlp(["run", "pipeline.mlp", "--format", "json"], dir);
    expect(run.status, run.stderr).toBe(0);
    const gate = events(run).filter((e) => e.step === "churn_gate").at(-1)!;
    expect(gate.status).toBe("ok");
    expect(events(run).at(-1)).toMatchObject({ event: "end", status: "succeeded" });
    const compiled = await mlp(["compile", "pipeline.mlp", "--target", "aws", "--out", "out/aws"], dir);
    expect(compiled.status, compiled.stderr).toBe(0);

    const again = join(tmp, "again", "Customer-Churn 2");
    mkdirSync(join(tmp, "again"));
    expect((await mlp(["init", again], tmp)).status).toBe(0);
    expect(tree(again)).toEqual(files);
  });

  it("writes a CI workflow whose steps work as written", async () => {
    const dir = join(tmp, "ci");
    expect((await mlp(["init", dir], tmp)).status).toBe(0);
    const shim = join(tmp, "shim");
    mkdirSync(shim);
    writeFileSync(join(shim, "mlp"), `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} "$@"\n`);
    chmodSync(join(shim, "mlp"), 0o755);
    // With mlp on PATH (here a stand-in), nothing more is said.
    const onPath = spawnSync(process.execPath, [BIN, "init", join(tmp, "ci-again")], { encoding: "utf8", env: { ...process.env, PATH: `${shim}:${process.env.PATH}` } });
    expect(onPath.stdout).toMatch(/mlp edit pipeline\.mlp\n$/);
    const job = parseYaml(readFileSync(join(dir, ".github/workflows/mlp.yml"), "utf8")).jobs.check as { env: Record<string, string>; steps: { name?: string; run?: string }[] };
    // mlp is not on the npm registry (the package named `mlp` is another project): the workflow
    // builds it from the repository the project names, and says so when it names none.
    expect(job.env.MLP_GIT).toBe("${{ vars.MLP_GIT }}");
    const install = job.steps.find((s) => s.name === "install mlp")?.run ?? "";
    expect(install).not.toMatch(/npm (install|i) /);
    const unset = spawnSync("bash", ["-e", "-c", install], { cwd: dir, encoding: "utf8", env: { ...process.env, MLP_GIT: "" } });
    expect([unset.status, unset.stdout]).toEqual([1, "::error::set the repository variable MLP_GIT to the git URL of mlp's repository\n"]);
    // What follows the install, as written, with this checkout's mlp on PATH.
    const commands = job.steps.map((s) => s.run ?? "").filter((r) => r.startsWith("mlp "));
    expect(commands.map((c) => c.split(" ")[1])).toEqual(["check", "compile"]);
    for (const c of commands) {
      const r = spawnSync("bash", ["-e", "-c", c], { cwd: dir, encoding: "utf8", env: { ...process.env, PATH: `${shim}:${process.env.PATH}`, NO_COLOR: "1" } });
      expect(r.status, `${c}: ${r.stdout}${r.stderr}`).toBe(0);
    }
    // The Pulumi program lands in out/aws/, as the pipeline's own comment says.
    expect(existsSync(join(dir, "out/aws/index.ts"))).toBe(true);
    expect(readFileSync(join(dir, "pipeline.mlp"), "utf8")).toContain("mlp compile pipeline.mlp --target aws --out out ");
  });

  it("never overwrites: a folder holding any of its files is left as it was", async () => {
    const dir = join(tmp, "taken");
    mkdirSync(dir);
    writeFileSync(join(dir, ".gitignore"), "mine\n");
    const r = await mlp(["init", dir], tmp);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`mlp: ${dir} already has .gitignore; nothing was written (init never overwrites)\n`);
    expect(readdirSync(dir)).toEqual([".gitignore"]);
    expect(readFileSync(join(dir, ".gitignore"), "utf8")).toBe("mine\n");
    expect(existsSync(join(dir, "pipeline.mlp"))).toBe(false);
  });

  it("names the pipeline after the folder, as a name the language accepts", () => {
    expect(pipelineName("/x/my-shop")).toBe("my_shop");
    expect(pipelineName("/x/2024 Forecast")).toBe("p_2024_forecast");
    expect(pipelineName("/x/---")).toBe("my_pipeline");
  });
});

describe("mlp explain", () => {
  it("has the reference's explanation and example for every code", () => {
    for (const [code, entry] of Object.entries(CATALOG)) {
      const text = explanation(code);
      expect(text, code).toBeDefined();
      expect(text!.startsWith(`${code}: ${entry.title}\n`), code).toBe(true);
    }
  });

  it("prints one, indents its example, and says what it does not know", async () => {
    const r = await mlp(["explain", "mlp0602"], tmp);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^MLP0602: output is never used\n\n\*warning\*\. A step whose output nothing reads/);
    expect(r.stdout).toContain("\n    cleanse clean(customers) {\n      filter spend >= 0.0\n    }\n");
    expect(r.stdout).not.toContain("```");
    const unknown = await mlp(["explain", "MLP0620"], tmp);
    expect([unknown.status, unknown.stderr]).toEqual([2, "mlp: no diagnostic MLP0620; did you mean `MLP0320`? (codes look like MLP0101; mlp check prints them)\n"]);
  });
});
