// The command line as users run it: the built bundle in a child process, cwd = the
// repository root. Exit codes, output formats, fmt, graph and compile, and the rule that
// a failure is reported as `mlp: ...` and never as a stack trace.
import { execFile, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { format } from "../../language/formatter";
import { parse } from "../../language/parser";
import { IR_VERSION, parseIr } from "../../compiler/ir";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const BIN = join(ROOT, "compiler/bin/mlp.mjs");
const DIST = join(ROOT, "compiler/dist/mlp.cjs");
const C = "../shared/conformance/";
const VALID = C + "valid/";
const INVALID = C + "invalid/";

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `mlp ARGS` and checks what holds for every run: no stack trace, no colour, a known exit code. */
function mlp(args: string[], opts: { cwd?: string } = {}): Promise<Run> {
  return new Promise((done) => {
    const child = execFile(
      process.execPath,
      [BIN, ...args],
      { cwd: opts.cwd ?? ROOT, encoding: "utf8", env: { ...process.env, NO_COLOR: "1", MLP_DEBUG: "" }, timeout: 60_000 },
      (_err, stdout, stderr) => {
        const run = { status: child.exitCode, stdout, stderr };
        expect(run.stderr, "stack trace on stderr").not.toMatch(/^\s+at /m);
        expect(run.stdout, "stack trace on stdout").not.toMatch(/^\s+at /m);
        expect(run.stderr).not.toContain("\x1b[");
        expect(run.stdout).not.toContain("\x1b[");
        expect(run.stderr, "an internal error").not.toContain("internal error");
        expect([0, 1, 2]).toContain(run.status);
        done(run);
      },
    );
    child.stdin?.end();
  });
}

/** A usage or I/O failure: exit 2, nothing on stdout, one `mlp: ...` line on stderr. */
function usageFailure(r: Run, pattern: RegExp): void {
  expect(r.status).toBe(2);
  expect(r.stdout).toBe("");
  const lines = r.stderr.trimEnd().split("\n");
  expect(lines[0]).toMatch(/^mlp: /);
  expect(lines[0]).toMatch(pattern);
  expect(lines, "a usage error is one line").toHaveLength(1);
}

/** Sources (language/, compiler/) newer than the bundle mean the bundle is stale. */
function newestSource(): number {
  let newest = 0;
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      const s = statSync(p);
      if (s.isDirectory()) {
        if (name !== "dist" && name !== "node_modules") walk(p);
      } else if (/\.(ts|mjs)$/.test(name)) newest = Math.max(newest, s.mtimeMs);
    }
  };
  for (const d of ["language", "compiler", "targets"]) if (existsSync(join(ROOT, d))) walk(join(ROOT, d));
  return newest;
}

let tmp = "";

beforeAll(() => {
  if (!existsSync(DIST)) {
    const b = spawnSync(process.execPath, [join(ROOT, "compiler/build.mjs")], { cwd: ROOT, encoding: "utf8" });
    if (b.status !== 0) throw new Error(`build failed:\n${b.stderr}`);
  } else if (statSync(DIST).mtimeMs < newestSource()) {
    console.warn("compiler/dist/mlp.cjs is older than the sources; run `npm run build` to test the current code");
  }
  tmp = mkdtempSync(join(tmpdir(), "mlp-cli-"));
}, 120_000);

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** A copy of a conformance file (and its lib/ folder) in the temp dir. */
function copyCase(name: string, from = VALID): string {
  const dir = mkdtempSync(join(tmp, "case-"));
  copyFileSync(join(ROOT, from, name), join(dir, name));
  if (existsSync(join(ROOT, from, "lib"))) {
    mkdirSync(join(dir, "lib"));
    for (const f of readdirSync(join(ROOT, from, "lib"))) copyFileSync(join(ROOT, from, "lib", f), join(dir, "lib", f));
  }
  return join(dir, name);
}

