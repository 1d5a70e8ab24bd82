// How much of the graph a view shows, for the off-screen note (OffscreenNote.tsx).
import type { ReactFlowState } from "@xyflow/react";

/**
 * Steps whose middle is inside the visible area, and all steps; `smallest`: the view is at its
 * least zoom, so a fit cannot show more (a very large graph), and the note must not offer one.
 */
export function countShown(s: Pick<ReactFlowState, "nodeLookup" | "transform" | "width" | "height" | "minZoom">): { shown: number; total: number; smallest: boolean } {
  const [tx, ty, zoom] = s.transform;
  const left = -tx / zoom, top = -ty / zoom, right = left + s.width / zoom, bottom = top + s.height / zoom;
  let shown = 0;
  for (const n of s.nodeLookup.values()) {
    const p = n.internals.positionAbsolute;
    const x = p.x + (n.measured?.width ?? 240) / 2, y = p.y + (n.measured?.height ?? 90) / 2;
    if (x >= left && x <= right && y >= top && y <= bottom) shown++;
  }
  return { shown, total: s.nodeLookup.size, smallest: zoom <= s.minZoom * 1.001 };
}
