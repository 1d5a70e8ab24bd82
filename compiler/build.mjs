// Bundles the CLI: dist/mlp.cjs (every command) and dist/check.cjs (`mlp check` alone), each
// one CommonJS script that bin/mlp.mjs runs through a V8 code cache.
// Runs on `npm ci` (prepare) and before the benchmark.
import { build } from "esbuild";
import { rawText } from "./raw-plugin.mjs";
import { spawnSync } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, sep } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const { version } = JSON.parse(readFileSync(join(here, "..", "package.json"), "utf8"));

// zod re-exports every message locale; the CLI speaks English, and dropping the rest
// shrinks the bundle by a third, which shows in start-up time.
const englishOnly = {
  name: "zod-english-only",
  setup(b) {
    b.onResolve({ filter: /locales\/index\.js$/ }, (args) => (args.importer.includes(`${"zod"}`) ? { path: "zod-locales", namespace: "mlp" } : undefined));
    b.onLoad({ filter: /^zod-locales$/, namespace: "mlp" }, () => ({ contents: 'export { default as en } from "zod/v4/locales/en.js";', resolveDir: here }));
  },
};

rmSync(join(here, "dist"), { recursive: true, force: true });
const common = {
  bundle: true,
  platform: "node",
  target: "node20",
  minify: !process.env.MLP_NO_MINIFY,
  legalComments: "none",
  define: { MLP_VERSION: JSON.stringify(version) },
  logLevel: "warning",
  plugins: [englishOnly, rawText],
  // Loaded from node_modules by the commands that use them (both are dependencies): DuckDB, a
  // native module, by those that run pipelines; elkjs (1.5 MB, more than the rest of the CLI)
  // by `mlp graph --format svg` alone, which every other command would otherwise parse.
  external: ["@duckdb/node-api", "elkjs"],
  format: "cjs",
  // The bin compiles each bundle as it is, through a V8 code cache (node 20 has none for ES
  // modules, and no compile cache of its own): a function expression as node wraps a CommonJS
  // module, in ASCII (read without decoding).
  charset: "ascii",
  footer: { js: "})" },
};
const wrapper = "(function (exports, require, module, __filename, __dirname) {";
const noImportMeta = (file) => {
  if (readFileSync(file, "utf8").includes("import_meta")) throw new Error(`${file} reads import.meta, which a CommonJS bundle does not have`);
};

// Every command, as one CommonJS script: dist/mlp.cjs. The commands' dynamic imports (targets,
// the local runner, the language server) stay lazy: their modules are initialised only by the
// commands that import them. The run and edit commands find files beside the package from
// import.meta.url, which a CommonJS script lacks: it is the bundle's own file URL, made once.
// The directive comes first, as it must to count (esbuild's own comes after the banner).
const mlpBundle = join(here, "dist", "mlp.cjs");
await build({
  ...common,
  entryPoints: [join(here, "entry.ts")],
  outfile: mlpBundle,
  define: { ...common.define, "import.meta.url": "__mlpModuleUrl" },
  banner: { js: `${wrapper}"use strict";const __mlpModuleUrl=require("node:url").pathToFileURL(__filename).href;` },
});
noImportMeta(mlpBundle);

// `mlp check` alone, the command run most (on every save, in CI): a script a third the size
// of mlp.cjs, so a check of a small file starts within 1.5x a bare node (issue 15). The run
// and edit commands read import.meta; their code is left out of this bundle, and the check
// below makes sure it stays out.
// Our modules build zod schemas and tables when they load (the IR's, for one), which esbuild
// must assume are side effects; none has an effect beyond its exports. Declared pure here, a
// module check never calls into (the IR, lowering, printing) is left out rather than loaded.
const project = join(here, "..");
const unusedDropped = {
  name: "project-modules-pure",
  setup(b) {
    b.onResolve({ filter: /^\./ }, async (args) => {
      if (args.pluginData === "pure") return undefined;
      const r = await b.resolve(args.path, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: "pure" });
      return r.errors.length === 0 && r.path.startsWith(project + sep) && !r.path.includes(`${sep}node_modules${sep}`) && r.path.endsWith(".ts") ? { ...r, sideEffects: false } : r;
    });
  },
};
// cli.ts loads the other commands with import(); a module a bundle loads lazily is wrapped in
// a lazy initialiser, and so is every module it imports (zod, the checker: all of them, 367
// wrappers). Check never calls those commands: left as imports the bundle never runs, they
// bring in no module and wrap none.
const otherCommandsLeftOut = {
  name: "other-commands-left-out",
  setup(b) {
    b.onResolve({ filter: /.*/ }, (args) => (args.kind === "dynamic-import" ? { path: args.path, external: true } : undefined));
  },
};
const checkBundle = join(here, "dist", "check.cjs");
await build({
  ...common,
  plugins: [...common.plugins, unusedDropped, otherCommandsLeftOut],
  entryPoints: [join(here, "check-entry.ts")],
  outfile: checkBundle,
  banner: { js: wrapper },
  logOverride: { "empty-import-meta": "silent" },
});
noImportMeta(checkBundle);
// The code caches bin/mlp.mjs writes beside the bundle belong to this machine's node:
// never packed.
writeFileSync(join(here, "dist", ".npmignore"), "*.v8cache\n*.tmp\n");
// The whole CLI's shared cache (its top-level code), made here by one short command rather than
// by the first command after an install, which would otherwise parse the whole bundle: every
// command starts from it until it has a cache of its own. Only an accelerator: a failure here
// (a read-only folder) leaves the commands to make it.
spawnSync(process.execPath, [join(here, "bin", "mlp.mjs"), "--version"], { stdio: "ignore" });
