// `npm pack`: the tarball holds what `mlp` needs at run time (the bin, the built CLI's bundles,
// the built editor that `mlp edit` serves, the language reference) and none of
// the repository's tests or scratch files; and `mlp` runs from the tarball, unpacked beside the
// repository's node_modules as `npm install` would put them.
// Packs what is built (the bundle from `node compiler/build.mjs`): scripts are not run here.
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { build } from "esbuild";
import { builtinModules } from "node:module";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "../run-helpers";

const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string; bin: Record<string, string>; dependencies: Record<string, string>; scripts: Record<string, string> };
const tmp = mkdtempSync(join(tmpdir(), "mlp-pack-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const npm = (args: string[], cwd = ROOT) => execFileSync("npm", [...args, "--ignore-scripts"], { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });

/**
 * Every file reachable from `start` through its imports (static and dynamic), and the packages
 * it leaves to node_modules. esbuild reads the modules as JavaScript: the bundle holds strings
 * that look like imports (the .mlp text of `mlp init`, the parser's keywords).
 */
async function closure(start: string): Promise<{ files: string[]; packages: string[] }> {
  const r = await build({ entryPoints: [join(ROOT, start)], absWorkingDir: ROOT, bundle: true, splitting: true, format: "esm", platform: "node", packages: "external", write: false, metafile: true, outdir: join(tmp, "closure"), logLevel: "silent" });
  const inputs = Object.entries(r.metafile.inputs);
  return { files: inputs.map(([f]) => f), packages: [...new Set(inputs.flatMap(([, i]) => i.imports.filter((m) => m.external).map((m) => m.path)))] };
}

/**
 * The packages a bundle requires: its text is a function expression as node wraps a CommonJS
 * module (compiler/build.mjs), read here as the module inside it (by esbuild, not by pattern:
 * the bundle holds generated code that says `require(...)` in its strings).
 */
async function requiredBy(bundle: string): Promise<string[]> {
  const text = readFileSync(join(ROOT, bundle), "utf8");
  const head = "(function (exports, require, module, __filename, __dirname) {";
  expect(text.startsWith(head) && text.trimEnd().endsWith("})")).toBe(true);
  const body = join(tmp, `${bundle.replaceAll("/", "_")}.body.cjs`);
  writeFileSync(body, text.slice(head.length, text.trimEnd().length - 2));
  const r = await build({ entryPoints: [body], bundle: true, format: "cjs", platform: "node", packages: "external", write: false, metafile: true, outdir: join(tmp, "required"), logLevel: "silent" });
  return Object.values(r.metafile.inputs).flatMap((i) => i.imports.filter((m) => m.external).map((m) => m.path));
}

/** The files under `dir` (relative to the root), when it exists. */
function filesUnder(dir: string): string[] {
  const abs = join(ROOT, dir);
  if (!existsSync(abs)) return [];
  return readdirSync(abs, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(ROOT, join(e.parentPath, e.name)).split("\\").join("/"));
}

describe("npm pack", { timeout: 120_000 }, () => {
  // What `prepack` builds (the scripts are not run here): the editor, when it was never built.
  beforeAll(() => {
    if (!existsSync(join(ROOT, "editor", "dist", "index.html"))) execFileSync(process.execPath, [join(ROOT, "editor", "scripts", "build.mjs")], { cwd: ROOT, stdio: "ignore" });
  });

  const listed = () => {
    const [report] = JSON.parse(npm(["pack", "--dry-run", "--json"])) as { files: { path: string }[] }[];
    return new Set(report!.files.map((f) => f.path));
  };

  it("holds the bin and every module it loads, and no tests or scratch files", async () => {
    // A check leaves a code cache beside its bundle (bin/mlp.mjs): this machine's, not the package's.
    execFileSync(process.execPath, [join(ROOT, pkg.bin.mlp!), "check", join(ROOT, "samples", "machine_failure.mlp")], { stdio: "ignore" });
    expect(filesUnder("compiler/dist").some((f) => f.endsWith(".v8cache"))).toBe(true);
    const packed = listed();
    const bin = pkg.bin.mlp!;
    expect(packed).toContain(bin);
    const { files, packages: binPackages } = await closure(bin);
    expect(files.filter((f) => !packed.has(f))).toEqual([]);
    // The bundles the bin reads as files rather than imports (each one script, compiled through a
    // code cache): a file missing here is an `mlp` that cannot start.
    const bundles = ["compiler/dist/mlp.cjs", "compiler/dist/check.cjs"];
    for (const b of bundles) expect(packed).toContain(b);
    expect([...packed].filter((f) => f.endsWith(".v8cache") || f.endsWith(".tmp"))).toEqual([]);
    // What the bundles leave to node_modules is installed with the package: the bin's imports,
    // and what the bundles require (node's own modules aside).
    const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
    const required = (await Promise.all(bundles.map(requiredBy))).flat();
    // A package by its name, whatever file of it is required (`elkjs/lib/elk.bundled.js`).
    const name = (spec: string) => spec.split("/").slice(0, spec.startsWith("@") ? 2 : 1).join("/");
    const packages = [...new Set([...binPackages, ...required].filter((p) => !builtins.has(p)).map(name))];
    // DuckDB (native) is required at run time, out of the bundler's sight: it must be a dependency.
    expect(bundles.some((b) => readFileSync(join(ROOT, b), "utf8").includes('"@duckdb/node-api"'))).toBe(true);
    expect(pkg.dependencies).toHaveProperty("@duckdb/node-api");
    expect(packages.filter((p) => !(p in pkg.dependencies))).toEqual([]);
    expect([...packed].filter((f) => f.startsWith("test/") || f.includes(".tmp") || f.includes("node_modules/"))).toEqual([]);
    // Nothing of the sources: the bundle is what runs.
    expect([...packed].filter((f) => f.endsWith(".ts"))).toEqual([]);
    expect(packed).toContain("language/REFERENCE.md");
  });

  it("holds the built editor `mlp edit` serves, built when the package is packed", () => {
    const packed = listed();
    // `mlp edit` finds the package's root by editor/index.html beside compiler/bin/mlp.mjs.
    expect(packed).toContain("editor/index.html");
    // Every file of the build, and no sources: an installed package has no vite to build with.
    expect(packed).toContain("editor/dist/index.html");
    expect(filesUnder("editor/dist").filter((f) => !packed.has(f))).toEqual([]);
    expect([...packed].filter((f) => f.startsWith("editor/") && f !== "editor/index.html" && !f.startsWith("editor/dist/"))).toEqual([]);
    expect(pkg.scripts.prepack).toContain("editor/scripts/build.mjs");
  });

  it("runs from the unpacked tarball: init, check, explain", () => {
    const tgz = (JSON.parse(npm(["pack", "--json", "--pack-destination", tmp])) as { filename: string }[])[0]!.filename;
    execFileSync("tar", ["-xzf", join(tmp, tgz), "-C", tmp]);
    const installed = join(tmp, "package");
    // The dependencies as `npm install` would place them: the repository's, linked.
    symlinkSync(join(ROOT, "node_modules"), join(installed, "node_modules"), "dir");
    const mlp = (args: string[], cwd = tmp) => spawnSync(process.execPath, [join(installed, pkg.bin.mlp!), ...args], { cwd, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
    expect(mlp(["--version"]).stdout.trim()).toBe(`mlp ${pkg.version}`);
    const project = join(tmp, "project");
    mkdirSync(project);
    expect(mlp(["init", "."], project).status).toBe(0);
    // `check` says nothing on a clean file; a broken one it names, with a failing status.
    expect(mlp(["check", "pipeline.mlp"], project)).toMatchObject({ status: 0, stdout: "", stderr: "" });
    expect(mlp(["check", join(ROOT, "samples", "machine_failure.mlp")])).toMatchObject({ status: 0, stderr: "" });
    writeFileSync(join(project, "broken.mlp"), readFileSync(join(project, "pipeline.mlp"), "utf8") + "\nschema {\n");
    const broken = mlp(["check", "broken.mlp"], project);
    expect(broken.status).not.toBe(0);
    expect(broken.stdout + broken.stderr).toContain("broken.mlp");
    // A command of the whole CLI's bundle.
    expect(mlp(["explain", "MLP0602"]).stdout).toContain("MLP0602");
  });

  it("serves the packed editor with `mlp edit` from the unpacked tarball, building nothing", async () => {
    const installed = join(tmp, "package");
    const { MLP_EDITOR_DIST: _, ...env } = process.env;
    const cli = spawn(process.execPath, [join(installed, pkg.bin.mlp!), "edit", join(tmp, "project")], { env: { ...env, NO_COLOR: "1" }, stdio: ["ignore", "pipe", "pipe"] });
    try {
      let said = "";
      const url = await new Promise<string>((resolve, reject) => {
        const seen = (c: string) => {
          said += c;
          const m = /(http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]+)/.exec(said);
          if (m) resolve(m[1]!);
        };
        cli.stdout!.setEncoding("utf8").on("data", seen);
        cli.stderr!.setEncoding("utf8").on("data", seen);
        cli.on("exit", (code) => reject(new Error(`mlp edit exited with ${code}: ${said}`)));
      });
      expect(said).not.toMatch(/building/);
      const page = await fetch(url);
      expect(page.status).toBe(200);
      expect(await page.text()).toMatch(/<script[^>]+src="[^"]*assets\//);
    } finally {
      // Waited for: on its way out the command writes its code cache into the package, which
      // the folder's removal after the tests must not race.
      if (cli.exitCode === null && cli.signalCode === null) {
        const exited = new Promise((done) => cli.once("exit", done));
        cli.kill();
        await exited;
      }
    }
  });
});
