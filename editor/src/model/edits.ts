// Graph edits as pure functions on the graph IR. Each returns a new document (the
// input is never mutated) or the reason it cannot be done; the caller prints the
// document back to text, so comments and the rest of the file survive.
import { writtenKind, type IrDocument, type IrEdge, type IrExpr, type IrNode, type IrStmt } from "../../../compiler/ir";
import { stepKind, STEP_KINDS } from "../../../language/catalog";
import { isStreamingArtifact, showArtifact } from "./artifacts";
import { templateBody } from "./templates";
import { insertLayoutEntries, removeLayoutEntries } from "./groups";
import { layoutKey, type XY } from "./positions";

export type Edit = { ok: true; ir: IrDocument; note?: string; select?: string[] } | { ok: false; reason: string };

export interface PortRef {
  node: string;
  port: string;
}

const RESERVED = new Set(["import", "from", "pipeline", "schema", "use", "variant", "target", "layout", "true", "false", "null", "and", "or", "not", "is"]);
const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

// ---------- names ----------

export function takenNames(ir: IrDocument): Set<string> {
  const s = new Set<string>();
  for (const n of ir.nodes) s.add(n.name);
  for (const sc of ir.schemas) s.add(sc.name);
  for (const i of ir.imports) for (const n of i.names) s.add(n);
  return s;
}

/** `base` if free, else `base_2`, `base_3`, ... (a trailing `_N` of base is replaced, not stacked). */
export function uniqueName(ir: IrDocument, base: string, taken = takenNames(ir)): string {
  const clean = IDENT.test(base) && !RESERVED.has(base) ? base : "step";
  if (!taken.has(clean) && !STEP_KINDS.some((k) => k.kind === clean)) return clean;
  const stem = clean.replace(/_\d+$/, "");
  for (let i = 2; ; i++) if (!taken.has(`${stem}_${i}`)) return `${stem}_${i}`;
}

export function nameProblem(ir: IrDocument, name: string, except?: string): string | undefined {
  if (!IDENT.test(name)) return "a name is letters, digits and _, not starting with a digit";
  if (RESERVED.has(name)) return `\`${name}\` is a keyword`;
  if (name !== except && takenNames(ir).has(name)) return `\`${name}\` is already taken in this file`;
  return undefined;
}

// ---------- small builders ----------

export const num = (n: number): IrExpr => ({ kind: "number", value: n, raw: String(n) });
export const ref = (name: string): IrExpr => ({ kind: "ref", name });
export const str = (value: string): IrExpr => ({ kind: "string", value });
/** A whole number as the language writes it: `-20` is one literal (a minus glued to its digits). */
const int = (n: number): IrExpr => num(Math.round(n) || 0);
const position = (p: XY): IrExpr => ({ kind: "object", entries: [{ key: "x", value: int(p.x) }, { key: "y", value: int(p.y) }] });

function nodeById(ir: IrDocument, id: string): IrNode | undefined {
  return ir.nodes.find((n) => n.id === id);
}

// ---------- layout ----------

/** Writes positions into the layout block (created at the end of the file when missing). Keys are step names. */
export function setPositions(ir: IrDocument, moves: ReadonlyMap<string, XY>): IrDocument {
  if (moves.size === 0) return ir;
  const layout = ir.layout ?? { entries: [] };
  const left = new Map(moves);
  const entries = layout.entries.map((e) => {
    const p = left.get(e.name);
    if (!p) return e;
    left.delete(e.name);
    return { ...e, value: position(p) };
  });
  // A new entry goes before the first `// group:` line: appended, it would join the last group.
  const added = [...left].map(([name, p]) => ({ name, value: position(p) }));
  const order = ir.layout ? ir.order : [...ir.order, { kind: "layout" as const }];
  return { ...ir, layout: insertLayoutEntries({ ...layout, entries }, added), order };
}

