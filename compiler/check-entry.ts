// Process entry of the `mlp check` start-up bundle (dist/check.cjs, see build.mjs and
// bin/mlp.mjs): the same process wiring as entry.ts around `checkMain`, which holds no other
// command's code, so a check loads and compiles less.
import { config } from "zod";
import { checkMain } from "./cli";
import { runMain } from "./process-main";

// zod compiles a parser of its own (new Function) for each object schema on first use: code the
// code cache cannot hold, which a one-shot check pays for and never gains from. The parsers it
// interprets instead accept and report exactly the same.
config({ jitless: true });
runMain(checkMain, { lazyStreams: true });
