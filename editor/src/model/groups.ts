// Groups of steps, a view convention on top of the language (which knows nothing of them):
// steps pulled in from another file form a group named after that file, and in the
// `layout` block a whole-line comment `// group: NAME` starts a section whose entries, up
// to the next such line or the end of the block, are the steps of group NAME. The
// comment rides on the section's first entry (the parser keeps it as that entry's
// `leading`), so every edit of the layout block here works on sections: an entry
// removed or added must not move another step into a neighbouring group.
// Pure: the canvas draws what `collapseGraph` returns, the tests call it directly.
import type { IrDocument, IrExpr } from "../../../compiler/ir";
import type { Edit } from "./edits";
import { layoutKey, type XY } from "./positions";

type Layout = NonNullable<IrDocument["layout"]>;
type Entry = Layout["entries"][number];

const GROUP_LINE = /^\s*group:\s*(\S(?:.*\S)?)\s*$/;

/** The group a `//` comment's text starts (`" group: features"` -> `features`), if it is a group line. */
export function groupOfComment(text: string): string | undefined {
  return GROUP_LINE.exec(text)?.[1];
}

/** Why `name` cannot name a group: it is written on one comment line after `// group: `. */
export function groupNameProblem(name: string): string | undefined {
  if (!name.trim()) return "a group needs a name";
  if (/[\r\n]/.test(name)) return "a group name is one line";
  if (name.trim().length > 80) return "a group name is at most 80 characters";
  return undefined;
}

// ---------- sections of the layout block ----------

interface Section {
  /** Undefined for the entries before the first group line (no group). */
  name?: string;
  /**
   * The comments of the section's first entry, its group line among them: they belong to
   * the section (a comment under `// group: inputs` says what the group is), so they stay
   * at its top when that entry leaves.
   */
  head: string[];
  /** The section's entries, without the head. */
  entries: Entry[];
}

function withLeading(e: Entry, leading: readonly string[]): Entry {
  const { leading: _, ...rest } = e;
  return leading.length ? { ...rest, leading: [...leading] } : rest;
}

const isGroupLine = (c: string) => groupOfComment(c) !== undefined;

function sectionsOf(layout: Layout): Section[] {
  const out: Section[] = [{ head: [], entries: [] }];
  for (const e of layout.entries) {
    const leading = e.leading ?? [];
    const line = leading.findLast(isGroupLine);
    if (line === undefined) out[out.length - 1]!.entries.push(e);
    else out.push({ name: groupOfComment(line)!, head: [...leading], entries: [withLeading(e, [])] });
  }
  return out;
}

/**
 * Back to a layout block. A section left without entries loses its group line; the other
 * comments it carried go to the next entry (or the end of the block), never lost.
 */
function joinSections(layout: Layout, sections: readonly Section[]): Layout {
  const entries: Entry[] = [];
  let carry: string[] = [];
  for (const s of sections) {
    if (!s.entries.length) {
      carry.push(...s.head.filter((c) => !isGroupLine(c)));
      continue;
    }
    const [first, ...rest] = s.entries;
    const head = [...carry, ...s.head];
    carry = [];
    entries.push(head.length ? withLeading(first!, [...head, ...(first!.leading ?? [])]) : first!, ...rest);
  }
  const next: Layout = { ...layout, entries };
  if (carry.length) next.inner = [...carry, ...(layout.inner ?? [])];
  return next;
}

/** The group section of every layout entry, by step name (steps outside any section are absent). */
export function layoutGroups(layout: Layout | null | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (!layout) return out;
  for (const s of sectionsOf(layout)) if (s.name !== undefined) for (const e of s.entries) out.set(e.name, s.name);
  return out;
}

/** Adds entries outside every group (before the first group line), so a new step joins no group by accident. */
export function insertLayoutEntries(layout: Layout, added: readonly Entry[]): Layout {
  if (!added.length) return layout;
  const sections = sectionsOf(layout);
  if (sections.length === 1) return { ...layout, entries: [...layout.entries, ...added] };
  sections[0]!.entries.push(...added);
  return joinSections(layout, sections);
}

/** Removes the entries of `names`; a section that loses its first entry keeps its group line on the next one. */
export function removeLayoutEntries(layout: Layout, names: ReadonlySet<string>): Layout {
  if (!layout.entries.some((e) => names.has(e.name))) return layout;
  const sections = sectionsOf(layout);
  for (const s of sections) s.entries = s.entries.filter((e) => !names.has(e.name));
  return joinSections(layout, sections);
}