function dropPositions(ir: IrDocument, names: ReadonlySet<string>): IrDocument {
  if (!ir.layout) return ir;
  // Through the group sections: the step carrying a `// group:` line hands it to the next one.
  return { ...ir, layout: removeLayoutEntries(ir.layout, names) };
}

/** Writes the positions of moved nodes (by node id); steps other files declare without an import have no layout key and are skipped. */
export function moveNodes(ir: IrDocument, moved: ReadonlyMap<string, XY>): IrDocument {
  const byId = new Map(ir.nodes.map((n) => [n.id, n]));
  const writes = new Map<string, XY>();
  for (const [id, p] of moved) {
    const n = byId.get(id);
    const key = n && layoutKey(n);
    if (key !== undefined) writes.set(key, p);
  }
  return setPositions(ir, writes);
}

// ---------- adding steps ----------

function insertOrder(ir: IrDocument, ids: string[]): IrDocument["order"] {
  const order = [...ir.order];
  let at = -1;
  order.forEach((r, i) => {
    if (r.kind === "node" || r.kind === "schema" || r.kind === "pipeline" || r.kind === "import") at = i;
  });
  order.splice(at + 1, 0, ...ids.map((id) => ({ kind: "node" as const, id })));
  return order;
}

export function addStep(ir: IrDocument, kind: string, at: XY, connectFrom?: PortRef): Edit {
  const k = stepKind(kind);
  if (!k) return { ok: false, reason: `unknown step kind \`${kind}\`` };
  const name = uniqueName(ir, `${kind}_1`);
  // A node the checker has not seen yet: printed as written, typed once the text is analysed again.
  const node: IrNode = { id: name, name, kind: "invalid", written: kind, body: templateBody(k, name), config: {}, ports: { inputs: [], outputs: [] } };
  if (kind === "source") {
    node.bare = true;
    const schema = ir.schemas.find((s) => !s.origin)?.name ?? ir.schemas[0]?.name;
    node.declared = schema ? { name: "Table", schema } : { name: "Table" };
  }
  let next: IrDocument = { ...ir, nodes: [...ir.nodes, node], order: insertOrder(ir, [name]) };
  next = moveNodes(next, new Map([[name, at]]));
  let note: string | undefined;
  if (connectFrom && k.inputs.length) {
    const port = k.inputs.find((p) => portAccepts(next, connectFrom, p.name, name) === undefined);
    if (port) {
      const c = connect(next, connectFrom, { node: name, port: port.name });
      if (c.ok) next = c.ir;
    } else note = `added ${name}; ${connectFrom.node} does not fit any of its inputs, so it is not connected`;
  }
  return { ok: true, ir: next, select: [name], ...(note ? { note } : {}) };
}

// ---------- connections ----------

function outputArtifact(ir: IrDocument, from: PortRef) {
  return nodeById(ir, from.node)?.ports.outputs.find((o) => o.port === from.port)?.artifact;
}

/** Why `from` cannot feed input `port` of `toId` by type, or undefined when it can. */
function portAccepts(ir: IrDocument, from: PortRef, port: string, toId: string): string | undefined {
  const to = nodeById(ir, toId);
  const k = to && stepKind(writtenKind(to));
  const p = k?.inputs.find((x) => x.name === port);
  if (!to || !k || !p) return `\`${to?.name ?? toId}\` has no input \`${port}\``;
  const src = nodeById(ir, from.node);
  const a = outputArtifact(ir, from);
  const srcKind = src && stepKind(writtenKind(src));
  const produces = a && a.type !== "Unknown" ? [a.type] : (srcKind?.outputs.find((o) => o.name === from.port)?.produces ?? []);
  const what = a && a.type !== "Unknown" ? showArtifact(a) : produces.join(" or ") || "something unknown";
  const target = `${k.kind} \`${to.name}\``;
  if (produces.length && !produces.some((t) => (p.accepts as readonly string[]).includes(t)))
    return `${target} takes ${p.accepts.join(" or ")} on \`${port}\`, but \`${src?.name ?? from.node}\` produces ${what}`;
  if (p.batchOnly && isStreamingArtifact(a)) return `${target} takes batch data only on \`${port}\`, but \`${src?.name ?? from.node}\` produces ${a?.type === "Stream" ? what : "streaming Features"}`;
  return undefined;
}

