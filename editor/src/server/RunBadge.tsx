// A step's state in the current run of `mlp edit`, on its node, and the rows that flowed
// along an edge. Each subscribes to its own step only, so a run's progress re-renders the
// badges, never the nodes.
import { app, runOfActive, type StepRun } from "../state/app";
import { useSelector } from "../state/store";

const fmt = (n: number) => n.toLocaleString("en-US");

function rowsText(s: StepRun): string {
  const ports = Object.entries(s.rows ?? {});
  if (!ports.length) return "";
  return ports.length === 1 ? `${fmt(ports[0]![1])} rows` : ports.map(([p, n]) => `${p} ${fmt(n)}`).join(" · ");
}

const LABEL: Record<StepRun["status"], string> = { running: "running…", ok: "✓ done", cached: "cached", failed: "✕ failed", skipped: "skipped" };

export function RunBadge({ step }: { step: string }) {
  const s = useSelector(app, (st) => runOfActive(st)?.steps[step]);
  const queued = useSelector(app, (st) => {
    const run = runOfActive(st);
    return !!run && !run.steps[step] && (run.status === "running" || run.status === "starting");
  });
  if (queued)
    return (
      <div className="step-run run-queued" data-testid={`run-${step}`}>
        queued
      </div>
    );
  if (!s) return null;
  const rows = rowsText(s);
  return (
    <div className={`step-run run-${s.status}`} data-testid={`run-${step}`} title={s.error ?? (s.cachedFrom ? `reused from run ${s.cachedFrom}` : s.skippedBecause ? `${s.skippedBecause} failed` : "")}>
      <span className="run-state">{LABEL[s.status]}</span>
      {rows && <span className="run-rows">{rows}</span>}
      {s.seconds !== undefined && s.status === "ok" && <span className="run-secs">{s.seconds.toFixed(1)} s</span>}
      {s.status === "failed" && s.error && <div className="run-error">{s.error}</div>}
    </div>
  );
}

/** The rows a run wrote to the port an edge leaves from. */
export function EdgeRows({ step, port }: { step: string; port: string }) {
  const n = useSelector(app, (st) => runOfActive(st)?.steps[step]?.rows?.[port]);
  if (n === undefined) return null;
  return <span className="edge-rows" data-testid={`edge-rows-${step}-${port}`}>{fmt(n)} rows</span>;
}
