// The bin runs each command's bundle through a V8 code cache (bin/mlp.mjs): `mlp check` its own
// (dist/check.cjs), every other command the whole CLI (dist/mlp.cjs), with a cache per command.
// Whatever state a cache is in (none, fresh, damaged, another bundle's, unwritable), a command
// answers exactly as the whole CLI run without any cache does, and a good cache is used, not
// rewritten. Runs on a copy of the built CLI, as an install would hold it, so the cache files
// are the test's.
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mlpFiles } from "../mlp-files";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const C = join(ROOT, "..", "shared", "conformance");
const tmp = mkdtempSync(join(tmpdir(), "mlp-code-cache-"));
const install = join(tmp, "package");
const bundle = join(install, "compiler", "dist", "check.cjs");
const beside = `${bundle}.v8cache`;
const userCache = join(tmp, "xdg");

/** Runs a bundle as the bin does, but compiled from its text alone: no cache, no V8 flags. */
const UNCACHED = `const { readFileSync } = require("node:fs");
const { dirname } = require("node:path");
const vm = require("node:vm");
const [file] = process.argv.splice(2, 1);
const bundled = { exports: {} };
new vm.Script(readFileSync(file, "latin1"), { filename: file }).runInThisContext()(bundled.exports, require, bundled, file, dirname(file));
`;

