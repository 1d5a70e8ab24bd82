// The graph auto-layout hands to elk's layered algorithm, and the positions back. Pure, so
// the tests run elk on it in node; state/autoLayout.ts runs it in elk's web worker.
//
// Each group (model/groups.ts) is a compound node holding its steps, laid out with the rest
// in one pass (hierarchy handling INCLUDE_CHILDREN): elk keeps a compound's steps together
// and every other step outside its box, and the compound's padding is the room the group's
// frame takes around its steps (collapseGraph's FRAME_PAD and FRAME_HEAD), so after a layout
// no frame is drawn over a step that is not in its group.
import { FRAME_HEAD, FRAME_PAD, type Grouping } from "./groups";
import type { Direction, XY } from "./positions";

export interface LayoutInput {
  nodes: readonly { id: string; ports: { inputs: readonly { port: string }[]; outputs: readonly { port: string }[] } }[];
  edges: readonly { from: { node: string; port: string }; to: { node: string; port: string } }[];
}

export interface ElkNode {
  id: string;
  x?: number;
  y?: number;
  width?: number;
  height?: number;
  children?: ElkNode[];
  ports?: { id: string; layoutOptions: Record<string, string> }[];
  layoutOptions?: Record<string, string>;
  edges?: { id: string; sources: string[]; targets: string[] }[];
}

// Layered, in the direction the nodes are drawn: left to right (inputs on the left, outputs
// on the right) or top-down (inputs on top, outputs below). Left to right, a long pipeline is
// wrapped into rows that fill the canvas's shape, instead of one row only a far zoom fits;
// top-down it is not wrapped, since a wrapped chunk's edges would climb back up, and layers
// of parallel steps already make it wide. Ports keep their order so edges enter the port
// they belong to.
const OPTIONS = {
  "elk.algorithm": "layered",
  "elk.layered.spacing.nodeNodeBetweenLayers": "90",
  "elk.spacing.nodeNode": "40",
  "elk.spacing.edgeNode": "24",
  "elk.layered.spacing.edgeNodeBetweenLayers": "24",
  "elk.layered.nodePlacement.strategy": "BRANDES_KOEPF",
  "elk.layered.crossingMinimization.strategy": "LAYER_SWEEP",
  "elk.layered.considerModelOrder.strategy": "NODES_AND_EDGES",
  "elk.edgeRouting": "ORTHOGONAL",
  "elk.separateConnectedComponents": "true",
  "elk.spacing.componentComponent": "60",
};

const BY_DIRECTION: Record<Direction, Record<string, string>> = {
  right: { "elk.direction": "RIGHT", "elk.layered.wrapping.strategy": "MULTI_EDGE", "elk.layered.wrapping.additionalEdgeSpacing": "40" },
  down: { "elk.direction": "DOWN", "elk.layered.spacing.nodeNodeBetweenLayers": "70", "elk.spacing.nodeNode": "50" },
};

/** Room around a group's steps: its frame's padding, its name row on top. */
const GROUP_PADDING = `[top=${FRAME_PAD + FRAME_HEAD},left=${FRAME_PAD},bottom=${FRAME_PAD},right=${FRAME_PAD}]`;

/**
 * Where a node's ports sit, as elk's fixed order wants them: it numbers the ports of a side
 * clockwise, so the west and south sides count from the far end.
 */
function portSides(direction: Direction, inputs: number, outputs: number) {
  return direction === "down"
    ? { input: (i: number) => ({ "elk.port.side": "NORTH", "elk.port.index": String(i) }), output: (i: number) => ({ "elk.port.side": "SOUTH", "elk.port.index": String(outputs - 1 - i) }) }
    : { input: (i: number) => ({ "elk.port.side": "WEST", "elk.port.index": String(inputs - 1 - i) }), output: (i: number) => ({ "elk.port.side": "EAST", "elk.port.index": String(i) }) };
}

/** Port ids as elk sees them: unique in the whole graph. */
const inPort = (node: string, port: string) => `${node}\u0000in\u0000${port}`;
const outPort = (node: string, port: string) => `${node}\u0000out\u0000${port}`;
/** A group's compound node: the prefix keeps it apart from step ids. */
const compoundId = (group: string) => `\u0000group\u0000${group}`;

export function layoutGraph(
  g: LayoutInput,
  grouping: Grouping,
  sizes: ReadonlyMap<string, { width: number; height: number }>,
  direction: Direction,
  aspect: number,
): ElkNode {
  const ids = new Set(g.nodes.map((n) => n.id));
  const edges = g.edges.filter((e) => ids.has(e.from.node) && ids.has(e.to.node));
  const known = new Set<string>();
  const step = (n: LayoutInput["nodes"][number]): ElkNode => {
    // Every port, in the node's own order (inputs top to bottom on the left, or left to right on top).
    const side = portSides(direction, n.ports.inputs.length, n.ports.outputs.length);
    const ports = [
      ...n.ports.inputs.map((p, i) => ({ id: inPort(n.id, p.port), layoutOptions: side.input(i) })),
      ...n.ports.outputs.map((p, i) => ({ id: outPort(n.id, p.port), layoutOptions: side.output(i) })),
    ];
    for (const p of ports) known.add(p.id);
    return { id: n.id, width: sizes.get(n.id)?.width ?? 240, height: sizes.get(n.id)?.height ?? 100, ports, layoutOptions: { "elk.portConstraints": "FIXED_ORDER" } };
  };
  const children: ElkNode[] = [];
  const compounds = new Map<string, ElkNode>();
  for (const n of g.nodes) {
    const group = grouping.groupOf.get(n.id);
    if (group === undefined) {
      children.push(step(n));
      continue;
    }
    let c = compounds.get(group);
    if (!c) {
      c = { id: compoundId(group), children: [], layoutOptions: { "elk.padding": GROUP_PADDING } };
      compounds.set(group, c);
      children.push(c);
    }
    c.children!.push(step(n));
  }
  const options: Record<string, string> = { ...OPTIONS, ...BY_DIRECTION[direction], "elk.aspectRatio": String(aspect) };
  // One pass over the whole hierarchy, so edges into and out of a group are laid out with the rest.
  if (compounds.size) options["elk.hierarchyHandling"] = "INCLUDE_CHILDREN";
  return {
    id: "root",
    layoutOptions: options,
    children,
    edges: edges.map((e, i) => {
      const from = outPort(e.from.node, e.from.port);
      const to = inPort(e.to.node, e.to.port);
      // An edge whose port is not on the node (an error the checker reports) joins the node itself.
      return { id: `e${i}`, sources: [known.has(from) ? from : e.from.node], targets: [known.has(to) ? to : e.to.node] };
    }),
  };
}

/** Each step's top-left corner from elk's answer, in graph coordinates (a compound's children are placed relative to it). */
export function laidOut(root: ElkNode): Map<string, XY> {
  const out = new Map<string, XY>();
  const walk = (n: ElkNode, dx: number, dy: number) => {
    for (const c of n.children ?? []) {
      const x = dx + (c.x ?? 0), y = dy + (c.y ?? 0);
      if (c.children) walk(c, x, y);
      else out.set(c.id, { x: Math.round(x), y: Math.round(y) });
    }
  };
  walk(root, 0, 0);
  return out;
}
