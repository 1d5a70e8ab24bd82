// `mlp edit` mode. Opened from the address `mlp edit` printed (it carries a token), the
// editor works on the folder's files on disk: it opens them from the server, saves to
// them (refused when the file changed on disk since it was read: the user chooses), hears
// of changes made by other programs, and runs the pipeline through `mlp run`, showing each
// step's state and rows on the graph. Browser storage keeps only a crash-recovery copy of
// the unsaved edits (persist.ts).
import { app, toast, type RunView, type ServerState, type StepRun } from "./app";
import { activate, hasDocument, openDocument, replaceText } from "./documents";
import { restorePanes } from "./panes";
import { loadRecovery, setStorageKey, startAutosave, type Recovery } from "./persist";

const TOKEN_KEY = "mlp-edit:token";
/** More files than this are listed, not all opened. */
const MAX_OPEN = 200;

let token: string | null = null;
/** Whether this page was opened from the printed address (not a reload of the tab). */
let fromAddress = false;

/**
 * The token of this tab's `mlp edit` server, taken from the address once (then removed from
 * it, so it does not linger in history or screenshots) and kept for reloads of this tab.
 */
export function serverToken(): string | null {
  if (token) return token;
  const params = new URLSearchParams(location.search);
  const given = params.get("token");
  if (given) {
    sessionStorage.setItem(TOKEN_KEY, given);
    params.delete("token");
    const query = params.toString();
    history.replaceState(history.state, "", `${location.pathname}${query ? `?${query}` : ""}${location.hash}`);
  }
  fromAddress = given !== null;
  token = given ?? sessionStorage.getItem(TOKEN_KEY);
  return token;
}

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
  ) {
    super(typeof body.error === "string" ? body.error : `the server answered ${status}`);
  }
}

