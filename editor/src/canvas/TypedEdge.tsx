// An edge labelled with the artifact type flowing along it; hovered or selected, it
// also lists the columns (or the model's facts). Zoomed out, only its path: a label
// there is unreadable, and thousands of them are what makes panning slow.
// The label goes to React Flow's label layer through a portal of our own: its
// EdgeLabelRenderer looks the layer up with a querySelector on every store update.
// The path goes around the other nodes (model/routes.ts); its label sits at the free spot
// nearest halfway along it, where it covers no node (a route through the narrow gap between
// two columns leaves no room: then a dot, or nothing until the edge is hovered). It is
// routed again only when its ends move or the boxes around it settle somewhere new, never
// on a pan. Until the canvas has the boxes, a plain curve.
import { BaseEdge, getBezierPath, Position, type EdgeProps } from "@xyflow/react";
import { memo, useContext, useEffect, useMemo } from "react";
import { createPortal } from "react-dom";
import { artifactClass, showColumnType } from "../model/artifacts";
import type { TypedEdge } from "../model/flow";
import { EdgeRows } from "../server/RunBadge";
import { app, runOfActive } from "../state/app";
import { useSelector } from "../state/store";
import { halfway, labelSpot, pathOf, routeEdge, type Obstacles, type Side } from "../model/routes";
import type { XY } from "../model/positions";
import { FarContext, LabelLayerContext, ObstaclesContext } from "./lod";

const MAX_COLUMNS = 40;

const SIDE: Record<Position, Side> = { [Position.Left]: "left", [Position.Right]: "right", [Position.Top]: "top", [Position.Bottom]: "bottom" };

/** The drawn path, its halfway point and its points (null for the plain curve drawn before the boxes are known). */
function useRoute(obstacles: Obstacles | null, sourceX: number, sourceY: number, sourcePosition: Position, targetX: number, targetY: number, targetPosition: Position): [string, XY, XY[] | null] {
  return useMemo(() => {
    if (!obstacles) {
      const [path, x, y] = getBezierPath({ sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition });
      return [path, { x, y }, null];
    }
    const points = routeEdge(obstacles, { x: sourceX, y: sourceY, side: SIDE[sourcePosition] }, { x: targetX, y: targetY, side: SIDE[targetPosition] });
    return [pathOf(points), halfway(points), points];
  }, [obstacles, sourceX, sourceY, sourcePosition, targetX, targetY, targetPosition]);
}

/** A closed label's box, estimated from its text (12 px monospace, padding and border): placing it must not wait for a measurement. */
const CHAR_PX = 7.3;
const LABEL_H = 20;
const DOT = { width: 10, height: 10 };
const labelSize = (chars: number) => ({ width: chars * CHAR_PX + 16, height: LABEL_H });

/**
 * Where the closed label goes and how it shows: whole where it covers no node, else a dot
 * where that fits, else nothing (hovering or selecting the edge opens it at halfway).
 */
function useLabelPlace(points: XY[] | null, mid: XY, obstacles: Obstacles | null, chars: number, roomy: boolean): { at: XY; shown: "whole" | "dot" | "none" } {
  return useMemo(() => {
    if (!points || !obstacles) return { at: mid, shown: roomy ? "whole" : "dot" };
    const whole = roomy ? labelSpot(points, labelSize(chars), obstacles) : undefined;
    if (whole) return { at: whole, shown: "whole" };
    // A dot has no text to cover: it may sit in the narrowest gap between two nodes.
    const dot = labelSpot(points, DOT, obstacles, 0);
    return dot ? { at: dot, shown: "dot" } : { at: mid, shown: "none" };
  }, [points, mid, obstacles, chars, roomy]);
}

function TypedEdgeView({ id, source, sourceHandleId, sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition, data, selected }: EdgeProps<TypedEdge>) {
  const obstacles = useContext(ObstaclesContext);
  const [path, mid, points] = useRoute(obstacles, sourceX, sourceY, sourcePosition, targetX, targetY, targetPosition);
  const hovered = useSelector(app, (s) => s.hoveredEdge === id);
  // The rows a run wrote along the edge widen its label (" · 1,234 rows").
  const rowsChars = useSelector(app, (s) => {
    const n = runOfActive(s)?.steps[source]?.rows?.[sourceHandleId ?? "out"];
    return n === undefined ? 0 : n.toLocaleString("en-US").length + 6;
  });
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
  // A problem's text is the label then: a wider box to keep clear of nodes.
  const chars = (data?.label ?? "?").length + rowsChars + (data?.problem ? Math.min(32, data.problem.length) : 0);
  const place = useLabelPlace(points, mid, obstacles, chars, roomy || !!bad);
  // A problem is said on the edge even where it has to cover a node; other labels give way.
  const at = place.shown !== "none" ? place.at : open || bad ? mid : null;
  const tight = !open && !bad && place.shown === "dot";
  return (
    <>
      <BaseEdge id={id} path={path} className={`typed-edge ${cls}${bad}${selected ? " is-selected" : ""}`} interactionWidth={far ? 0 : 18} />
      {layer && (!far || open) && at && createPortal(
        <div
          className={`edge-label nodrag nopan ${cls}${bad}${open ? " open" : ""}${selected ? " pinned" : ""}${hovered ? " hovered" : ""}${tight ? " tight" : ""}`}
          style={{ transform: `translate(-50%, -50%) translate(${at.x}px, ${at.y}px)` }}
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
