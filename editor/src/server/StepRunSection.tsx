// The inspector's part for a step in `mlp edit`: how the last run went for it, a preview
// of its output rows (from the run folder, through `mlp show`) and its log.
import { useState } from "react";
import { app, runOfActive } from "../state/app";
import { stepLog, stepRows, type Rows } from "../state/server";
import { useSelector } from "../state/store";
import { RunBadge } from "./RunBadge";

const cell = (v: unknown) => (v === null || v === undefined ? "∅" : typeof v === "object" ? JSON.stringify(v) : String(v));

export function StepRunSection({ step, ports }: { step: string; ports: string[] }) {
  const server = useSelector(app, (s) => s.server !== null);
  const run = useSelector(app, (s) => runOfActive(s)?.steps[step]);
  const [port, setPort] = useState(ports[0] ?? "out");
  const [rows, setRows] = useState<Rows | null>(null);
  const [log, setLog] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  if (!server) return null;
  const preview = async () => {
    setProblem(null);
    try {
      setRows(await stepRows(step, port));
    } catch (e) {
      setRows(null);
      setProblem((e as Error).message);
    }
  };
  const showLog = async () => {
    setProblem(null);
    try {
      setLog(await stepLog(step));
    } catch (e) {
      setLog(null);
      setProblem((e as Error).message);
    }
  };
  return (
    <section className="step-run-section" aria-label="Run" data-testid="step-run">
      <div className="section-title">Run</div>
      {run ? <RunBadge step={step} /> : <p className="muted">not run since `mlp edit` started (Run in the toolbar)</p>}
      <div className="inspector-actions">
        {ports.length > 1 && (
          <select aria-label="Output port" value={port} onChange={(e) => setPort(e.target.value)}>
            {ports.map((p) => (
              <option key={p}>{p}</option>
            ))}
          </select>
        )}
        {ports.length > 0 && (
          <button type="button" onClick={() => void preview()} data-testid="preview-rows">
            Preview rows
          </button>
        )}
        <button type="button" onClick={() => void showLog()} data-testid="show-log">
          Log
        </button>
      </div>
      {problem && <p className="text-error" role="status">{problem}</p>}
      {rows && (
        <div className="rows-preview" data-testid="rows-preview" tabIndex={0} role="region" aria-label="rows preview">
          <table>
            <thead>
              <tr>
                {rows.columns.map((c) => (
                  <th key={c}>{c}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {rows.rows.map((r, i) => (
                <tr key={i}>
                  {r.map((v, j) => (
                    <td key={j}>{cell(v)}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
          <p className="muted">{rows.rows.length ? `the first ${rows.rows.length} rows` : "no rows"}</p>
        </div>
      )}
      {log !== null && <pre className="step-log" data-testid="step-log">{log || "(empty)"}</pre>}
    </section>
  );
}
