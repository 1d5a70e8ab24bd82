// Bundles the CLI into one ESM file so `npx mlp` starts fast (one module to load).
// Runs on `npm ci` (prepare) and before the benchmark.
import { build } from "esbuild";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const { version } = JSON.parse(readFileSync(join(here, "..", "package.json"), "utf8"));

await build({
  entryPoints: [join(here, "entry.ts")],
  outfile: join(here, "dist", "mlp.mjs"),
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  minify: true,
  legalComments: "none",
  define: { MLP_VERSION: JSON.stringify(version) },
  logLevel: "warning",
});