describe.concurrent("mlp check: exit codes", { timeout: 120_000 }, () => {
  it("exits 0 on a clean file and prints nothing", async () => {
    const r = await mlp(["check", VALID + "minimal.mlp"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe("");
  });

  it("exits 0 when there are only warnings, and shows them", async () => {
    const r = await mlp(["check", "test/fixtures/check/warnings.mlp"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("warning[MLP0602]");
    expect(r.stdout).toContain("0 errors, 2 warnings");
  });

  it("exits 1 on errors, with the rustc-style rendering on stdout", async () => {
    const r = await mlp(["check", INVALID + "unknown_column.mlp"]);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain("error[MLP0301]: unknown column `monthly_spnd` in `clean`");
    expect(r.stdout).toContain(`--> ${INVALID}unknown_column.mlp:20:10`);
    expect(r.stdout).toContain("= help: did you mean `monthly_spend`?");
  });

  it("checks several files in one run, and fails when any has errors", async () => {
    const r = await mlp(["check", VALID + "minimal.mlp", INVALID + "unknown_column.mlp", INVALID + "unknown_type.mlp", "--format", "json"]);
    expect(r.status).toBe(1);
    const files = new Set((JSON.parse(r.stdout).diagnostics as { file: string }[]).map((d) => d.file));
    expect([...files].sort()).toEqual([INVALID + "unknown_column.mlp", INVALID + "unknown_type.mlp"]);
    const clean = await mlp(["check", VALID + "minimal.mlp", VALID + "churn.mlp", VALID + "fraud.mlp"]);
    expect(clean.status).toBe(0);
  });

  it("reports a file imported by two checked files once", async () => {
    const r = await mlp(["check", VALID + "imports.mlp", VALID + "lib/customer.mlp", "--format", "json"]);
    expect(r.status).toBe(0);
    const keys = (JSON.parse(r.stdout).diagnostics as object[]).map((d) => JSON.stringify(d));
    expect(new Set(keys).size).toBe(keys.length);
  });

  it("resolves imports relative to the importing file, whatever the cwd", async () => {
    expect((await mlp(["check", VALID + "imports.mlp"])).status).toBe(0);
    expect((await mlp(["check", "imports.mlp"], { cwd: join(ROOT, VALID) })).status).toBe(0);
    expect((await mlp(["check", "valid/imports.mlp"], { cwd: join(ROOT, C) })).status).toBe(0);
    expect((await mlp(["check", resolve(ROOT, VALID, "imports.mlp")], { cwd: tmp })).status).toBe(0);
    const copy = copyCase("imports.mlp");
    expect((await mlp(["check", copy], { cwd: tmp })).status).toBe(0);
  });

  it("reports a broken import at the import line, in the importing file", async () => {
    const r = await mlp(["check", INVALID + "import_missing_name.mlp", "--format", "json"]);
    expect(r.status).toBe(1);
    const ds = JSON.parse(r.stdout).diagnostics as { file: string; line: number; message: string }[];
    expect(ds).toHaveLength(1);
    expect(ds[0]).toMatchObject({ file: INVALID + "import_missing_name.mlp", line: 1 });
    expect(ds[0]!.message).toContain("Widget");
  });

  it("prints a command's usage for CMD --help or -h, and only that command's", async () => {
    for (const cmd of ["check", "compile", "run", "edit", "graph", "diff", "lsp", "init", "explain", "fmt", "show", "serve"]) {
      const r = await mlp([cmd, "--help"]);
      expect(r.status, cmd).toBe(0);
      expect(r.stdout, cmd).toMatch(new RegExp(`^usage:\\n  mlp ${cmd}\\b`));
      expect(r.stdout.split("\n").filter((l) => /^  mlp /.test(l)).every((l) => l.startsWith(`  mlp ${cmd}`)), cmd).toBe(true);
    }
    const short = await mlp(["check", VALID + "minimal.mlp", "-h"]);
    expect(short.status).toBe(0);
    expect(short.stdout).toContain("mlp check FILE...");
    // After `--` it is a file name, not a request for help.
    usageFailure(await mlp(["check", "--", "--help"]), /cannot read --help: no such file/);
  });

  it("accepts --format=json as well as --format json, and -- before file names", async () => {
    const a = await mlp(["check", "--format=json", INVALID + "unknown_type.mlp"]);
    const b = await mlp(["check", "--format", "json", "--", INVALID + "unknown_type.mlp"]);
    expect(a.status).toBe(1);
    expect(a.stdout).toBe(b.stdout);
  });
});

describe.concurrent("usage and I/O problems exit 2 with one `mlp:` line", { timeout: 120_000 }, () => {
  it("unknown command", async () => usageFailure(await mlp(["chek", VALID + "minimal.mlp"]), /unknown command chek/));
  it("unknown flag", async () => usageFailure(await mlp(["check", "--strict", VALID + "minimal.mlp"]), /unknown option --strict/));
  it("missing file", async () => usageFailure(await mlp(["check", "no/such/file.mlp"]), /cannot read no\/such\/file\.mlp: no such file/));
  it("a directory given as a file", async () => usageFailure(await mlp(["check", "test/fixtures"]), /cannot read test\/fixtures: is a directory/));
  it("no file at all", async () => usageFailure(await mlp(["check"]), /needs at least one FILE/));
  it("invalid --format value", async () => usageFailure(await mlp(["check", "--format", "xml", VALID + "minimal.mlp"]), /unknown format xml \(formats: human, json, github\)/));
  it("--format without a value", async () => usageFailure(await mlp(["check", VALID + "minimal.mlp", "--format"]), /--format needs a value/));
  it("--check with --write", async () => usageFailure(await mlp(["fmt", "--check", "--write", VALID + "minimal.mlp"]), /--check and --write exclude each other/));
  it("fmt of a missing file", async () => usageFailure(await mlp(["fmt", "nope.mlp"]), /cannot read nope\.mlp/));
  it("graph of a directory", async () => usageFailure(await mlp(["graph", "test/fixtures"]), /is a directory/));
  it("graph with two files", async () => usageFailure(await mlp(["graph", VALID + "minimal.mlp", VALID + "churn.mlp"]), /takes one FILE/));
  it("unknown variant", async () =>
    usageFailure(await mlp(["compile", VALID + "churn.mlp", "--target", "aws", "--variant", "mars", "--out", join(tmp, "out-v")]), /has no variant mars \(variants: eu\)/));
  it("compile without --out", async () => usageFailure(await mlp(["compile", VALID + "churn.mlp", "--target", "aws"]), /needs --out DIR/));
  it("a missing file is reported before anything is checked", async () => usageFailure(await mlp(["check", VALID + "minimal.mlp", "gone.mlp"]), /cannot read gone\.mlp/));

  it("usage messages name the command once", async () => {
    for (const [args, text] of [[["check"], "mlp: check needs at least one FILE"], [["graph"], "mlp: graph takes one FILE"], [["compile"], "mlp: compile takes one FILE"]] as const) {
      const r = await mlp([...args]);
      expect(r.status).toBe(2);
      expect(r.stderr).toBe(`${text}\n`);
    }
  });

  it("no command prints the usage on stderr", async () => {
    const r = await mlp([]);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^mlp: /);
    expect(r.stderr).toContain("usage:");
  });

  it("--help and --version succeed", async () => {
    const h = await mlp(["--help"]);
    expect(h.status).toBe(0);
    for (const cmd of ["mlp check", "mlp fmt", "mlp graph", "mlp compile"]) expect(h.stdout).toContain(cmd);
    const v = await mlp(["--version"]);
    expect(v.status).toBe(0);
    expect(v.stdout).toMatch(/^mlp \d+\.\d+\.\d+\n$/);
  });
});

describe.concurrent("compile: targets", { timeout: 120_000 }, () => {
  /** The targets as the built CLI lists them: name, and whether it says "(not built yet)". */
  async function listing(): Promise<{ name: string; built: boolean; group: boolean }[]> {
    const r = await mlp(["compile", VALID + "minimal.mlp", "--out", join(tmp, "out-list")]);
    return r.stderr
      .split("\n")
      .flatMap((l) => {
        const m = /^  (\w+)\s+(.*)$/.exec(l);
        return m ? [{ name: m[1]!, built: !m[2]!.endsWith("(not built yet)"), group: /\btogether\b|every target/.test(m[2]!) }] : [];
      });
  }

  it("lists the targets when --target is missing or unknown (exit 2)", async () => {
    const targets = await listing();
    expect(targets.map((t) => t.name)).toEqual(expect.arrayContaining(["aws", "spark", "flink", "slurm", "onprem", "all"]));
    for (const args of [[], ["--target", "gcp"]]) {
      const r = await mlp(["compile", VALID + "minimal.mlp", ...args, "--out", join(tmp, "out-t")]);
      expect(r.status).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr).toMatch(args.length ? /^mlp: unknown target gcp; the targets are:\n/ : /^mlp: compile needs --target; the targets are:\n/);
      for (const t of targets) expect(r.stderr).toMatch(new RegExp(`^  ${t.name}\\b`, "m"));
    }
  });

  // While a target has no emitter, compile says so and lists the targets; once built, it writes files.
  it("each single target either says it is not built yet (exit 2, listing the targets) or writes files (exit 0)", async () => {
    const targets = await listing();
    const names = targets.map((t) => t.name);
    for (const t of targets.filter((t) => !t.group)) {
      const out = join(tmp, `out-${t.name}`);
      const r = await mlp(["compile", VALID + "churn.mlp", "--target", t.name, "--out", out]);
      if (t.built) {
        expect(r.status, `${t.name}: ${r.stderr}`).toBe(0);
        expect(existsSync(join(out, t.name)), `${t.name} writes under OUT/${t.name}`).toBe(true);
        continue;
      }
      expect(r.status, t.name).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr.split("\n")[0]).toBe(`mlp: ${t.name} is not built yet; the targets are:`);
      for (const n of names) expect(r.stderr).toMatch(new RegExp(`^  ${n}\\b`, "m"));
      expect(existsSync(out), "nothing is written").toBe(false);
    }
  });

  it("--target aws today says it is not built yet, or writes the Pulumi program", async () => {
    const out = join(tmp, "out-aws-only");
    const r = await mlp(["compile", VALID + "churn.mlp", "--target", "aws", "--out", out]);
    if (r.status === 2) {
      expect(r.stderr).toMatch(/^mlp: aws is not built yet; the targets are:\n/);
      for (const n of ["aws", "spark", "flink", "slurm", "onprem", "all"]) expect(r.stderr).toMatch(new RegExp(`^  ${n}\\b`, "m"));
    } else expect(r.status).toBe(0);
  });

  it("exits 1 with the diagnostics when the file has errors, before looking at targets", async () => {
    const r = await mlp(["compile", INVALID + "cycle.mlp", "--target", "aws", "--out", join(tmp, "out-err")]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("error[MLP0211]");
    expect(existsSync(join(tmp, "out-err"))).toBe(false);
  });
});

describe.concurrent("--format json", { timeout: 120_000 }, () => {
  const KEYS = ["file", "line", "column", "endLine", "endColumn", "severity", "code", "message"];

  it("prints the brief's shape, 1-based, pointing at the offending text", async () => {
    const file = INVALID + "several_errors.mlp";
    const r = await mlp(["check", file, "--format", "json"]);
    expect(r.status).toBe(1);
    const doc = JSON.parse(r.stdout) as { diagnostics: Record<string, unknown>[] };
    expect(Object.keys(doc)).toEqual(["diagnostics"]);
    expect(doc.diagnostics.length).toBeGreaterThanOrEqual(4);
    const lines = readFileSync(join(ROOT, file), "utf8").split("\n");
    for (const d of doc.diagnostics) {
      for (const k of KEYS) expect(d, k).toHaveProperty(k);
      // `help` is an extension of the brief's shape; nothing else is.
      expect(Object.keys(d).filter((k) => !KEYS.includes(k))).toEqual(d.help === undefined ? [] : ["help"]);
      expect(d.file).toBe(file);
      for (const k of ["line", "column", "endLine", "endColumn"]) expect(Number.isInteger(d[k]) && (d[k] as number) >= 1, k).toBe(true);
      expect(["error", "warning"]).toContain(d.severity);
      expect(d.code).toMatch(/^MLP\d{4}$/);
      expect(typeof d.message === "string" && d.message.length > 0).toBe(true);
    }
    const first = doc.diagnostics.find((d) => d.code === "MLP0301")!;
    expect(first).toMatchObject({ line: 20, column: 10, endLine: 20, endColumn: 22, severity: "error" });
    expect(lines[19]!.slice(9, 21)).toBe("monthly_spnd");
  });

  it("prints an empty list for a clean file", async () => {
    const r = await mlp(["check", VALID + "churn.mlp", "--format", "json"]);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ diagnostics: [] });
  });

  it("keeps warnings and exits 0 when there are only warnings", async () => {
    const r = await mlp(["check", "test/fixtures/check/warnings.mlp", "--format", "json"]);
    expect(r.status).toBe(0);
    const ds = JSON.parse(r.stdout).diagnostics as { severity: string }[];
    expect(ds.length).toBe(2);
    expect(ds.every((d) => d.severity === "warning")).toBe(true);
  });
});