async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(path, {
    method,
    headers: { "x-mlp-token": token ?? "", ...(body !== undefined ? { "content-type": "application/json" } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const data = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  if (!res.ok) throw new ApiError(res.status, data);
  return data as T;
}

const setServer = (f: (s: ServerState) => Partial<ServerState>) => app.set((s) => (s.server ? { server: { ...s.server, ...f(s.server) } } : {}));

function markSaved(path: string, text: string, version: string | null): void {
  app.set((s) => ({ saved: { ...s.saved, [path]: text } }));
  setServer((sv) => {
    const versions = { ...sv.versions };
    if (version) versions[path] = version;
    else delete versions[path];
    const conflicts = { ...sv.conflicts };
    delete conflicts[path];
    return { versions, conflicts };
  });
}

/**
 * Opens the folder's files. The browser kept the last session's unsaved edits, each with the
 * text it was edited from: edits over the text still on disk come back as they were; edits
 * over a text that has changed (or gone) since come back as a conflict, as when the disk
 * changes while the file is open, and the copy stays until the user chooses.
 */
export async function connectServer(initial: string | null): Promise<void> {
  const list = await api<{ root: string; id: string; files: string[] }>("GET", "/api/files");
  // The crash-recovery copy is kept per folder, apart from the static editor's workspace.
  setStorageKey(`mlp-editor:folder:${list.id}:v1`);
  const recovered = loadRecovery();
  restorePanes(recovered?.panes);
  app.set({ server: { root: list.root, files: list.files, versions: {}, conflicts: {}, setAside: {} }, ...(recovered ? { directions: recovered.directions } : {}) });
  const wanted = list.files.slice(0, MAX_OPEN);
  for (const p of [initial, ...Object.keys(recovered?.texts ?? {})]) if (p && list.files.includes(p) && !wanted.includes(p)) wanted.push(p);
  const read = await Promise.all(wanted.map((p) => api<{ text: string; version: string }>("GET", `/api/file?path=${encodeURIComponent(p)}`).then((r) => [p, r] as const)));
  const back: string[] = [];
  const conflicted: string[] = [];
  const bringBack = (p: string, disk: Disk | null) => (reopenUnsaved(p, recovered!, disk) ? back : conflicted).push(p);
  for (const [p, r] of read) {
    if (hasDocument(p)) continue;
    const mine = recovered?.texts[p];
    if (mine !== undefined && mine !== r.text) bringBack(p, r);
    else {
      openDocument(p, r.text);
      markSaved(p, r.text, r.version);
    }
  }
  // Unsaved edits to a file that is not on disk: removed since, or new and never saved.
  for (const p of Object.keys(recovered?.texts ?? {})) if (!hasDocument(p) && !list.files.includes(p)) bringBack(p, null);
  // Texts set aside for the disk's version stay offered until the user goes back or forgets them.
  const aside = Object.fromEntries(Object.entries(recovered?.setAside ?? {}).filter(([p]) => hasDocument(p)));
  if (Object.keys(aside).length) setServer(() => ({ setAside: aside }));
  if (back.length) toast(`brought back unsaved edits to ${back.join(", ")} from the last session`);
  if (conflicted.length) toast(`brought back unsaved edits to ${conflicted.join(", ")} from the last session; the disk changed since: choose which to keep`, "error");
  // A reload returns to the file the user was on; the printed address opens the file it names.
  const resumed = fromAddress && initial ? initial : recovered?.active;
  const first = [resumed, initial].find((p) => p && hasDocument(p)) ?? read.find(([, r]) => /^\s*pipeline\s/m.test(r.text))?.[0] ?? read[0]?.[0];
  if (first) {
    app.set({ fitPending: true });
    activate(first);
  } else toast(`no .mlp files in ${list.root}: New creates one`);
  startAutosave();
  listen();
}

type Disk = { text: string; version: string };

/**
 * No file on disk has this version: a save over it is refused (409) until the user chooses,
 * as a save over a version the disk no longer has is when the conflict arises live.
 */
const UNKNOWN_VERSION = "recovered";

/** Reopens a file's unsaved edits; false when the disk changed since they were made (then a conflict). */
function reopenUnsaved(path: string, recovered: Recovery, disk: Disk | null): boolean {
  openDocument(path, recovered.texts[path]!);
  const base = recovered.saved[path];
  if (base !== undefined) app.set((s) => ({ saved: { ...s.saved, [path]: base } }));
  // Never saved: unchanged when there is still no file; else: when the disk still has the base.
  const unchanged = base === undefined ? disk === null : base === disk?.text;
  setServer((sv) => {
    const versions = { ...sv.versions };
    if (unchanged && disk) versions[path] = disk.version;
    else if (unchanged) delete versions[path];
    else versions[path] = UNKNOWN_VERSION;
    const conflicts = unchanged ? sv.conflicts : { ...sv.conflicts, [path]: { text: disk?.text ?? null, version: disk?.version ?? null } };
    return { versions, conflicts };
  });
  return unchanged;
}

let events: EventSource | undefined;

function listen(): void {
  events?.close();
  events = new EventSource(`/api/events?token=${encodeURIComponent(token ?? "")}`);
  events.onmessage = (m) => {
    try {
      void onNews(JSON.parse(m.data as string) as News);
    } catch {
      // Not ours.
    }
  };
}

type News =
  | { type: "changed" | "added"; path: string; version: string }
  | { type: "removed"; path: string }
  | { type: "run-start"; path: string }
  | { type: "run"; event: Record<string, unknown> }
  | { type: "run-exit"; code: number | null; message: string };

async function onNews(n: News): Promise<void> {
  switch (n.type) {
    case "added":
    case "changed":
      setServer((sv) => ({ files: sv.files.includes(n.path) ? sv.files : [...sv.files, n.path].sort() }));
      return diskChanged(n.path, n.version);
    case "removed":
      setServer((sv) => ({ files: sv.files.filter((f) => f !== n.path) }));
      if (hasDocument(n.path)) toast(`${n.path} was removed on disk; Save writes it again`, "error");
      return;
    case "run-start":
      app.set({ run: { file: n.path, status: "starting", steps: {} } });
      return;
    case "run":
      return runEvent(n.event);
    case "run-exit":
      return runExit(n.code, n.message);
  }
}

/** A file changed on disk: shown at once unless it has unsaved edits here; then the user chooses. */
async function diskChanged(path: string, version: string): Promise<void> {
  const sv = app.get().server;
  if (!sv || sv.versions[path] === version) return;
  const r = await api<{ text: string; version: string }>("GET", `/api/file?path=${encodeURIComponent(path)}`).catch(() => undefined);
  if (!r) return;
  const s = app.get();
  if (!hasDocument(path)) {
    openDocument(path, r.text);
    markSaved(path, r.text, r.version);
    return;
  }
  if (s.texts[path] === r.text) return markSaved(path, r.text, r.version);
  if (s.texts[path] === s.saved[path]) {
    replaceText(path, r.text, "input.disk");
    markSaved(path, r.text, r.version);
    toast(`${path} changed on disk; showing it (undo brings back what was here)`);
    return;
  }
  setServer((x) => ({ conflicts: { ...x.conflicts, [path]: { text: r.text, version: r.version } } }));
}

/** Saves a file to disk over the version last read; a file changed on disk since becomes a conflict. */
export async function saveToServer(path: string): Promise<boolean> {
  const s = app.get();
  const text = s.texts[path];
  if (text === undefined || !s.server) return false;
  try {
    const r = await api<{ version: string }>("PUT", `/api/file?path=${encodeURIComponent(path)}`, { text, base: s.server.versions[path] ?? null });
    markSaved(path, text, r.version);
    return true;
  } catch (e) {
    if (e instanceof ApiError && e.status === 409) {
      setServer((x) => ({ conflicts: { ...x.conflicts, [path]: { text: (e.body.text as string | null) ?? null, version: (e.body.version as string | null) ?? null } } }));
      toast(`${path} changed on disk since it was opened: nothing was written; choose which to keep`, "error");
    } else toast(`could not save ${path}: ${(e as Error).message}`, "error");
    return false;
  }
}

/** Keeps the text here: written over what is on disk now. */
export async function keepMine(path: string): Promise<void> {
  const c = app.get().server?.conflicts[path];
  if (!c) return;
  setServer((sv) => ({ versions: c.version ? { ...sv.versions, [path]: c.version } : Object.fromEntries(Object.entries(sv.versions).filter(([p]) => p !== path)) }));
  if (await saveToServer(path)) toast(`saved ${path} over the version on disk`, "ok");
}

/**
 * Takes the disk's version of a conflicted file (one undoable change). The user's text is
 * not lost: it is set aside, offered back in the banner and kept in the recovery copy.
 */
export function takeDisk(path: string): void {
  const c = app.get().server?.conflicts[path];
  if (!c) return;
  if (c.text === null) {
    toast(`${path} no longer exists on disk; Save writes it again`);
    // Saved over no file from now on (the version it was read at is gone).
    setServer((sv) => ({
      conflicts: Object.fromEntries(Object.entries(sv.conflicts).filter(([p]) => p !== path)),
      versions: Object.fromEntries(Object.entries(sv.versions).filter(([p]) => p !== path)),
    }));
    return;
  }
  const mine = app.get().texts[path];
  replaceText(path, c.text, "input.disk");
  markSaved(path, c.text, c.version);
  if (mine !== undefined && mine !== c.text) setServer((sv) => ({ setAside: { ...sv.setAside, [path]: mine } }));
}

/** Puts the text set aside back (unsaved: Save then writes it over the disk's version the user has seen). */
export function backToMine(path: string): void {
  const mine = app.get().server?.setAside[path];
  if (mine === undefined) return;
  replaceText(path, mine, "input.disk");
  forgetMine(path);
}

/** Drops the text set aside: the user keeps the disk's version. */
export function forgetMine(path: string): void {
  setServer((sv) => ({ setAside: Object.fromEntries(Object.entries(sv.setAside).filter(([p]) => p !== path)) }));
}

// ---------- runs ----------

/** Saves what is unsaved, then runs the active file with `mlp run`. */
export async function runActive(): Promise<void> {
  const s = app.get();
  if (!s.server) return;
  for (const p of s.paths) if (s.texts[p] !== s.saved[p] && !(await saveToServer(p))) return;
  const file = app.get().active;
  app.set({ run: { file, status: "starting", steps: {} } });
  try {
    await api("POST", "/api/run", { path: file });
  } catch (e) {
    app.set({ run: { file, status: "not started", steps: {}, message: (e as Error).message } });
    toast(`could not start the run: ${(e as Error).message}`, "error");
  }
}

export async function stopRun(): Promise<void> {
  await api("POST", "/api/stop").catch(() => undefined);
}

const setRun = (f: (r: RunView) => Partial<RunView>) => app.set((s) => (s.run ? { run: { ...s.run, ...f(s.run) } } : {}));

function runEvent(e: Record<string, unknown>): void {
  if (e.event === "run") {
    // The file came with run-start (this tab's or another's run, or one replayed after a reload).
    app.set((s) => ({ run: { file: s.run?.file ?? s.active, status: "running", runId: String(e.run), steps: {} } }));
  } else if (e.event === "step") {
    const rows = e.port_rows && typeof e.port_rows === "object" ? (e.port_rows as Record<string, number>) : typeof e.rows === "number" ? { out: e.rows } : undefined;
    const step: StepRun = { status: e.status as StepRun["status"] };
    if (rows) step.rows = rows;
    if (typeof e.seconds === "number") step.seconds = e.seconds;
    if (typeof e.error === "string") step.error = e.error;
    if (typeof e.cached_from === "string") step.cachedFrom = e.cached_from;
    if (typeof e.skipped_because === "string") step.skippedBecause = e.skipped_because;
    setRun((r) => ({ steps: { ...r.steps, [String(e.step)]: step } }));
  } else if (e.event === "end") {
    setRun(() => ({ status: e.status === "succeeded" ? "succeeded" : e.status === "interrupted" ? "interrupted" : "failed" }));
  }
}

function runExit(code: number | null, message: string): void {
  const r = app.get().run;
  if (!r) return;
  if (r.status === "starting" || r.status === "running") {
    // It ended before its first or last event: the check failed, or it was stopped.
    setRun(() => ({ status: r.status === "starting" ? "not started" : "interrupted", message: message.trim() || `mlp run exited with ${code}` }));
  }
  const now = app.get().run!;
  const what = `run of ${now.file} ${now.status}`;
  const id = now.status === "succeeded" ? toast(what, "ok") : toast(now.message ? `${what}: ${now.message.split("\n")[0]}` : what, "error");
  runToast = { id, shownWith: app.get().active };
}

/** The toast that said how a run ended (it names the file), taken down when the user turns to another tab. */
let runToast: { id: number; shownWith: string } | undefined;
app.subscribe(() => {
  const s = app.get();
  if (runToast && s.toast?.id === runToast.id && s.active !== runToast.shownWith) {
    runToast = undefined;
    app.set({ toast: null });
  }
});

// ---------- a step's rows and log ----------

export interface Rows {
  columns: string[];
  rows: unknown[][];
}

export async function stepRows(step: string, port: string | undefined, limit = 100): Promise<Rows> {
  const file = app.get().active;
  const target = port && port !== "out" ? `${step}.${port}` : step;
  const list = await api<Record<string, unknown>[]>("GET", `/api/rows?path=${encodeURIComponent(file)}&step=${encodeURIComponent(target)}&limit=${limit}`);
  const columns = list.length ? Object.keys(list[0]!) : [];
  return { columns, rows: list.map((r) => columns.map((c) => r[c])) };
}

export async function stepLog(step: string): Promise<string> {
  return (await api<{ text: string }>("GET", `/api/log?path=${encodeURIComponent(app.get().active)}&step=${encodeURIComponent(step)}`)).text;
}
