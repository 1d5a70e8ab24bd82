// Opening and saving .mlp files: the File System Access API where the browser has it
// (Save writes back to the same file), file inputs and downloads everywhere else.
import { sampleWithImports } from "../samples";
import { app, fitView, toast } from "./app";
import { activate, hasDocument, openDocument, replaceText } from "./documents";
import { saveToServer } from "./server";

type FileHandle = { name: string; getFile(): Promise<File>; createWritable(): Promise<{ write(data: string): Promise<void>; close(): Promise<void> }> };
type DirHandle = { name: string; kind: "directory"; values(): AsyncIterable<FileHandle & { kind: "file" } | DirHandle> };
type FsWindow = Window & {
  showOpenFilePicker?: (o: object) => Promise<FileHandle[]>;
  showSaveFilePicker?: (o: object) => Promise<FileHandle>;
  showDirectoryPicker?: (o?: object) => Promise<DirHandle>;
};

const fsw = window as FsWindow;
const handles = new Map<string, FileHandle>();
const MLP_TYPES = [{ description: "mlp pipelines", accept: { "text/plain": [".mlp"] } }];

function markSaved(path: string, text: string): void {
  app.set((s) => ({ saved: { ...s.saved, [path]: text } }));
}

/**
 * Opens files; the first becomes active. A file already open shows what was just read (one
 * undoable change), and unsaved edits are replaced only when the user says so.
 */
export function openTexts(files: Record<string, string>, activateFirst = true): void {
  const paths = Object.keys(files);
  for (const p of paths) {
    const read = files[p]!;
    if (!hasDocument(p)) openDocument(p, read);
    else if (app.get().texts[p] !== read) {
      const unsaved = app.get().texts[p] !== app.get().saved[p];
      if (unsaved && !window.confirm(`${p} has unsaved changes. Replace them with the file you opened?`)) toast(`kept your unsaved changes to ${p}; the file you opened differs from them`);
      else {
        replaceText(p, read, "input.open");
        toast(`${p} now shows the file you opened${unsaved ? " (undo brings your changes back)" : ""}`);
      }
    }
    // What was read is what is on disk: the editor compares against it from now on.
    markSaved(p, read);
  }
  const first = paths.find((p) => /^\s*pipeline\s/m.test(files[p]!)) ?? paths[0];
  if (activateFirst && first) {
    app.set({ fitPending: true });
    activate(first);
  }
}

export function openSample(path: string): void {
  const files = sampleWithImports(path);
  const fresh: Record<string, string> = {};
  for (const [p, t] of Object.entries(files)) if (!hasDocument(p)) fresh[p] = t;
  openTexts(fresh, false);
  app.set({ fitPending: true });
  activate(path);
}

export async function readFileList(list: FileList | File[]): Promise<void> {
  const files: Record<string, string> = {};
  for (const f of Array.from(list)) {
    if (!f.name.endsWith(".mlp")) continue;
    // A folder pick gives `folder/lib/x.mlp`: drop the folder so imports resolve as in the project.
    const rel = (f as File & { webkitRelativePath?: string }).webkitRelativePath;
    const path = rel ? rel.split("/").slice(1).join("/") : f.name;
    files[path] = await f.text();
  }
  if (!Object.keys(files).length) {
    toast("no .mlp files in what was chosen", "error");
    return;
  }
  openTexts(files);
}

export function canUseFileSystem(): boolean {
  return typeof fsw.showOpenFilePicker === "function";
}

export async function openWithPicker(): Promise<boolean> {
  if (!fsw.showOpenFilePicker) return false;
  try {
    const picked = await fsw.showOpenFilePicker({ multiple: true, types: MLP_TYPES });
    const files: Record<string, string> = {};
    for (const h of picked) {
      files[h.name] = await (await h.getFile()).text();
      handles.set(h.name, h);
    }
    openTexts(files);
  } catch (e) {
    if ((e as Error).name !== "AbortError") toast(`could not open: ${(e as Error).message}`, "error");
  }
  return true;
}

export async function openFolderWithPicker(): Promise<boolean> {
  if (!fsw.showDirectoryPicker) return false;
  try {
    const dir = await fsw.showDirectoryPicker();
    const files: Record<string, string> = {};
    const walk = async (d: DirHandle, prefix: string) => {
      for await (const entry of d.values()) {
        if ("getFile" in entry && entry.name.endsWith(".mlp")) {
          files[prefix + entry.name] = await (await entry.getFile()).text();
          handles.set(prefix + entry.name, entry);
        } else if (entry.kind === "directory" && !entry.name.startsWith(".") && entry.name !== "node_modules") await walk(entry as DirHandle, `${prefix}${entry.name}/`);
      }
    };
    await walk(dir, "");
    if (Object.keys(files).length) openTexts(files);
    else toast("no .mlp files in that folder", "error");
  } catch (e) {
    if ((e as Error).name !== "AbortError") toast(`could not open the folder: ${(e as Error).message}`, "error");
  }
  return true;
}

export function download(name: string, data: BlobPart, type = "text/plain"): void {
  const url = URL.createObjectURL(new Blob([data], { type }));
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** Saves the active file: back to its file when opened with a picker, else as a download. */
export async function saveActive(as = false): Promise<void> {
  const { active, texts, server } = app.get();
  const text = texts[active];
  if (text === undefined) return;
  if (server && !as) {
    if (await saveToServer(active)) toast(`saved ${active}`, "ok");
    return;
  }
  let h = as ? undefined : handles.get(active);
  if (!h && fsw.showSaveFilePicker && as) {
    try {
      h = await fsw.showSaveFilePicker({ suggestedName: active.split("/").pop(), types: MLP_TYPES });
    } catch (e) {
      if ((e as Error).name === "AbortError") return;
    }
  }
  if (h) {
    try {
      const w = await h.createWritable();
      await w.write(text);
      await w.close();
      handles.set(active, h);
      markSaved(active, text);
      toast(`saved ${active}`, "ok");
      return;
    } catch (e) {
      toast(`could not write ${active}: ${(e as Error).message}; downloading instead`, "error");
    }
  }
  download(active.split("/").pop() ?? "pipeline.mlp", text);
  markSaved(active, text);
}

const NEW_FILE = (name: string) => `// ${name}\npipeline ${name.replace(/\.mlp$/, "").replace(/[^A-Za-z0-9_]/g, "_").replace(/^(\d)/, "_$1")} {\n  version = "0.1.0"\n}\n`;

export function newFile(): void {
  const name = window.prompt("Name of the new file (e.g. pipeline.mlp or lib/shared.mlp)", "pipeline.mlp");
  if (!name) return;
  const path = name.endsWith(".mlp") ? name : `${name}.mlp`;
  if (hasDocument(path)) {
    activate(path);
    return;
  }
  openDocument(path, NEW_FILE(path.split("/").pop()!));
  app.set({ fitPending: true });
  activate(path);
  fitView();
}
