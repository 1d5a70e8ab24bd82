// The toolbar's run controls. With `mlp edit`: Run (saves, then runs the active file with
// `mlp run`), Stop, and how the last run went. In the static build: why there is no Run.
import { app, toast, type RunView } from "../state/app";
import { runActive, stopRun } from "../state/server";
import { useSelector } from "../state/store";

function summary(r: RunView): string {
  const steps = Object.values(r.steps);
  const count = (st: string) => steps.filter((s) => s.status === st).length;
  const parts = [`${count("ok")} ran`, `${count("cached")} cached`];
  if (count("failed")) parts.push(`${count("failed")} failed`);
  if (count("skipped")) parts.push(`${count("skipped")} skipped`);
  if (r.status === "starting") return "starting…";
  if (r.status === "running") return `running… ${parts.join(", ")}`;
  if (r.status === "not started") return "did not start";
  return `${r.status}: ${parts.join(", ")}`;
}

const NO_SERVER = "Running needs the files on disk: start the editor with `mlp edit FILE` (or a folder) and open the address it prints";

export function RunTools() {
  const server = useSelector(app, (s) => s.server?.root ?? null);
  const run = useSelector(app, (s) => s.run);
  const active = useSelector(app, (s) => s.active);
  if (server === null)
    return (
      <div className="tool-group run-tools">
        {/* aria-disabled, not disabled: the button stays focusable, so the keyboard reaches the reason too. */}
        <button type="button" className="unavailable" aria-disabled="true" aria-describedby="run-needs-server" onClick={() => toast(NO_SERVER)} title={NO_SERVER} data-testid="run">
          Run
        </button>
        <span className="muted needs-server" id="run-needs-server" data-testid="run-needs-server" title={NO_SERVER}>
          needs <code>mlp edit</code>
        </span>
      </div>
    );
  const going = run?.status === "starting" || run?.status === "running";
  // A finished run's verdict belongs to its file; while one goes on, the other tabs say which file it is (Stop is theirs too).
  const shown = run && (run.file === active || going) ? run : null;
  return (
    <div className="tool-group run-tools">
      <span className="muted server-root" title={`${server}: the folder \`mlp edit\` serves; files open from it and save to it`} data-testid="server-root">
        on disk: <b>{server}</b>
      </span>
      {going ? (
        <button type="button" onClick={() => void stopRun()} data-testid="stop">Stop</button>
      ) : (
        <button type="button" onClick={() => void runActive()} title="Save, then run this pipeline on this machine (mlp run)" data-testid="run">
          Run
        </button>
      )}
      {shown && (
        <span className={`run-status run-${shown.status.replace(" ", "-")}`} data-testid="run-status" title={shown.message ?? (shown.runId ? `run ${shown.runId} of ${shown.file}` : shown.file)}>
          {shown.file === active ? summary(shown) : `${shown.file}: ${summary(shown)}`}
        </span>
      )}
    </div>
  );
}
