// `mlp edit [FILE|DIR] [--port N]`: finds (or builds, when missing or stale) the editor, starts the server
// for the folder and prints the address to open; runs until interrupted.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { basename, dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { RunUsageError } from "../run/usage-error";
import { startEditServer } from "./server";

export interface EditIo {
  out(s: string): void;
  err(s: string): void;
}

/** The package's root: the folder above this module that holds the editor's sources. */
function packageRoot(): string | undefined {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    if (existsSync(join(dir, "editor", "index.html")) && existsSync(join(dir, "compiler", "bin", "mlp.mjs"))) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}

/**
 * The built editor: MLP_EDITOR_DIST, or editor/dist, built on first use and again when its
 * sources changed since (a `git pull` in the checkout would otherwise keep serving the old one).
 */
function editorDir(root: string, io: EditIo): string {
  const given = process.env.MLP_EDITOR_DIST;
  if (given) {
    if (!existsSync(join(given, "index.html"))) throw new RunUsageError(`MLP_EDITOR_DIST=${given} holds no built editor (index.html)`);
    return given;
  }
  const dist = join(root, "editor", "dist");
  const built = join(dist, "index.html");
  if (existsSync(built)) {
    const changed = changedSince(root, statSync(built).mtimeMs);
    if (!changed) return dist;
    io.err(`mlp: the editor's sources changed since it was built (${changed}); building it again…\n`);
  } else io.err("mlp: building the editor once (npm run build:editor)…\n");
  const r = spawnSync(process.execPath, [join(root, "editor", "scripts", "build.mjs")], { cwd: root, stdio: ["ignore", "ignore", "pipe"], encoding: "utf8" });
  if (r.status !== 0 || !existsSync(built))
    throw new RunUsageError(`cannot build the editor${r.stderr ? `: ${r.stderr.trim().split("\n").at(-1)}` : ""}; run npm ci, then npm run build:editor`);
  return dist;
}

/**
 * What the editor is built from, under the package's root: its own sources and the language,
 * compiler and targets it runs in the browser. (The project's samples/ are built in too, for
 * the static build's menu, but `mlp edit` reads files from disk: editing them is no reason to
 * build again.)
 */
export const EDITOR_SOURCES = ["editor/src", "editor/samples", "editor/index.html", "editor/vite.config.ts", "language", "compiler", "targets"];
const NOT_SOURCES = new Set(["dist", "node_modules", "__pycache__"]);

/** The first source file (relative to `root`) modified after `builtMs`, if any; under `sources`, EDITOR_SOURCES unless given. */
export function changedSince(root: string, builtMs: number, sources: readonly string[] = EDITOR_SOURCES): string | undefined {
  const visit = (rel: string): string | undefined => {
    const abs = join(root, rel);
    let st;
    try {
      st = statSync(abs);
    } catch {
      return undefined;
    }
    if (!st.isDirectory()) return st.mtimeMs > builtMs ? rel : undefined;
    for (const name of readdirSync(abs).sort()) {
      if (name.startsWith(".") || NOT_SOURCES.has(name)) continue;
      const found = visit(`${rel}/${name}`);
      if (found) return found;
    }
    return undefined;
  };
  for (const rel of sources) {
    const found = visit(rel);
    if (found) return found;
  }
  return undefined;
}

export async function editCommand(target: string, port: number, io: EditIo): Promise<number> {
  const abs = resolve(target);
  let st;
  try {
    st = statSync(abs);
  } catch {
    throw new RunUsageError(`no such file or folder: ${target}`);
  }
  if (!st.isDirectory() && !abs.endsWith(".mlp")) throw new RunUsageError(`edit takes a .mlp file or a folder, not ${target}`);
  const folder = st.isDirectory() ? abs : dirname(abs);
  const root = packageRoot();
  if (!root) throw new RunUsageError("cannot find the editor beside this mlp (its editor/ folder is missing)");
  const server = await startEditServer({ root: folder, editorDir: editorDir(root, io), port, cli: { node: process.execPath, bin: join(root, "compiler", "bin", "mlp.mjs") } });
  const open = st.isDirectory() ? "" : `&file=${encodeURIComponent(relative(folder, abs).split(sep).join("/"))}`;
  const shown = relative(process.cwd(), folder) || ".";
  io.out(`mlp edit: ${shown === "." ? basename(folder) : shown} at\n\n  ${server.url}?token=${server.token}${open}\n\nopen it in a browser (only this address works: it holds the access token). Ctrl+C stops.\n`);
  return new Promise((done) => {
    const stop = () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      void server.close().then(() => done(0));
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
}
