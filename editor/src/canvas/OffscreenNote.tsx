// Says how much of the graph is off screen ("showing 6 of 14 steps — press F to fit") while
// part of it is, so a graph too big to read whole at a readable zoom is not mistaken for
// all there is. Counted once the view rests, never per frame of a pan.
import { Panel, useStoreApi, type ReactFlowState } from "@xyflow/react";
import { useEffect, useState } from "react";
import { fitView } from "../state/app";

const REST_MS = 150;

/** Steps whose middle is inside the visible area, and all steps. */
export function countShown(s: Pick<ReactFlowState, "nodeLookup" | "transform" | "width" | "height">): { shown: number; total: number } {
  const [tx, ty, zoom] = s.transform;
  const left = -tx / zoom, top = -ty / zoom, right = left + s.width / zoom, bottom = top + s.height / zoom;
  let shown = 0;
  for (const n of s.nodeLookup.values()) {
    const p = n.internals.positionAbsolute;
    const x = p.x + (n.measured?.width ?? 240) / 2, y = p.y + (n.measured?.height ?? 90) / 2;
    if (x >= left && x <= right && y >= top && y <= bottom) shown++;
  }
  return { shown, total: s.nodeLookup.size };
}

export function OffscreenNote() {
  const store = useStoreApi();
  const [count, setCount] = useState<{ shown: number; total: number } | null>(null);
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const recount = () => {
      const s = store.getState();
      if (s.width > 0 && s.height > 0) setCount(countShown(s));
    };
    recount();
    const unsubscribe = store.subscribe((s, prev) => {
      if (s.transform === prev.transform && s.nodes === prev.nodes && s.width === prev.width && s.height === prev.height) return;
      clearTimeout(timer);
      timer = setTimeout(recount, REST_MS);
    });
    return () => {
      clearTimeout(timer);
      unsubscribe();
    };
  }, [store]);
  if (!count || count.total === 0 || count.shown === count.total) return null;
  return (
    <Panel position="top-left" className="offscreen-note" data-testid="offscreen-note">
      <span role="status">
        showing {count.shown} of {count.total} steps — press <kbd>F</kbd> to fit
      </span>
      <button type="button" onClick={fitView}>Fit</button>
    </Panel>
  );
}
