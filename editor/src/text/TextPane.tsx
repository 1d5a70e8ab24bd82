// The text view: file tabs over one CodeMirror view that shows the active file.
import { EditorView } from "@codemirror/view";
import { useEffect, useRef, useState } from "react";
import { app } from "../state/app";
import { activate, attachView, closeDocument } from "../state/documents";
import { newFile } from "../state/files";
import { useSelector } from "../state/store";

function FileTabs() {
  const paths = useSelector(app, (s) => s.paths);
  const active = useSelector(app, (s) => s.active);
  const texts = useSelector(app, (s) => s.texts);
  const saved = useSelector(app, (s) => s.saved);
  const close = (p: string) => {
    if (texts[p] !== saved[p] && !window.confirm(`${p} has changes that are not saved to a file. Close it anyway?`)) return;
    const rest = paths.filter((x) => x !== p);
    if (p === active && rest[0]) activate(rest[0]);
    if (rest.length) closeDocument(p);
  };
  return (
    // Buttons, not ARIA tabs: a tab may not hold its own close button (nested controls).
    <nav className="file-tabs" aria-label="Open files">
      {paths.map((p) => (
        <div key={p} className={`file-tab${p === active ? " active" : ""}`} title={p}>
          <button type="button" className="file-tab-name" aria-current={p === active ? "page" : undefined} onClick={() => activate(p)} data-testid={`tab-${p}`}>
            {p}
            {texts[p] !== saved[p] && <span className="dirty" title="changed since opened or saved">•</span>}
          </button>
          {paths.length > 1 && (
            <button type="button" className="file-tab-close" aria-label={`Close ${p}`} onClick={() => close(p)}>
              ×
            </button>
          )}
        </div>
      ))}
      <button type="button" className="file-tab-new" title="New file" aria-label="New file" onClick={() => newFile()}>
        +
      </button>
    </nav>
  );
}

/**
 * Tab indents in the text, so it does not move the focus on; CodeMirror lets Escape then
 * Tab leave. Said where it matters: while the text has the keyboard.
 */
function KeyHint() {
  return (
    <div className="text-hint" role="note" data-testid="text-hint">
      <kbd>Esc</kbd> then <kbd>Tab</kbd> leaves the text editor · <kbd>Ctrl</kbd>+<kbd>Space</kbd> completes
    </div>
  );
}

export function TextPane({ open = true }: { open?: boolean }) {
  const host = useRef<HTMLDivElement>(null);
  const [focused, setFocused] = useState(false);
  useEffect(() => {
    const view = new EditorView({ parent: host.current! });
    attachView(view);
    return () => {
      attachView(undefined);
      view.destroy();
    };
  }, []);
  return (
    <section id="text-pane" className={`text-pane${open ? "" : " collapsed"}`} aria-label="Text">
      <FileTabs />
      <div
        className="cm-host"
        ref={host}
        data-testid="text"
        onFocus={(e) => setFocused(!!(e.target as HTMLElement).closest(".cm-editor"))}
        onBlur={(e) => {
          if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setFocused(false);
        }}
      />
      {focused && <KeyHint />}
    </section>
  );
}
