// The node graph. Its nodes and edges are derived from the latest analysis; what the
// user does here (move, connect, delete, drop from the palette) becomes a graph edit
// that rewrites the text, and the text's next analysis redraws the graph.
import {
  applyEdgeChanges,
  applyNodeChanges,
  Background,
  BackgroundVariant,
  ControlButton,
  Controls,
  getViewportForBounds,
  ReactFlow,
  ReactFlowProvider,
  useReactFlow,
  useUpdateNodeInternals,
  getNodesBounds,
  Position,
  useStore as useFlowStore,
  type Connection,
  type EdgeChange,
  type FinalConnectionState,
  type IsValidConnection,
  type NodeChange,
  type OnBeforeDelete,
} from "@xyflow/react";
import { useCallback, useEffect, useMemo, useRef, useState, type DragEvent } from "react";
import { connectionProblem, moveNodes } from "../model/edits";
import { FlowBuilder, type StepData, type StepNode, type TypedEdge } from "../model/flow";
import { groupMove, memberChanges, type Placed } from "../model/groups";
import { layoutKey, positionsOf, type Direction, type XY } from "../model/positions";
import { Obstacles, type Box } from "../model/routes";
import { previews } from "../state/analysis";
import { app, directionOf, fitView, select, toast } from "../state/app";
import { registerCanvas } from "../state/canvasBridge";
import { addStepOf, deleteElements } from "../state/commands";
import { activate, showRange } from "../state/documents";
import { applyEdit, cannotConnect, connectPorts, liveIr } from "../state/graphEdits";
import { expandIfGroup, useCollapsed } from "../state/groups";
import { useSelector } from "../state/store";
import { OffscreenNote } from "./OffscreenNote";
import { FarView, screenBoxes } from "./FarView";
import { GroupFrames, GroupNodeComponent } from "./GroupNode";
import { useGroupedFlow } from "./groupFlow";
import { DirectionContext, FAR_ZOOM, FarContext, LabelLayerContext, ObstaclesContext } from "./lod";
import { OverviewMap } from "./OverviewMap";
import { alongEdge, StepNodeComponent } from "./StepNode";
import { TabOrder } from "./TabOrder";
import { TypedEdgeComponent } from "./TypedEdge";

// At module level so React Flow never sees new types and remounts every node.
const nodeTypes = { step: StepNodeComponent, stepGroup: GroupNodeComponent };
const edgeTypes = { typed: TypedEdgeComponent };
const DELETE_KEYS = ["Delete", "Backspace"];
const NO_EDGES: TypedEdge[] = [];
const MULTI_KEYS = ["Meta", "Control", "Shift"];
const FIT = { padding: 0.12, maxZoom: 1.1 };
const MIN_ZOOM = 0.05;
/**
 * Below this zoom a node's text is under 12 px on screen (its smallest text is 12 px); an
 * opened graph starts no smaller, and is fitted whole only when that keeps it readable.
 */
const READABLE_ZOOM = 1;
/** From this many steps only the visible ones are in the DOM, and zoomed out the graph is one drawing (FarView). */
const BIG = 150;

export const KIND_MIME = "application/x-mlp-kind";

function toRefs(c: { source: string; sourceHandle?: string | null; target: string; targetHandle?: string | null }) {
  return { from: { node: c.source, port: c.sourceHandle ?? "out" }, to: { node: c.target, port: c.targetHandle ?? "data" } };
}

const zoomedOut = (s: { transform: [number, number, number] }) => s.transform[2] < FAR_ZOOM;

/** The sizes estimatedGeometry made (a node keeps the object until React Flow measures it): not a measurement. */
const ESTIMATES = new WeakSet<object>();
const estimate = <T extends object>(size: T): T => (ESTIMATES.add(size), size);

/**
 * A node's size and handle positions before it was ever on screen. React Flow renders
 * every node it has not measured, visible or not, to measure it: at 5,000 steps that
 * alone took seconds. With an estimate only the visible nodes are rendered; each is
 * measured for real when it first appears (its size then differs from the estimate, which
 * makes React Flow measure its handles too). Later node objects keep these internals.
 */
