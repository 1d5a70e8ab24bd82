// The selected step's settings: a form generated from its kind's config schema, its
// operations as text, its ports and its problems. With nothing selected, the
// pipeline's own settings.
import { StepRunSection } from "../server/StepRunSection";
import { useState } from "react";
import { writtenKind, type IrDocument, type IrExpr, type IrNode } from "../../../compiler/ir";
import { stepKind } from "../../../language/catalog";
import { pipelineSettings } from "../../../language/catalog/settings";
import type { Diagnostic } from "../../../language/diagnostics/diagnostic";
import type { Analysis } from "../model/analyze";
import { showArtifact } from "../model/artifacts";
import { renameStep, setAttr, type AttrOwner } from "../model/edits";
import { diagnosticsByNode } from "../model/flow";
import { exprText, fieldsOf, type Field } from "../model/form";
import { hasOperations } from "../model/operations";
import { app } from "../state/app";
import { copySelection, deleteSelection } from "../state/commands";
import { activate, showRange } from "../state/documents";
import { applyEdit } from "../state/graphEdits";
import { useSelector } from "../state/store";
import { openConnect } from "../state/ui";
import { FieldControl } from "./FieldControl";
import { OperationsEditor } from "./OperationsEditor";

type Attr = { name: string; value: IrExpr };

function exprAt(attrs: readonly Attr[], path: readonly string[]): IrExpr | undefined {
  let e: IrExpr | undefined = attrs.find((a) => a.name === path[0])?.value;
  for (const k of path.slice(1)) e = e?.kind === "object" ? e.entries.find((en) => en.key === k)?.value : undefined;
  return e;
}

function Fields({ fields, attrs, problemsFor, readOnly, onCommit }: { fields: Field[]; attrs: readonly Attr[]; problemsFor: (name: string) => string[]; readOnly: boolean; onCommit: (path: string[], v: IrExpr | undefined) => void }) {
  return (
    <>
      {fields.map((f) =>
        f.control === "group" ? (
          <fieldset className="field-group" key={f.key}>
            <legend title={f.doc}>{f.label}</legend>
            {f.doc && <div className="field-doc">{f.doc}</div>}
            <Fields fields={f.children!} attrs={attrs} problemsFor={() => []} readOnly={readOnly} onCommit={onCommit} />
            {problemsFor(f.key).map((m) => (
              <div className="field-problem" key={m}>{m}</div>
            ))}
          </fieldset>
        ) : (
          <FieldControl key={f.key} field={f} value={exprAt(attrs, f.path)} problems={f.path.length === 1 ? problemsFor(f.key) : []} disabled={readOnly} onCommit={onCommit} />
        ),
      )}
    </>
  );
}

function Problems({ list }: { list: Diagnostic[] }) {
  if (!list.length) return null;
  return (
    <ul className="inspector-problems">
      {list.map((d, i) => (
        <li key={i} className={d.severity} onClick={() => showRange(d.span.start, d.span.end, true)}>
          <span className="code">{d.code}</span> {d.message}
          {d.help && <div className="help">{d.help}</div>}
        </li>
      ))}
    </ul>
  );
}

function NameField({ node, readOnly }: { node: IrNode; readOnly: boolean }) {
  const [draft, setDraft] = useState(node.name);
  const [key, setKey] = useState(node.id);
  if (key !== node.id) {
    setKey(node.id);
    setDraft(node.name);
  }
  const commit = async () => {
    if (draft !== node.name && !(await applyEdit((ir) => renameStep(ir, node.id, draft)))) setDraft(node.name);
  };
  return (
    <input
      className="name-input"
      aria-label="Step name"
      data-testid="inspector-name"
      value={draft}
      readOnly={readOnly}
      spellCheck={false}
      onChange={(e) => setDraft(e.target.value)}
      onBlur={() => void commit()}
      onKeyDown={(e) => {
        if (e.key === "Enter") void commit();
        if (e.key === "Escape") setDraft(node.name);
      }}
    />
  );
}

