// lower: checked program -> graph IR. Reads the checker's output, never changes it.
import type * as A from "../language/ast";
import type { CheckedProgram, StepInfo } from "../language/checker/model";
import type { Artifact, Column, ColumnType, Schema } from "../language/types";
import { IR_VERSION, type IrArtifact, type IrColumn, type IrComments, type IrDeclRef, type IrDocument, type IrEdge, type IrExpr, type IrNode, type IrSchema, type IrStmt, type IrTypeRef } from "./ir";

export function lower(p: CheckedProgram): IrDocument {
  const entry = p.entry;
  const decls = entry.ast.decls;
  const idOf = new Map<StepInfo, string>(p.order.map((s) => [s, s.id]));
  const importOf = new Map<string, string>();
  for (const [name, v] of entry.imports) importOf.set(name, v.from);

  const idByName = (name: string) => entry.steps.get(name)?.id ?? entry.imports.get(name)?.step?.id ?? name;
  const nodes: IrNode[] = [];
  const edges: IrEdge[] = [];
  // Entry steps in source order (an erroneous cycle leaves some out of p.order), then imported ones.
  const local = [...entry.steps.values()];
  const steps = [...local, ...p.order.filter((s) => s.file !== entry.path)];
  for (const s of steps) {
    nodes.push(node(s, s.file === entry.path ? undefined : { file: s.file, ...(importOf.has(s.name) && entry.imports.get(s.name)?.step === s ? { import: importOf.get(s.name)! } : {}) }));
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
  const doc: IrDocument = {
    version: IR_VERSION,
    file: entry.path,
    pipeline: pipeline ? { name: pipeline.name.name, attrs: pipeline.body.map(attr), settings: entry.pipelineConfig, span: pipeline.span, ...comments(pipeline) } : null,
    imports: decls.filter((d): d is A.ImportDecl => d.kind === "import").map((d) => ({ names: d.names.map((n) => n.name), from: d.from.value, span: d.span, ...comments(d) })),
    schemas,
    nodes,
    edges,
    variants: decls
      .filter((d): d is A.VariantDecl => d.kind === "variant")
      .map((d) => ({ name: d.name.name, overrides: d.overrides.map((o) => ({ path: o.path.map((x) => x.name), value: expr(o.value), ...comments(o) })), span: d.span, ...comments(d) })),
    targets: decls
      .filter((d): d is A.TargetDecl => d.kind === "target")
      .map((d) => ({ name: d.name.name, attrs: d.body.map(attr), settings: entry.targets.get(d.name.name) ?? {}, span: d.span, ...comments(d) })),
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

/** A node as written, before the checker adds what it knows (config, typed ports). */
function shadowNode(d: A.StepDecl | A.UseDecl, nodeId: string): IrNode {
  const n: IrNode = {
    id: nodeId,
    name: d.name.name,
    kind: d.kind === "use" ? "" : d.stepKind.name,
    body: d.kind === "step" ? d.body.map(stmt) : [],
    config: {},
    ports: { inputs: [], outputs: [] },
    span: d.span,
    ...comments(d),
  };
  if (d.kind === "use") n.use = d.of.name;
  if (d.kind === "step" && !d.inputs) n.bare = true;
  if (d.kind === "step" && d.output) n.declared = d.output.schema ? { name: d.output.name.name, schema: d.output.schema.name } : { name: d.output.name.name };
  return n;
}

function node(s: StepInfo, origin: IrNode["origin"]): IrNode {
  const n = shadowNode(s.decl, s.id);
  if (s.decl.kind === "use") n.kind = s.kind ?? "";
  n.config = s.config;
  n.ports = {
    inputs: s.inputs.map((i) => ({ port: i.port, artifact: artifact(i.artifact) })),
    outputs: [...s.outputs].map(([port, a]) => ({ port, artifact: artifact(a) })),
  };
  if (origin) n.origin = origin;
  return n;
}

function schema(d: A.SchemaDecl, columns: readonly Column[]): IrSchema {
  return { name: d.name.name, fields: d.fields.map((f) => ({ name: f.name.name, type: typeRef(f.type), ...comments(f) })), columns: columns.map(column), span: d.span, ...comments(d) };
}

export function artifact(a: Artifact): IrArtifact {
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

function columnType(t: ColumnType): IrColumn["type"] {
  switch (t.kind) {
    case "enum":
      return { kind: "enum", members: t.members, nullable: t.nullable };
    case "vector":
      return { kind: "vector", size: t.size, nullable: t.nullable };
    case "duration":
    case "null":
      return { kind: "unknown", nullable: t.nullable };
    default:
      return { kind: t.kind, nullable: t.nullable };
  }
}

export function comments(n: A.Comments & { inner?: string[] }): IrComments {
  const c: IrComments = {};
  if (n.leading) c.leading = n.leading;
  if (n.trailing !== undefined) c.trailing = n.trailing;
  if (n.head !== undefined) c.head = n.head;
  if (n.inner) c.inner = n.inner;
  return c;
}

const attr = (a: A.Attr) => ({ name: a.name.name, value: expr(a.value), ...comments(a) });

export function typeRef(t: A.TypeRef): IrTypeRef {
  const r: IrTypeRef = { name: t.name.name, nullable: t.nullable };
  if (t.args) r.args = t.args.map(expr);
  return r;
}

export function stmt(s: A.BodyStmt): IrStmt {
  const c = comments(s);
  switch (s.kind) {
    case "attr": return { kind: "attr", name: s.name.name, value: expr(s.value), ...c };
    case "column": return { kind: "column", name: s.name.name, type: typeRef(s.type), value: expr(s.value), ...c };
    case "block": return { kind: "block", name: s.name.name, body: s.body.map(stmt), ...c };
    case "filter": return { kind: "filter", cond: expr(s.cond), ...c };
    case "fill": return { kind: "fill", column: s.column.name, value: expr(s.value), ...c };
    case "derive": return { kind: "derive", column: s.column.name, value: expr(s.value), ...c };
    case "drop": return { kind: "drop", columns: s.columns.map((x) => x.name), ...c };
    case "rename": return { kind: "rename", from: s.from.name, to: s.to.name, ...c };
    case "cast": return { kind: "cast", column: s.column.name, type: typeRef(s.type), ...c };
    case "dedupe": return s.latest ? { kind: "dedupe", by: s.by.map((x) => x.name), latest: s.latest.name, ...c } : { kind: "dedupe", by: s.by.map((x) => x.name), ...c };
    case "by": return { kind: "by", columns: s.columns.map((x) => x.name), ...c };
    case "key": return { kind: "key", columns: s.columns.map((x) => x.name), ...c };
    case "keep": return { kind: "keep", columns: s.columns.map((x) => x.name), ...c };
    case "require": return { kind: "require", metric: s.metric.name, op: s.op, value: expr(s.value), ...c };
  }
}

export function expr(e: A.Expr): IrExpr {
  switch (e.kind) {
    case "ref": return { kind: "ref", name: e.name };
    case "number": return { kind: "number", value: e.value, raw: e.raw };
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
