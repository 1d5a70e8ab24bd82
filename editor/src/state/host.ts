// Inside VS Code (the mlp extension's graph webview) the editor shows the document the text
// editor has open: the extension sends its text and every change to it, and the editor sends
// back the text of each graph edit. No autosave and no samples: the document is VS Code's.
import { app } from "./app";
import { replaceText } from "./documents";
import { openTexts } from "./files";

interface VsCodeApi {
  postMessage(message: unknown): void;
}

declare global {
  interface Window {
    acquireVsCodeApi?: () => VsCodeApi;
  }
}

type HostMessage = { type: "mlp.open"; active: string; files: Record<string, string> } | { type: "mlp.text"; path: string; text: string };

/** The webview's channel to the extension, when the editor runs in one. */
export function vscodeHost(): VsCodeApi | undefined {
  return typeof window.acquireVsCodeApi === "function" ? window.acquireVsCodeApi() : undefined;
}

export function connectHost(host: VsCodeApi): void {
  let shown: string | undefined;
  window.addEventListener("message", (e: MessageEvent<HostMessage>) => {
    const m = e.data;
    if (m?.type === "mlp.open" && typeof m.files === "object") {
      shown = m.active;
      openTexts(m.files, false);
      openTexts({ [m.active]: m.files[m.active] ?? "" });
    } else if (m?.type === "mlp.text" && typeof m.text === "string" && app.get().texts[m.path] !== m.text) {
      replaceText(m.path, m.text, "input.host");
      app.set((s) => ({ saved: { ...s.saved, [m.path]: m.text } }));
    }
  });
  // Graph edits (and typing in the editor's own text pane) go back to the document, once the edits rest.
  let timer: ReturnType<typeof setTimeout> | undefined;
  app.subscribe(() => {
    const s = app.get();
    if (!shown || s.texts[shown] === undefined || s.texts[shown] === s.saved[shown]) return;
    clearTimeout(timer);
    timer = setTimeout(() => {
      const text = app.get().texts[shown!];
      if (text === undefined || text === app.get().saved[shown!]) return;
      app.set((st) => ({ saved: { ...st.saved, [shown!]: text } }));
      host.postMessage({ type: "mlp.edit", path: shown, text });
    }, 250);
  });
  host.postMessage({ type: "mlp.ready" });
}
