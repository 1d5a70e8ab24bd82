// The operations of a cleanse/aggregate/features/evaluate/tune step as text, parsed
// with the language's parser on apply; what parses is written into the step and then
// checked with the rest of the program.
import { useEffect, useState } from "react";
import type { IrNode } from "../../../compiler/ir";
import { setOperations } from "../model/edits";
import { operationsText, parseOperations, type OpsProblem } from "../model/operations";
import { applyEdit } from "../state/graphEdits";

const HINTS: Record<string, string> = {
  cleanse: "filter EXPR · fill COL = EXPR · drop A, B · rename A -> B · cast COL as TYPE · dedupe by COLS [keep latest COL] · derive COL = EXPR",
  aggregate: "by COLS · COL: TYPE = count() | sum(COL) | avg(COL) | min(COL) | max(COL) | count_distinct(COL)",
  features: "key COLS · keep COLS · COL: TYPE = EXPR",
  evaluate: "require METRIC >= NUMBER",
  tune: "search { hp = choice(..) | uniform(a, b) | loguniform(a, b) | intrange(a, b) }",
};

export function OperationsEditor({ node, readOnly, problems }: { node: IrNode; readOnly: boolean; problems: string[] }) {
  const text = operationsText(node);
  const [draft, setDraft] = useState(text);
  const [errors, setErrors] = useState<OpsProblem[]>([]);
  useEffect(() => {
    setDraft(text);
    setErrors([]);
  }, [text, node.id]);

  const apply = () => {
    if (draft === text) return;
    const r = parseOperations(node.kind, draft);
    if (!r.ok) {
      setErrors(r.problems);
      return;
    }
    setErrors([]);
    applyEdit((ir) => setOperations(ir, node.id, r.stmts));
  };

  const rows = Math.min(14, Math.max(3, draft.split("\n").length + 1));
  return (
    <div className="ops-editor">
      <div className="section-title" id="ops-editor-title">Operations</div>
      {HINTS[node.kind] && <div className="field-doc mono">{HINTS[node.kind]}</div>}
      <textarea
        className="mono"
        data-testid="ops-editor"
        aria-labelledby="ops-editor-title"
        value={draft}
        rows={rows}
        spellCheck={false}
        readOnly={readOnly}
        onChange={(e) => setDraft(e.target.value)}
        onBlur={apply}
        onKeyDown={(e) => {
          if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
            e.preventDefault();
            apply();
          }
          if (e.key === "Escape") setDraft(text);
        }}
      />
      <div className="ops-actions">
        <span className="field-doc">Ctrl+Enter or leaving the box applies</span>
        <button type="button" disabled={readOnly || draft === text} onClick={apply}>Apply</button>
      </div>
      {errors.map((p, i) => (
        <div className="field-problem" key={i}>line {p.line}: {p.message}</div>
      ))}
      {problems.map((m) => (
        <div className="field-problem" key={m}>{m}</div>
      ))}
    </div>
  );
}
