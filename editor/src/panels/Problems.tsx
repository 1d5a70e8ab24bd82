// Every diagnostic of the open program. Clicking one selects its step on the canvas
// and its text range in the text, with the keyboard in the text to fix it.
import type { Diagnostic } from "../../../language/diagnostics/diagnostic";
import { diagnosticsByNode } from "../model/flow";
import { app, reveal, select } from "../state/app";
import { activate, showRange } from "../state/documents";
import { expandGroupOf } from "../state/groups";
import { useSelector } from "../state/store";

function goTo(d: Diagnostic): void {
  const s = app.get();
  if (d.file !== s.active) {
    activate(d.file);
    showRange(d.span.start, d.span.end, true);
    return;
  }
  const a = s.analysis;
  if (a) {
    for (const [id, list] of diagnosticsByNode(a)) {
      if (list.includes(d)) {
        // A problem of a step in a collapsed group opens the group, so the step can be shown.
        expandGroupOf(id);
        select([id], "list");
        reveal(id);
        break;
      }
    }
  }
  showRange(d.span.start, d.span.end, true);
}

export function Problems() {
  const analysis = useSelector(app, (s) => s.analysis);
  if (!analysis) return <div className="muted pad">Checking…</div>;
  const list = analysis.diagnostics;
  if (!list.length)
    return (
      <div className="problems-empty text-ok pad" data-testid="problems-empty">
        ✓ No problems in {analysis.entry}
        {Object.keys(analysis.texts).length > 1 ? ` and the ${Object.keys(analysis.texts).length - 1} file(s) it imports` : ""}.
      </div>
    );
  return (
    <ul className="problems" data-testid="problems">
      {list.map((d, i) => (
        <li key={i} className={`problem ${d.severity}`}>
          <button type="button" onClick={() => goTo(d)}>
            <span className={`sev sev-${d.severity}`}>{d.severity === "error" ? "✕" : "!"}</span>
            <span className="code">{d.code}</span>
            <span className="msg">{d.message}</span>
            <span className="loc">
              {d.file}:{d.span.line}:{d.span.col}
            </span>
          </button>
          {d.help && <div className="help">{d.help}</div>}
        </li>
      ))}
    </ul>
  );
}
