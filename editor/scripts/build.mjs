// Static build of the editor into editor/dist, or the folder given (npm run build:editor).
import { fileURLToPath } from "node:url";
import { build } from "vite";

const root = fileURLToPath(new URL("..", import.meta.url));

/** Builds into `outDir` (default editor/dist); tests build into a folder of their own. */
export async function buildEditor(outDir = `${root}dist`) {
  await build({ configFile: `${root}vite.config.ts`, root, logLevel: "warn", build: { outDir, emptyOutDir: true } });
  return outDir;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const t0 = Date.now();
  const out = await buildEditor(process.argv[2]);
  console.log(`editor built into ${out} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}
