// `mlp edit [FILE|DIR] [--port N]`: finds (or builds, once) the editor, starts the server
// for the folder and prints the address to open; runs until interrupted.
import { spawnSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
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

/** The built editor: MLP_EDITOR_DIST, or editor/dist, built on first use. */
function editorDir(root: string, io: EditIo): string {
  const given = process.env.MLP_EDITOR_DIST;
  if (given) {
    if (!existsSync(join(given, "index.html"))) throw new RunUsageError(`MLP_EDITOR_DIST=${given} holds no built editor (index.html)`);
    return given;
  }
  const dist = join(root, "editor", "dist");
  if (existsSync(join(dist, "index.html"))) return dist;
  io.err("mlp: building the editor once (npm run build:editor)…\n");
  const r = spawnSync(process.execPath, [join(root, "editor", "scripts", "build.mjs")], { cwd: root, stdio: ["ignore", "ignore", "pipe"], encoding: "utf8" });
  if (r.status !== 0 || !existsSync(join(dist, "index.html")))
    throw new RunUsageError(`cannot build the editor${r.stderr ? `: ${r.stderr.trim().split("\n").at(-1)}` : ""}; run npm ci, then npm run build:editor`);
  return dist;
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