function estimatedGeometry(d: StepData, direction: Direction): Pick<StepNode, "measured" | "handles"> {
  const labelled = d.inputs.length > 1 || d.outputs.length > 1;
  if (direction === "down") {
    const height = 56.5 + (labelled ? 2 * 19 : 0);
    const x = (i: number, n: number) => alongEdge(i, n) * 240 - 5;
    return {
      measured: estimate({ width: 240, height }),
      handles: [
        ...d.inputs.map((p, i) => ({ id: p.id, type: "target" as const, position: Position.Top, x: x(i, d.inputs.length), y: -6, width: 10, height: 10 })),
        ...d.outputs.map((p, i) => ({ id: p.id, type: "source" as const, position: Position.Bottom, x: x(i, d.outputs.length), y: height - 4, width: 10, height: 10 })),
      ],
    };
  }
  const rows = Math.max(d.inputs.length, d.outputs.length, 1);
  const height = 56.5 + (labelled ? rows * 18 : 8);
  const y = (i: number, n: number) => height / 2 + (i - (n - 1) / 2) * 18 - 5;
  return {
    measured: estimate({ width: 240, height }),
    handles: [
      ...d.inputs.map((p, i) => ({ id: p.id, type: "target" as const, position: Position.Left, x: -6, y: y(i, d.inputs.length), width: 10, height: 10 })),
      ...d.outputs.map((p, i) => ({ id: p.id, type: "source" as const, position: Position.Right, x: 236, y: y(i, d.outputs.length), width: 10, height: 10 })),
    ],
  };
}

/**
 * How much taller a node not yet on screen is likely to be than estimatedGeometry says (that
 * estimate leaves out the detail line and the optional lines): routes and edge labels keep
 * clear of the likely box, or they cross the lower part of nodes nobody has scrolled to yet.
 * Erring tall only costs a label a few pixels of room.
 */
function unmeasuredExtra(d: StepData): number {
  return 28 + (d.time ? 18 : 0) + (d.imported ? 17 : 0) + (d.problem ? 36 : 0);
}

/**
 * On a large graph a node's real size replaces the likely one (estimate plus
 * unmeasuredExtra) as a pan brings it into view: within this, edges keep their routes (a
 * re-route of every drawn edge per pan would cost frames); a bigger change (the checked
 * graph's nodes, taller than the parsed graph's, or a node with a problem line) re-routes
 * them, or routes and labels would cross the grown part.
 */
const SIZE_SLACK = 12;

/** The zoom Fit view ends at: as React Flow computes it, from the nodes' boxes and the canvas' size. */
function fitZoomOf(nodes: readonly StepNode[], box: { width: number; height: number }): number {
  const bounds = getNodesBounds(nodes.map((n) => ({ ...n, measured: n.measured ?? { width: 240, height: 90 } })));
  return getViewportForBounds(bounds, box.width, box.height, MIN_ZOOM, FIT.maxZoom, FIT.padding).zoom;
}

/** React Flow's fit-view icon (Controls draws it only for its own button). */
function FitIcon() {
  return (
    <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 30" aria-hidden="true">
      <path d="M3.692 4.63c0-.53.4-.938.939-.938h5.215V0H4.708C2.13 0 0 2.054 0 4.63v5.216h3.692V4.631zM27.354 0h-5.2v3.692h5.17c.53 0 .984.4.984.939v5.215H32V4.631A4.624 4.624 0 0027.354 0zm.954 24.83c0 .532-.4.94-.939.94h-5.215v3.768h5.215c2.577 0 4.631-2.13 4.631-4.707v-5.139h-3.692v5.139zm-23.677.94c-.531 0-.939-.4-.939-.94v-5.138H0v5.139c0 2.577 2.13 4.707 4.708 4.707h5.138V25.77H4.631z" />
    </svg>
  );
}

/** How long node boxes must rest before edges re-route around them: a burst of measurements (or a drop) costs one pass. */
const SETTLE_MS = 60;

/**
 * The boxes edges route around, renewed only when a box really moved or changed size and
 * no node is being dragged; a drag re-routes only the dragged node's own edges (their ends
 * move). On a large graph, nodes are measured as a pan brings them into view: re-routing
 * every drawn edge for each of those would cost the pan its frames, so a size within
 * SIZE_SLACK of the likely one counts from the next move or layout.
 */
