// Every step kind from the catalog, to drag onto the canvas (or press Enter to add it
// next to the selected step, connected when the types fit).
import type { DragEvent, KeyboardEvent } from "react";
import { kindsOf, STEP_KINDS } from "../../../language/catalog";
import { KIND_MIME } from "../canvas/Canvas";
import { addStepOf } from "../state/commands";

// Grouped by the catalog's categories: data steps, then everything that trains, serves or reports.
const GROUPS: { title: string; kinds: string[] }[] = [
  { title: "Data", kinds: kindsOf("data") },
  { title: "Model", kinds: [...kindsOf("model"), ...kindsOf("serve"), ...kindsOf("report")] },
];

function summary(doc: string): string {
  const first = doc.split(/(?<=\.)\s/)[0] ?? doc;
  return first.replace(/`/g, "");
}

export function Palette() {
  const grouped = new Set(GROUPS.flatMap((g) => g.kinds));
  const groups = [...GROUPS, { title: "Other", kinds: STEP_KINDS.map((k) => k.kind).filter((k) => !grouped.has(k)) }].filter((g) => g.kinds.length);
  const onDragStart = (e: DragEvent, kind: string) => {
    e.dataTransfer.setData(KIND_MIME, kind);
    e.dataTransfer.effectAllowed = "copy";
  };
  const onKey = (e: KeyboardEvent, kind: string) => {
    if (e.key === "Enter" || e.key === " ") {
      e.preventDefault();
      addStepOf(kind);
    }
  };
  return (
    <section className="palette" aria-label="Step palette">
      <h2>Steps</h2>
      {groups.map((g) => (
        <div className="palette-group" key={g.title}>
          <h3>{g.title}</h3>
          <div className="palette-grid">
            {g.kinds.map((kind) => {
              const k = STEP_KINDS.find((x) => x.kind === kind)!;
              return (
                <div
                  key={kind}
                  className={`palette-item kind-${kind}`}
                  draggable
                  tabIndex={0}
                  role="button"
                  data-testid={`palette-${kind}`}
                  title={`${summary(k.doc)}\n\nDrag onto the canvas, or press Enter to add it after the selected step.`}
                  onDragStart={(e) => onDragStart(e, kind)}
                  onDoubleClick={() => addStepOf(kind)}
                  onKeyDown={(e) => onKey(e, kind)}
                >
                  <span className="palette-dot" />
                  {kind}
                </div>
              );
            })}
          </div>
        </div>
      ))}
    </section>
  );
}
