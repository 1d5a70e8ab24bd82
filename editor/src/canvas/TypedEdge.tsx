// An edge labelled with the artifact type flowing along it; hovered or selected, it
// also lists the columns (or the model's facts). Zoomed out, only its path: a label
// there is unreadable, and thousands of them are what makes panning slow.
// The label goes to React Flow's label layer through a portal of our own: its
// EdgeLabelRenderer looks the layer up with a querySelector on every store update.
// The path goes around the other nodes (model/routes.ts), its label halfway along it; it is
// routed again only when its ends move or the boxes around it settle somewhere new, never
// on a pan. Until the canvas has the boxes, a plain curve.
import { BaseEdge, getBezierPath, Position, type EdgeProps } from "@xyflow/react";
import { memo, useContext, useEffect, useMemo } from "react";
import { createPortal } from "react-dom";
import { artifactClass, showColumnType } from "../model/artifacts";
import type { TypedEdge } from "../model/flow";
import { EdgeRows } from "../server/RunBadge";
import { app } from "../state/app";
import { useSelector } from "../state/store";
import { halfway, pathOf, routeEdge, type Obstacles, type Side } from "../model/routes";
import { FarContext, LabelLayerContext, ObstaclesContext } from "./lod";

const MAX_COLUMNS = 40;

const SIDE: Record<Position, Side> = { [Position.Left]: "left", [Position.Right]: "right", [Position.Top]: "top", [Position.Bottom]: "bottom" };

/** The drawn path and where its label goes. */
function useRoute(obstacles: Obstacles | null, sourceX: number, sourceY: number, sourcePosition: Position, targetX: number, targetY: number, targetPosition: Position): [string, number, number] {
  return useMemo(() => {
    if (!obstacles) {
      const [path, x, y] = getBezierPath({ sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition });
      return [path, x, y];
    }
    const points = routeEdge(obstacles, { x: sourceX, y: sourceY, side: SIDE[sourcePosition] }, { x: targetX, y: targetY, side: SIDE[targetPosition] });
    const mid = halfway(points);
    return [pathOf(points), mid.x, mid.y];
  }, [obstacles, sourceX, sourceY, sourcePosition, targetX, targetY, targetPosition]);
}

function TypedEdgeView({ id, source, sourceHandleId, sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition, data, selected }: EdgeProps<TypedEdge>) {
  const obstacles = useContext(ObstaclesContext);
  const [path, labelX, labelY] = useRoute(obstacles, sourceX, sourceY, sourcePosition, targetX, targetY, targetPosition);
  const hovered = useSelector(app, (s) => s.hoveredEdge === id);
  // A deleted edge (or one an undo brings back under the same id) must not come back hovered.
  useEffect(
    () => () => {
      if (app.get().hoveredEdge === id) app.set({ hoveredEdge: null });
    },
    [id],
  );
  const far = useContext(FarContext);
  const layer = useContext(LabelLayerContext);
  const open = selected || hovered;
  const cls = artifactClass(data?.type);
  const bad = data?.problem ? ` edge-${data.severity ?? "error"}` : "";
  // On a short edge the label would cover the nodes; it appears on hover instead.
  const roomy = Math.abs(targetX - sourceX) > 110 || Math.abs(targetY - sourceY) > 60;
  return (
    <>
      <BaseEdge id={id} path={path} className={`typed-edge ${cls}${bad}${selected ? " is-selected" : ""}`} interactionWidth={far ? 0 : 18} />
      {layer && (!far || open) && createPortal(
        <div
          className={`edge-label nodrag nopan ${cls}${bad}${open ? " open" : ""}${selected ? " pinned" : ""}${hovered ? " hovered" : ""}${roomy || open || bad ? "" : " tight"}`}
          style={{ transform: `translate(-50%, -50%) translate(${labelX}px, ${labelY}px)` }}
          onMouseEnter={() => app.set({ hoveredEdge: id })}
          onMouseLeave={() => app.get().hoveredEdge === id && app.set({ hoveredEdge: null })}
          data-testid={`edge-${id}`}
        >
          <span className="edge-type">{data?.label ?? "?"}</span>
          <EdgeRows step={source} port={sourceHandleId ?? "out"} />
          {data?.problem && <span className="edge-problem">{data.problem}</span>}
          {open && data && (data.columns.length > 0 || data.facts.length > 0) && (
            <div className="edge-schema">
              {data.facts.map((f) => (
                <div className="edge-fact" key={f}>{f}</div>
              ))}
              {data.columns.length > 0 && (
                <table>
                  <tbody>
                    {data.columns.slice(0, MAX_COLUMNS).map((c) => (
                      <tr key={c.name}>
                        <td className="col-name">{c.name}</td>
                        <td className="col-type">{showColumnType(c.type)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
              {data.columns.length > MAX_COLUMNS && <div className="edge-fact">… {data.columns.length - MAX_COLUMNS} more</div>}
            </div>
          )}
        </div>,
        layer,
      )}
    </>
  );
}

export const TypedEdgeComponent = memo(TypedEdgeView);
