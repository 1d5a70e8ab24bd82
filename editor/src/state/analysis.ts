// Keeps `app.analysis` in step with the texts: debounced off the keystroke path and
// computed in a worker; a graph edit that needs the current graph right now gets it
// synchronously instead. The first check of an opened file is preceded by a parse-only
// preview of its graph (model/preview.ts), drawn by the canvas until the check arrives.
import { analyze, type Analysis } from "../model/analyze";
import type { Direction } from "../model/positions";
import type { Preview } from "../model/preview";
import type { AnalyzeReply, AnalyzeRequest } from "../workers/analyze.worker";
import { app, toast, type AppState } from "./app";
import { createStore } from "./store";

export const DEBOUNCE_MS = 180;

let worker: Worker | undefined;
let timer: ReturnType<typeof setTimeout> | undefined;
let nextId = 0;
let appliedId = -1;

/** The parse-only graph of the file being opened; meaningful only while `app.analysis` is null. */
export const previews = createStore<{ preview: Preview | null }>({ preview: null });

/** Does `a` describe the texts open now? */
export function isFresh(a: Analysis | null, s: Pick<AppState, "active" | "texts" | "paths">): a is Analysis {
  if (!a || a.entry !== s.active || a.openPaths !== [...s.paths].sort().join("\n")) return false;
  for (const [p, t] of Object.entries(a.texts)) if (s.texts[p] !== t) return false;
  return true;
}

function getWorker(): Worker | undefined {
  if (worker) return worker;
  try {
    worker = new Worker(new URL("../workers/analyze.worker.ts", import.meta.url), { type: "module" });
  } catch {
    return undefined;
  }
  worker.onmessage = (e: MessageEvent<AnalyzeReply>) => {
    const r = e.data;
    if (r.id <= appliedId) return;
    if (!r.ok) {
      toast(`internal error while checking: ${r.error}`, "error");
      return;
    }
    if ("preview" in r) {
      previews.set({ preview: r.preview });
      return;
    }
    appliedId = r.id;
    if (!performance.getEntriesByName("mlp:checked").length) performance.mark("mlp:checked");
    app.set({ analysis: r.analysis });
  };
  return worker;
}

let posted: { entry: string; files: Record<string, string> } | undefined;

function post(entry: string, files: Record<string, string>, preview = false, direction?: Direction): boolean {
  const w = getWorker();
  if (!w) return false;
  posted = { entry, files };
  w.postMessage({ id: ++nextId, entry, files, preview, direction } satisfies AnalyzeRequest);
  return true;
}

function alreadyPosted(entry: string, files: Record<string, string>): boolean {
  if (!posted || posted.entry !== entry) return false;
  const a = Object.keys(posted.files), b = Object.keys(files);
  return a.length === b.length && b.every((p) => posted!.files[p] === files[p]);
}

function request(): void {
  const s = app.get();
  if (!s.active || isFresh(s.analysis, s) || alreadyPosted(s.active, s.texts)) return;
  if (!post(s.active, s.texts)) analyzeNow();
}

/**
 * Starts the worker on the files about to be opened, before the page has built its
 * views: the first check then runs while the main thread renders.
 */
export function primeAnalysis(entry: string, files: Record<string, string>, direction?: Direction): void {
  post(entry, files, true, direction);
}

/** Re-analyse after `delay` ms of quiet (each call restarts the wait). */
export function scheduleAnalysis(delay = DEBOUNCE_MS): void {
  clearTimeout(timer);
  timer = setTimeout(request, delay);
}

/** Analyse now on this thread; results of requests already in flight are then ignored. */
export function analyzeNow(): Analysis {
  clearTimeout(timer);
  posted = undefined;
  const s = app.get();
  const analysis = analyze(s.active, s.texts);
  appliedId = ++nextId;
  app.set({ analysis });
  return analysis;
}

/** The analysis of the current texts, computing it on this thread if the last one is stale. */
export function currentAnalysis(): Analysis {
  const s = app.get();
  return isFresh(s.analysis, s) ? s.analysis : analyzeNow();
}

let waiters: ((a: Analysis) => void)[] = [];

app.subscribe(() => {
  const s = app.get();
  if (!waiters.length || !isFresh(s.analysis, s)) return;
  const ready = waiters;
  waiters = [];
  for (const w of ready) w(s.analysis);
});

/**
 * The analysis of the current texts, waiting for the worker when the last one is
 * stale, so a graph edit right after typing in a large file never freezes the page.
 */
export function freshAnalysis(): Promise<Analysis> {
  const s = app.get();
  if (isFresh(s.analysis, s)) return Promise.resolve(s.analysis);
  return new Promise((resolve) => {
    waiters.push(resolve);
    clearTimeout(timer);
    request();
  });
}
