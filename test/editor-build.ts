// The editor built once for the browser suites (test/edit/, test/editor/). Each suite used to
// build its own copy with vite (seconds each, on a shared CI machine), the same bytes from the
// same sources. Now the first suite to need it builds it into test/.tmp/editor-build/ and stamps
// when the build started; suites asking meanwhile, in other vitest workers, wait for that build
// (a lock folder), and later runs reuse it while nothing it is built from changed since (what
// `mlp edit` itself checks with `changedSince`, the samples built in, package-lock.json). The
// suites only read the build: they serve it, each with its own project copy, server and browser.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { changedSince, EDITOR_SOURCES } from "../compiler/edit/command";
import { ROOT } from "./run-helpers";

/** Where the build goes, what it is built from, and how (the tests of this helper change them). */
export interface BuildPlace {
  home: string;
  root: string;
  build(outDir: string): void | Promise<void>;
}

const EDITOR: BuildPlace = {
  home: join(ROOT, "test", ".tmp", "editor-build"),
  root: ROOT,
  build: (outDir) => void execFileSync(process.execPath, [join(ROOT, "editor", "scripts", "build.mjs"), outDir], { stdio: "pipe" }),
};
/**
 * What a build is made from: what `mlp edit` checks, and the project's samples, which the static
 * build's menu holds and the e2e suite opens (`mlp edit` reads them from disk instead).
 */
const BUILT_FROM = [...EDITOR_SOURCES, "samples"];
/** A lock older than this was left by a build that died: taken over. */
const STALE_LOCK_MS = 5 * 60_000;
const WAIT_MS = 10 * 60_000;
/** A build replaced this long ago is served by no suite still running: removed. */
const OLD_BUILD_MS = 60 * 60_000;

interface Stamp {
  dir: string;
  startedMs: number;
}

const stampOf = (at: BuildPlace) => join(at.home, "stamp.json");
const lockOf = (at: BuildPlace) => join(at.home, "lock");

/** The build the stamp names, when it is there and nothing it was built from changed since. */
function current(at: BuildPlace): string | undefined {
  let stamp: Stamp;
  try {
    stamp = JSON.parse(readFileSync(stampOf(at), "utf8")) as Stamp;
  } catch {
    return undefined;
  }
  const dir = join(at.home, stamp.dir);
  if (!existsSync(join(dir, "index.html"))) return undefined;
  const lockfile = join(at.root, "package-lock.json");
  if (existsSync(lockfile) && statSync(lockfile).mtimeMs > stamp.startedMs) return undefined;
  return changedSince(at.root, stamp.startedMs, BUILT_FROM) ? undefined : dir;
}

/** Builds into a new folder, stamps it, and removes builds old enough that no run still serves them. */
async function buildNow(at: BuildPlace): Promise<string> {
  const startedMs = Date.now();
  const name = `dist-${startedMs}-${process.pid}`;
  await at.build(join(at.home, name));
  // Written whole, then renamed: a suite never reads half a stamp.
  const stamp = stampOf(at);
  writeFileSync(`${stamp}.${process.pid}`, JSON.stringify({ dir: name, startedMs } satisfies Stamp));
  renameSync(`${stamp}.${process.pid}`, stamp);
  for (const old of readdirSync(at.home)) {
    if (old.startsWith("dist-") && old !== name && startedMs - statSync(join(at.home, old)).mtimeMs > OLD_BUILD_MS) rmSync(join(at.home, old), { recursive: true, force: true });
  }
  return join(at.home, name);
}

/** Takes the lock; false when another process holds it. */
function lock(at: BuildPlace): boolean {
  try {
    mkdirSync(lockOf(at));
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    try {
      if (Date.now() - statSync(lockOf(at)).mtimeMs > STALE_LOCK_MS) rmSync(lockOf(at), { recursive: true, force: true });
    } catch {
      // Released meanwhile: the next try takes it.
    }
    return false;
  }
}

/** The folder of the editor's build, built first when there is none for the sources as they are. */
export async function builtEditor(at: BuildPlace = EDITOR): Promise<string> {
  mkdirSync(at.home, { recursive: true });
  const until = Date.now() + WAIT_MS;
  for (;;) {
    const ready = current(at);
    if (ready) return ready;
    if (lock(at)) {
      try {
        return current(at) ?? (await buildNow(at));
      } finally {
        rmSync(lockOf(at), { recursive: true, force: true });
      }
    }
    if (Date.now() > until) throw new Error(`waited ${WAIT_MS / 1000} s for the editor's build (${lockOf(at)} is held)`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
