// One step on the canvas: kind, name, the settings that matter (and how it treats time:
// an as-of join, a hopping window), typed ports and the first problem the checker found.
// Memoized: it re-renders only when its own data, selection or drag state changes (or
// the zoom crosses the level of detail), never because another node moved or the view panned.
// Zoomed out it is simplified to its name, large, and its ports: the text of a full node
// is unreadable there, and a tenth of the elements keeps thousands of nodes on screen cheap.
import { Handle, Position, type NodeProps } from "@xyflow/react";
import { memo, useContext } from "react";
import type { StepData, StepNode } from "../model/flow";
import { FarContext } from "./lod";

function classOf(data: StepData, selected: boolean | undefined): string {
  return ["step", `kind-${data.known ? data.kind : "unknown"}`, data.errors ? "has-errors" : data.warnings ? "has-warnings" : "", data.imported ? "is-imported" : "", selected ? "is-selected" : ""]
    .filter(Boolean)
    .join(" ");
}

function FarStepView({ data, selected }: { data: StepData; selected: boolean | undefined }) {
  return (
    <div className={`${classOf(data, selected)} step-far`} data-testid={`node-${data.name}`} data-lod="far">
      <div className="far-ports far-in">
        {data.inputs.map((p) => (
          <Handle key={p.id} type="target" position={Position.Left} id={p.id} className={`handle ${p.cls}`} />
        ))}
      </div>
      <div className="far-name">{data.name}</div>
      <div className="far-ports far-out">
        {data.outputs.map((p) => (
          <Handle key={p.id} type="source" position={Position.Right} id={p.id} className={`handle ${p.cls}`} />
        ))}
      </div>
    </div>
  );
}

function StepNodeView({ data, selected }: NodeProps<StepNode>) {
  const far = useContext(FarContext);
  if (far) return <FarStepView data={data} selected={selected} />;
  const labelled = data.inputs.length > 1 || data.outputs.length > 1;
  const rows = Math.max(data.inputs.length, data.outputs.length, 1);
  return (
    <div className={classOf(data, selected)} data-testid={`node-${data.name}`} data-lod="full" title={data.problem}>
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
              <Handle type="target" position={Position.Left} id={p.id} className={`handle ${p.cls}`} />
              {labelled && <span className="port-label">{p.label}{p.optional ? "?" : ""}</span>}
            </div>
          ))}
        </div>
        <div className="ports-out">
          {data.outputs.map((p) => (
            <div className="port port-out" key={p.id} title={`${p.id}: ${p.types}`}>
              {labelled && <span className="port-label">{p.label}</span>}
              <Handle type="source" position={Position.Right} id={p.id} className={`handle ${p.cls}`} />
            </div>
          ))}
        </div>
      </div>
      <div className="step-footer">{data.footer}</div>
      {data.problem && <div className={`step-problem ${data.errors ? "error" : "warning"}`}>{data.problem}</div>}
      {data.imported && <div className="step-origin">from {data.imported}</div>}
    </div>
  );
}

export const StepNodeComponent = memo(StepNodeView);
