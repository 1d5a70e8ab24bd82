// The editor's frame: palette and inspector on the left, the graph in the middle with
// problems and compile output under it, the text on the right.
import { useCallback, useRef, useState, type PointerEvent } from "react";
import { Canvas } from "./canvas/Canvas";
import { Compile } from "./panels/Compile";
import { Inspector } from "./panels/Inspector";
import { Palette } from "./panels/Palette";
import { Problems } from "./panels/Problems";
import { app, type BottomTab } from "./state/app";
import { useSelector } from "./state/store";
import { TextPane } from "./text/TextPane";
import { ConflictBanner } from "./server/ConflictBanner";
import { Toolbar } from "./Toolbar";

function ToastView() {
  const t = useSelector(app, (s) => s.toast);
  if (!t) return null;
  return (
    <div className={`toast toast-${t.kind}`} role={t.kind === "error" ? "alert" : "status"} data-testid="toast" key={t.id}>
      {t.text}
      <button type="button" aria-label="Dismiss" onClick={() => app.set({ toast: null })}>×</button>
    </div>
  );
}

function Bottom() {
  const tab = useSelector(app, (s) => s.bottom);
  const open = useSelector(app, (s) => s.bottomOpen);
  const count = useSelector(app, (s) => s.analysis?.diagnostics.length ?? 0);
  const errors = useSelector(app, (s) => s.analysis?.diagnostics.filter((d) => d.severity === "error").length ?? 0);
  const pick = (t: BottomTab) => app.set({ bottom: t, bottomOpen: !(open && tab === t) });
  return (
    <section className={`bottom-panel${open ? " open" : ""}`}>
      <div className="bottom-tabs">
        <div role="tablist" aria-label="Bottom panel">
          <button type="button" role="tab" aria-selected={tab === "problems"} className={tab === "problems" && open ? "active" : ""} onClick={() => pick("problems")} data-testid="tab-problems">
            Problems {count > 0 && <span className={`count ${errors ? "count-error" : "count-warning"}`}>{count}</span>}
          </button>
          <button type="button" role="tab" aria-selected={tab === "compile"} className={tab === "compile" && open ? "active" : ""} onClick={() => pick("compile")} data-testid="tab-compile">
            Compile
          </button>
        </div>
        <span className="spacer" />
        <button type="button" className="ghost" onClick={() => app.set({ bottomOpen: !open })} aria-label={open ? "Collapse panel" : "Expand panel"}>
          {open ? "▾" : "▴"}
        </button>
      </div>
      {open && <div className="bottom-body">{tab === "problems" ? <Problems /> : <Compile />}</div>}
    </section>
  );
}

export function App() {
  const [textWidth, setTextWidth] = useState(() => Math.round(Math.min(560, Math.max(360, window.innerWidth * 0.28))));
  const drag = useRef<{ x: number; w: number } | null>(null);
  const onDown = useCallback((e: PointerEvent) => {
    drag.current = { x: e.clientX, w: textWidth };
    (e.target as HTMLElement).setPointerCapture(e.pointerId);
  }, [textWidth]);
  const onMove = useCallback((e: PointerEvent) => {
    if (!drag.current) return;
    setTextWidth(Math.max(260, Math.min(window.innerWidth - 600, drag.current.w - (e.clientX - drag.current.x))));
  }, []);
  return (
    <div className="app" style={{ ["--text-width" as string]: `${textWidth}px` }}>
      <Toolbar />
      <ConflictBanner />
      <main className="workspace">
        <aside className="sidebar">
          <Palette />
          <section className="inspector" aria-label="Inspector">
            <Inspector />
          </section>
        </aside>
        <section className="main-column">
          <Canvas />
          <Bottom />
        </section>
        <div className="splitter" role="separator" aria-orientation="vertical" onPointerDown={onDown} onPointerMove={onMove} onPointerUp={() => (drag.current = null)} />
        <TextPane />
      </main>
      <ToastView />
    </div>
  );
}
