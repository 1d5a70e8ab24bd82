// The editor's state. The texts of the open files are the program; everything on the
// canvas is derived from `analysis`, which is recomputed from the texts.
import type { Analysis } from "../model/analyze";
import type { Direction } from "../model/positions";
import { createStore } from "./store";

export interface Toast {
  id: number;
  kind: "error" | "info" | "ok";
  text: string;
}

export type BottomTab = "problems" | "compile";

/** A step as the current (or last) run of `mlp edit` reported it. */
export interface StepRun {
  status: "running" | "ok" | "cached" | "failed" | "skipped";
  /** Rows of each data output, by port. */
  rows?: Record<string, number>;
  seconds?: number;
  error?: string;
  cachedFrom?: string;
  skippedBecause?: string;
}

export interface RunView {
  /** The file that was run. */
  file: string;
  status: "starting" | "running" | "succeeded" | "failed" | "interrupted" | "not started";
  runId?: string;
  steps: Record<string, StepRun>;
  /** Why a run did not start or failed as a whole (the check's diagnostics, say). */
  message?: string;
}

/** The folder `mlp edit` serves (null in the static build). */
export interface ServerState {
  root: string;
  files: string[];
  /** The version of each open file on disk the editor last read or wrote. */
  versions: Record<string, string>;
  /** Files changed on disk while they had unsaved edits here (or a save was refused): what is on disk now. */
  conflicts: Record<string, { text: string | null; version: string | null }>;
  /**
   * The user's unsaved text of a file whose conflict they settled by taking the disk's
   * version: kept (also in the crash-recovery copy) until they go back to it or forget it.
   */
  setAside: Record<string, string>;
}

export interface AppState {
  /** Open files in tab order; paths are relative (`churn.mlp`, `lib/customer.mlp`). */
  paths: string[];
  /** The file shown in the text pane; its program is the graph. */
  active: string;
  texts: Record<string, string>;
  /** The text each file had when last opened or saved, to mark unsaved changes. */
  saved: Record<string, string>;
  /** Bumped on every text change, so an analysis can tell it is stale. */
  revision: number;
  analysis: Analysis | null;
  /** Node ids selected on the canvas. */
  selection: string[];
  /**
   * Who changed the selection last, so text and canvas do not echo each other: the
   * text shows a selection made on the canvas or by a command ("app"), not one made
   * in the text itself or from the problem list ("list", which shows the problem's range).
   */
  selectionFrom: "canvas" | "text" | "app" | "list";
  hoveredEdge: string | null;
  toast: Toast | null;
  bottom: BottomTab;
  layoutBusy: boolean;
  /** Which way each file's graph reads (auto-layout and the quick placement): left to right unless chosen. */
  directions: Record<string, Direction>;
  /** Asks the canvas to bring a node into view (seq changes each time). */
  reveal: { id: string; seq: number } | null;
  /** Asks the canvas to fit the whole graph. */
  fitSeq: number;
  /** Fit the graph once the next analysis is on screen (after a layout or opening a file). */
  fitPending: boolean;
  /** Why the last autosave failed (null while autosave works): shown until a write succeeds. */
  autosaveFailure: string | null;
  server: ServerState | null;
  run: RunView | null;
}

export const app = createStore<AppState>({
  paths: [],
  active: "",
  texts: {},
  saved: {},
  revision: 0,
  analysis: null,
  selection: [],
  selectionFrom: "app",
  hoveredEdge: null,
  toast: null,
  bottom: "problems",
  layoutBusy: false,
  directions: {},
  reveal: null,
  fitSeq: 0,
  fitPending: true,
  autosaveFailure: null,
  server: null,
  run: null,
});

let toastId = 0;
let toastTimer: ReturnType<typeof setTimeout> | undefined;

/** Shows a message for a few seconds; returns its id (to take it down early). */
export function toast(text: string, kind: Toast["kind"] = "info"): number {
  clearTimeout(toastTimer);
  app.set({ toast: { id: ++toastId, kind, text } });
  toastTimer = setTimeout(() => app.set({ toast: null }), kind === "error" ? 7000 : 4000);
  return toastId;
}

/** The run to show with the active file: a run's states belong to the file it ran, not to whatever tab is open. */
export function runOfActive(s: Pick<AppState, "run" | "active">): RunView | null {
  return s.run && s.run.file === s.active ? s.run : null;
}

export function select(ids: string[], from: AppState["selectionFrom"]): void {
  const cur = app.get().selection;
  if (cur.length === ids.length && cur.every((x, i) => x === ids[i])) return;
  app.set({ selection: ids, selectionFrom: from });
}

let revealSeq = 0;
export function reveal(id: string): void {
  app.set({ reveal: { id, seq: ++revealSeq } });
}

export function fitView(): void {
  app.set((s) => ({ fitSeq: s.fitSeq + 1 }));
}

/** The direction the active file's graph reads in. */
export function directionOf(s: Pick<AppState, "directions" | "active">, path = s.active): Direction {
  return s.directions[path] ?? "right";
}

export function setDirection(direction: Direction): void {
  const s = app.get();
  if (directionOf(s) !== direction) app.set({ directions: { ...s.directions, [s.active]: direction } });
}
