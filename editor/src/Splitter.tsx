// A splitter between two parts of the frame: drag it, or focus it (Tab) and use the arrow
// keys (Shift for bigger steps, Home/End for the limits); Enter or its button collapses and
// expands the pane. A WAI-ARIA window splitter: role="separator" with the pane's size as
// its value.
import { useRef, type KeyboardEvent, type PointerEvent } from "react";
import { paneLimits, panes, resizePane, togglePane, type PaneName } from "./state/panes";
import { useSelector } from "./state/store";

const STEP = 16;
const BIG_STEP = 64;

interface Props {
  pane: PaneName;
  /** What it resizes, for screen readers: "side panel", "text pane". */
  label: string;
  /** The id of the element it resizes. */
  controls: string;
  /** +1 when moving the splitter right (or down) makes the pane bigger, -1 when smaller. */
  grows: 1 | -1;
  /** Side panes collapse; the bottom panel has its own open/close button. */
  collapsible?: boolean;
}

export function Splitter({ pane, label, controls, grows, collapsible = true }: Props) {
  const p = useSelector(panes, (s) => s[pane]);
  const all = panes.get();
  const { min, max } = paneLimits(pane, all);
  const horizontal = pane === "bottom";
  const drag = useRef<{ at: number; size: number } | null>(null);
  const coord = (e: PointerEvent) => (horizontal ? e.clientY : e.clientX);

  const onPointerDown = (e: PointerEvent) => {
    if (e.button !== 0) return;
    drag.current = { at: coord(e), size: p.open ? p.size : min };
    (e.currentTarget as HTMLElement).setPointerCapture(e.pointerId);
  };
  const onPointerMove = (e: PointerEvent) => {
    if (drag.current) resizePane(pane, drag.current.size + grows * (coord(e) - drag.current.at));
  };
  const onKeyDown = (e: KeyboardEvent) => {
    const [less, more] = horizontal ? ["ArrowDown", "ArrowUp"] : grows > 0 ? ["ArrowLeft", "ArrowRight"] : ["ArrowRight", "ArrowLeft"];
    const step = e.shiftKey ? BIG_STEP : STEP;
    let size: number | undefined;
    if (e.key === more) size = p.size + step;
    else if (e.key === less) size = p.size - step;
    else if (e.key === "Home") size = min;
    else if (e.key === "End") size = max;
    else if (e.key === "Enter" && collapsible) togglePane(pane);
    else return;
    e.preventDefault();
    // A collapsed pane opens at the size it had; the key that opened it does not also resize it.
    if (size !== undefined) resizePane(pane, p.open ? size : p.size);
  };

  const name = `Resize the ${label}`;
  const now = Math.min(max, Math.max(min, p.size));
  return (
    <div className={`splitter-wrap ${horizontal ? "horizontal" : "vertical"} pane-${pane}${p.open ? "" : " collapsed"}`}>
      <div
        className="splitter"
        role="separator"
        tabIndex={0}
        aria-label={name}
        aria-controls={controls}
        aria-orientation={horizontal ? "horizontal" : "vertical"}
        aria-valuemin={min}
        aria-valuemax={max}
        aria-valuenow={p.open ? now : min}
        aria-valuetext={p.open ? `${now} pixels` : `${label} collapsed`}
        title={`${name}: drag, or arrow keys${collapsible ? "; Enter collapses or expands" : ""}`}
        data-testid={`splitter-${pane}`}
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={() => (drag.current = null)}
        onPointerCancel={() => (drag.current = null)}
        onDoubleClick={() => collapsible && togglePane(pane)}
        onKeyDown={onKeyDown}
      />
      {collapsible && (
        <button
          type="button"
          className="splitter-toggle"
          aria-controls={controls}
          aria-expanded={p.open}
          aria-label={`${p.open ? "Collapse" : "Expand"} the ${label}`}
          title={`${p.open ? "Collapse" : "Expand"} the ${label}`}
          data-testid={`toggle-${pane}`}
          onClick={() => togglePane(pane)}
        >
          {(grows > 0) === p.open ? "‹" : "›"}
        </button>
      )}
    </div>
  );
}
