// Autosave: the open files, which one is active and what was last saved go to
// localStorage shortly after every change, so a reload (or a crash) loses nothing.
import { app } from "./app";
import { activate, openDocument } from "./documents";

export const STORAGE_KEY = "mlp-editor:workspace:v1";

export interface Saved {
  paths: string[];
  active: string;
  texts: Record<string, string>;
  saved: Record<string, string>;
}

let timer: ReturnType<typeof setTimeout> | undefined;

function write(): void {
  const s = app.get();
  if (!s.paths.length) return;
  const data: Saved = { paths: s.paths, active: s.active, texts: s.texts, saved: s.saved };
  try {
    localStorage.setItem(STORAGE_KEY, JSON.stringify(data));
  } catch {
    // Storage full or disabled: the files are still open; nothing else to do.
  }
}

export function startAutosave(): void {
  let last = { texts: app.get().texts, active: app.get().active, saved: app.get().saved };
  app.subscribe(() => {
    const s = app.get();
    if (s.texts === last.texts && s.active === last.active && s.saved === last.saved) return;
    last = { texts: s.texts, active: s.active, saved: s.saved };
    clearTimeout(timer);
    timer = setTimeout(write, 300);
  });
  window.addEventListener("beforeunload", write);
}

/** The autosaved workspace, if there is a usable one. */
export function loadSaved(): Saved | undefined {
  try {
    const raw = localStorage.getItem(STORAGE_KEY);
    if (!raw) return undefined;
    const data = JSON.parse(raw) as Saved;
    if (!Array.isArray(data.paths) || !data.paths.length || typeof data.texts !== "object") return undefined;
    data.paths = data.paths.filter((p) => typeof data.texts[p] === "string");
    if (!data.paths.includes(data.active)) data.active = data.paths[0]!;
    return data.paths.length ? data : undefined;
  } catch {
    return undefined;
  }
}

/** Reopens an autosaved workspace. */
export function restore(data: Saved): void {
  for (const p of data.paths) openDocument(p, data.texts[p]!);
  app.set({ saved: data.saved ?? {} });
  activate(data.active);
}
