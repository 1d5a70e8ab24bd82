// One step on the canvas: kind, name, the settings that matter (and how it treats time:
// an as-of join, a hopping window), typed ports and the first problem the checker found.
// Memoized: it re-renders only when its own data, selection or drag state changes, never
// because another node moved or the view panned or zoomed. Zoomed out, the canvas's
// `zoomed-out` class simplifies it by stylesheet alone (its name large, the rest hidden),
// so crossing the threshold costs no React work per node; a large graph zoomed out is
// drawn on a canvas instead (FarView). Top-down, inputs sit on the top edge and outputs on
// the bottom edge, spread evenly, their labels in a row beside them.
import { Handle, Position, type NodeProps } from "@xyflow/react";
import { memo, useContext, type CSSProperties } from "react";
import type { PortView, StepData, StepNode } from "../model/flow";
import { RunBadge } from "../server/RunBadge";
import { DirectionContext } from "./lod";

/** Where the i-th of n ports sits along a top or bottom edge, as a share of the width (also used before measuring). */
export const alongEdge = (i: number, n: number) => (i + 0.5) / n;

function inputHandle(p: PortView, name: string, position: Position, style?: CSSProperties) {
  return <Handle key={p.id} type="target" position={position} id={p.id} className={`handle ${p.cls}`} style={style} role="img" aria-label={`input ${p.id} of ${name}: ${p.types}`} />;
}

function outputHandle(p: PortView, name: string, position: Position, style?: CSSProperties) {
  return <Handle key={p.id} type="source" position={position} id={p.id} className={`handle ${p.cls}`} style={style} role="img" aria-label={`output ${p.id} of ${name}: ${p.types}`} />;
}

/** A row of port labels along the top or bottom edge, each centred over its handle. */
function PortRow({ ports, kind }: { ports: PortView[]; kind: "in" | "out" }) {
  return (
    <div className={`port-row port-row-${kind}`}>
      {ports.map((p) => (
        <span className="port-label" key={p.id} title={`${p.id}: ${p.types}${p.optional ? " (optional)" : ""}`}>
          {p.label}
          {p.optional ? "?" : ""}
        </span>
      ))}
    </div>
  );
}

function TopDownPorts({ data, side }: { data: StepData; side: "in" | "out" }) {
  const ports = side === "in" ? data.inputs : data.outputs;
  const labelled = data.inputs.length > 1 || data.outputs.length > 1;
  return (
    <>
      {ports.map((p, i) => {
        const style = { left: `${alongEdge(i, ports.length) * 100}%` };
        return side === "in" ? inputHandle(p, data.name, Position.Top, style) : outputHandle(p, data.name, Position.Bottom, style);
      })}
      {labelled && ports.length > 0 && <PortRow ports={ports} kind={side} />}
    </>
  );
}

function StepNodeView({ data, selected }: NodeProps<StepNode>) {
  const down = useContext(DirectionContext) === "down";
  const labelled = data.inputs.length > 1 || data.outputs.length > 1;
  const rows = Math.max(data.inputs.length, data.outputs.length, 1);
  const cls = ["step", down ? "dir-down" : "", `kind-${data.known ? data.kind : "unknown"}`, data.errors ? "has-errors" : data.warnings ? "has-warnings" : "", data.imported ? "is-imported" : "", selected ? "is-selected" : ""]
    .filter(Boolean)
    .join(" ");
  return (
    <div className={cls} data-testid={`node-${data.name}`} title={data.problem}>
      {down && <TopDownPorts data={data} side="in" />}
      <div className="step-head">
        <span className="step-kind">{data.kind}</span>
        <span className="step-name">{data.name}</span>
        {data.errors > 0 && <span className="badge badge-error" title={`${data.errors} error(s)`}>{data.errors}</span>}
        {data.warnings > 0 && <span className="badge badge-warning" title={`${data.warnings} warning(s)`}>{data.warnings}</span>}
      </div>
      {data.detail && <div className="step-detail">{data.detail}</div>}
      {data.time && <div className="step-time" title={data.time}>{data.time}</div>}
      {!down && (
        <div className="step-ports" style={{ minHeight: labelled ? rows * 18 : 8 }}>
          <div className="ports-in">
            {data.inputs.map((p) => (
              <div className="port port-in" key={p.id} title={`${p.id}: ${p.types}${p.optional ? " (optional)" : ""}`}>
                {inputHandle(p, data.name, Position.Left)}
                {labelled && <span className="port-label">{p.label}{p.optional ? "?" : ""}</span>}
              </div>
            ))}
          </div>
          <div className="ports-out">
            {data.outputs.map((p) => (
              <div className="port port-out" key={p.id} title={`${p.id}: ${p.types}`}>
                {labelled && <span className="port-label">{p.label}</span>}
                {outputHandle(p, data.name, Position.Right)}
              </div>
            ))}
          </div>
        </div>
      )}
      <div className="step-footer">{data.footer}</div>
      <RunBadge step={data.name} />
      {data.problem && <div className={`step-problem ${data.errors ? "error" : "warning"}`}>{data.problem}</div>}
      {data.imported && <div className="step-origin">from {data.imported}</div>}
      {down && <TopDownPorts data={data} side="out" />}
    </div>
  );
}

export const StepNodeComponent = memo(StepNodeView);
