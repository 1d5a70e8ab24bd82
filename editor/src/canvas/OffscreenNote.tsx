// Says how much of the graph is off screen ("showing 6 of 14 steps — press F to fit") while
// part of it is, so a graph too big to read whole at a readable zoom is not mistaken for
// all there is; at the least zoom (a graph too big to fit at all) it points to search and the
// minimap instead of a fit that would change nothing. Counted once the view rests, never per
// frame of a pan.
import { Panel, useStoreApi } from "@xyflow/react";
import { useEffect, useState } from "react";
import { fitView } from "../state/app";
import { countShown } from "./offscreen";

const REST_MS = 150;

export function OffscreenNote() {
  const store = useStoreApi();
  const [count, setCount] = useState<ReturnType<typeof countShown> | null>(null);
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
      {count.smallest ? (
        <span role="status">
          showing {count.shown} of {count.total} steps at the least zoom — <kbd>Ctrl</kbd>+<kbd>K</kbd> finds a step, the minimap shows the rest
        </span>
      ) : (
        <>
          <span role="status">
            showing {count.shown} of {count.total} steps — press <kbd>F</kbd> to fit
          </span>
          <button type="button" onClick={fitView}>Fit</button>
        </>
      )}
    </Panel>
  );
}
