// npm run build:vscode: the VS Code extension as a .vsix (editor/vscode/mlp-VERSION.vsix):
// the client (dist/extension.js), `mlp lsp` on its own (dist/server.js), the snippets from
// the step catalog, and the editor's static build for the graph webview (graph/).
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createVSIX } from "@vscode/vsce";
import { build } from "esbuild";
import { rawText } from "../../compiler/raw-plugin.mjs";
import { buildEditor } from "../scripts/build.mjs";

const here = fileURLToPath(new URL(".", import.meta.url));
const { version } = JSON.parse(readFileSync(join(here, "..", "..", "package.json"), "utf8"));

/** Builds the extension into `here` and packages it; resolves to the .vsix path. */
export async function buildExtension() {
  rmSync(join(here, "dist"), { recursive: true, force: true });
  const common = { bundle: true, platform: "node", format: "cjs", target: "node20", minify: true, legalComments: "none", logLevel: "warning" };
  await build({ ...common, entryPoints: [join(here, "src/extension.ts")], outfile: join(here, "dist/extension.js"), external: ["vscode"] });
  await build({ ...common, entryPoints: [join(here, "src/server.ts")], outfile: join(here, "dist/server.js"), define: { MLP_VERSION: JSON.stringify(version) }, plugins: [rawText] });
  const gen = await build({ ...common, format: "esm", minify: false, entryPoints: [join(here, "src/snippets.ts")], write: false });
  const { snippets } = await import(`data:text/javascript;base64,${Buffer.from(gen.outputFiles[0].text).toString("base64")}`);
  mkdirSync(join(here, "snippets"), { recursive: true });
  writeFileSync(join(here, "snippets/mlp.json"), JSON.stringify(snippets(), null, 2) + "\n");
  await buildEditor(join(here, "graph"));
  // The manifest carries the project's version.
  const manifest = JSON.parse(readFileSync(join(here, "package.json"), "utf8"));
  if (manifest.version !== version) writeFileSync(join(here, "package.json"), JSON.stringify({ ...manifest, version }, null, 2) + "\n");
  const out = join(here, `mlp-${version}.vsix`);
  await createVSIX({ cwd: here, packagePath: out, dependencies: false, skipLicense: true, allowMissingRepository: true });
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const t0 = Date.now();
  const out = await buildExtension();
  console.log(`built ${out} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}