// ---------- groups of the graph ----------

export interface StepGroup {
  /** `group:NAME` for a layout section, `file:PATH` for the steps of an imported file. */
  id: string;
  name: string;
  source: "layout" | "import";
  /** Node ids, in the graph's order. */
  members: string[];
}

export interface Grouping {
  groups: StepGroup[];
  /** Node id -> group id. */
  groupOf: Map<string, string>;
}

export interface GroupedGraph {
  nodes: readonly { id: string; name: string; origin?: { file: string; import?: string } | undefined }[];
  layout?: Layout | null;
}

export const layoutGroupId = (name: string): string => `group:${name}`;
export const fileGroupId = (file: string): string => `file:${file}`;

/**
 * Which group each step is in: its layout section when it has one (a step imported by name
 * can be put in a section of this file), else the file it comes from when not this one.
 */
export function stepGroups(g: GroupedGraph): Grouping {
  const sections = layoutGroups(g.layout);
  const byId = new Map<string, StepGroup>();
  const groupOf = new Map<string, string>();
  for (const n of g.nodes) {
    const key = layoutKey(n);
    const section = key !== undefined ? sections.get(key) : undefined;
    const name = section ?? n.origin?.file;
    if (name === undefined) continue;
    const id = section !== undefined ? layoutGroupId(section) : fileGroupId(name);
    let group = byId.get(id);
    if (!group) byId.set(id, (group = { id, name, source: section !== undefined ? "layout" : "import", members: [] }));
    group.members.push(n.id);
    groupOf.set(n.id, id);
  }
  return { groups: [...byId.values()], groupOf };
}

// ---------- edits ----------

const int = (n: number): IrExpr => ({ kind: "number", value: Math.round(n) || 0, raw: String(Math.round(n) || 0) });
const position = (p: XY): IrExpr => ({ kind: "object", entries: [{ key: "x", value: int(p.x) }, { key: "y", value: int(p.y) }] });

/**
 * Puts steps (node ids) in group `name`: their layout entries move to the end of that
 * group's section (a new one at the end of the block when there is none); a step without
 * an entry gets one at its position on screen. Steps already in the section stay where
 * they are, so regrouping does not reorder the block.
 */
export function groupSteps(ir: IrDocument, ids: readonly string[], name: string, positions: ReadonlyMap<string, XY>): Edit {
  const problem = groupNameProblem(name);
  if (problem) return { ok: false, reason: problem };
  const clean = name.trim();
  const chosen = new Set(ids);
  const picked = ir.nodes.filter((n) => chosen.has(n.id));
  const keyed = picked.flatMap((n) => {
    const key = layoutKey(n);
    return key === undefined ? [] : [{ id: n.id, key }];
  });
  if (!keyed.length) return { ok: false, reason: picked.length ? "steps another file pulls in without an import have no layout entry here, so they cannot be grouped" : "select the steps to group first" };
  let layout = ir.layout ?? { entries: [] };
  const sections = sectionsOf(layout);
  // A `// group: NAME` line written at the end of the block, with no entry yet, is this group's: used, not doubled.
  const waiting = sections.some((s) => s.name === clean) ? -1 : (layout.inner ?? []).findIndex((c) => groupOfComment(c) === clean);
  if (waiting >= 0) {
    const inner = layout.inner!.filter((_, i) => i !== waiting);
    const { inner: _, ...rest } = layout;
    layout = inner.length ? { ...rest, inner } : rest;
  }
  let target = sections.find((s) => s.name === clean);
  const staying = new Set(target?.entries.map((e) => e.name) ?? []);
  const moving = new Set(keyed.map((k) => k.key).filter((k) => !staying.has(k)));
  const taken = new Map<string, Entry>();
  for (const s of sections) {
    if (s === target) continue;
    s.entries = s.entries.filter((e) => (moving.has(e.name) ? (taken.set(e.name, e), false) : true));
  }
  if (!target) sections.push((target = { name: clean, head: [` group: ${clean}`], entries: [] }));
  for (const { id, key } of keyed) {
    if (!moving.has(key)) continue;
    target.entries.push(taken.get(key) ?? { name: key, value: position(positions.get(id) ?? { x: 0, y: 0 }) });
  }
  const order = ir.layout ? ir.order : [...ir.order, { kind: "layout" as const }];
  const skipped = picked.length - keyed.length;
  return {
    ok: true,
    ir: { ...ir, layout: joinSections(layout, sections), order },
    select: keyed.map((k) => k.id),
    ...(skipped ? { note: `${skipped} step${skipped > 1 ? "s" : ""} pulled in from other files left out` } : {}),
  };
}

