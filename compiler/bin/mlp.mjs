#!/usr/bin/env node
// `npx mlp`: runs a bundle that `npm ci` (prepare) builds through a V8 code cache: dist/check.cjs
// for `mlp check`, dist/mlp.cjs for every other command. Node 20 has no compile cache of its
// own, and none at all for ES modules: with one, a command skips parsing and compiling what the
// same command compiled before (issue 15: a check of a small file within 1.5x a bare `node`
// start; the other commands start 15-25% sooner). It is here rather than in a module of its
// own: every module the bin imports is start-up time.
//
// A cache is kept next to the bundle, or in the user's cache folder when that is not
// writable, one per command: each holds the functions its command ran (a compile's targets, a
// run's engine), which another command's would lack. A command with none yet starts from the
// bundle's shared cache, its top-level code (made by the build, see build.mjs, or else by the
// first command that compiled the bundle). Each is only an accelerator: a missing,
// stale, corrupt or unwritable cache costs a compile, never a failure, and the output is the
// same either way. A cache file holds a header (what bundle it was made from, and a checksum
// of its V8 data) then V8's data; V8 itself refuses data from another V8 version or other V8
// flags, and a rejected or missing cache is written anew (atomically: a temporary file renamed
// over): a command's own when the process exits, the shared one as soon as the bundle is
// compiled, before any of it has run.
import { createRequire } from "node:module";

// node's modules through require: an ES import of each would cost a module wrapper apiece.
const require = createRequire(import.meta.url);
const { mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } = require("node:fs");
const { basename, dirname, join } = require("node:path");
const { fileURLToPath } = require("node:url");
const { setFlagsFromString } = require("node:v8");
const vm = require("node:vm");
const { crc32 } = require("node:zlib");

const MAGIC = Buffer.from("mlpV8c01");
/** magic, then the bundle's crc32 and length, then the V8 data's crc32 and length (uint32 LE). */
const HEADER = MAGIC.length + 16;

/** Runs `file` as a CommonJS module, with the cache named `tag`; false when it cannot be read (not built). */
function runCached(file, tag) {
  let source;
  try {
    source = readFileSync(file);
  } catch {
    return false;
  }
  // Nearly all a short command allocates lives to the end (the bundle's functions, its zod
  // schemas), and a scavenge copies what lives: V8 starts the young generation small and
  // doubles it after a scavenge that kept more than it holds, so a check of a small file
  // scavenged four times on the way up; quadrupling it, twice (a large file's peak memory is no
  // higher: the young generation's ceiling is the same). Set before the bundle is compiled:
  // V8's flags are part of what a code cache is checked against, so the cache is made and read
  // under the same ones.
  setFlagsFromString("--semi-space-growth-factor=4");
  const bundle = { crc: crc32(source), length: source.length };
  const find = (t) => {
    for (const place of cacheFiles(file, t, bundle.crc)) {
      const data = readCache(place, bundle);
      if (data !== undefined) return data;
    }
    return undefined;
  };
  // The command's own cache; a command that has none yet starts from the bundle's (its top-level
  // code, made when the first command of this bundle compiled it), not from nothing: a whole
  // parse of the CLI costs more than the ES module chunks it replaced.
  const own = find(tag);
  const cachedData = own ?? (tag === undefined ? undefined : find(undefined));
  // The bundle is ASCII (esbuild escapes the rest) and already wrapped as a CommonJS module
  // function (build.mjs): read as it is, it needs no decoding and no copy.
  const script = new vm.Script(source.toString("latin1"), { filename: file, cachedData });
  const accepted = cachedData !== undefined && !script.cachedDataRejected;
  if (tag !== undefined && own === undefined && !accepted) saveCache(cacheFiles(file, undefined, bundle.crc), bundle, script);
  if (own === undefined || !accepted) process.once("exit", () => saveCache(cacheFiles(file, tag, bundle.crc), bundle, script));
  const module = { exports: {} };
  script.runInThisContext()(module.exports, require, module, file, dirname(file));
  return true;
}

/**
 * Where the cache may be, in the order tried: beside the bundle, then the user's cache folder.
 * Named one at a time: the second (and node:os) only when the first will not do.
 */
function* cacheFiles(file, tag, crc) {
  const named = tag === undefined ? basename(file) : `${basename(file)}.${tag}`;
  yield join(dirname(file), `${named}.v8cache`);
  const user = process.env.XDG_CACHE_HOME || join(require("node:os").homedir(), ".cache");
  // In the shared folder a name per bundle: two installs of mlp must not overwrite each other's.
  yield join(user, "mlp", `${named}-${crc.toString(16)}.v8cache`);
}

/** The V8 data of a cache file made from this bundle, or undefined (none, another bundle's, damaged). */
function readCache(path, bundle) {
  let bytes;
  try {
    bytes = readFileSync(path);
  } catch {
    return undefined;
  }
  if (bytes.length < HEADER || !bytes.subarray(0, MAGIC.length).equals(MAGIC)) return undefined;
  const at = MAGIC.length;
  if (bytes.readUInt32LE(at) !== bundle.crc || bytes.readUInt32LE(at + 4) !== bundle.length) return undefined;
  const data = bytes.subarray(HEADER);
  // V8 trusts the data it is given: a damaged byte must be caught here, not by a crash.
  if (bytes.readUInt32LE(at + 12) !== data.length || bytes.readUInt32LE(at + 8) !== crc32(data)) return undefined;
  return data;
}

function saveCache(places, bundle, script) {
  let data;
  try {
    data = script.createCachedData();
  } catch {
    return;
  }
  const header = Buffer.alloc(HEADER);
  MAGIC.copy(header);
  header.writeUInt32LE(bundle.crc, MAGIC.length);
  header.writeUInt32LE(bundle.length, MAGIC.length + 4);
  header.writeUInt32LE(crc32(data), MAGIC.length + 8);
  header.writeUInt32LE(data.length, MAGIC.length + 12);
  for (const path of places) if (writeAtomically(path, [header, data])) return;
}

/** Whether the file could be written; a reader sees the old file or the new one, never a part. */
function writeAtomically(path, parts) {
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(tmp, Buffer.concat(parts));
    renameSync(tmp, path);
    return true;
  } catch {
    try {
      unlinkSync(tmp);
    } catch {
      // never written
    }
    return false;
  }
}

/** The commands of dist/mlp.cjs, each with a cache of its own; anything else (a typo, `--help`) shares one. */
const COMMANDS = new Set(["fmt", "graph", "compile", "run", "show", "serve", "diff", "init", "explain", "lsp", "edit"]);

// Last: the constants above must be initialised before a bundle reads its cache.
const command = process.argv[2];
const [bundle, tag] = command === "check" ? ["check.cjs", undefined] : ["mlp.cjs", COMMANDS.has(command) ? command : "other"];
if (!runCached(fileURLToPath(new URL(`../dist/${bundle}`, import.meta.url)), tag)) {
  process.stderr.write("mlp: the CLI is not built; run `npm run build` (npm ci does it)\n");
  process.exit(2);
}
