// Tab reaches the steps before the connections. React Flow puts the edges before the nodes
// in the page, so the browser's own order would visit every edge first; this moves the
// keyboard through nodes, then edges, then on out of the canvas (Shift+Tab the other way).
import { useStoreApi } from "@xyflow/react";
import { useEffect } from "react";

const NODES = ".react-flow__node[tabindex='0']";
const EDGES = ".react-flow__edge[tabindex='0']";
/** What the browser would visit with Tab, outside the canvas's nodes and edges. */
const TABBABLE = "a[href], button:not([disabled]), input:not([disabled]):not([type=hidden]), select:not([disabled]), textarea:not([disabled]), [tabindex]";

function canvasOrder(root: HTMLElement): HTMLElement[] {
  return [...root.querySelectorAll<HTMLElement>(NODES), ...root.querySelectorAll<HTMLElement>(EDGES)];
}

function visible(el: HTMLElement): boolean {
  return el.tabIndex >= 0 && !el.closest("[hidden], [inert]") && el.getClientRects().length > 0;
}

/** The first tabbable element after (or, going back, before) the canvas's graph, outside it. */
function outside(root: HTMLElement, forward: boolean): HTMLElement | undefined {
  const graph = root.querySelector<HTMLElement>(".react-flow__viewport");
  if (!graph) return undefined;
  const all = [...document.querySelectorAll<HTMLElement>(TABBABLE)].filter((el) => !graph.contains(el) && visible(el));
  const after = (el: HTMLElement) => !!(graph.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING);
  return forward ? all.find(after) : all.filter((el) => !after(el)).pop();
}

export function TabOrder() {
  const store = useStoreApi();
  useEffect(() => {
    const root = store.getState().domNode;
    if (!root) return;
    // Set by a Tab about to move the focus, so a focus arriving by mouse is left alone.
    let tabbing: "forward" | "back" | null = null;
    const onKeyDown = (e: KeyboardEvent) => {
      if (e.key !== "Tab" || e.ctrlKey || e.metaKey || e.altKey) return;
      const order = canvasOrder(root);
      const at = order.indexOf(document.activeElement as HTMLElement);
      tabbing = e.shiftKey ? "back" : "forward";
      setTimeout(() => (tabbing = null), 0);
      if (at < 0) return;
      const next = e.shiftKey ? (at > 0 ? order[at - 1] : outside(root, false)) : at < order.length - 1 ? order[at + 1] : outside(root, true);
      if (!next) return;
      e.preventDefault();
      next.focus();
    };
    // Tabbing into the canvas from the page: the browser lands on the first edge (going forward)
    // or the last node (going back); the first node or the last edge is where it belongs.
    const onFocusIn = (e: FocusEvent) => {
      if (!tabbing) return;
      const order = canvasOrder(root);
      const from = e.relatedTarget as HTMLElement | null;
      if (from && order.includes(from)) return;
      const target = e.target as HTMLElement;
      if (!order.includes(target)) return;
      const want = tabbing === "forward" ? order[0] : order[order.length - 1];
      if (want && want !== target) want.focus();
    };
    document.addEventListener("keydown", onKeyDown, true);
    root.addEventListener("focusin", onFocusIn);
    return () => {
      document.removeEventListener("keydown", onKeyDown, true);
      root.removeEventListener("focusin", onFocusIn);
    };
  }, [store]);
  return null;
}
