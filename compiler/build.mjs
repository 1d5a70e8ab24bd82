// Bundles the CLI: dist/mlp.mjs (ESM, every command, with chunks the commands load on
// demand) and dist/check.cjs (`mlp check` alone, see bin/mlp.mjs).
// Runs on `npm ci` (prepare) and before the benchmark.
import { build } from "esbuild";
import { rawText } from "./raw-plugin.mjs";
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

// Chunk names carry a hash of their contents: an old chunk would linger beside the new ones.
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
  // A native module: loaded from node_modules by the commands that run pipelines.
  external: ["@duckdb/node-api"],
};
await build({
  ...common,
  entryPoints: { mlp: join(here, "entry.ts") },
  outdir: join(here, "dist"),
  // The commands' dynamic imports (targets, the local runner) become chunks beside mlp.mjs.
  splitting: true,
  chunkNames: "chunks/[name]-[hash]",
  outExtension: { ".js": ".mjs" },
  format: "esm",
  // The language server's libraries are CommonJS and require node's modules: an ESM bundle
  // needs a `require` of its own for them.
  banner: { js: 'import { createRequire as __mlpRequire } from "node:module"; const require = __mlpRequire(import.meta.url);' },
});

// `mlp check` alone, as one CommonJS script with no chunks: bin/mlp.mjs compiles it through
// node:vm with a V8 code cache, which node 20 cannot do for ES modules (issue 15: start-up).
// The run and edit commands read import.meta, which CommonJS lacks; their code is left out of
// this bundle, and the check below makes sure it stays out.
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
  format: "cjs",
  // The bin compiles the file as it is: a function expression as node wraps a CommonJS module,
  // in ASCII (read without decoding).
  banner: { js: "(function (exports, require, module, __filename, __dirname) {" },
  footer: { js: "})" },
  charset: "ascii",
  logOverride: { "empty-import-meta": "silent" },
});
if (readFileSync(checkBundle, "utf8").includes("import_meta")) throw new Error("dist/check.cjs reads import.meta, which a CommonJS bundle does not have");
// The code caches bin/mlp.mjs writes beside the bundle belong to this machine's node:
// never packed.
writeFileSync(join(here, "dist", ".npmignore"), "*.v8cache\n*.tmp\n");
