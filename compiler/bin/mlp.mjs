#!/usr/bin/env node
import { fileURLToPath } from "node:url";

// `npx mlp`: runs the bundle that `npm ci` (prepare) builds. `mlp check` has a bundle of its
// own, compiled through a code cache (code-cache.mjs): it is what must start fast (issue 15).
if (process.argv[2] !== "check" || !(await import("./code-cache.mjs")).runCached(fileURLToPath(new URL("../dist/check.cjs", import.meta.url)))) {
  try {
    await import("../dist/mlp.mjs");
  } catch (e) {
    if (e?.code === "ERR_MODULE_NOT_FOUND" && String(e.message).includes("dist/mlp.mjs")) {
      process.stderr.write("mlp: the CLI is not built; run `npm run build` (npm ci does it)\n");
      process.exit(2);
    }
    throw e;
  }
}
