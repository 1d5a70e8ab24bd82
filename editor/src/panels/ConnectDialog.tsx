// The keyboard way to connect two steps (C with a step selected, or the inspector's
// Connect to… button): pick the output, then the target step and input port from a list.
// A refused target says why, exactly as a drop on its handle would; an allowed one goes
// through the same vetting as a drag (connectPorts).
import { useEffect, useMemo, useRef, useState } from "react";
import { connectTargets, outputsOf, type ConnectTarget } from "../model/connectTargets";
import { app } from "../state/app";
import { cannotConnect, connectPorts } from "../state/graphEdits";
import { useSelector } from "../state/store";
import { closeConnect, ui } from "../state/ui";
import { Picker } from "./Picker";

const key = (t: ConnectTarget) => `${t.to.node}:${t.to.port}`;

function matches(t: ConnectTarget, q: string): boolean {
  const s = q.trim().toLowerCase();
  return !s || `${t.name} ${t.port} ${t.kind}`.toLowerCase().includes(s);
}

/** A modal dialog keeps Tab among its own controls. */
function keepFocusIn(box: HTMLElement, e: { shiftKey: boolean; preventDefault(): void }): void {
  const stops = [...box.querySelectorAll<HTMLElement>("input, select, button")].filter((el) => !(el as HTMLButtonElement).disabled);
  const first = stops[0], last = stops[stops.length - 1];
  if (!first || !last) return;
  if (e.shiftKey && document.activeElement === first) {
    e.preventDefault();
    last.focus();
  } else if (!e.shiftKey && document.activeElement === last) {
    e.preventDefault();
    first.focus();
  }
}

function Dialog({ from }: { from: string }) {
  const ir = useSelector(app, (s) => s.analysis?.ir);
  const source = ir?.nodes.find((n) => n.id === from);
  const outputs = useMemo(() => (ir ? outputsOf(ir, from) : []), [ir, from]);
  const [port, setPort] = useState(outputs[0] ?? "out");
  const [query, setQuery] = useState("");
  const targets = useMemo(() => (ir ? connectTargets(ir, { node: from, port }) : []), [ir, from, port]);
  const shown = targets.filter((t) => matches(t, query));
  // Where the keyboard was (the node), to give it back when the dialog closes.
  const opener = useRef<Element | null>(document.activeElement);
  useEffect(() => () => (opener.current as HTMLElement | null)?.focus?.({ preventScroll: true }), []);

  const pick = (t: ConnectTarget) => {
    if (t.problem) {
      cannotConnect(t.problem);
      return;
    }
    closeConnect();
    void connectPorts({ node: from, port }, t.to);
  };
  if (!source) return null;
  return (
    <div className="dialog-backdrop" onMouseDown={(e) => e.target === e.currentTarget && closeConnect()}>
      <div
        className="dialog connect-dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby="connect-title"
        data-testid="connect-dialog"
        onKeyDown={(e) => {
          if (e.key === "Escape") {
            e.stopPropagation();
            closeConnect();
          } else if (e.key === "Tab") keepFocusIn(e.currentTarget, e);
        }}
      >
        <h2 id="connect-title">
          Connect <span className="mono">{source.name}</span> to…
        </h2>
        {outputs.length > 1 && (
          <label className="connect-output">
            Output{" "}
            <select value={port} onChange={(e) => setPort(e.target.value)} data-testid="connect-output">
              {outputs.map((o) => (
                <option key={o} value={o}>{o}</option>
              ))}
            </select>
          </label>
        )}
        <Picker<ConnectTarget>
          id="connect-target"
          label="Target step and input"
          placeholder="Type to filter steps; Up and Down choose, Enter connects"
          query={query}
          onQuery={setQuery}
          items={shown}
          itemKey={key}
          render={(t) => (
            <span className={t.problem ? "refused" : ""}>
              <span className="match-name">{t.name}</span>
              <span className="mono"> · {t.port}</span>
              <span className="muted"> ({t.accepts})</span>
              {t.problem ? <span className="target-why"> — ✕ {t.problem}</span> : t.replaces && <span className="target-why"> — now reads {t.replaces.join(", ")}</span>}
            </span>
          )}
          onPick={pick}
          onEscape={closeConnect}
          open
          empty="no step matches"
          autoFocus
        />
        <div className="dialog-actions">
          <span className="muted">Esc closes</span>
          <button type="button" onClick={closeConnect}>Cancel</button>
        </div>
      </div>
    </div>
  );
}

export function ConnectDialog() {
  const from = useSelector(ui, (s) => s.connectFrom);
  return from ? <Dialog key={from} from={from} /> : null;
}
