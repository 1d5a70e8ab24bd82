// Autosave: the open files, which one is active and what was last saved go to
// localStorage shortly after every change, so a reload (or a crash) loses nothing.
// Under `mlp edit` the files live on disk: only files with unsaved edits are kept (their
// text and the text they were edited from), the others only by name, so a large file that
// was never edited cannot fill the browser's storage.
import type { Direction } from "../model/positions";
import { app, toast, type AppState } from "./app";
import { activate, openDocument } from "./documents";
import { panes, restorePanes, type Panes } from "./panes";

export const STORAGE_KEY = "mlp-editor:workspace:v1";

/** Where the workspace is kept: one key for the static editor, one per folder under `mlp edit`. */
let key = STORAGE_KEY;

export function setStorageKey(k: string): void {
  key = k;
}

/** The workspace's key: view settings kept beside it (collapsed groups) are scoped by it. */
export function storageKey(): string {
  return key;
}

export interface Saved {
  paths: string[];
  active: string;
  texts: Record<string, string>;
  saved: Record<string, string>;
  /** How the frame was shared out (absent in workspaces saved before panes were resizable). */
  panes?: Panes;
  /** Each file's layout direction, where one was chosen (absent in older workspaces). */
  directions?: Record<string, Direction>;
  /** Under `mlp edit`: texts the user set aside for the disk's version (ServerState.setAside). */
  setAside?: Record<string, string>;
}

/**
 * As stored: a file whose text is what was last saved is stored once (`saved` says `true`),
 * not twice; browser storage holds about 5 MB, and a large file stored twice filled it.
 */
interface Stored extends Omit<Saved, "saved"> {
  saved: Record<string, string | true>;
}

let timer: ReturnType<typeof setTimeout> | undefined;

/** The static editor: the browser is the only storage, so every open file is kept. */
function everything(s: AppState): Stored {
  const saved: Record<string, string | true> = {};
  for (const p of s.paths) {
    const t = s.saved[p];
    if (t !== undefined) saved[p] = t === s.texts[p] ? true : t;
  }
  return { paths: s.paths, active: s.active, texts: s.texts, saved, panes: panes.get(), directions: s.directions };
}

/**
 * Under `mlp edit`: a crash-recovery copy of the unsaved edits only, each with the text it
 * was edited from (absent for a file never saved), which tells on reload whether the disk
 * changed since; a saved or reverted file drops out.
 */
function unsavedOnly(s: AppState): Stored {
  const texts: Record<string, string> = {};
  const saved: Record<string, string> = {};
  for (const p of s.paths) {
    const t = s.texts[p];
    if (t === undefined || t === s.saved[p]) continue;
    texts[p] = t;
    if (s.saved[p] !== undefined) saved[p] = s.saved[p]!;
  }
  return { paths: s.paths, active: s.active, texts, saved, panes: panes.get(), directions: s.directions, setAside: s.server?.setAside ?? {} };
}

function write(): void {
  const s = app.get();
  if (!s.paths.length) return;
  const data = s.server ? unsavedOnly(s) : everything(s);
  let failure: string | null = null;
  try {
    localStorage.setItem(key, JSON.stringify(data));
  } catch (e) {
    // Storage full or disabled: the open files are fine, but a reload or crash would lose
    // what changed since the last successful write. Say so, and keep trying on later edits.
    const full = e instanceof DOMException && (e.name === "QuotaExceededError" || e.name === "NS_ERROR_DOM_QUOTA_REACHED");
    failure = full ? "browser storage is full" : `browser storage refused it (${e instanceof Error ? e.message : String(e)})`;
  }
  if (failure !== app.get().autosaveFailure) {
    app.set({ autosaveFailure: failure });
    if (failure) toast(`autosave stopped: ${failure}; save your files (Ctrl+S) or close large ones`, "error");
    else toast("autosave works again");
  }
}