/** Is `target` reachable from `start` following data flow? */
function reaches(ir: IrDocument, start: string, target: string): boolean {
  const out = new Map<string, string[]>();
  for (const e of ir.edges) {
    const l = out.get(e.from.node) ?? [];
    l.push(e.to.node);
    out.set(e.from.node, l);
  }
  const seen = new Set([start]);
  const todo = [start];
  while (todo.length) {
    const n = todo.pop()!;
    if (n === target) return true;
    for (const m of out.get(n) ?? []) if (!seen.has(m)) seen.add(m), todo.push(m);
  }
  return false;
}

/** Why the connection is refused, or undefined when the types and the graph allow it. */
export function connectionProblem(ir: IrDocument, from: PortRef, to: PortRef): string | undefined {
  const src = nodeById(ir, from.node);
  const dst = nodeById(ir, to.node);
  if (!src || !dst) return "that step no longer exists";
  if (from.node === to.node) return "a step cannot read its own output";
  if (dst.origin) return `\`${dst.name}\` is defined in ${dst.origin.file}; open that file to change its inputs`;
  if (dst.use !== undefined) return `\`${dst.name}\` re-applies \`${dst.use}\`; change its inputs in the text`;
  const typeProblem = portAccepts(ir, from, to.port, to.node);
  if (typeProblem) return typeProblem;
  if (ir.edges.some((e) => e.from.node === from.node && e.from.port === from.port && e.to.node === to.node && e.to.port === to.port)) return "these ports are already connected";
  if (reaches(ir, to.node, from.node)) return `\`${src.name}\` already depends on \`${dst.name}\`; connecting them would make a cycle`;
  return undefined;
}

/**
 * Rewrites a node's inputs in port order: positional when that reads unambiguously,
 * named (`port: step`) when a gap needs it or when `before` (its inputs before the
 * edit) were named although positional would have done, i.e. the author's choice.
 */
function normalizeInputs(ir: IrDocument, nodeId: string, before: readonly IrEdge[]): IrDocument {
  const n = nodeById(ir, nodeId);
  const k = n && stepKind(writtenKind(n));
  if (!k) return ir;
  const index = (port: string) => k.inputs.findIndex((p) => p.name === port);
  const isPrefix = (es: readonly IrEdge[]) => [...es].sort((a, b) => index(a.to.port) - index(b.to.port)).every((e, i) => index(e.to.port) === i);
  const mine = ir.edges.filter((e) => e.to.node === nodeId);
  const sorted = [...mine].sort((a, b) => index(a.to.port) - index(b.to.port));
  const variadic = k.inputs.some((p) => p.variadic);
  const chosen = before.length > 0 && before.every((e) => e.named) && isPrefix(before);
  const named = !variadic && (chosen || !isPrefix(sorted));
  const rewritten = sorted.map((e) => {
    const multi = (stepKind(writtenKind(nodeById(ir, e.from.node) ?? { kind: "" }))?.outputs.length ?? 1) > 1;
    const out: IrEdge = { from: e.from, to: e.to };
    if (named) out.named = true;
    if (multi || e.select) out.select = true;
    if (e.artifact) out.artifact = e.artifact;
    return out;
  });
  return { ...ir, edges: [...ir.edges.filter((e) => e.to.node !== nodeId), ...rewritten] };
}

const inputsOf = (ir: IrDocument, id: string) => ir.edges.filter((e) => e.to.node === id);

