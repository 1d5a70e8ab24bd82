// Process entry of the `mlp check` start-up bundle (dist/check.cjs, see build.mjs and
// bin/mlp.mjs): the same process wiring as entry.ts around `checkMain`, which holds no other
// command's code, so a check loads and compiles less.
import { checkMain } from "./cli";
import { runMain } from "./process-main";

runMain(checkMain);