/** Removes group `name`'s line; its steps join the ungrouped entries at the top of the block. */
export function ungroupSteps(ir: IrDocument, name: string): Edit {
  if (!ir.layout) return { ok: false, reason: `there is no group \`${name}\` in the layout block` };
  const sections = sectionsOf(ir.layout);
  const at = sections.findIndex((s) => s.name === name);
  if (at < 0) return { ok: false, reason: `there is no group \`${name}\` in the layout block` };
  const [gone] = sections.splice(at, 1);
  // The comments under the group line stay with its first step; only the line goes.
  const rest = gone!.head.filter((c) => !isGroupLine(c));
  sections[0]!.entries.push(...gone!.entries.map((e, i) => (i === 0 && rest.length ? withLeading(e, [...rest, ...(e.leading ?? [])]) : e)));
  return { ok: true, ir: { ...ir, layout: joinSections(ir.layout, sections) } };
}

// ---------- the collapsed view ----------

export interface GroupData extends Record<string, unknown> {
  group: string;
  name: string;
  source: StepGroup["source"];
  count: number;
  errors: number;
  warnings: number;
}

export interface ViewNode {
  id: string;
  position: XY;
  measured?: { width?: number; height?: number } | undefined;
  data: { errors: number; warnings: number };
}

export interface ViewEdge {
  id: string;
  source: string;
  target: string;
  sourceHandle?: string | null;
  targetHandle?: string | null;
}

export interface GroupNodeView {
  id: string;
  type: "stepGroup";
  position: XY;
  data: GroupData;
}

/** An expanded group's extent on the canvas, in graph coordinates. */
export interface GroupFrame {
  id: string;
  name: string;
  source: StepGroup["source"];
  count: number;
  x: number;
  y: number;
  width: number;
  height: number;
}

export const GROUP_IN = "in";
export const GROUP_OUT = "out";
export const FRAME_PAD = 24;
export const FRAME_HEAD = 30;

/**
 * The graph with each collapsed group as one node: its steps leave, their edges inside the
 * group go, and edges to or from outside end on the group node instead, one per distinct
 * outside connection (two steps of the group reading the same output draw one edge).
 * Expanded groups get a frame around their steps.
 */
export function collapseGraph<N extends ViewNode, E extends ViewEdge>(
  nodes: readonly N[],
  edges: readonly E[],
  grouping: Grouping,
  collapsed: ReadonlySet<string>,
): { nodes: (N | GroupNodeView)[]; edges: E[]; frames: GroupFrame[]; outsiders: Map<string, string> } {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const folded = (id: string) => {
    const g = grouping.groupOf.get(id);
    return g !== undefined && collapsed.has(g) ? g : undefined;
  };
  const frames: GroupFrame[] = [];
  const groupNodes: GroupNodeView[] = [];
  for (const g of grouping.groups) {
    const members = g.members.map((id) => byId.get(id)).filter((n): n is N => !!n);
    if (!members.length) continue;
    // Loops, not Math.min(...list): a group of tens of thousands of steps must not overflow the call stack.
    let x = Infinity, y = Infinity, right = -Infinity, bottom = -Infinity;
    for (const n of members) {
      x = Math.min(x, n.position.x);
      y = Math.min(y, n.position.y);
      right = Math.max(right, n.position.x + (n.measured?.width ?? 240));
      bottom = Math.max(bottom, n.position.y + (n.measured?.height ?? 90));
    }
    if (collapsed.has(g.id)) {
      const data: GroupData = { group: g.id, name: g.name, source: g.source, count: members.length, errors: 0, warnings: 0 };
      for (const n of members) (data.errors += n.data.errors), (data.warnings += n.data.warnings);
      groupNodes.push({ id: g.id, type: "stepGroup", position: { x, y }, data });
      continue;
    }
    frames.push({ id: g.id, name: g.name, source: g.source, count: members.length, x: x - FRAME_PAD, y: y - FRAME_PAD - FRAME_HEAD, width: right - x + 2 * FRAME_PAD, height: bottom - y + 2 * FRAME_PAD + FRAME_HEAD });
  }
  const outsiders = framedOutsiders(nodes, grouping, frames);
  if (!groupNodes.length) return { nodes: [...nodes], edges: [...edges], frames, outsiders };
  const seen = new Set<string>();
  const outEdges: E[] = [];
  for (const e of edges) {
    const s = folded(e.source);
    const t = folded(e.target);
    if (s === undefined && t === undefined) {
      outEdges.push(e);
      continue;
    }
    if (s !== undefined && s === t) continue;
    const source = s ?? e.source;
    const target = t ?? e.target;
    const sourceHandle = s !== undefined ? GROUP_OUT : (e.sourceHandle ?? null);
    const targetHandle = t !== undefined ? GROUP_IN : (e.targetHandle ?? null);
    const key = `${source}:${sourceHandle}>${target}:${targetHandle}`;
    if (seen.has(key)) continue;
    seen.add(key);
    outEdges.push({ ...e, id: `grouped:${key}`, source, target, sourceHandle, targetHandle, deletable: false });
  }
  return { nodes: [...nodes.filter((n) => folded(n.id) === undefined), ...groupNodes], edges: outEdges, frames, outsiders };
}