export function connect(ir: IrDocument, from: PortRef, to: PortRef): Edit {
  const problem = connectionProblem(ir, from, to);
  if (problem) return { ok: false, reason: problem };
  const dst = nodeById(ir, to.node)!;
  const k = stepKind(writtenKind(dst))!;
  const variadic = k.inputs.find((p) => p.name === to.port)?.variadic;
  const replaced = variadic ? undefined : ir.edges.find((e) => e.to.node === to.node && e.to.port === to.port);
  const edge: IrEdge = { from, to };
  const art = outputArtifact(ir, from);
  if (art) edge.artifact = art;
  const edges = [...ir.edges.filter((e) => e !== replaced), edge];
  const next = normalizeInputs({ ...ir, edges }, to.node, inputsOf(ir, to.node));
  const note = replaced ? `\`${to.port}\` of ${dst.name} now reads ${nodeById(ir, from.node)?.name} instead of ${nodeById(ir, replaced.from.node)?.name}` : undefined;
  return { ok: true, ir: next, ...(note ? { note } : {}) };
}

export function disconnect(ir: IrDocument, edges: readonly IrEdge[]): Edit {
  const drop = new Set(edges);
  const blocked = edges.find((e) => nodeById(ir, e.to.node)?.origin);
  if (blocked) return { ok: false, reason: `that input belongs to \`${blocked.to.node}\`, defined in ${nodeById(ir, blocked.to.node)?.origin?.file}` };
  const used = edges.find((e) => nodeById(ir, e.to.node)?.use !== undefined);
  if (used) return { ok: false, reason: `\`${used.to.node}\` re-applies another step; change its inputs in the text` };
  let next: IrDocument = { ...ir, edges: ir.edges.filter((e) => !drop.has(e)) };
  for (const id of new Set(edges.map((e) => e.to.node))) next = normalizeInputs(next, id, inputsOf(ir, id));
  return { ok: true, ir: next };
}

// ---------- deleting and renaming ----------

export function deleteSteps(ir: IrDocument, ids: readonly string[]): Edit {
  const nodes = ids.map((id) => nodeById(ir, id)).filter((n): n is IrNode => !!n);
  const local = nodes.filter((n) => !n.origin);
  if (local.length === 0) return { ok: false, reason: nodes.length ? `\`${nodes[0]!.name}\` is defined in ${nodes[0]!.origin!.file}; delete it there` : "nothing to delete" };
  const gone = new Set(local.map((n) => n.id));
  const names = new Set(local.map((n) => n.name));
  const downstream = new Set(ir.edges.filter((e) => gone.has(e.from.node) && !gone.has(e.to.node)).map((e) => e.to.node));
  let next: IrDocument = {
    ...ir,
    nodes: ir.nodes.filter((n) => !gone.has(n.id)),
    edges: ir.edges.filter((e) => !gone.has(e.from.node) && !gone.has(e.to.node)),
    order: ir.order.filter((r) => !(r.kind === "node" && gone.has(r.id))),
    // Overrides of a deleted step could only fail; they go with it (undo brings them back).
    variants: ir.variants.map((v) => ({ ...v, overrides: v.overrides.filter((o) => !names.has(o.path[0] ?? "")) })),
  };
  next = dropPositions(next, names);
  for (const id of downstream) next = normalizeInputs(next, id, inputsOf(ir, id));
  const skipped = nodes.length - local.length;
  return { ok: true, ir: next, ...(skipped ? { note: `${skipped} step${skipped > 1 ? "s" : ""} from imported files kept` } : {}) };
}

