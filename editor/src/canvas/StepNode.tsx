// One step on the canvas: kind, name, the settings that matter (and how it treats time:
// an as-of join, a hopping window), typed ports and the first problem the checker found.
// Memoized: it re-renders only when its own data, selection or drag state changes, never
// because another node moved or the view panned or zoomed. Zoomed out, the canvas's
// `zoomed-out` class simplifies it by stylesheet alone (its name large, the rest hidden),
// so crossing the threshold costs no React work per node; a large graph zoomed out is
// drawn on a canvas instead (FarView).
import { Handle, Position, type NodeProps } from "@xyflow/react";
import { memo } from "react";
import type { StepNode } from "../model/flow";
import { RunBadge } from "../server/RunBadge";

function StepNodeView({ data, selected }: NodeProps<StepNode>) {
  const labelled = data.inputs.length > 1 || data.outputs.length > 1;
  const rows = Math.max(data.inputs.length, data.outputs.length, 1);
  const cls = ["step", `kind-${data.known ? data.kind : "unknown"}`, data.errors ? "has-errors" : data.warnings ? "has-warnings" : "", data.imported ? "is-imported" : "", selected ? "is-selected" : ""]
    .filter(Boolean)
    .join(" ");
  return (
    <div className={cls} data-testid={`node-${data.name}`} title={data.problem}>
      <div className="step-head">
        <span className="step-kind">{data.kind}</span>
        <span className="step-name">{data.name}</span>
        {data.errors > 0 && <span className="badge badge-error" title={`${data.errors} error(s)`}>{data.errors}</span>}
        {data.warnings > 0 && <span className="badge badge-warning" title={`${data.warnings} warning(s)`}>{data.warnings}</span>}
      </div>
      {data.detail && <div className="step-detail">{data.detail}</div>}
      {data.time && <div className="step-time" title={data.time}>{data.time}</div>}
      <div className="step-ports" style={{ minHeight: labelled ? rows * 18 : 8 }}>
        <div className="ports-in">
          {data.inputs.map((p) => (
            <div className="port port-in" key={p.id} title={`${p.id}: ${p.types}${p.optional ? " (optional)" : ""}`}>
              <Handle type="target" position={Position.Left} id={p.id} className={`handle ${p.cls}`} role="img" aria-label={`input ${p.id} of ${data.name}: ${p.types}`} />
              {labelled && <span className="port-label">{p.label}{p.optional ? "?" : ""}</span>}
            </div>
          ))}
        </div>
        <div className="ports-out">
          {data.outputs.map((p) => (
            <div className="port port-out" key={p.id} title={`${p.id}: ${p.types}`}>
              {labelled && <span className="port-label">{p.label}</span>}
              <Handle type="source" position={Position.Right} id={p.id} className={`handle ${p.cls}`} role="img" aria-label={`output ${p.id} of ${data.name}: ${p.types}`} />
            </div>
          ))}
        </div>
      </div>
      <div className="step-footer">{data.footer}</div>
      <RunBadge step={data.name} />
      {data.problem && <div className={`step-problem ${data.errors ? "error" : "warning"}`}>{data.problem}</div>}
      {data.imported && <div className="step-origin">from {data.imported}</div>}
    </div>
  );
}

export const StepNodeComponent = memo(StepNodeView);
