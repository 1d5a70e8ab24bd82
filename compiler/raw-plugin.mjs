// esbuild: `import text from "./x.py?raw"` becomes the file's text, as in Vite.
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";

export const rawText = {
  name: "raw-text",
  setup(b) {
    b.onResolve({ filter: /\?raw$/ }, (args) => ({ path: resolve(args.resolveDir, args.path.slice(0, -"?raw".length)), namespace: "raw-text" }));
    b.onLoad({ filter: /.*/, namespace: "raw-text" }, async (args) => ({ contents: await readFile(args.path, "utf8"), loader: "text" }));
  },
};