beforeAll(() => {
  writeFileSync(join(tmp, "uncached.cjs"), UNCACHED);
  if (!existsSync(join(ROOT, "compiler", "dist", "check.cjs")) || !existsSync(join(ROOT, "compiler", "dist", "mlp.cjs"))) {
    const b = spawnSync(process.execPath, [join(ROOT, "compiler", "build.mjs")], { cwd: ROOT, encoding: "utf8" });
    if (b.status !== 0) throw new Error(`build failed:\n${b.stderr}`);
  }
  for (const d of ["bin", "dist"]) cpSync(join(ROOT, "compiler", d), join(install, "compiler", d), { recursive: true, filter: (f) => !f.endsWith(".v8cache") });
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

const run = (entry: string, args: string[], env: Record<string, string> = {}): Run => {
  const r = spawnSync(process.execPath, [entry, ...args], { cwd: C, encoding: "utf8", env: { ...process.env, NO_COLOR: "1", MLP_DEBUG: "", XDG_CACHE_HOME: userCache, ...env } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
};
/** `mlp ARGS` through the bin: check takes the cached bundle. */
const mlp = (args: string[], env?: Record<string, string>) => run(join(install, "compiler", "bin", "mlp.mjs"), args, env);
/** The same through the whole CLI (dist/mlp.cjs) compiled afresh: what a command must answer. */
const full = (args: string[]) => {
  const r = spawnSync(process.execPath, [join(tmp, "uncached.cjs"), join(install, "compiler", "dist", "mlp.cjs"), ...args], { cwd: C, encoding: "utf8", env: { ...process.env, NO_COLOR: "1", MLP_DEBUG: "", XDG_CACHE_HOME: userCache } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
};

const CLEAN = ["check", "valid/minimal.mlp"];
const CASES = [
  CLEAN,
  ["check", ...readdirSync(join(C, "invalid")).filter((f) => f.endsWith(".mlp")).slice(0, 3).map((f) => `invalid/${f}`)],
  ["check", "--format", "json", "invalid/" + readdirSync(join(C, "invalid")).find((f) => f.endsWith(".mlp"))],
  ["check", "--format", "github", "valid/minimal.mlp"],
  ["check", "no-such-file.mlp"],
  ["check"],
  ["check", "--format", "xml", "valid/minimal.mlp"],
  ["check", "--help"],
];

const mtime = (f: string) => statSync(f).mtimeMs;
const fresh = () => rmSync(beside, { recursive: true, force: true });

describe("mlp check through the code cache", { timeout: 180_000 }, () => {
  it("answers as the full CLI does, without a cache and with one", () => {
    for (const args of CASES) {
      const expected = full(args);
      fresh();
      expect(mlp(args), `${args.join(" ")} (no cache)`).toEqual(expected);
      expect(existsSync(beside)).toBe(true);
      expect(mlp(args), `${args.join(" ")} (cached)`).toEqual(expected);
    }
    // The cases reach every outcome: clean, errors, usage problems, help.
    expect(new Set(CASES.map((a) => full(a).status))).toEqual(new Set([0, 1, 2]));
  });

  it("reports what the full CLI reports on every .mlp file we have, in every format", () => {
    // The check bundle runs zod without its compiled parsers (check-entry.ts): the same verdicts, the same words.
    const files = [...mlpFiles(join(ROOT, "samples")), ...mlpFiles(join(ROOT, "test", "fixtures")), ...mlpFiles(C)];
    expect(files.length).toBeGreaterThan(50);
    for (const format of ["json", "human", "github"]) {
      const args = ["check", "--format", format, ...files];
      const expected = full(args);
      expect(expected.stdout.length).toBeGreaterThan(1000);
      expect(mlp(args), format).toEqual(expected);
    }
  });

  it("writes the cache beside the bundle once, then uses it", () => {
    fresh();
    mlp(CLEAN);
    const written = mtime(beside);
    expect(mlp(CLEAN)).toEqual(full(CLEAN));
    expect(mtime(beside)).toBe(written);
    expect(readdirSync(join(install, "compiler", "dist")).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });

  it("ignores a damaged cache, answers the same and writes a good one", () => {
    fresh();
    mlp(CLEAN);
    const good = readFileSync(beside);
    const flipped = Buffer.from(good);
    flipped[flipped.length >> 1] ^= 0xff;
    const damaged: Record<string, Buffer> = {
      "a flipped byte in V8's data": flipped,
      truncated: good.subarray(0, good.length >> 1),
      "the header alone": good.subarray(0, 24),
      empty: Buffer.alloc(0),
      "not a cache": Buffer.from("hello"),
      "V8's data without our header": good.subarray(24),
    };
    for (const [what, bytes] of Object.entries(damaged)) {
      writeFileSync(beside, bytes);
      expect(mlp(CLEAN), what).toEqual(full(CLEAN));
      expect(readFileSync(beside).equals(bytes), `${what}: written anew`).toBe(false);
      const rewritten = mtime(beside);
      mlp(CLEAN);
      expect(mtime(beside), `${what}: the new cache is used`).toBe(rewritten);
    }
  });

  it("refuses the cache of another bundle", () => {
    fresh();
    mlp(CLEAN);
    const before = readFileSync(bundle);
    try {
      // Same length, other text: V8 alone (which compares lengths) would take the old cache.
      writeFileSync(bundle, Buffer.concat([before.subarray(0, before.length - 1), Buffer.from(before[before.length - 1] === 0x0a ? " " : "\n")]));
      const old = readFileSync(beside);
      expect(mlp(CLEAN)).toEqual(full(CLEAN));
      expect(readFileSync(beside).subarray(8, 16).equals(old.subarray(8, 16))).toBe(false);
    } finally {
      writeFileSync(bundle, before);
    }
  });

  it("keeps the cache in the user's cache folder when the bundle's folder cannot hold it", () => {
    fresh();
    rmSync(userCache, { recursive: true, force: true });
    // A folder where the cache file would go: it can be neither read nor replaced (tests run as root, so modes would not do).
    mkdirSync(beside);
    try {
      for (const args of CASES) expect(mlp(args), args.join(" ")).toEqual(full(args));
      const files = readdirSync(join(userCache, "mlp"));
      expect(files).toHaveLength(1);
      expect(files[0]).toMatch(/^check\.cjs-[0-9a-f]+\.v8cache$/);
      const written = mtime(join(userCache, "mlp", files[0]!));
      mlp(CLEAN);
      expect(mtime(join(userCache, "mlp", files[0]!))).toBe(written);
      // No writable place at all: the check still runs, uncached.
      const notADir = join(tmp, "a-file");
      writeFileSync(notADir, "");
      for (const args of CASES) expect(mlp(args, { XDG_CACHE_HOME: notADir }), args.join(" ")).toEqual(full(args));
      expect(readdirSync(join(install, "compiler", "dist")).filter((f) => f.endsWith(".tmp"))).toEqual([]);
    } finally {
      fresh();
    }
  });
});

describe("every other command through the code cache of the whole CLI", { timeout: 180_000 }, () => {
  const whole = join(install, "compiler", "dist", "mlp.cjs");
  const cacheOf = (tag: string) => `${whole}.${tag}.v8cache`;
  const shared = `${whole}.v8cache`;
  const caches = () => readdirSync(join(install, "compiler", "dist")).filter((f) => f.startsWith("mlp.cjs.") && f.endsWith(".v8cache"));
  const forget = () => {
    for (const f of caches()) rmSync(join(install, "compiler", "dist", f), { recursive: true, force: true });
  };
  const out = join(tmp, "compiled");
  /** A command, and the cache it keeps (a command mlp does not have shares one). */
  const COMMANDS: [string[], string][] = [
    [["graph", "valid/minimal.mlp"], "graph"],
    [["fmt", "--check", "valid/minimal.mlp"], "fmt"],
    [["compile", "valid/minimal.mlp", "--target", "spark", "--out", out], "compile"],
    [["explain", "MLP0602"], "explain"],
    [["diff", "valid/minimal.mlp", "valid/minimal.mlp"], "diff"],
    [["--help"], "other"],
    [["no-such-command"], "other"],
  ];
  const compiled = () => (existsSync(out) ? readdirSync(out, { recursive: true }).map(String).sort().map((f) => [f, statSync(join(out, f)).isFile() ? readFileSync(join(out, f), "utf8") : ""]) : []);

  it("answer as the whole CLI does, without a cache and with one, each command with a cache of its own", () => {
    forget();
    for (const [args, tag] of COMMANDS) {
      rmSync(out, { recursive: true, force: true });
      const expected = full(args);
      const files = compiled();
      rmSync(out, { recursive: true, force: true });
      expect(mlp(args), `${args.join(" ")} (no cache)`).toEqual(expected);
      expect(compiled()).toEqual(files);
      expect(existsSync(cacheOf(tag)), `${args.join(" ")} wrote ${tag}'s cache`).toBe(true);
      const written = mtime(cacheOf(tag));
      rmSync(out, { recursive: true, force: true });
      expect(mlp(args), `${args.join(" ")} (cached)`).toEqual(expected);
      expect(compiled()).toEqual(files);
      expect(mtime(cacheOf(tag)), `${args.join(" ")}: the cache is used, not rewritten`).toBe(written);
    }
    // Each command's, and the bundle's shared one the first command made.
    expect(caches().sort()).toEqual([...new Set(COMMANDS.map(([, tag]) => `mlp.cjs.${tag}.v8cache`)), "mlp.cjs.v8cache"].sort());
    // The commands reach every outcome: success, a finding (minimal.mlp is not formatted), usage problems.
    expect(new Set(COMMANDS.map(([args]) => full(args).status))).toEqual(new Set([0, 1, 2]));
    expect(readdirSync(join(install, "compiler", "dist")).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });

  it("starts a command without a cache of its own from the bundle's shared one, made once by the first command", () => {
    forget();
    const graph = ["graph", "valid/minimal.mlp"];
    expect(mlp(graph)).toEqual(full(graph));
    expect(existsSync(shared)).toBe(true);
    const made = mtime(shared);
    // The shared cache holds the bundle's top-level code, not what graph ran: well under graph's own.
    expect(statSync(shared).size).toBeLessThan(statSync(cacheOf("graph")).size / 2);
    for (const [args, tag] of COMMANDS.filter(([, t]) => t !== "graph")) {
      rmSync(out, { recursive: true, force: true });
      expect(mlp(args), args.join(" ")).toEqual(full(args));
      expect(existsSync(cacheOf(tag)), `${args.join(" ")} wrote its own`).toBe(true);
    }
    expect(mtime(shared), "the shared cache is not made again").toBe(made);
    // Damaged: refused, the command answers the same, and the shared cache is made again.
    const flipped = readFileSync(shared);
    flipped[flipped.length >> 1] ^= 0xff;
    for (const bytes of [Buffer.alloc(0), flipped]) {
      writeFileSync(shared, bytes);
      rmSync(cacheOf("explain"), { force: true });
      expect(mlp(["explain", "MLP0602"])).toEqual(full(["explain", "MLP0602"]));
      expect(readFileSync(shared).equals(bytes)).toBe(false);
      expect(statSync(shared).size).toBeLessThan(statSync(cacheOf("graph")).size / 2);
    }
  });

  it("ignores a damaged cache, answers the same and writes a good one", () => {
    const args = ["graph", "valid/minimal.mlp"];
    forget();
    fresh();
    rmSync(userCache, { recursive: true, force: true });
    mlp(args);
    mlp(CLEAN);
    const good = readFileSync(cacheOf("graph"));
    const flipped = Buffer.from(good);
    flipped[flipped.length >> 1] ^= 0xff;
    for (const [what, bytes] of Object.entries({ "a flipped byte in V8's data": flipped, truncated: good.subarray(0, good.length >> 1), "check's cache": readFileSync(beside) })) {
      writeFileSync(cacheOf("graph"), bytes);
      expect(mlp(args), what).toEqual(full(args));
      expect(readFileSync(cacheOf("graph")).equals(bytes), `${what}: written anew`).toBe(false);
    }
  });

  it("keeps a command's cache in the user's cache folder when the bundle's folder cannot hold it", () => {
    forget();
    rmSync(userCache, { recursive: true, force: true });
    mkdirSync(cacheOf("explain"));
    try {
      const args = ["explain", "MLP0602"];
      expect(mlp(args)).toEqual(full(args));
      expect(readdirSync(join(userCache, "mlp"))).toEqual([expect.stringMatching(/^mlp\.cjs\.explain-[0-9a-f]+\.v8cache$/)]);
      expect(mlp(args)).toEqual(full(args));
    } finally {
      forget();
    }
  });
});
