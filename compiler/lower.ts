// lower: checked program -> graph IR. Reads the checker's output, never changes it.
// `lower(program, variant)` lowers the program the checker checked with that variant's
// values in place: the variant is applied once, before checking, never to an IR.
import type * as A from "../language/ast";
import type { ConfigOf, KindName } from "../language/catalog";
import { pipelineSettings, resolveSettings, TARGET_SETTINGS } from "../language/catalog/settings";
import { decode, DecodeError, durationMs, parseKeepingKeys } from "../language/catalog/values";
import { resolveType } from "../language/checker/schemas";
import type { CheckedFile, CheckedProgram, StepInfo } from "../language/checker/model";
import { SCALAR_KINDS, type Artifact, type Column, type ColumnType, type Schema } from "../language/types";
import { searchSpaceOf } from "../language/catalog/tune";
import { joinKeys } from "../language/catalog/join";
import { pipelineName } from "./query";
import {
  IR_VERSION,
  type IrArtifact,
  type IrCleanseOp,
  type IrColumn,
  type IrColumnDef,
  type IrComments,
  type IrDeclRef,
  type IrDocument,
  type IrEdge,
  type IrExpr,
  type IrNode,
  type IrRequire,
  type IrSchema,
  type IrSearchParam,
  type IrStmt,
  type IrTExpr,
  type IrType,
  type IrTypeRef,
  type NodeOf,
} from "./ir";

/**
 * Nodes lowered before, by the checked step they were lowered from: a check session keeps the
 * steps an edit did not reach, so their nodes need not be built again. For a caller that
 * copies the IR away (the editor's worker posts it): documents lowered with one share nodes.
 */
export type LoweredNodes = WeakMap<StepInfo, IrNode>;

