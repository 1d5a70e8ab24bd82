#!/usr/bin/env node
// `npx mlp`: runs the bundle that `npm ci` (prepare) builds.
try {
  await import("../dist/mlp.mjs");
} catch (e) {
  if (e?.code === "ERR_MODULE_NOT_FOUND" && String(e.message).includes("dist/mlp.mjs")) {
    process.stderr.write("mlp: the CLI is not built; run `npm run build` (npm ci does it)\n");
    process.exit(2);
  }
  throw e;
}