function inputsOf(ir: IrDocument, node: IrNode) {
  return ir.edges.filter((e) => e.to.node === node.id).map((e) => ({ port: e.to.port, from: ir.nodes.find((n) => n.id === e.from.node)?.name ?? e.from.node, output: e.from.port, type: showArtifact(e.artifact) }));
}

function StepInspector({ analysis, node }: { analysis: Analysis; node: IrNode }) {
  const kind = stepKind(writtenKind(node));
  const readOnly = !!node.origin;
  const all = diagnosticsByNode(analysis).get(node.id) ?? [];
  const spans = analysis.nodes[node.id];
  const attrs = node.body.filter((s): s is Extract<IrNode["body"][number], { kind: "attr" }> => s.kind === "attr");
  const fields = kind ? fieldsOf(kind.config) : [];
  const known = new Set(fields.map((f) => f.key));
  const extra: Field[] = attrs.filter((a) => !known.has(a.name)).map((a) => ({ key: a.name, path: [a.name], label: a.name, control: "expr", required: false, doc: "not a setting of this kind" }));
  const attrProblems = (name: string) => {
    const s = spans?.attrs[name];
    return s ? all.filter((d) => d.span.start >= s.start && d.span.start < s.end).map((d) => d.message) : [];
  };
  const owner: AttrOwner = { node: node.id };
  const onCommit = (path: string[], v: IrExpr | undefined) => applyEdit((ir) => setAttr(ir, owner, path, v));
  const opsProblems = all.filter((d) => !Object.values(spans?.attrs ?? {}).some((s) => d.span.start >= s.start && d.span.start < s.end) && spans && d.span.start > spans.name.end).map((d) => d.message);
  return (
    <div className="inspector-body" data-testid="inspector">
      <div className="inspector-head">
        <span className={`step-kind kind-${node.kind}`}>{node.use !== undefined ? `use ${node.use}` : node.kind}</span>
        <NameField node={node} readOnly={readOnly} />
      </div>
      {node.origin && (
        <div className="banner">
          Defined in <b>{node.origin.file}</b>. <button type="button" className="link" onClick={() => activate(node.origin!.file)}>Open it</button> to change this step.
        </div>
      )}
      {kind && (
        <details className="kind-doc">
          <summary>About {kind.kind}</summary>
          <p>{kind.doc.replace(/`/g, "")}</p>
        </details>
      )}
      <Problems list={all} />
      <div className="section-title">Ports</div>
      <table className="ports-table">
        <tbody>
          {inputsOf(analysis.ir, node).map((i) => (
            <tr key={`${i.port}-${i.from}`}>
              <td>in {i.port}</td>
              <td>{i.from}{i.output !== "out" ? `.${i.output}` : ""}</td>
              <td className="mono">{i.type}</td>
            </tr>
          ))}
          {node.ports.outputs.map((o) => (
            <tr key={o.port}>
              <td>out {o.port}</td>
              <td />
              <td className="mono">{showArtifact(o.artifact)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {node.use === undefined && (
        <>
          <div className="section-title">Settings</div>
          <Fields fields={[...fields, ...extra]} attrs={attrs} problemsFor={attrProblems} readOnly={readOnly} onCommit={onCommit} />
          {hasOperations(node.kind) && <OperationsEditor node={node} readOnly={readOnly} problems={opsProblems} />}
        </>
      )}
      <StepRunSection step={node.id} ports={node.ports.outputs.filter((o) => ["Table", "Stream", "Features"].includes(o.artifact.type)).map((o) => o.port)} />
      <div className="inspector-actions">
        <button type="button" onClick={() => spans && (spans.file === app.get().active ? showRange(spans.name.start, spans.name.end, true) : activate(spans.file))}>Show in text</button>
        <button type="button" onClick={() => openConnect(node.id)} title="Connect this step's output to another step's input (C)" data-testid="connect-to">Connect to…</button>
        {!readOnly && <button type="button" onClick={() => copySelection()}>Copy</button>}
        {!readOnly && (
          <button type="button" className="danger" onClick={() => deleteSelection()}>
            Delete
          </button>
        )}
      </div>
    </div>
  );
}

function PipelineInspector({ analysis }: { analysis: Analysis }) {
  const p = analysis.ir.pipeline;
  const ir = analysis.ir;
  const local = ir.nodes.filter((n) => !n.origin).length;
  const errors = analysis.diagnostics.filter((d) => d.severity === "error").length;
  const warnings = analysis.diagnostics.length - errors;
  return (
    <div className="inspector-body" data-testid="inspector-pipeline">
      <div className="inspector-head">
        <span className="step-kind kind-pipeline">{p ? "pipeline" : "library"}</span>
        <span className="name-static">{p ? p.name : analysis.entry}</span>
      </div>
      <p className="muted">
        {local} step{local === 1 ? "" : "s"}
        {ir.nodes.length > local ? ` + ${ir.nodes.length - local} imported` : ""} · {ir.schemas.length} schema{ir.schemas.length === 1 ? "" : "s"} · {ir.variants.length} variant{ir.variants.length === 1 ? "" : "s"} ·{" "}
        <span className={errors ? "text-error" : "text-ok"}>{errors} error{errors === 1 ? "" : "s"}</span>, {warnings} warning{warnings === 1 ? "" : "s"}
      </p>
      {p ? (
        <>
          <div className="section-title">Pipeline settings</div>
          <Fields fields={fieldsOf(pipelineSettings)} attrs={p.attrs} problemsFor={() => []} readOnly={false} onCommit={(path, v) => applyEdit((cur) => setAttr(cur, { pipeline: true }, path, v))} />
        </>
      ) : (
        <p className="muted">This file has no pipeline block: it is a library other files import from.</p>
      )}
      {ir.schemas.length > 0 && (
        <>
          <div className="section-title">Schemas</div>
          {ir.schemas.map((s) => (
            <details key={s.name} className="schema">
              <summary>
                {s.name} <span className="muted">({s.columns.length} columns{s.origin ? `, from ${s.origin.file}` : ""})</span>
              </summary>
              <table className="ports-table">
                <tbody>
                  {s.fields.map((f) => (
                    <tr key={f.name}>
                      <td>{f.name}</td>
                      <td className="mono">{f.type.name}{f.type.args ? `(${f.type.args.map(exprText).join(", ")})` : ""}{f.type.nullable ? "?" : ""}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </details>
          ))}
        </>
      )}
      <div className="section-title">Tips</div>
      <ul className="tips">
        <li>Drag a step from the palette onto the canvas, or select a step and press Enter on a palette item to add one after it.</li>
        <li>Connect an output (right, or bottom top-down) to an input (left, or top); the types decide what may connect. From the keyboard: Tab to a step (steps come before connections), then C connects it.</li>
        <li>Ctrl+K or / finds a step by name, kind or column; F fits the whole graph.</li>
        <li>Ctrl+G groups the selected steps under a name; a group collapses into one node and expands again.</li>
        <li>Delete removes the selection; Ctrl+C / Ctrl+V copies steps; Ctrl+Z / Ctrl+Shift+Z undo and redo.</li>
      </ul>
    </div>
  );
}

export function Inspector() {
  const analysis = useSelector(app, (s) => s.analysis);
  const selection = useSelector(app, (s) => s.selection);
  if (!analysis) return <div className="inspector-body muted">Checking…</div>;
  if (selection.length > 1)
    return (
      <div className="inspector-body" data-testid="inspector-multi">
        <p>
          <b>{selection.length}</b> steps selected.
        </p>
        <div className="inspector-actions">
          <button type="button" onClick={() => copySelection()}>Copy</button>
          <button type="button" className="danger" onClick={() => deleteSelection()}>Delete</button>
        </div>
      </div>
    );
  const node = selection.length === 1 ? analysis.ir.nodes.find((n) => n.id === selection[0]) : undefined;
  return node ? <StepInspector analysis={analysis} node={node} /> : <PipelineInspector analysis={analysis} />;
}