export function renameStep(ir: IrDocument, id: string, name: string): Edit {
  const n = nodeById(ir, id);
  if (!n) return { ok: false, reason: "that step no longer exists" };
  if (n.origin) return { ok: false, reason: `\`${n.name}\` is defined in ${n.origin.file}; rename it there` };
  if (name === n.name) return { ok: true, ir };
  const problem = nameProblem(ir, name, n.name);
  if (problem) return { ok: false, reason: problem };
  const old = n.name;
  const newId = id === old ? name : id;
  const swap = (x: string) => (x === id ? newId : x);
  return {
    ok: true,
    select: [newId],
    ir: {
      ...ir,
      nodes: ir.nodes.map((m) => (m.id === id ? { ...m, id: newId, name } : m.use === old && !m.origin ? { ...m, use: name } : m)),
      edges: ir.edges.map((e) => ({ ...e, from: { ...e.from, node: swap(e.from.node) }, to: { ...e.to, node: swap(e.to.node) } })),
      order: ir.order.map((r) => (r.kind === "node" && r.id === id ? { ...r, id: newId } : r)),
      variants: ir.variants.map((v) => ({ ...v, overrides: v.overrides.map((o) => (o.path[0] === old ? { ...o, path: [name, ...o.path.slice(1)] } : o)) })),
      layout: ir.layout ? { ...ir.layout, entries: ir.layout.entries.map((e) => (e.name === old ? { ...e, name } : e)) } : null,
    },
  };
}

// ---------- attributes and bodies ----------

function setExprAt(e: IrExpr | undefined, keys: readonly string[], value: IrExpr | undefined): IrExpr | undefined {
  const [k, ...rest] = keys;
  if (k === undefined) return value;
  const entries = e?.kind === "object" ? e.entries : [];
  const had = entries.find((en) => en.key === k);
  const inner = setExprAt(had?.value, rest, value);
  const next = had
    ? inner === undefined || (inner.kind === "object" && inner.entries.length === 0 && rest.length > 0)
      ? entries.filter((en) => en !== had)
      : entries.map((en) => (en === had ? { ...en, value: inner } : en))
    : inner === undefined
      ? entries
      : [...entries, { key: k, value: inner }];
  return next.length ? { kind: "object", entries: next } : undefined;
}

/** Sets (or, with undefined, removes) `path` = [attr, key, ...] in a list of attributes. */
export function setAttrIn<T extends { name: string; value: IrExpr }>(attrs: readonly T[], path: readonly string[], value: IrExpr | undefined, make: (name: string, value: IrExpr) => T): T[] {
  const [name, ...keys] = path;
  if (!name) return [...attrs];
  const i = attrs.findIndex((a) => a.name === name);
  const nextValue = setExprAt(i >= 0 ? attrs[i]!.value : undefined, keys, value);
  if (i < 0) return nextValue === undefined ? [...attrs] : [...attrs, make(name, nextValue)];
  if (nextValue === undefined) return attrs.filter((_, j) => j !== i);
  return attrs.map((a, j) => (j === i ? { ...a, value: nextValue } : a));
}

export type AttrOwner = { node: string } | { pipeline: true };

export function setAttr(ir: IrDocument, owner: AttrOwner, path: readonly string[], value: IrExpr | undefined): Edit {
  if ("pipeline" in owner) {
    if (!ir.pipeline) return { ok: false, reason: "this file declares no pipeline" };
    return { ok: true, ir: { ...ir, pipeline: { ...ir.pipeline, attrs: setAttrIn(ir.pipeline.attrs, path, value, (name, v) => ({ name, value: v })) } } };
  }
  const n = nodeById(ir, owner.node);
  if (!n) return { ok: false, reason: "that step no longer exists" };
  if (n.origin) return { ok: false, reason: `\`${n.name}\` is defined in ${n.origin.file}; change it there` };
  // Attributes live in the body next to operations; edit the attribute statements in place.
  const attrs = n.body.filter((s): s is Extract<IrStmt, { kind: "attr" }> => s.kind === "attr");
  const updated = setAttrIn(attrs, path, value, (name, v) => ({ kind: "attr" as const, name, value: v }));
  const byName = new Map(updated.map((a) => [a.name, a]));
  const body: IrStmt[] = [];
  for (const s of n.body) {
    if (s.kind !== "attr") body.push(s);
    else if (byName.has(s.name)) body.push(byName.get(s.name)!), byName.delete(s.name);
  }
  body.push(...byName.values());
  return { ok: true, ir: { ...ir, nodes: ir.nodes.map((m) => (m === n ? { ...m, body } : m)) } };
}

