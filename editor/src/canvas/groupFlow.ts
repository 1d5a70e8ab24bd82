// The canvas's nodes and edges with collapsed groups folded (model/groups.ts), keeping the
// objects of group nodes and rewired edges while nothing about them changed: React Flow
// keeps a node's measured handles only for the same object or one that carries its
// measured size, and an edge to a group node without them is not drawn until it is
// measured again; so a group node that moves (dragged, its steps moved) gets the size
// React Flow last measured for it. A group node drags (Canvas.tsx moves its steps), and
// double-clicking it expands it: it is `nopan`, so the pane's zoom does not take the
// double-click. Steps drawn over another group's frame are marked `outside-group`.
import { useMemo, useRef } from "react";
import { collapseGraph, GROUP_IN, GROUP_OUT, stepGroups, type GroupFrame, type Grouping } from "../model/groups";
import type { Analysis } from "../model/analyze";
import type { StepNode, TypedEdge } from "../model/flow";
import { useCollapsed } from "../state/groups";
import { groupLabel, type GroupNode } from "./GroupNode";

const NO_GROUPS: Grouping = { groups: [], groupOf: new Map() };

/**
 * A collapsed group as the zoomed-out drawing of a large graph (FarView) draws a step: a
 * card with its name and one port each side.
 */
function asDrawnStep(n: GroupNode): StepNode {
  const port = (id: string) => ({ id, label: id, types: "", cls: "art-unknown" });
  const d = n.data;
  return {
    id: n.id,
    type: "step",
    position: n.position,
    data: { name: `${d.name} (${d.count})`, kind: "group", known: false, inputs: [port(GROUP_IN)], outputs: [port(GROUP_OUT)], detail: "", footer: "", errors: d.errors, warnings: d.warnings },
  };
}

export interface GroupedFlow {
  grouping: Grouping;
  nodes: StepNode[];
  edges: TypedEdge[];
  frames: GroupFrame[];
  /** The nodes as the zoomed-out drawing takes them, collapsed groups among them. */
  drawn: StepNode[];
}

type Size = { width: number; height: number };

/**
 * A step over a frame of a group it is not in, marked: a dashed outline and "not in NAME"
 * (styles.css), the same object while that holds so React Flow does not redraw it.
 */
function marked(n: StepNode, group: string, kept: WeakMap<StepNode, StepNode>): StepNode {
  const prev = kept.get(n);
  if (prev && (prev.domAttributes as Record<string, string> | undefined)?.["data-outside"] === group) return prev;
  const next: StepNode = {
    ...n,
    className: n.className ? `${n.className} outside-group` : "outside-group",
    domAttributes: { "data-outside": group } as StepNode["domAttributes"],
    ariaLabel: `${n.ariaLabel ?? n.id}; drawn over group ${group}, not in it`,
  };
  kept.set(n, next);
  return next;
}

/**
 * `selectedGroups`: the collapsed group nodes selected on the canvas (not steps, so not in
 * the app's selection). `groupSizes`: each group node's size as React Flow last measured it.
 */
export function useGroupedFlow(analysis: Analysis | null, nodes: StepNode[], edges: TypedEdge[], selectedGroups: ReadonlySet<string>, groupSizes: ReadonlyMap<string, Size>): GroupedFlow {
  const collapsedIds = useCollapsed();
  const collapsed = useMemo(() => new Set(collapsedIds), [collapsedIds]);
  const grouping = useMemo(() => (analysis ? stepGroups(analysis.ir) : NO_GROUPS), [analysis]);
  const kept = useRef(new Map<string, { key: string; node: GroupNode }>());
  const keptEdges = useRef(new Map<string, TypedEdge>());
  const keptMarks = useRef(new WeakMap<StepNode, StepNode>());
  return useMemo(() => {
    if (!grouping.groups.length) return { grouping, nodes, edges, frames: [], drawn: nodes };
    const view = collapseGraph(nodes, edges, grouping, collapsed);
    const nextKept = new Map<string, { key: string; node: GroupNode }>();
    const outNodes = view.nodes.map((n) => {
      if (n.type !== "stepGroup") {
        const outside = view.outsiders.get(n.id);
        return outside === undefined ? n : marked(n, outside, keptMarks.current);
      }
      const selected = selectedGroups.has(n.id);
      const key = JSON.stringify([n.position, n.data, selected]);
      const prev = kept.current.get(n.id);
      const size = groupSizes.get(n.id);
      const node: GroupNode = prev && prev.key === key ? prev.node : { ...n, selected, deletable: false, ariaLabel: groupLabel(n.data), className: "nopan", ...(size ? { measured: size } : {}) };
      nextKept.set(n.id, { key, node: prev && prev.key === key ? prev.node : node });
      return node as unknown as StepNode;
    });
    kept.current = nextKept;
    const nextEdges = new Map<string, TypedEdge>();
    const outEdges = view.edges.map((e) => {
      if (!e.id.startsWith("grouped:")) return e;
      const prev = keptEdges.current.get(e.id);
      const edge = prev && prev.data === e.data && prev.source === e.source && prev.target === e.target ? prev : e;
      nextEdges.set(e.id, edge);
      return edge;
    });
    keptEdges.current = nextEdges;
    const drawn = outNodes.map((n) => ((n as { type?: string }).type === "stepGroup" ? asDrawnStep(n as unknown as GroupNode) : n));
    return { grouping, nodes: outNodes as StepNode[], edges: outEdges, frames: view.frames, drawn };
  }, [nodes, edges, grouping, collapsed, selectedGroups, groupSizes]);
}
