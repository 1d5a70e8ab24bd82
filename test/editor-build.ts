// The editor built once for the browser suites (test/edit/, test/editor/). Each suite used to
// build its own copy with vite (seconds each, three or more at once on a shared CI machine), the
// same bytes from the same sources. Now the first suite to need it builds it into
// test/.tmp/editor-build/ and stamps when the build started; the suites running beside it, in
// other vitest workers, wait for that build (a lock folder), and later runs reuse it while none
// of the editor's sources changed since (`changedSince`, what `mlp edit` itself checks) and
// the dependencies are the same (package-lock.json). The suites only read the build: they serve
// it, each with its own project copy, server and browser.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { changedSince } from "../compiler/edit/command";
import { ROOT } from "./run-helpers";

const HOME = join(ROOT, "test", ".tmp", "editor-build");
const STAMP = join(HOME, "stamp.json");
const LOCK = join(HOME, "lock");
/** A lock older than this was left by a build that died: taken over. */
const STALE_LOCK_MS = 5 * 60_000;
const WAIT_MS = 10 * 60_000;
/** A build replaced this long ago is served by no suite still running: removed. */
const OLD_BUILD_MS = 60 * 60_000;

interface Stamp {
  dir: string;
  startedMs: number;
}

/** The build the stamp names, when it is there and nothing it was built from changed since. */
function current(): string | undefined {
  let stamp: Stamp;
  try {
    stamp = JSON.parse(readFileSync(STAMP, "utf8")) as Stamp;
  } catch {
    return undefined;
  }
  const dir = join(HOME, stamp.dir);
  if (!existsSync(join(dir, "index.html"))) return undefined;
  if (statSync(join(ROOT, "package-lock.json")).mtimeMs > stamp.startedMs) return undefined;
  return changedSince(ROOT, stamp.startedMs) ? undefined : dir;
}

/** Builds into a new folder, stamps it, and removes builds old enough that no run still serves them. */
function buildNow(): string {
  const startedMs = Date.now();
  const name = `dist-${startedMs}-${process.pid}`;
  execFileSync(process.execPath, [join(ROOT, "editor", "scripts", "build.mjs"), join(HOME, name)], { stdio: "pipe" });
  // Written whole, then renamed: a suite never reads half a stamp.
  writeFileSync(`${STAMP}.${process.pid}`, JSON.stringify({ dir: name, startedMs } satisfies Stamp));
  renameSync(`${STAMP}.${process.pid}`, STAMP);
  for (const old of readdirSync(HOME)) {
    if (old.startsWith("dist-") && old !== name && startedMs - statSync(join(HOME, old)).mtimeMs > OLD_BUILD_MS) rmSync(join(HOME, old), { recursive: true, force: true });
  }
  return join(HOME, name);
}

/** Takes the lock; false when another process holds it. */
function lock(): boolean {
  try {
    mkdirSync(LOCK);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    try {
      if (Date.now() - statSync(LOCK).mtimeMs > STALE_LOCK_MS) rmSync(LOCK, { recursive: true, force: true });
    } catch {
      // Released meanwhile: the next try takes it.
    }
    return false;
  }
}

/** The folder of the editor's build, built first when there is none for the sources as they are. */
export async function builtEditor(): Promise<string> {
  mkdirSync(HOME, { recursive: true });
  const until = Date.now() + WAIT_MS;
  for (;;) {
    const ready = current();
    if (ready) return ready;
    if (lock()) {
      try {
        return current() ?? buildNow();
      } finally {
        rmSync(LOCK, { recursive: true, force: true });
      }
    }
    if (Date.now() > until) throw new Error(`waited ${WAIT_MS / 1000} s for the editor's build (${LOCK} is held)`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
