// File, history and view commands, and the checker's verdict at a glance.
import { useRef, type ChangeEvent } from "react";
import { isFresh } from "./state/analysis";
import { app, directionOf, fitView, setDirection } from "./state/app";
import { autoLayout } from "./state/autoLayout";
import { redo, undo } from "./state/commands";
import { groupSelection, ungroup } from "./state/groups";
import { newFile, openFolderWithPicker, openSample, openWithPicker, readFileList, saveActive } from "./state/files";
import { useSelector } from "./state/store";
import { NodeSearch } from "./panels/NodeSearch";
import { SAMPLES } from "./samples";
import { RunTools } from "./server/RunTools";
import { MoreMenu, type MenuAction } from "./MoreMenu";

function Status() {
  const analysis = useSelector(app, (s) => s.analysis);
  const autosaveFailure = useSelector(app, (s) => s.autosaveFailure);
  const stale = useSelector(app, (s) => !isFresh(s.analysis, s));
  if (!analysis) return <span className="status muted">checking…</span>;
  const errors = analysis.diagnostics.filter((d) => d.severity === "error").length;
  const warnings = analysis.diagnostics.length - errors;
  return (
    <span
      className="status"
      data-testid="status"
      title={`${errors ? `${errors} error${errors > 1 ? "s" : ""}` : "checks clean"}, ${warnings} warning${warnings === 1 ? "" : "s"}, ${analysis.ir.nodes.length} steps; checked in ${analysis.ms.toFixed(0)} ms${autosaveFailure ? `; not autosaved: ${autosaveFailure}` : ""}`}
    >
      <span className={errors ? "text-error" : "text-ok"}>{errors ? `✕ ${errors} error${errors > 1 ? "s" : ""}` : "✓ checks clean"}</span>
      {warnings > 0 && <span className="text-warning"> · {warnings} warning{warnings > 1 ? "s" : ""}</span>}
      <span className="muted"> · {analysis.ir.nodes.length} steps{stale ? " · checking…" : ""}</span>
      {autosaveFailure && (
        <span className="text-error" data-testid="autosave-failed" title={`autosave stopped: ${autosaveFailure}`}>
          {" "}
          · not autosaved: {autosaveFailure}
        </span>
      )}
    </span>
  );
}

export function Toolbar() {
  const filesInput = useRef<HTMLInputElement>(null);
  const folderInput = useRef<HTMLInputElement>(null);
  const busy = useSelector(app, (s) => s.layoutBusy);
  const direction = useSelector(app, (s) => directionOf(s));
  // With `mlp edit` the files are the folder's: opening others or samples would not be saved there.
  const onDisk = useSelector(app, (s) => s.server !== null);
  const onFiles = (e: ChangeEvent<HTMLInputElement>) => {
    if (e.target.files) void readFileList(e.target.files);
    e.target.value = "";
  };
  // Less frequent actions, or ones with a shortcut of their own: the toolbar must stay one line.
  const more: MenuAction[] = [
    { label: "Save as…", onSelect: () => void saveActive(true), title: "Save as a new file", testid: "save-as" },
    ...(onDisk ? [] : [{ label: "Open folder…", onSelect: async () => void ((await openFolderWithPicker()) || folderInput.current?.click()), title: "Open a folder of .mlp files (keeps imports working)", testid: "open-folder" }]),
    { label: "Group…", onSelect: () => void groupSelection(), title: "Group the selected steps under a name; written as a // group: line in the layout block", keys: "Ctrl+G", shortcut: "Control+G", testid: "group" },
    { label: "Ungroup", onSelect: () => void ungroup(), title: "Ungroup the selected steps' group", keys: "Ctrl+Shift+G", shortcut: "Control+Shift+G", testid: "ungroup" },
  ];
  return (
    <header className="toolbar">
      <span className="brand">
        mlp <span className="muted">editor</span>
      </span>
      <div className="tool-group">
        <button type="button" onClick={newFile} title="New file">New</button>
        {!onDisk && (
          <>
            <button type="button" onClick={async () => (await openWithPicker()) || filesInput.current?.click()} title="Open .mlp files">Open…</button>
            <select
              aria-label="Open a sample"
              value=""
              onChange={(e) => e.target.value && openSample(e.target.value)}
              data-testid="samples"
            >
              <option value="">Samples…</option>
              {SAMPLES.map((s) => (
                <option key={s} value={s}>{s}</option>
              ))}
            </select>
          </>
        )}
        <button type="button" onClick={() => void saveActive()} title="Save (Ctrl+S)">Save</button>
        <MoreMenu actions={more} />
        <input ref={filesInput} id="open-files" type="file" accept=".mlp" multiple hidden onChange={onFiles} />
        <input ref={folderInput} id="open-folder" type="file" multiple hidden onChange={onFiles} {...{ webkitdirectory: "" }} />
      </div>
      <div className="tool-group">
        <button type="button" className="icon" onClick={undo} aria-label="Undo" title="Undo (Ctrl+Z)" aria-keyshortcuts="Control+Z" data-testid="undo">
          <span aria-hidden="true">↶</span>
        </button>
        <button type="button" className="icon" onClick={redo} aria-label="Redo" title="Redo (Ctrl+Shift+Z)" aria-keyshortcuts="Control+Shift+Z" data-testid="redo">
          <span aria-hidden="true">↷</span>
        </button>
      </div>
      <div className="tool-group">
        <button type="button" onClick={() => void autoLayout()} disabled={busy} title="Lay out the graph with elkjs and write the positions to the layout block" data-testid="auto-layout">
          {busy ? "Laying out…" : "Auto-layout"}
        </button>
        <select
          aria-label="Layout direction"
          title="Which way the graph reads: auto-layout and steps without a position follow it (remembered per file)"
          value={direction}
          onChange={(e) => setDirection(e.target.value === "down" ? "down" : "right")}
          data-testid="layout-direction"
        >
          <option value="right">Left to right</option>
          <option value="down">Top down</option>
        </select>
        <button type="button" className="icon" onClick={fitView} aria-label="Fit view" title="Fit the whole graph in view (F)" aria-keyshortcuts="F" data-testid="fit-view">
          <span aria-hidden="true">⤢</span>
        </button>
      </div>
      <RunTools />
      <NodeSearch />
      <Status />
    </header>
  );
}