/** The IR of `p`, or of its variant `variant` (which must be one of the file's variants). */
export function lower(p: CheckedProgram, variant?: string, reuse?: LoweredNodes): IrDocument {
  let unit: { entry: CheckedFile; order: StepInfo[] } = p;
  if (variant !== undefined) {
    const v = p.variants.get(variant);
    if (!v) throw new Error(`unknown variant ${variant}`);
    unit = v;
  }
  const entry = unit.entry;
  const decls = entry.ast.decls;
  const idOf = new Map<StepInfo, string>(unit.order.map((s) => [s, s.id]));
  const importOf = new Map<string, string>();
  for (const [name, v] of entry.imports) importOf.set(name, v.from);

  const idByName = (name: string) => entry.steps.get(name)?.id ?? entry.imports.get(name)?.step?.id ?? name;
  const nodes: IrNode[] = [];
  const edges: IrEdge[] = [];
  // Entry steps in source order (an erroneous cycle leaves some out of p.order), then imported ones.
  const local = [...entry.steps.values()];
  const steps = [...local, ...unit.order.filter((s) => s.file !== entry.path)];
  for (const s of steps) {
    if (s.file === entry.path) {
      // A node is a function of its step alone (an imported one's also of how it was imported).
      let n = reuse?.get(s);
      if (!n) {
        n = node(s, undefined);
        reuse?.set(s, n);
      }
      nodes.push(n);
    } else nodes.push(node(s, { file: s.file, ...(importOf.has(s.name) && entry.imports.get(s.name)?.step === s ? { import: importOf.get(s.name)! } : {}) }));
    // Every input as written, including ones the checker rejected, so printing loses none.
    const refs = s.decl.kind === "use" ? s.decl.inputs : (s.decl.inputs ?? []);
    refs.forEach((ref, index) => {
      const i = s.inputs.find((x) => x.ref === ref);
      if (!i) {
        edges.push(edgeOf(ref, idByName(ref.step.name), s.id, ref.port?.name ?? `in${index}`));
        return;
      }
      const e = edgeOf(i.ref, i.step ? (idOf.get(i.step) ?? i.step.id) : i.ref.step.name, s.id, i.port, i.output);
      e.artifact = artifact(i.artifact);
      edges.push(e);
    });
  }

  // A declaration that repeats a name (an error already reported) still belongs to the text:
  // it becomes a node or schema of its own so that printing the graph loses nothing.
  const schemas: IrSchema[] = [];
  const order: IrDeclRef[] = [];
  let imports = 0, variants = 0, targets = 0, shadows = 0;
  for (const d of decls) {
    switch (d.kind) {
      case "import": order.push({ kind: "import", index: imports++ }); break;
      case "pipeline": if (d === entry.pipeline) order.push({ kind: "pipeline" }); break;
      case "schema": {
        const info = entry.schemas.get(d.name.name);
        order.push({ kind: "schema", index: schemas.length });
        schemas.push(schema(d, info?.decl === d ? info.schema.columns : []));
        break;
      }
      case "step":
      case "use": {
        if (entry.steps.get(d.name.name)?.decl === d) {
          order.push({ kind: "node", id: d.name.name });
          break;
        }
        const shadow = shadowNode(d, `${d.name.name}~${++shadows}`);
        nodes.push(shadow);
        (d.kind === "use" ? d.inputs : (d.inputs ?? [])).forEach((r, index) => edges.push(edgeOf(r, idByName(r.step.name), shadow.id, r.port?.name ?? `in${index}`)));
        order.push({ kind: "node", id: shadow.id });
        break;
      }
      case "variant": order.push({ kind: "variant", index: variants++ }); break;
      case "target": order.push({ kind: "target", index: targets++ }); break;
      case "layout": order.push({ kind: "layout" }); break;
    }
  }
  for (const [name, v] of entry.imports) if (v.schema) schemas.push({ ...schema(v.schema.decl, v.schema.schema.columns), name, origin: { file: v.schema.file, import: v.from } });

  const pipeline = entry.pipeline;
  const layout = decls.find((d): d is A.LayoutDecl => d.kind === "layout");
  // Settings the checker rejected are left out of its config; what remains is valid alone
  // (parsed keeping every user key: zod drops `__proto__`, an AWS tag may be called that).
  const written = {
    pipeline: parseKeepingKeys(pipelineSettings, entry.pipelineConfig),
    aws: parseKeepingKeys(TARGET_SETTINGS.aws, entry.targets.get("aws")),
    onprem: parseKeepingKeys(TARGET_SETTINGS.onprem, entry.targets.get("onprem")),
    local: parseKeepingKeys(TARGET_SETTINGS.local, entry.targets.get("local")),
  };
  const doc: IrDocument = {
    version: IR_VERSION,
    file: entry.path,
    variant: variant ?? null,
    pipeline: pipeline ? { name: pipeline.name.name, attrs: pipeline.body.map(attr), settings: written.pipeline.success ? written.pipeline.data : {}, span: pipeline.span, ...comments(pipeline) } : null,
    settings: resolveSettings(pipelineName(pipeline?.name.name, entry.path), {
      ...(written.aws.success ? { aws: written.aws.data } : {}),
      ...(written.onprem.success ? { onprem: written.onprem.data } : {}),
      ...(written.local.success ? { local: written.local.data } : {}),
    }, variant ?? null),
    imports: decls.filter((d): d is A.ImportDecl => d.kind === "import").map((d) => ({ names: d.names.map((n) => n.name), from: d.from.value, span: d.span, ...comments(d) })),
    schemas,
    nodes,
    edges,
    variants: decls
      .filter((d): d is A.VariantDecl => d.kind === "variant")
      .map((d) => ({ name: d.name.name, overrides: d.overrides.map((o) => ({ path: o.path.map((x) => x.name), value: expr(o.value), ...comments(o) })), span: d.span, ...comments(d) })),
    targets: decls
      .filter((d): d is A.TargetDecl => d.kind === "target")
      .map((d) => ({ name: d.name.name, attrs: d.body.map(attr), span: d.span, ...comments(d) })),
    layout: layout ? { entries: layout.entries.map((e) => ({ name: e.name.name, value: expr(e.value), ...comments(e) })), span: layout.span, ...comments(layout) } : null,
    order,
  };
  if (entry.ast.trailing) doc.trailing = entry.ast.trailing;
  return doc;
}

