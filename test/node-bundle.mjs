// The benchmark and the fuzz campaign run on plain node, outside vitest: their TypeScript
// entry is bundled the way the CLI is (esbuild, `?raw` imports as text), then imported.
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";
import { rawText } from "../compiler/raw-plugin.mjs";

export async function importBundled(entry, outfile) {
  mkdirSync(dirname(outfile), { recursive: true });
  await build({ entryPoints: [entry], outfile, bundle: true, platform: "node", format: "esm", target: "node20", logLevel: "warning", plugins: [rawText] });
  return import(pathToFileURL(outfile).href);
}
