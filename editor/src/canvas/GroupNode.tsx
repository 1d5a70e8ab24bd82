// A collapsed group on the canvas: one node with the group's name, how many steps it holds
// and their errors and warnings; edges to and from its steps end on its two handles.
// Expanded, a group is a frame drawn behind its steps (GroupFrames), with its name and the
// buttons to collapse or ungroup it. Both only show; collapsing is a view setting
// (state/groups.ts) and the group itself lives in the text.
import { Handle, Position, ViewportPortal, type Node, type NodeProps } from "@xyflow/react";
import { memo } from "react";
import { GROUP_IN, GROUP_OUT, type GroupData, type GroupFrame } from "../model/groups";
import { setCollapsed, ungroup } from "../state/groups";

export type GroupNode = Node<GroupData, "stepGroup">;

function plural(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? "" : "s"}`;
}

/** What a screen reader says for a collapsed group. */
export function groupLabel(d: GroupData): string {
  const problems = [d.errors ? plural(d.errors, "error") : "", d.warnings ? plural(d.warnings, "warning") : ""].filter(Boolean);
  return `collapsed group ${d.name}, ${plural(d.count, "step")}${problems.length ? `, ${problems.join(", ")}` : ""}; Enter expands it`;
}

function GroupNodeView({ data }: NodeProps<GroupNode>) {
  const expand = () => setCollapsed(data.group, false);
  const cls = ["step-group", data.source === "import" ? "is-imported" : "", data.errors ? "has-errors" : data.warnings ? "has-warnings" : ""].filter(Boolean).join(" ");
  return (
    <div className={cls} data-testid={`group-${data.name}`} onDoubleClick={expand}>
      <Handle type="target" position={Position.Left} id={GROUP_IN} className="handle art-unknown" isConnectable={false} role="img" aria-label={`inputs of group ${data.name}`} />
      <div className="step-head">
        <span className="step-kind">{data.source === "import" ? "file" : "group"}</span>
        <span className="step-name">{data.name}</span>
        {data.errors > 0 && <span className="badge badge-error" title={plural(data.errors, "error")}>{data.errors}</span>}
        {data.warnings > 0 && <span className="badge badge-warning" title={plural(data.warnings, "warning")}>{data.warnings}</span>}
      </div>
      <div className="group-count" data-testid="group-count">
        {plural(data.count, "step")}
        <button type="button" className="group-toggle nodrag nopan" onClick={expand} aria-label={`expand group ${data.name}`}>
          Expand
        </button>
      </div>
      <Handle type="source" position={Position.Right} id={GROUP_OUT} className="handle art-unknown" isConnectable={false} role="img" aria-label={`outputs of group ${data.name}`} />
    </div>
  );
}

export const GroupNodeComponent = memo(GroupNodeView);

/** Expanded groups: a labelled frame behind each group's steps. */
function GroupFramesView({ frames }: { frames: readonly GroupFrame[] }) {
  if (!frames.length) return null;
  return (
    <ViewportPortal>
      {frames.map((f) => (
        <div
          key={f.id}
          className={`group-frame${f.source === "import" ? " is-imported" : ""}`}
          style={{ transform: `translate(${f.x}px, ${f.y}px)`, width: f.width, height: f.height }}
          data-testid={`frame-${f.name}`}
        >
          <div className="group-frame-head nodrag nopan">
            <span className="group-frame-name">{f.name}</span>
            <span className="group-frame-count">{plural(f.count, "step")}</span>
            <button type="button" onClick={() => setCollapsed(f.id, true)} aria-label={`collapse group ${f.name}`} data-testid={`collapse-${f.name}`}>
              Collapse
            </button>
            {f.source === "layout" && (
              <button type="button" onClick={() => void ungroup(f.id)} aria-label={`ungroup ${f.name}`}>
                Ungroup
              </button>
            )}
          </div>
        </div>
      ))}
    </ViewportPortal>
  );
}

export const GroupFrames = memo(GroupFramesView);