describe.concurrent("--format github", { timeout: 120_000 }, () => {
  it("prints one workflow command per diagnostic", async () => {
    const r = await mlp(["check", INVALID + "ungated_deploy_and_bad_variant.mlp", "--format", "github"]);
    expect(r.status).toBe(1);
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines.length).toBeGreaterThanOrEqual(2);
    for (const l of lines) expect(l).toMatch(/^::(error|warning) file=[^,]+,line=\d+,col=\d+,endLine=\d+,endColumn=\d+,title=MLP\d{4}::\S/);
    expect(lines.some((l) => l.startsWith("::warning file="))).toBe(true);
    expect(lines.some((l) => l.startsWith("::error file="))).toBe(true);
  });

  it("escapes commas and colons in properties, and %, CR and LF in messages", async () => {
    const dir = mkdtempSync(join(tmp, "gh-"));
    const file = join(dir, "odd,name:here.mlp");
    writeFileSync(
      file,
      ["schema S {", "  plan: enum(free, pro)", "}", "", "source s: Table<S> {", '  uri    = "s3://x/"', "  format = parquet", "}", "", "cleanse c(s) {", '  filter plan == "50%\\noff"', "}", ""].join("\n"),
    );
    const r = await mlp(["check", file, "--format", "github"]);
    expect(r.status).toBe(1);
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(1); // the LF inside the message is escaped, not printed
    const line = lines[0]!;
    const escapedPath = file.replace(/%/g, "%25").replace(/:/g, "%3A").replace(/,/g, "%2C");
    expect(line.startsWith(`::error file=${escapedPath},line=11,col=18,`)).toBe(true);
    const message = line.slice(line.indexOf("::", 2) + 2);
    expect(message).toContain("50%25%0Aoff");
    expect(message).not.toMatch(/%(?![0-9A-F]{2})/);
  });
});

