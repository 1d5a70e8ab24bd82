// The editor's frame: palette and inspector on the left, the graph in the middle with
// problems and compile output under it, the text on the right; splitters between them
// resize (and collapse) the panes around the graph.
import { memo, useEffect, useState } from "react";
import { Canvas as CanvasView } from "./canvas/Canvas";
import { Compile } from "./panels/Compile";
import { ConnectDialog } from "./panels/ConnectDialog";
import { Inspector } from "./panels/Inspector";
import { Palette } from "./panels/Palette";
import { Problems } from "./panels/Problems";
import { app, type BottomTab } from "./state/app";
import { paneLimits, panes, togglePane, type PaneName } from "./state/panes";
import { useSelector } from "./state/store";
import { ConflictBanner } from "./server/ConflictBanner";
import { TextPane as TextView } from "./text/TextPane";
import { Splitter } from "./Splitter";
import { Toolbar as ToolbarView } from "./Toolbar";

// The frame re-renders on every frame of a splitter drag; the views in it need not.
const Canvas = memo(CanvasView);
const TextPane = memo(TextView);
const Toolbar = memo(ToolbarView);
const Side = memo(function Side() {
  return (
    <>
      <Palette />
      <section className="inspector" aria-label="Inspector">
        <Inspector />
      </section>
    </>
  );
});

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

const Bottom = memo(function Bottom() {
  const tab = useSelector(app, (s) => s.bottom);
  const open = useSelector(panes, (s) => s.bottom.open);
  const count = useSelector(app, (s) => s.analysis?.diagnostics.length ?? 0);
  const errors = useSelector(app, (s) => s.analysis?.diagnostics.filter((d) => d.severity === "error").length ?? 0);
  const pick = (t: BottomTab) => {
    app.set({ bottom: t });
    togglePane("bottom", !(open && tab === t));
  };
  return (
    <section id="bottom-panel" className={`bottom-panel${open ? " open" : ""}`} aria-label="Problems and compile output" data-testid="bottom-panel">
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
        <button type="button" className="ghost" onClick={() => togglePane("bottom")} aria-label={open ? "Collapse panel" : "Expand panel"}>
          {open ? "▾" : "▴"}
        </button>
      </div>
      {open && <div className="bottom-body">{tab === "problems" ? <Problems /> : <Compile />}</div>}
    </section>
  );
});

/** Re-renders the frame when the window changes size: the splitters' limits depend on it. */
function useWindowSize(): void {
  const [, bump] = useState(0);
  useEffect(() => {
    const on = () => bump((n) => n + 1);
    window.addEventListener("resize", on);
    return () => window.removeEventListener("resize", on);
  }, []);
}

export function App() {
  useWindowSize();
  const p = useSelector(panes, (s) => s);
  const fit = (name: PaneName) => {
    const { min, max } = paneLimits(name, p);
    return `${Math.min(max, Math.max(min, p[name].size))}px`;
  };
  const sizes = { ["--side-width" as string]: fit("side"), ["--text-width" as string]: fit("text"), ["--bottom-height" as string]: fit("bottom") };
  return (
    <div className="app" style={sizes}>
      <Toolbar />
      <ConflictBanner />
      <main className="workspace">
        <aside id="side-panel" className={`sidebar${p.side.open ? "" : " collapsed"}`} aria-label="Steps and inspector" data-testid="side-panel">
          <Side />
        </aside>
        <Splitter pane="side" label="side panel" controls="side-panel" grows={1} />
        <section className="main-column">
          <Canvas />
          {p.bottom.open && <Splitter pane="bottom" label="bottom panel" controls="bottom-panel" grows={-1} collapsible={false} />}
          <Bottom />
        </section>
        <Splitter pane="text" label="text pane" controls="text-pane" grows={-1} />
        <TextPane open={p.text.open} />
      </main>
      <ConnectDialog />
      <ToastView />
    </div>
  );
}