function edgeOf(ref: A.InputRef, from: string, to: string, port: string, output = ref.output?.name ?? "out"): IrEdge {
  const e: IrEdge = { from: { node: from, port: output }, to: { node: to, port } };
  if (ref.port) e.named = true;
  if (ref.output) e.select = true;
  return e;
}

/** A node as written, before the checker adds what it knows: an invalid node until proven otherwise. */
function shadowNode(d: A.StepDecl | A.UseDecl, nodeId: string): NodeOf<"invalid"> {
  const n: Record<string, unknown> = { id: nodeId, name: d.name.name, kind: "invalid", written: writtenKind(d), body: d.kind === "step" ? d.body.map(stmt) : [], config: {}, ports: { inputs: [], outputs: [] } };
  writtenRest(n, d);
  return n as unknown as NodeOf<"invalid">;
}

/**
 * The node of a step, built once in its final key order (id, name, kind, then what the text
 * says, then what the kind adds): a 10,000-step program lowers 10,000 of them, and copying
 * each through spreads was a third of lowering.
 */
function node(s: StepInfo, origin: IrNode["origin"]): IrNode {
  const d = s.decl;
  // A kind the checker could not fully decode stays invalid (its errors are reported).
  const valid = !!s.kind && !!s.body && s.configOk;
  const n = (valid ? { id: s.id, name: d.name.name, kind: s.kind } : { id: s.id, name: d.name.name, kind: "invalid", written: s.kind && d.kind === "use" ? s.kind : writtenKind(d) }) as Record<string, unknown>;
  n.body = d.kind === "step" ? d.body.map(stmt) : [];
  // The checker proved a valid step's config against its kind's schema (`configOk`).
  n.config = s.config;
  const outputs: IrNode["ports"]["outputs"] = [];
  for (const [port, a] of s.outputs) outputs.push({ port, artifact: artifact(a) });
  n.ports = { inputs: s.inputs.map((i) => ({ port: i.port, artifact: artifact(i.artifact) })), outputs };
  writtenRest(n, d);
  if (origin) n.origin = origin;
  if (valid) decodeBody(s.kind as KindName, s, s.body!, n);
  return n as unknown as IrNode;
}

const writtenKind = (d: A.StepDecl | A.UseDecl) => (d.kind === "use" ? "" : d.stepKind.name);

/** What follows a node's ports, as written: its span, comments, and how it was declared. */
function writtenRest(n: Record<string, unknown>, d: A.StepDecl | A.UseDecl): void {
  n.span = d.span;
  putComments(n, d);
  if (d.kind === "use") n.use = d.of.name;
  if (d.kind === "step" && !d.inputs) n.bare = true;
  if (d.kind === "step" && d.output) n.declared = d.output.schema ? { name: d.output.name.name, schema: d.output.schema.name } : { name: d.output.name.name };
}

/**
 * What a checked step's kind adds to its node: its body decoded and typed. Loops that push,
 * not flatMap: a flatMap makes an array per statement, and lowering runs over every body.
 */
function decodeBody(kind: KindName, s: StepInfo, body: A.StepDecl, n: Record<string, unknown>): void {
  const ops = body.body;
  const types = s.types;
  const names = (k: "by" | "key" | "keep"): string[] => {
    const out: string[] = [];
    for (const o of ops) if (o.kind === k) for (const c of o.columns) if (!out.includes(c.name)) out.push(c.name);
    return out;
  };
  const columnDefs = (): IrColumnDef[] => {
    const out: IrColumnDef[] = [];
    for (const o of ops) if (o.kind === "column") out.push({ name: o.name.name, type: columnType(resolveType(o.type, ignore)), value: texpr(o.value, types) });
    return out;
  };
  switch (kind) {
    case "cleanse": {
      const out: IrCleanseOp[] = [];
      for (const o of ops) {
        const op = cleanseOp(o, types);
        if (op) out.push(op);
      }
      n.ops = out;
      return;
    }
    case "aggregate":
      n.by = names("by");
      n.columns = columnDefs();
      if (s.windowTime) n.time = s.windowTime;
      return;
    case "join":
      n.keys = joinKeys((s.config as unknown as ConfigOf<"join">).on)!;
      return;
    case "features":
      n.key = names("key");
      n.keep = names("keep");
      n.columns = columnDefs();
      return;
    case "tune":
      n.search = searchOf(ops);
      return;
    case "evaluate": {
      const out: IrRequire[] = [];
      for (const o of ops) {
        const r = o.kind === "require" ? requireOf(o) : undefined;
        if (r) out.push(r);
      }
      n.require = out;
      return;
    }
    default:
      return;
  }
}