describe.concurrent("mlp fmt", { timeout: 120_000 }, () => {
  it("prints the canonical layout to stdout", async () => {
    const r = await mlp(["fmt", VALID + "churn.mlp"]);
    expect(r.status).toBe(0);
    const text = readFileSync(join(ROOT, VALID, "churn.mlp"), "utf8");
    expect(r.stdout).toBe(format(parse(text).ast));
    expect(r.stdout).not.toBe(text); // churn.mlp's variant is not aligned
  });

  it("prints several files one after the other", async () => {
    const r = await mlp(["fmt", VALID + "minimal.mlp", VALID + "fraud.mlp"]);
    expect(r.status).toBe(0);
    const one = (f: string) => format(parse(readFileSync(join(ROOT, VALID, f), "utf8")).ast);
    expect(r.stdout).toBe(one("minimal.mlp") + one("fraud.mlp"));
  });

  it("--check exits 1 on an unformatted file and names it, 0 on a formatted one", async () => {
    const formatted = "test/fixtures/fmt/comments.expected.mlp";
    const bad = await mlp(["fmt", "--check", VALID + "churn.mlp", formatted]);
    expect(bad.status).toBe(1);
    expect(bad.stdout).toBe("");
    expect(bad.stderr).toContain(VALID + "churn.mlp");
    expect(bad.stderr).not.toContain(formatted);
    const good = await mlp(["fmt", "--check", formatted, "test/fixtures/fmt/alignment.expected.mlp"]);
    expect(good.status).toBe(0);
    expect(good.stdout + good.stderr).toBe("");
  });

  it("--write rewrites unformatted files in place, and leaves formatted ones alone", async () => {
    const file = copyCase("churn.mlp");
    const before = readFileSync(file, "utf8");
    const r = await mlp(["fmt", "--write", file]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe("");
    const after = readFileSync(file, "utf8");
    expect(after).toBe(format(parse(before).ast));
    expect((await mlp(["fmt", "--check", file])).status).toBe(0);
    const mtime = statSync(file).mtimeMs;
    expect((await mlp(["fmt", "--write", file])).status).toBe(0);
    expect(statSync(file).mtimeMs).toBe(mtime);
  });

  it("refuses to format a file with syntax errors: exit 1, diagnostics on stderr, file untouched", async () => {
    const file = copyCase("missing_equals.mlp", INVALID);
    const before = readFileSync(file, "utf8");
    for (const flags of [[], ["--write"], ["--check"]]) {
      const r = await mlp(["fmt", ...flags, file]);
      expect(r.status).toBe(1);
      expect(r.stdout).toBe("");
      expect(r.stderr).toContain("error[MLP0101]");
    }
    expect(readFileSync(file, "utf8")).toBe(before);
  });

  it("formats a file with semantic errors (only syntax blocks formatting)", async () => {
    const r = await mlp(["fmt", INVALID + "cycle.mlp"]);
    expect(r.status).toBe(0);
  });
});

describe.concurrent("mlp graph", { timeout: 120_000 }, () => {
  it("prints valid IR JSON for a clean file", async () => {
    const r = await mlp(["graph", VALID + "churn.mlp"]);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe("");
    const read = parseIr(JSON.parse(r.stdout));
    if (!read.ok) throw new Error(read.problems.join("\n"));
    expect(read.ir.version).toBe(IR_VERSION);
    expect(read.ir.file).toBe(VALID + "churn.mlp");
    expect(read.ir.nodes.map((n) => n.id)).toContain("churn_model");
  });

  it("prints the IR and the diagnostics (exit 1) for a file with errors", async () => {
    const r = await mlp(["graph", INVALID + "cycle.mlp"]);
    expect(r.status).toBe(1);
    expect(JSON.parse(r.stdout).version).toBe(IR_VERSION);
    expect(r.stderr).toContain("error[MLP0211]");
  });

  for (const name of ["churn.mlp", "fraud.mlp", "imports.mlp", "minimal.mlp"]) {
    it(`--to-mlp gives back the formatted ${name}`, async () => {
      const ir = await mlp(["graph", VALID + name]);
      const json = join(tmp, `${name}.json`);
      writeFileSync(json, ir.stdout);
      const r = await mlp(["graph", "--to-mlp", json]);
      expect(r.status).toBe(0);
      expect(r.stderr).toBe("");
      expect(r.stdout).toBe(format(parse(readFileSync(join(ROOT, VALID, name), "utf8")).ast));
    });
  }

  it("--to-mlp of imports.mlp prints the import line, not copies of the imported steps", async () => {
    const json = join(tmp, "imports-only.json");
    writeFileSync(json, (await mlp(["graph", VALID + "imports.mlp"])).stdout);
    const out = (await mlp(["graph", "--to-mlp", json])).stdout;
    expect(out).toContain('import { customer_features } from "./lib/customer.mlp"');
    expect(out).not.toMatch(/^(features|source|schema) /m);
  });

  it("--to-mlp of a file that is not JSON: exit 2, one `mlp:` line", async () => {
    const bad = join(tmp, "bad.json");
    writeFileSync(bad, "{ not json");
    usageFailure(await mlp(["graph", "--to-mlp", bad]), /is not JSON/);
  });

  it("--to-mlp of a missing file: exit 2", async () => usageFailure(await mlp(["graph", "--to-mlp", join(tmp, "none.json")]), /cannot read/));

  for (const [what, doc, pattern] of [
    ["another IR version", { version: "mlp.ir/0" }, /unsupported IR version "mlp\.ir\/0"/],
    ["a document missing its fields", { version: IR_VERSION }, /nodes: /],
    ["a JSON array", [], /expected object/],
  ] as const) {
    it(`--to-mlp of ${what}: exit 2, the problem named on one \`mlp:\` line, no output`, async () => {
      const file = join(tmp, `ir-${what.replace(/\W+/g, "-")}.json`);
      writeFileSync(file, JSON.stringify(doc));
      const r = await mlp(["graph", "--to-mlp", file]);
      expect(r.status).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr).toMatch(pattern);
      expect(r.stderr).toContain(file);
      expect(r.stderr).toMatch(/^mlp: [^\n]*\n$/);
    });
  }
});

describe("start-up: the bundles the bin runs", () => {
  it("check's holds none of the other commands' code: no target, no local runner, no language server", () => {
    const whole = readFileSync(DIST, "utf8");
    const check = readFileSync(join(ROOT, "compiler/dist/check.cjs"), "utf8");
    // Texts only those modules hold: a line the Cassandra target writes, the engine the runner
    // loads, a request the language server answers.
    for (const only of ["CREATE KEYSPACE IF NOT EXISTS", '"@duckdb/node-api"', "textDocument/hover"]) {
      expect(whole, only).toContain(only);
      expect(check, only).not.toContain(only);
    }
    // What a check compiles when its cache is cold is well under the whole CLI.
    expect(check.length / whole.length).toBeLessThan(0.4);
  });
});