export function startAutosave(): void {
  const setAside = (s: AppState) => s.server?.setAside;
  let last = { texts: app.get().texts, active: app.get().active, saved: app.get().saved, directions: app.get().directions, setAside: setAside(app.get()) };
  const later = () => {
    clearTimeout(timer);
    timer = setTimeout(write, 300);
  };
  app.subscribe(() => {
    const s = app.get();
    if (s.texts === last.texts && s.active === last.active && s.saved === last.saved && s.directions === last.directions && setAside(s) === last.setAside) return;
    last = { texts: s.texts, active: s.active, saved: s.saved, directions: s.directions, setAside: setAside(s) };
    later();
  });
  // A splitter drag changes the sizes every frame: one write once it rests.
  panes.subscribe(later);
  window.addEventListener("beforeunload", write);
}

/** What is stored, if it has the shape both readers need (a list of paths, texts by path); undefined if absent or damaged. */
function readStored(): Stored | undefined {
  try {
    const raw = localStorage.getItem(key);
    if (!raw) return undefined;
    const stored = JSON.parse(raw) as Partial<Stored> | null;
    if (!stored || !Array.isArray(stored.paths) || !stored.texts || typeof stored.texts !== "object") return undefined;
    return stored as Stored;
  } catch {
    return undefined;
  }
}

/** The autosaved workspace, if there is a usable one. */
export function loadSaved(): Saved | undefined {
  try {
    const stored = readStored();
    if (!stored?.paths.length) return undefined;
    const saved: Record<string, string> = {};
    for (const [p, t] of Object.entries(stored.saved ?? {})) {
      if (t === true && typeof stored.texts[p] === "string") saved[p] = stored.texts[p]!;
      else if (typeof t === "string") saved[p] = t;
    }
    const data: Saved = { ...stored, saved };
    data.paths = data.paths.filter((p) => typeof data.texts[p] === "string");
    if (!data.paths.includes(data.active)) data.active = data.paths[0]!;
    return data.paths.length ? data : undefined;
  } catch {
    return undefined;
  }
}

/** What `mlp edit` kept of the last session: the unsaved edits and the tabs. */
export interface Recovery {
  paths: string[];
  active: string;
  /** Unsaved texts, by file. */
  texts: Record<string, string>;
  /** The text each unsaved file was edited from; absent for a file never saved. */
  saved: Record<string, string>;
  panes?: Panes;
  directions: Record<string, Direction>;
  /** Texts set aside for the disk's version, by file. */
  setAside: Record<string, string>;
}

/** The crash-recovery copy under `mlp edit`, if there is a usable one (also read from the older all-files format). */
export function loadRecovery(): Recovery | undefined {
  try {
    const stored = readStored();
    if (!stored) return undefined;
    const texts: Record<string, string> = {};
    const saved: Record<string, string> = {};
    for (const [p, t] of Object.entries(stored.texts)) {
      const base = stored.saved?.[p];
      // `true`: the older format's clean file, stored only because every file was.
      if (typeof t !== "string" || base === true) continue;
      texts[p] = t;
      if (typeof base === "string") saved[p] = base;
    }
    const paths = stored.paths.filter((p): p is string => typeof p === "string");
    const active = typeof stored.active === "string" ? stored.active : "";
    return { paths, active, texts, saved, ...(stored.panes ? { panes: stored.panes } : {}), directions: directionsOf(stored.directions), setAside: stringsOf(stored.setAside) };
  } catch {
    return undefined;
  }
}

/** Reopens an autosaved workspace. */
export function restore(data: Saved): void {
  for (const p of data.paths) openDocument(p, data.texts[p]!);
  app.set({ saved: data.saved ?? {}, directions: directionsOf(data.directions) });
  restorePanes(data.panes);
  activate(data.active);
}

/** The string entries of a stored record (a damaged entry is dropped). */
function stringsOf(saved: unknown): Record<string, string> {
  if (!saved || typeof saved !== "object") return {};
  return Object.fromEntries(Object.entries(saved).filter((e): e is [string, string] => typeof e[1] === "string"));
}

/** The saved directions that are still meaningful (a damaged entry is dropped, not trusted). */
function directionsOf(saved: unknown): Record<string, Direction> {
  const out: Record<string, Direction> = {};
  if (!saved || typeof saved !== "object") return out;
  for (const [p, d] of Object.entries(saved)) if (d === "right" || d === "down") out[p] = d;
  return out;
}