const ignore = () => {};

/**
 * A number JSON can hold. `1e400` is already an error (MLP0109) and prints from its `raw`
 * spelling; its value must still survive JSON, or the document would not reload.
 */
const finite = (v: number) => (Number.isFinite(v) ? v : 0);

/** An attribute value as data, or undefined where the checker reported it cannot be decoded. */
function decodeOrUndefined(e: A.Expr): unknown {
  try {
    return decode(e);
  } catch (err) {
    if (err instanceof DecodeError) return undefined;
    throw err;
  }
}

/** `keep latest COL` / `keep earliest COL` of a dedupe, as the IR's optional field (absent when neither). */
function keepOf(o: { latest?: A.Ident; earliest?: A.Ident }): { latest: string } | { earliest: string } | Record<string, never> {
  if (o.latest) return { latest: o.latest.name };
  if (o.earliest) return { earliest: o.earliest.name };
  return {};
}

function cleanseOp(o: A.BodyStmt, types: StepInfo["types"]): IrCleanseOp | undefined {
  switch (o.kind) {
    case "filter": return { op: "filter", cond: texpr(o.cond, types) };
    case "fill": return { op: "fill", column: o.column.name, value: texpr(o.value, types) };
    case "derive": return { op: "derive", column: o.column.name, value: texpr(o.value, types) };
    case "drop": return { op: "drop", columns: o.columns.map((c) => c.name) };
    case "rename": return { op: "rename", from: o.from.name, to: o.to.name };
    case "cast": return { op: "cast", column: o.column.name, type: columnType(resolveType(o.type, ignore)) };
    case "dedupe": return { op: "dedupe", by: o.by.map((c) => c.name), ...keepOf(o) };
    default: return undefined;
  }
}

/** A gate's line; one whose value is not a number was reported by the checker and is left out. */
function requireOf(o: A.Op & { kind: "require" }): IrRequire | undefined {
  const v = o.value;
  const value = v.kind === "number" ? v.value : v.kind === "unary" && v.op === "-" && v.operand.kind === "number" ? -v.operand.value : NaN;
  return Number.isFinite(value) ? { metric: o.metric.name, op: o.op, value } : undefined;
}

/** `search { lr = loguniform(1e-5, 1e-2) }`, each space in one shape (`choice` always lists its values). */
function searchOf(ops: readonly A.BodyStmt[]): IrSearchParam[] {
  const out: IrSearchParam[] = [];
  for (const b of ops) {
    if (b.kind !== "block" || b.name.name !== "search") continue;
    for (const a of b.body) {
      if (a.kind !== "attr") continue;
      const space = searchSpaceOf(decodeOrUndefined(a.value));
      if (space) out.push({ param: a.name.name, space });
    }
  }
  return out;
}