/**
 * Replaces a step's operations, column definitions and blocks, keeping each attribute
 * where it was relative to them (an attribute written after the second operation stays
 * after the second operation).
 */
export function setOperations(ir: IrDocument, nodeId: string, stmts: readonly IrStmt[]): Edit {
  const n = nodeById(ir, nodeId);
  if (!n) return { ok: false, reason: "that step no longer exists" };
  if (n.origin) return { ok: false, reason: `\`${n.name}\` is defined in ${n.origin.file}; change it there` };
  const anchored: { at: number; stmt: IrStmt }[] = [];
  let seen = 0;
  for (const s of n.body) {
    if (s.kind === "attr") anchored.push({ at: seen, stmt: s });
    else seen++;
  }
  const ops = stmts.filter((s) => s.kind !== "attr");
  const body: IrStmt[] = [];
  for (let i = 0; i <= ops.length; i++) {
    for (const a of anchored) if (a.at === i || (i === ops.length && a.at > ops.length)) body.push(a.stmt);
    if (i < ops.length) body.push(ops[i]!);
  }
  return { ok: true, ir: { ...ir, nodes: ir.nodes.map((m) => (m === n ? { ...m, body } : m)) } };
}

// ---------- copy and paste ----------

export interface Clip {
  nodes: IrNode[];
  /** Inputs of the copied steps, from inside or outside the copy. */
  edges: IrEdge[];
  positions: Record<string, XY>;
}

export function copySteps(ir: IrDocument, ids: readonly string[], positions: ReadonlyMap<string, XY>): Clip | undefined {
  const set = new Set(ids);
  const nodes = ir.nodes.filter((n) => set.has(n.id) && !n.origin);
  if (!nodes.length) return undefined;
  const kept = new Set(nodes.map((n) => n.id));
  const pos: Record<string, XY> = {};
  for (const n of nodes) pos[n.id] = positions.get(n.id) ?? { x: 0, y: 0 };
  return { nodes, edges: ir.edges.filter((e) => kept.has(e.to.node)), positions: pos };
}

/** Pastes copies with fresh names; inputs among the copies follow them, others keep reading the original upstream. */
export function pasteSteps(ir: IrDocument, clip: Clip, offset: XY): Edit {
  const taken = takenNames(ir);
  const rename = new Map<string, string>();
  for (const n of clip.nodes) {
    const name = uniqueName(ir, n.name.replace(/_copy\d*$/, "") + "_copy", taken);
    taken.add(name);
    rename.set(n.id, name);
  }
  const present = new Set(ir.nodes.map((n) => n.id));
  const nodes = clip.nodes.map((n): IrNode => {
    const name = rename.get(n.id)!;
    const copy: IrNode = { ...n, id: name, name };
    delete copy.span;
    delete copy.leading;
    return copy;
  });
  const edges = clip.edges
    .map((e): IrEdge | undefined => {
      const from = rename.get(e.from.node) ?? (present.has(e.from.node) ? e.from.node : undefined);
      return from === undefined ? undefined : { ...e, from: { ...e.from, node: from }, to: { ...e.to, node: rename.get(e.to.node)! } };
    })
    .filter((e): e is IrEdge => !!e);
  let next: IrDocument = { ...ir, nodes: [...ir.nodes, ...nodes], edges: [...ir.edges, ...edges], order: insertOrder(ir, nodes.map((n) => n.id)) };
  const moves = new Map<string, XY>();
  for (const [id, name] of rename) {
    const p = clip.positions[id] ?? { x: 0, y: 0 };
    moves.set(name, { x: p.x + offset.x, y: p.y + offset.y });
  }
  next = setPositions(next, moves);
  return { ok: true, ir: next, select: [...rename.values()] };
}

export function findEdge(ir: IrDocument, from: PortRef, to: PortRef): IrEdge | undefined {
  return ir.edges.find((e) => e.from.node === from.node && e.from.port === from.port && e.to.node === to.node && e.to.port === to.port);
}