/**
 * Steps drawn inside the frame of a group they are not in (moved there by hand, or never
 * laid out with the group), by id, with the name of that group: the canvas marks them, so
 * a frame never passes an outsider off as a member. Inside means the step's middle is: a
 * neighbour that only grazes the frame's padding reads as outside and stays unmarked.
 */
function framedOutsiders(nodes: readonly ViewNode[], grouping: Grouping, frames: readonly GroupFrame[]): Map<string, string> {
  const out = new Map<string, string>();
  if (!frames.length) return out;
  for (const n of nodes) {
    const cx = n.position.x + (n.measured?.width ?? 240) / 2, cy = n.position.y + (n.measured?.height ?? 90) / 2;
    const own = grouping.groupOf.get(n.id);
    for (const f of frames) {
      if (f.id === own) continue;
      if (cx > f.x && cx < f.x + f.width && cy > f.y && cy < f.y + f.height) {
        out.set(n.id, f.name);
        break;
      }
    }
  }
  return out;
}

// ---------- moving a collapsed group ----------

export interface Placed {
  id: string;
  position: XY;
}

/**
 * A collapsed group's node moved to `to`, as the same move of each of its steps. The node
 * stands at its steps' top-left corner (collapseGraph), so the move is from there, whole
 * pixels, so every step's layout entry moves by exactly the same amount.
 */
export function groupMove(to: XY, members: readonly Placed[]): Placed[] {
  if (!members.length) return [];
  let x = Infinity, y = Infinity;
  for (const m of members) (x = Math.min(x, m.position.x)), (y = Math.min(y, m.position.y));
  const dx = Math.round(to.x - x), dy = Math.round(to.y - y);
  return members.map((m) => ({ id: m.id, position: { x: m.position.x + dx, y: m.position.y + dy } }));
}

export interface PositionChange {
  id: string;
  type: "position";
  position?: XY;
  dragging?: boolean;
}

/**
 * React Flow's position changes with those of collapsed group nodes replaced by their
 * steps' (a drag frame, its end, an arrow key): the steps are what the canvas holds and
 * the layout block names, and the group node is drawn where they are. `at` gives the
 * steps' current positions; other changes pass through.
 */
export function memberChanges<C extends { type: string }>(changes: readonly C[], grouping: Grouping, at: (id: string) => XY | undefined): (C | PositionChange)[] {
  const out: (C | PositionChange)[] = [];
  for (const c of changes) {
    const p = c as unknown as PositionChange;
    const group = c.type === "position" && p.position ? grouping.groups.find((g) => g.id === p.id) : undefined;
    if (!group) {
      out.push(c);
      continue;
    }
    const members = group.members.flatMap((id) => {
      const position = at(id);
      return position ? [{ id, position }] : [];
    });
    for (const m of groupMove(p.position!, members)) out.push({ id: m.id, type: "position", position: m.position, ...(p.dragging !== undefined ? { dragging: p.dragging } : {}) });
  }
  return out;
}