/** A column expression with the types the checker recorded for this step. */
export function texpr(e: A.Expr, types: ReadonlyMap<A.Expr, ColumnType>): IrTExpr {
  const type = columnType(types.get(e) ?? UNKNOWN_TYPE, true);
  switch (e.kind) {
    case "ref": return { type, kind: "ref", name: e.name };
    case "number": return { type, kind: "number", value: finite(e.value), raw: e.raw };
    case "string": return { type, kind: "string", value: e.value };
    case "bool": return { type, kind: "bool", value: e.value };
    case "null": return { type, kind: "null" };
    case "duration": return { type, kind: "duration", raw: e.raw, ms: finite(durationMs(e.raw)) };
    case "call": return { type, kind: "call", callee: e.callee.name, args: e.args.map((a) => texpr(a.value, types)) };
    case "binary": return { type, kind: "binary", op: e.op, left: texpr(e.left, types), right: texpr(e.right, types) };
    case "unary": return { type, kind: "unary", op: e.op, operand: texpr(e.operand, types) };
    case "isnull": return { type, kind: "isnull", operand: texpr(e.operand, types), negated: e.negated };
    default:
      // Lists, objects, ranges and sizes are not column values (the checker reported them).
      return { type: { kind: "unknown", nullable: true }, kind: "null" };
  }
}

function schema(d: A.SchemaDecl, columns: readonly Column[]): IrSchema {
  return { name: d.name.name, fields: d.fields.map((f) => ({ name: f.name.name, type: typeRef(f.type), ...comments(f) })), columns: columns.map(column), span: d.span, ...comments(d) };
}

/** Each port's artifact; ports that carry the same checked artifact share one IR artifact. */
export function artifact(a: Artifact): IrArtifact {
  let ir = artifacts.get(a);
  if (!ir) artifacts.set(a, (ir = irArtifact(a)));
  return ir;
}
const artifacts = new WeakMap<Artifact, IrArtifact>();

function irArtifact(a: Artifact): IrArtifact {
  switch (a.kind) {
    case "Table":
    case "Stream":
    case "Features": {
      const out: IrArtifact = { type: a.kind, columns: columns(a.schema) };
      if (a.schema.name) out.schema = a.schema.name;
      if (a.kind === "Features") {
        out.streaming = a.streaming;
        out.keys = a.keys;
      }
      if (a.kind !== "Table" && a.eventTime) out.eventTime = a.eventTime;
      if (a.kind !== "Stream" && a.history) out.history = a.history;
      return out;
    }
    case "Model":
      return {
        type: "Model",
        model: { input: columns(a.input), label: a.label, labelType: columnType(a.labelType), task: a.task, hyperparams: a.hyperparams, gated: a.gated },
      };
    default:
      return { type: a.kind };
  }
}

const column = (c: Column): IrColumn => ({ name: c.name, type: columnType(c.type) });

/** Many ports carry the same schema object; convert each once. */
const columnsCache = new WeakMap<Schema, IrColumn[]>();
function columns(s: Schema): IrColumn[] {
  let cols = columnsCache.get(s);
  if (!cols) columnsCache.set(s, (cols = s.columns.map(column)));
  return cols;
}

const UNKNOWN_TYPE: ColumnType = { kind: "unknown", nullable: true };

/**
 * A column's type; `inExpr`: an expression's, which may also be a duration or the null literal.
 * The checker shares type objects between columns and expressions; so does the IR, one per type.
 * A scalar's IR type is one object per kind and nullability, read from a table: lowering asks
 * for a type per column and per typed expression (half a million at 10,000 steps), and a weak
 * map's lookup cost more than the rest of lowering a column.
 */
function columnType(t: ColumnType, inExpr = false): IrType {
  const plain = PLAIN[t.kind];
  if (plain) return t.nullable ? plain.nullable : plain.notNull;
  const cache = inExpr ? exprTypes : columnTypes;
  let ir = cache.get(t);
  if (!ir) cache.set(t, (ir = irType(t, inExpr)));
  return ir;
}
const columnTypes = new WeakMap<ColumnType, IrType>();
const exprTypes = new WeakMap<ColumnType, IrType>();
const PLAIN: Partial<Record<ColumnType["kind"], { notNull: IrType; nullable: IrType }>> = Object.fromEntries(
  [...SCALAR_KINDS, "unknown"].map((kind) => [kind, { notNull: { kind, nullable: false }, nullable: { kind, nullable: true } } as { notNull: IrType; nullable: IrType }]),
);

