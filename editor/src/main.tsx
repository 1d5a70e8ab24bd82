// Entry point: reopen the autosaved workspace (or a sample), then render.
import "@xyflow/react/dist/style.css";
import "./styles.css";
import { createRoot } from "react-dom/client";
import { App } from "./App";
import { isFresh, primeAnalysis } from "./state/analysis";
import { app, reveal, toast } from "./state/app";
import { canvas } from "./state/canvasBridge";
import { showRange } from "./state/documents";
import { installShortcuts } from "./keyboard";
import { SAMPLES, sampleWithImports } from "./samples";
import { openSample } from "./state/files";
import { loadSaved, restore, startAutosave, STORAGE_KEY } from "./state/persist";
import { connectHost, vscodeHost } from "./state/host";
import { forgetCollapsed } from "./state/groups";
import { connectServer, serverToken } from "./state/server";

const params = new URLSearchParams(location.search);
// In VS Code's graph webview, the document VS Code has open; opened from the address
// `mlp edit` printed, the folder's files on disk; otherwise the autosave or a sample.
const host = vscodeHost();
const onDisk = !host && serverToken() !== null;
if (params.has("fresh")) {
  localStorage.removeItem(STORAGE_KEY);
  forgetCollapsed();
  // Once: a reload of this address must not throw away what was autosaved since.
  params.delete("fresh");
  const query = params.toString();
  history.replaceState(history.state, "", `${location.pathname}${query ? `?${query}` : ""}${location.hash}`);
}
if (host) {
  connectHost(host);
} else if (onDisk) {
  connectServer(params.get("file")).catch((e: unknown) => toast(`cannot reach mlp edit (${(e as Error).message}); is it still running?`, "error"));
} else {
  const asked = params.get("sample");
  const sample = asked && SAMPLES.includes(asked) ? asked : undefined;
  const saved = loadSaved();
  const first = sample ?? (saved ? undefined : (SAMPLES[0] ?? "churn.mlp"));

  // Start checking what is about to be open before building any view.
  const files = { ...(first ? sampleWithImports(first) : {}), ...(saved?.texts ?? {}) };
  primeAnalysis(first ?? saved!.active, files, first ? undefined : saved!.directions?.[saved!.active]);

  if (saved) restore(saved);
  if (first) openSample(first);
  startAutosave();
}
installShortcuts();

// A small read-only handle for scripts driving the page (the end-to-end tests and the benchmark).
Object.assign(window, {
  mlpEditor: {
    text: (path?: string) => app.get().texts[path ?? app.get().active],
    active: () => app.get().active,
    selection: () => app.get().selection,
    checked: () => isFresh(app.get().analysis, app.get()),
    /** Selects a range of the active text with the keyboard there, as a click and drag would. */
    selectText: (from: number, to: number) => showRange(from, to, true),
    /** Centres a step on the canvas at a readable zoom. */
    reveal: (id: string) => reveal(id),
    /** Each step's box on screen, also when the zoomed-out graph is drawn on a canvas (the benchmark drags one). */
    nodesOnScreen: () => canvas()?.onScreen() ?? [],
  },
});

createRoot(document.getElementById("root")!).render(<App />);