function useObstacles(nodes: readonly StepNode[]): Obstacles | null {
  const [obstacles, setObstacles] = useState<Obstacles | null>(null);
  const last = useRef(new Map<string, Box>());
  useEffect(() => {
    if (nodes.some((n) => n.dragging)) return;
    const t = setTimeout(() => {
      const boxes = nodes.map((n): Box => ({ id: n.id, x: n.position.x, y: n.position.y, width: n.measured?.width ?? 240, height: (n.measured?.height ?? 90) + (n.measured && ESTIMATES.has(n.measured) ? unmeasuredExtra(n.data) : 0) }));
      const prev = last.current;
      const slack = boxes.length <= BIG ? 2 : SIZE_SLACK;
      const same = boxes.length === prev.size && boxes.every((b) => {
        const o = prev.get(b.id);
        return !!o && Math.abs(o.x - b.x) < 1 && Math.abs(o.y - b.y) < 1 && Math.abs(o.width - b.width) < slack && Math.abs(o.height - b.height) < slack;
      });
      if (same) return;
      last.current = new Map(boxes.map((b) => [b.id, b]));
      setObstacles(new Obstacles(boxes));
    }, SETTLE_MS);
    return () => clearTimeout(t);
  }, [nodes]);
  return obstacles;
}

function CanvasInner() {
  const analysis = useSelector(app, (s) => s.analysis);
  const preview = useSelector(previews, (s) => s.preview);
  const selection = useSelector(app, (s) => s.selection);
  const selectionFrom = useSelector(app, (s) => s.selectionFrom);
  const reveal = useSelector(app, (s) => s.reveal);
  const fitSeq = useSelector(app, (s) => s.fitSeq);
  const direction = useSelector(app, (s) => directionOf(s));
  const zoomedOutNow = useFlowStore(zoomedOut);
  // A fit that ends zoomed out on a large graph is drawn zoomed out from its first frame.
  const [fittingFar, setFittingFar] = useState(false);
  const far = zoomedOutNow || fittingFar;
  const rf = useReactFlow<StepNode, TypedEdge>();
  const [nodes, setNodes] = useState<StepNode[]>([]);
  const [edges, setEdges] = useState<TypedEdge[]>([]);
  const nodesRef = useRef(nodes);
  nodesRef.current = nodes;
  const builder = useRef(new FlowBuilder());
  // Positions of steps pulled in by an import: the layout block cannot name them, so they live here.
  const unwritable = useRef(new Map<string, XY>());
  // Positions dropped but not yet in an analysis (the edit waits for the text's check):
  // shown meanwhile so a moved step does not jump back.
  const pendingMoves = useRef(new Map<string, XY>());
  const wrapper = useRef<HTMLDivElement>(null);
  const [labelLayer, setLabelLayer] = useState<HTMLElement | null>(null);
  useEffect(() => setLabelLayer(wrapper.current?.querySelector<HTMLElement>(".react-flow__edgelabel-renderer") ?? null), []);

  // Until the first check arrives: the graph as parsed (the worker posts it first), if it
  // is the text open now.
  useEffect(() => {
    const s = app.get();
    if (s.analysis || !preview || preview.entry !== s.active || s.texts[preview.entry] !== preview.text) return;
    setNodes(preview.nodes.map((n) => ({ ...n, type: "step", ...estimatedGeometry(n.data, directionOf(s)) })));
    setEdges(preview.edges as unknown as TypedEdge[]);
  }, [preview]);

  // Analysis -> nodes and edges, reusing objects that did not change.
  useEffect(() => {
    if (!analysis) return;
    const positions = positionsOf(analysis.ir, unwritable.current, direction);
    for (const [id, p] of pendingMoves.current) {
      const q = positions.get(id);
      if (!q || (Math.abs(q.x - p.x) < 1 && Math.abs(q.y - p.y) < 1)) pendingMoves.current.delete(id);
      else positions.set(id, p);
    }
    const flow = builder.current.build(analysis, positions);
    const sel = new Set(app.get().selection);
    setNodes((prev) => {
      const old = new Map(prev.map((n) => [n.id, n]));
      return flow.nodes.map((n) => {
        const o = old.get(n.id);
        const selected = sel.has(n.id);
        if (o && o.dragging) return o.data === n.data ? o : { ...o, data: n.data };
        if (o && o.data === n.data && o.position.x === n.position.x && o.position.y === n.position.y && !!o.selected === selected) return o;
        const next: StepNode = { ...n, selected };
        if (o?.measured) next.measured = o.measured;
        return next;
      });
    });
    setEdges((prev) => {
      const old = new Map(prev.map((e) => [e.id, e]));
      return flow.edges.map((e) => {
        const o = old.get(e.id);
        if (o && o.data === e.data && o.source === e.source && o.target === e.target) return o;
        return o?.selected ? { ...e, selected: true } : e;
      });
    });
  }, [analysis, direction]);

  // Switching direction moves every handle to other sides of its node without changing the
  // node's size, so React Flow would keep the old handle positions: unmeasured nodes get new
  // estimates, the others are measured again once they have re-rendered.
  const updateInternals = useUpdateNodeInternals();
  const shownDirection = useRef(direction);
  useEffect(() => {
    if (shownDirection.current === direction) return;
    shownDirection.current = direction;
    const ns = nodesRef.current.map((n) => (n.handles ? { ...n, ...estimatedGeometry(n.data, direction) } : n));
    nodesRef.current = ns;
    setNodes(ns);
    const measured = ns.filter((n) => !n.handles).map((n) => n.id);
    const raf = requestAnimationFrame(() => updateInternals(measured));
    return () => cancelAnimationFrame(raf);
  }, [direction, updateInternals]);

  // Collapsed groups fold into one node each (a view setting, state/groups.ts); edges route
  // around what is drawn, a collapsed group's node instead of its hidden steps. A group node
  // is not a step: whether it is selected and how big React Flow measured it live here.
  const [selectedGroups, setSelectedGroups] = useState<ReadonlySet<string>>(() => new Set());
  const groupSizes = useRef(new Map<string, { width: number; height: number }>());
  const grouped = useGroupedFlow(analysis, nodes, edges, selectedGroups, groupSizes.current);
  const groupingRef = useRef(grouped.grouping);
  groupingRef.current = grouped.grouping;
  // An expanded group's node is gone without a deselect: collapsed again later, it must not come back selected.
  const collapsedIds = useCollapsed();
  useEffect(() => {
    const shut = new Set(collapsedIds);
    setSelectedGroups((g) => ([...g].every((id) => shut.has(id)) ? g : new Set([...g].filter((id) => shut.has(id)))));
  }, [collapsedIds]);
  const obstacles = useObstacles(grouped.nodes);

  // First graph on screen: a performance mark the browser benchmark reads.
  const marked = useRef(false);
  useEffect(() => {
    if (marked.current || nodes.length === 0) return;
    marked.current = true;
    requestAnimationFrame(() => performance.mark("mlp:first-graph"));
  }, [nodes]);

  // Once the graph of a newly opened file (or a new layout) is on screen: fit it when
  // it stays readable, else show its start (the sources) at a readable zoom.
  useEffect(() => {
    const s = app.get();
    const shown = s.analysis?.entry ?? previews.get().preview?.entry;
    if (!s.fitPending || nodes.length === 0 || shown !== s.active) return;
    const t = setTimeout(() => {
      app.set({ fitPending: false });
      const box = wrapper.current?.getBoundingClientRect();
      if (!box) return;
      const b = getNodesBounds(nodesRef.current.map((n) => ({ ...n, measured: n.measured ?? { width: 240, height: 90 } })));
      const pad = 40;
      const fit = Math.min((box.width - 2 * pad) / Math.max(b.width, 1), (box.height - 2 * pad) / Math.max(b.height, 1));
      if (fit >= READABLE_ZOOM) {
        void rf.fitView({ ...FIT, minZoom: READABLE_ZOOM });
        return;
      }
      const z = READABLE_ZOOM;
      // The start of the pipeline: the leftmost step (the first of them from the top), not the
      // bounding box's corner, which a wrapped or hand-made layout may leave empty.
      const first = nodesRef.current.reduce((a, n) => (n.position.x < a.position.x - 1 || (Math.abs(n.position.x - a.position.x) <= 1 && n.position.y < a.position.y) ? n : a));
      const y = b.height * z < box.height - 2 * pad ? box.height / 2 - (b.y + b.height / 2) * z : pad - first.position.y * z;
      void rf.setViewport({ x: pad - b.x * z, y, zoom: z });
    }, 30);
    return () => clearTimeout(t);
  }, [nodes, rf]);

  /*
   * Fit view on a large graph ends far out, but its animation passes through every zoom in
   * between: at the near zooms each frame brought more of the graph into view, and each
   * step and edge in view was put in the DOM and routed, for a frame shown for a few
   * milliseconds (seconds of work at 5,000 steps). So when the fit ends below FAR_ZOOM, the
   * level of detail of its end applies from its start: the whole animation is the drawing.
   */
  const [fitAsked, setFitAsked] = useState<{ seq: number; ahead: boolean } | null>(null);
  useEffect(() => {
    if (!fitSeq) return;
    const box = wrapper.current?.getBoundingClientRect();
    const ns = nodesRef.current;
    const ahead = !!box && ns.length > BIG && fitZoomOf(ns, box) < FAR_ZOOM;
    if (ahead) setFittingFar(true);
    setFitAsked({ seq: fitSeq, ahead });
  }, [fitSeq]);
  // Started once the drawing has replaced the DOM nodes (its commit), not in the same breath.
  const drawnNow = far && nodes.length > BIG;
  useEffect(() => {
    if (!fitAsked || (fitAsked.ahead && !drawnNow)) return;
    setFitAsked(null);
    // The drawing hides the DOM nodes, which a fit leaves out unless told.
    void rf.fitView({ ...FIT, duration: 250, includeHiddenNodes: true }).finally(() => fitAsked.ahead && setFittingFar(false));
  }, [fitAsked, drawnNow, rf]);

  // Selection made elsewhere (text cursor, problem list, paste) -> canvas; it names steps
  // only, so no group node stays selected beside it.
  useEffect(() => {
    if (selectionFrom === "canvas") return;
    const sel = new Set(selection);
    setNodes((ns) => ns.map((n) => (sel.has(n.id) !== !!n.selected ? { ...n, selected: sel.has(n.id) } : n)));
    setSelectedGroups((g) => (g.size ? new Set() : g));
  }, [selection, selectionFrom]);

  // Selection made here (or by a command) -> the declaration in the text; a step that
  // was just added has no text position until its analysis arrives, so it waits.
  const textReveal = useRef<string | null>(null);
  useEffect(() => {
    textReveal.current = (selectionFrom === "canvas" || selectionFrom === "app") && selection.length === 1 ? selection[0]! : null;
  }, [selection, selectionFrom]);
  useEffect(() => {
    const id = textReveal.current;
    if (!id || !analysis?.nodes[id]) return;
    // Scrolling a long text costs a frame or two: wait until the pointer is at rest.
    let timer: ReturnType<typeof setTimeout>;
    const show = () => {
      if (nodesRef.current.some((n) => n.dragging)) {
        timer = setTimeout(show, 200);
        return;
      }
      const spans = app.get().analysis?.nodes[id];
      if (textReveal.current !== id || !spans) return;
      textReveal.current = null;
      if (spans.file === app.get().active) showRange(spans.name.start, spans.name.end, false);
    };
    timer = setTimeout(show, 120);
    return () => clearTimeout(timer);
  }, [analysis, selection, selectionFrom]);

  useEffect(() => {
    if (!reveal) return;
    const n = rf.getNode(reveal.id);
    if (!n) return;
    const w = n.measured?.width ?? 240, h = n.measured?.height ?? 90;
    void rf.setCenter(n.position.x + w / 2, n.position.y + h / 2, { zoom: Math.max(rf.getZoom(), READABLE_ZOOM), duration: 300 });
  }, [reveal, rf]);

  useEffect(() => {
    registerCanvas({
      positions: () => new Map(nodesRef.current.map((n) => [n.id, n.position])),
      sizes: () => new Map(nodesRef.current.map((n) => [n.id, { width: n.measured?.width ?? 240, height: n.measured?.height ?? 90 }])),
      onScreen: () => {
        const box = wrapper.current?.querySelector(".react-flow")?.getBoundingClientRect();
        const v = rf.getViewport();
        return box ? screenBoxes(nodesRef.current, [v.x, v.y, v.zoom], { x: box.left, y: box.top }) : [];
      },
      aspect: () => {
        const box = wrapper.current?.getBoundingClientRect();
        return box && box.height > 0 ? box.width / box.height : 1.6;
      },
      center: () => {
        const box = wrapper.current?.getBoundingClientRect();
        if (!box) return { x: 0, y: 0 };
        const p = rf.screenToFlowPosition({ x: box.left + box.width / 2, y: box.top + box.height / 2 });
        return { x: p.x - 110, y: p.y - 40 };
      },
      place: (positions) => {
        for (const n of liveIr()?.nodes ?? []) {
          const p = positions.get(n.id);
          if (p && layoutKey(n) === undefined) unwritable.current.set(n.id, p);
        }
      },
    });
    return () => registerCanvas(undefined);
  }, [rf]);

  /**
   * A collapsed group node's own changes: its selection and measured size are kept here,
   * its moves become moves of its steps (memberChanges), which the group node follows.
   */
  const groupChanges = (changes: NodeChange<StepNode>[]): NodeChange<StepNode>[] => {
    const groups = groupingRef.current;
    if (!groups.groups.length) return changes;
    const ids = new Set(groups.groups.map((g) => g.id));
    if (!changes.some((c) => "id" in c && ids.has(c.id))) return changes;
    let picked: Set<string> | undefined;
    const rest = changes.filter((c) => {
      if (!("id" in c) || !ids.has(c.id)) return true;
      if (c.type === "select") (picked ??= new Set(selectedGroupsRef.current))[c.selected ? "add" : "delete"](c.id);
      else if (c.type === "dimensions" && c.dimensions) groupSizes.current.set(c.id, c.dimensions);
      return c.type === "position";
    });
    if (picked) setSelectedGroups((selectedGroupsRef.current = picked));
    const at = new Map(nodesRef.current.map((n) => [n.id, n.position]));
    return memberChanges(rest, groups, (id) => at.get(id)) as NodeChange<StepNode>[];
  };
  const selectedGroupsRef = useRef(selectedGroups);
  selectedGroupsRef.current = selectedGroups;

  const onNodesChange = useCallback((changes: NodeChange<StepNode>[]) => {
    // Removal goes through the text (onBeforeDelete); everything else is view state.
    const kept = groupChanges(changes.filter((c) => c.type !== "remove"));
    if (!kept.length) return;
    keyboardMoves(kept);
    const measured = new Set(kept.flatMap((c) => (c.type === "dimensions" ? [c.id] : [])));
    // Measured for real: React Flow has read its handles from the DOM, and an estimate left
    // on the node (estimatedGeometry) would replace them on its next update.
    const next = applyNodeChanges(kept, nodesRef.current).map((n) => (n.handles && measured.has(n.id) ? { ...n, handles: undefined } : n));
    nodesRef.current = next;
    setNodes(next);
    if (kept.some((c) => c.type === "select")) select(next.filter((n) => n.selected).map((n) => n.id), "canvas");
  }, []);

  const onEdgesChange = useCallback((changes: EdgeChange<TypedEdge>[]) => {
    const kept = changes.filter((c) => c.type !== "remove");
    if (kept.length) setEdges((es) => applyEdgeChanges(kept, es));
  }, []);

  /**
   * Arrow keys move the selected nodes without a drag: a position change of a node that was
   * not being dragged. Written to the layout block like a drag, once the keys rest.
   */
  const keyMoved = useRef(new Map<string, XY>());
  const keyTimer = useRef<ReturnType<typeof setTimeout>>(undefined);
  const keyboardMoves = (changes: NodeChange<StepNode>[]) => {
    let found = false;
    let dragging: Set<string> | undefined;
    for (const c of changes) {
      if (c.type !== "position" || c.dragging !== false || !c.position) continue;
      // A drag ends with the same kind of change, from a node that was dragging: the drag's own handler writes it.
      dragging ??= new Set(nodesRef.current.flatMap((n) => (n.dragging ? [n.id] : [])));
      if (dragging.has(c.id)) continue;
      keyMoved.current.set(c.id, c.position);
      found = true;
    }
    if (!found) return;
    clearTimeout(keyTimer.current);
    keyTimer.current = setTimeout(() => {
      const moved = [...keyMoved.current].map(([id, position]) => ({ id, position }));
      keyMoved.current.clear();
      commitMoves(moved);
    }, 250);
  };

  // A dragged group node stands for its steps, which its drag has moved already.
  const onNodeDragStop = useCallback((_: unknown, _node: StepNode, dragged: StepNode[]) => commitMoves(withMembers(dragged)), []);

  const withMembers = (list: readonly Placed[]): Placed[] => {
    const groups = new Map(groupingRef.current.groups.map((g) => [g.id, g.members]));
    if (!list.some((n) => groups.has(n.id))) return [...list];
    const at = new Map(nodesRef.current.map((n) => [n.id, n.position]));
    return list.flatMap((n) => groups.get(n.id)?.flatMap((id) => (at.has(id) ? [{ id, position: at.get(id)! }] : [])) ?? [n]);
  };

  const commitMoves = (dragged: readonly { id: string; position: XY }[]) => {
    const ir = liveIr();
    if (!ir) return;
    const moved = new Map<string, XY>();
    for (const n of dragged) {
      const irNode = ir.nodes.find((m) => m.id === n.id);
      if (irNode?.origin && !irNode.origin.import) unwritable.current.set(n.id, n.position);
      else moved.set(n.id, n.position);
    }
    if (!moved.size) return;
    for (const [id, p] of moved) pendingMoves.current.set(id, p);
    void applyEdit((cur) => ({ ok: true, ir: moveNodes(cur, moved) })).then((ok) => {
      if (!ok) for (const id of moved.keys()) pendingMoves.current.delete(id);
    });
  };

  const isValidConnection: IsValidConnection<TypedEdge> = useCallback((c) => {
    const ir = liveIr();
    if (!ir) return false;
    const { from, to } = toRefs(c);
    return connectionProblem(ir, from, to) === undefined;
  }, []);

  const onConnect = useCallback((c: Connection) => {
    const { from, to } = toRefs(c);
    void connectPorts(from, to);
  }, []);

  // A drop on a handle the types refuse: say why.
  const onConnectEnd = useCallback((_: MouseEvent | TouchEvent, state: FinalConnectionState) => {
    if (state.isValid !== false || !state.fromHandle || !state.toHandle) return;
    const [src, dst] = state.fromHandle.type === "source" ? [state.fromHandle, state.toHandle] : [state.toHandle, state.fromHandle];
    if (src.type !== "source" || dst.type !== "target") {
      toast(directionOf(app.get()) === "down" ? "connect an output (bottom of a step) to an input (top)" : "connect an output (right side of a step) to an input (left side)", "error");
      return;
    }
    const ir = liveIr();
    const reason = ir && connectionProblem(ir, { node: src.nodeId, port: src.id ?? "out" }, { node: dst.nodeId, port: dst.id ?? "data" });
    if (reason) cannotConnect(reason);
  }, []);

  const onBeforeDelete: OnBeforeDelete<StepNode, TypedEdge> = useCallback(async ({ nodes: ns, edges: es }) => {
    deleteElements(
      ns.map((n) => n.id),
      es.map((e) => toRefs(e)),
    );
    return false;
  }, []);

  const onDragOver = useCallback((e: DragEvent) => {
    if (e.dataTransfer.types.includes(KIND_MIME)) {
      e.preventDefault();
      e.dataTransfer.dropEffect = "copy";
    }
  }, []);

  const onDrop = useCallback((e: DragEvent) => {
    const kind = e.dataTransfer.getData(KIND_MIME);
    if (!kind) return;
    e.preventDefault();
    const p = rf.screenToFlowPosition({ x: e.clientX, y: e.clientY });
    addStepOf(kind, { x: p.x - 110, y: p.y - 30 });
  }, [rf]);

  const onNodeDoubleClick = useCallback((_: unknown, n: StepNode) => {
    const a = app.get().analysis;
    const spans = a?.nodes[n.id];
    if (!spans) return;
    if (spans.file !== app.get().active) {
      activate(spans.file);
      return;
    }
    showRange(spans.name.start, spans.name.end, true);
  }, []);

  // While the view moves, the graph gets a compositing layer of its own (styles.css), so a
  // pan moves rastered tiles instead of re-rastering every node, edge and label each frame.
  // Only then: a layer kept across a zoom would show text rastered at the old scale.
  const onMoveStart = useCallback(() => wrapper.current?.classList.add("view-moving"), []);
  const onMoveEnd = useCallback(() => wrapper.current?.classList.remove("view-moving"), []);

  const onEdgeMouseEnter = useCallback((_: unknown, e: TypedEdge) => app.set({ hoveredEdge: e.id }), []);
  const onEdgeMouseLeave = useCallback((_: unknown, e: TypedEdge) => {
    if (app.get().hoveredEdge === e.id) app.set({ hoveredEdge: null });
  }, []);

  // Zoomed out on a large graph: one drawing instead of the DOM nodes (FarView), which React Flow then skips.
  const big = nodes.length > BIG;
  const drawn = far && big;
  const flowNodes = useMemo(() => (drawn ? grouped.nodes.map((n) => ({ ...n, hidden: true })) : grouped.nodes), [grouped.nodes, drawn]);
  // No edges at all rather than hidden ones: React Flow skips hidden nodes when it picks the
  // visible ones, but not hidden edges. Every edge whose ends are in view got a wrapper with
  // its own store subscriptions, and each frame of a pan ran all of them (at 5,000 steps
  // fitted, 7,500 edge-position selectors a frame, for wrappers that then draw nothing).
  const flowEdges = useMemo(() => (drawn ? NO_EDGES : grouped.edges), [grouped.edges, drawn]);
  const selectDrawn = useCallback((id: string, additive: boolean) => {
    if (expandIfGroup(id)) return;
    const ids = additive ? [...new Set([...app.get().selection, id])] : [id];
    const sel = new Set(ids);
    setNodes((ns) => ns.map((n) => (sel.has(n.id) !== !!n.selected ? { ...n, selected: sel.has(n.id) } : n)));
    select(ids, "canvas");
  }, []);
  const moveDrawn = (id: string, position: XY) => {
    const members = groupingRef.current.groups.find((g) => g.id === id)?.members;
    const at = new Map(nodesRef.current.map((n) => [n.id, n.position]));
    const moved = new Map(
      (members ? groupMove(position, members.flatMap((m) => (at.has(m) ? [{ id: m, position: at.get(m)! }] : []))) : [{ id, position }]).map((m) => [m.id, m.position]),
    );
    setNodes((ns) => ns.map((n) => (moved.has(n.id) ? { ...n, position: moved.get(n.id)! } : n)));
    commitMoves([...moved].map(([mid, p]) => ({ id: mid, position: p })));
  };

  const locked = analysis?.syntaxErrors[0];
  const className = useMemo(() => `canvas${far ? " zoomed-out" : ""}`, [far]);

  return (
    <div
      className={className}
      ref={wrapper}
      data-testid="canvas"
      onKeyDown={(e) => {
        if (e.key === "Escape" && app.get().selection.length) select([], "app");
      }}
    >
      {locked && (
        <div className="canvas-banner" role="status">
          Syntax error at line {locked.span.line}: {locked.message}. The graph shows what parsed; graph edits wait until the text parses again.
        </div>
      )}
      <FarContext.Provider value={far}>
      <DirectionContext.Provider value={direction}>
      <ObstaclesContext.Provider value={obstacles}>
      <LabelLayerContext.Provider value={labelLayer}>
      <ReactFlow<StepNode, TypedEdge>
        nodes={flowNodes}
        edges={flowEdges}
        nodeTypes={nodeTypes}
        edgeTypes={edgeTypes}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onNodeDragStop={onNodeDragStop}
        onConnect={onConnect}
        onConnectEnd={onConnectEnd}
        isValidConnection={isValidConnection}
        onBeforeDelete={onBeforeDelete}
        onDragOver={onDragOver}
        onDrop={onDrop}
        onNodeDoubleClick={onNodeDoubleClick}
        onMoveStart={onMoveStart}
        onMoveEnd={onMoveEnd}
        onEdgeMouseEnter={onEdgeMouseEnter}
        onEdgeMouseLeave={onEdgeMouseLeave}
        deleteKeyCode={DELETE_KEYS}
        multiSelectionKeyCode={MULTI_KEYS}
        onlyRenderVisibleElements={big}
        minZoom={MIN_ZOOM}
        maxZoom={2}
        fitViewOptions={FIT}
        connectionRadius={24}
        proOptions={{ hideAttribution: true }}
        elevateEdgesOnSelect
      >
        <Background variant={BackgroundVariant.Dots} gap={20} size={1} color="#cbd5e1" />
        <GroupFrames frames={grouped.frames} />
        {drawn && <FarView nodes={grouped.drawn} edges={grouped.edges} onSelect={selectDrawn} onMove={moveDrawn} />}
        <OverviewMap nodes={nodes} />
        <OffscreenNote />
        <TabOrder />
        <Controls showInteractive={false} showFitView={false}>
          {/* React Flow's own would fit without the drawing ahead (see the fitSeq effect). */}
          <ControlButton className="react-flow__controls-fitview" onClick={fitView} title="Fit View" aria-label="Fit View">
            <FitIcon />
          </ControlButton>
        </Controls>
      </ReactFlow>
      </LabelLayerContext.Provider>
      </ObstaclesContext.Provider>
      </DirectionContext.Provider>
      </FarContext.Provider>
    </div>
  );
}

export function Canvas() {
  return (
    <ReactFlowProvider>
      <CanvasInner />
    </ReactFlowProvider>
  );
}
