// `npm run fuzz [-- --seconds 60 --seed 42 --inputs N --no-targets --allow-known]`: the in-process fuzz
// campaign of test/fuzz/harness.ts, over an esbuild bundle (plain node, no vitest), like the
// benchmark. Prints each distinct failure as it is found (minimised, saved under
// test/.tmp/fuzz-failures/SEED/), then `N passed, N failed` as the last line; exit 1 on failures.
import { rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { importBundled } from "../node-bundle.mjs";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const TMP = join(ROOT, "test", ".tmp");

function usage(message) {
  process.stderr.write(`fuzz: ${message}\nusage: npm run fuzz -- [--seconds S] [--seed N] [--inputs N] [--no-targets] [--allow-known]\n`);
  process.exit(2);
}

const args = { seconds: 60, seed: 1, inputs: undefined, targets: true, allowKnown: false };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const [flag, inline] = argv[i].split(/=(.*)/s, 2);
  const value = () => {
    const v = inline ?? argv[++i];
    if (v === undefined || !/^\d+(\.\d+)?$/.test(v)) usage(`${flag} needs a number`);
    return Number(v);
  };
  if (flag === "--seconds") args.seconds = value();
  else if (flag === "--seed") args.seed = value();
  else if (flag === "--inputs") args.inputs = value();
  else if (flag === "--no-targets") args.targets = false;
  else if (flag === "--allow-known") args.allowKnown = true;
  else usage(`unknown option ${flag}`);
}

const h = await importBundled(join(ROOT, "test", "fuzz", "harness.ts"), join(TMP, "fuzz", "harness.mjs"));

const SHARED = join(ROOT, "..", "shared", "conformance");
const corpus = h.loadCorpus([join(SHARED, "valid"), join(SHARED, "invalid"), join(ROOT, "samples"), join(ROOT, "test", "fixtures")]);
if (!corpus.length) usage("no corpus: expected .mlp files under ../shared/conformance, samples/ and test/fixtures/");
const outDir = join(TMP, "fuzz-failures", String(args.seed));
rmSync(outDir, { recursive: true, force: true });

process.stdout.write(`fuzz: seed ${args.seed}, ${args.seconds} s, ${corpus.length} corpus files${args.inputs ? `, at most ${args.inputs} inputs` : ""}\n`);
const started = performance.now();
const r = h.runCampaign({
  seconds: args.seconds,
  seed: args.seed,
  corpus,
  outDir,
  maxInputs: args.inputs,
  targets: args.targets,
  allowKnown: args.allowKnown,
  log: (line) => process.stdout.write(line + "\n"),
});
const secs = ((performance.now() - started) / 1000).toFixed(1);
process.stdout.write(`${r.inputs} inputs in ${secs} s, ${r.failures.length} distinct failures${r.failures.length ? ` (saved under ${outDir})` : ""}\n`);
if (args.allowKnown) process.stdout.write(`${r.known} inputs failed in already reported ways (test/fuzz/known.ts), not counted below\n`);
process.stdout.write(`${r.passed} passed, ${r.failed} failed\n`);
process.exitCode = r.failed ? 1 : 0;