function irType(t: ColumnType, inExpr: boolean): IrType {
  switch (t.kind) {
    case "enum":
      return { kind: "enum", members: t.members, nullable: t.nullable };
    case "vector":
      return { kind: "vector", size: t.size, nullable: t.nullable };
    case "null":
      return inExpr ? { kind: "null", nullable: true } : { kind: "unknown", nullable: true };
    case "duration":
      return inExpr ? { kind: "duration", nullable: t.nullable } : { kind: "unknown", nullable: t.nullable };
    default:
      return { kind: t.kind, nullable: t.nullable };
  }
}

export function comments(n: A.Comments & { inner?: string[] }): IrComments {
  return putComments({}, n);
}

/** `n`'s comments added to `o`, after its other keys (no copy of `o`, as a spread would make). */
function putComments<T extends object>(o: T, n: A.Comments & { inner?: string[] }): T & IrComments {
  const c = o as T & IrComments;
  if (n.leading) c.leading = n.leading;
  if (n.trailing !== undefined) c.trailing = n.trailing;
  if (n.head !== undefined) c.head = n.head;
  if (n.inner) c.inner = n.inner;
  return c;
}

const attr = (a: A.Attr) => putComments({ name: a.name.name, value: expr(a.value) }, a);

export function typeRef(t: A.TypeRef): IrTypeRef {
  const r: IrTypeRef = { name: t.name.name, nullable: t.nullable };
  if (t.args) r.args = t.args.map(expr);
  return r;
}

export function stmt(s: A.BodyStmt): IrStmt {
  return putComments(stmtOnly(s), s);
}

function stmtOnly(s: A.BodyStmt): IrStmt {
  switch (s.kind) {
    case "attr": return { kind: "attr", name: s.name.name, value: expr(s.value) };
    case "column": return { kind: "column", name: s.name.name, type: typeRef(s.type), value: expr(s.value) };
    case "block": return { kind: "block", name: s.name.name, body: s.body.map(stmt) };
    case "filter": return { kind: "filter", cond: expr(s.cond) };
    case "fill": return { kind: "fill", column: s.column.name, value: expr(s.value) };
    case "derive": return { kind: "derive", column: s.column.name, value: expr(s.value) };
    case "drop": return { kind: "drop", columns: s.columns.map((x) => x.name) };
    case "rename": return { kind: "rename", from: s.from.name, to: s.to.name };
    case "cast": return { kind: "cast", column: s.column.name, type: typeRef(s.type) };
    case "dedupe": return { kind: "dedupe", by: s.by.map((x) => x.name), ...keepOf(s) };
    case "by": return { kind: "by", columns: s.columns.map((x) => x.name) };
    case "key": return { kind: "key", columns: s.columns.map((x) => x.name) };
    case "keep": return { kind: "keep", columns: s.columns.map((x) => x.name) };
    case "require": return { kind: "require", metric: s.metric.name, op: s.op, value: expr(s.value) };
  }
}

export function expr(e: A.Expr): IrExpr {
  switch (e.kind) {
    case "ref": return { kind: "ref", name: e.name };
    case "number": return { kind: "number", value: finite(e.value), raw: e.raw };
    case "string": return { kind: "string", value: e.value };
    case "bool": return { kind: "bool", value: e.value };
    case "null": return { kind: "null" };
    case "duration": return { kind: "duration", raw: e.raw };
    case "size": return { kind: "size", raw: e.raw };
    case "range": return { kind: "range", lo: expr(e.lo), hi: expr(e.hi) };
    case "list": return { kind: "list", items: e.items.map(expr) };
    case "object": return { kind: "object", entries: e.entries.map((x) => ({ key: x.key.name, value: expr(x.value) })) };
    case "call": return { kind: "call", callee: e.callee.name, args: e.args.map((a) => (a.name ? { name: a.name.name, value: expr(a.value) } : { value: expr(a.value) })) };
    case "binary": return { kind: "binary", op: e.op, left: expr(e.left), right: expr(e.right) };
    case "unary": return { kind: "unary", op: e.op, operand: expr(e.operand) };
    case "isnull": return { kind: "isnull", operand: expr(e.operand), negated: e.negated };
    case "error": return { kind: "error" };
  }
}
