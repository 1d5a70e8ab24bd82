// print: graph IR -> .mlp text. Raises the IR back to a syntax tree (spans are not
// needed to print) and hands it to the formatter, so a graph prints exactly as the
// formatted file it came from.
import type * as A from "../language/ast";
import { format } from "../language/formatter";
import { NO_SPAN } from "../language/span";
import { isWritableComment, isWritableName, writtenKind, type IrComments, type IrEdge, type IrExpr, type IrStmt, type IrTypeRef, type IrWrittenDocument } from "./ir";

/** Printing reads only what was written, so any document version it can parse prints. */
type WrittenNode = IrWrittenDocument["nodes"][number];

export function print(ir: IrWrittenDocument): string {
  return format(raise(ir));
}

/**
 * The IR holds something that has no .mlp spelling (a name with a space, a comment with a
 * line break): printed as is, it would read back as other declarations, so printing stops.
 * parseWrittenIr refuses such documents first; this guards IRs built in memory (the editor).
 */
export class NotWritableError extends Error {
  override name = "NotWritableError";
}

const S = NO_SPAN;
const id = (name: string): A.Ident => {
  if (!isWritableName(name)) throw new NotWritableError(`${JSON.stringify(name)} is not an identifier`);
  return { kind: "ident", name, span: S };
};
const LITERAL = { number: /^-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?$/, duration: /^\d+(?:ms|s|m|h|d)$/, size: /^\d+(?:KiB|MiB|GiB|TiB)$/ };
function raw(kind: keyof typeof LITERAL, text: string): string {
  if (!LITERAL[kind].test(text)) throw new NotWritableError(`${JSON.stringify(text)} is not a ${kind} literal`);
  return text;
}
function commentLines<T extends string | string[] | undefined>(c: T): T {
  for (const line of c === undefined ? [] : typeof c === "string" ? [c] : c)
    if (!isWritableComment(line)) throw new NotWritableError(`the comment ${JSON.stringify(line)} is not one line`);
  return c;
}

function withComments<T extends object>(target: T, c: IrComments): T & A.Comments & { inner?: string[] } {
  const out = target as T & A.Comments & { inner?: string[] };
  if (c.leading) out.leading = commentLines(c.leading);
  if (c.trailing !== undefined) out.trailing = commentLines(c.trailing);
  if (c.head !== undefined) out.head = commentLines(c.head);
  if (c.inner) out.inner = commentLines(c.inner);
  return out;
}

export function raise(ir: IrWrittenDocument): A.SourceFileAst {
  const decls: A.Decl[] = [];
  const placed = new Set<string>();
  const nodes = new Map(ir.nodes.map((n) => [n.id, n]));
  const inputsOf = new Map<string, IrEdge[]>();
  for (const e of ir.edges) {
    const list = inputsOf.get(e.to.node) ?? [];
    list.push(e);
    inputsOf.set(e.to.node, list);
  }
  // An erroneous program's edge may come from a step that does not exist: its id is the name written.
  const nameOf = (nodeId: string) => nodes.get(nodeId)?.name ?? nodeId;

  const emit = (ref: IrWrittenDocument["order"][number]): void => {
    const key = JSON.stringify(ref);
    if (placed.has(key)) return;
    placed.add(key);
    switch (ref.kind) {
      case "import": {
        const d = ir.imports[ref.index];
        if (d) decls.push(withComments<A.ImportDecl>({ kind: "import", names: d.names.map(id), from: { value: rawString(d.from), span: S }, span: S }, d));
        return;
      }
      case "pipeline":
        if (ir.pipeline) decls.push(withComments<A.PipelineDecl>({ kind: "pipeline", name: id(ir.pipeline.name), body: ir.pipeline.attrs.map(attr), span: S }, ir.pipeline));
        return;
      case "schema": {
        const s = ir.schemas[ref.index];
        if (s && !s.origin)
          decls.push(withComments<A.SchemaDecl>({ kind: "schema", name: id(s.name), fields: s.fields.map((f) => withComments<A.SchemaField>({ name: id(f.name), type: typeRef(f.type), span: S }, f)), span: S }, s));
        return;
      }
      case "node": {
        const n = nodes.get(ref.id);
        if (n && !n.origin) decls.push(step(n, inputsOf.get(n.id) ?? [], nameOf));
        return;
      }
      case "variant": {
        const v = ir.variants[ref.index];
        if (v)
          decls.push(withComments<A.VariantDecl>({ kind: "variant", name: id(v.name), overrides: v.overrides.map((o) => withComments<A.Override>({ path: o.path.map((p, i) => (i === 0 && p === "pipeline" ? { kind: "ident", name: p, span: S } : id(p))), value: expr(o.value), span: S }, o)), span: S }, v));
        return;
      }
      case "target": {
        const t = ir.targets[ref.index];
        if (t) decls.push(withComments<A.TargetDecl>({ kind: "target", name: id(t.name), body: t.attrs.map(attr), span: S }, t));
        return;
      }
      case "layout":
        if (ir.layout) decls.push(withComments<A.LayoutDecl>({ kind: "layout", entries: ir.layout.entries.map(attr), span: S }, ir.layout));
        return;
    }
  };

  for (const ref of ir.order) emit(ref);
  // Declarations added to the graph (e.g. by the editor) without a place in `order` go where a reader expects them.
  ir.imports.forEach((_, index) => emit({ kind: "import", index }));
  if (ir.pipeline) emit({ kind: "pipeline" });
  ir.schemas.forEach((_, index) => emit({ kind: "schema", index }));
  for (const n of ir.nodes) emit({ kind: "node", id: n.id });
  ir.variants.forEach((_, index) => emit({ kind: "variant", index }));
  ir.targets.forEach((_, index) => emit({ kind: "target", index }));
  if (ir.layout) emit({ kind: "layout" });

  const ast: A.SourceFileAst = { path: ir.file, decls };
  if (ir.trailing) ast.trailing = commentLines(ir.trailing);
  return ast;
}

function step(n: WrittenNode, inputs: IrEdge[], nameOf: (id: string) => string): A.Decl {
  const refs: A.InputRef[] = inputs.map((e) => {
    const r: A.InputRef = { step: id(nameOf(e.from.node)), span: S };
    if (e.named) r.port = id(e.to.port);
    if (e.select) r.output = id(e.from.port);
    return r;
  });
  if (n.use !== undefined) return withComments<A.UseDecl>({ kind: "use", name: id(n.name), of: id(n.use), inputs: refs, span: S }, n);
  const d: A.StepDecl = { kind: "step", stepKind: id(writtenKind(n)), name: id(n.name), body: n.body.map(stmt), span: S };
  if (!n.bare) d.inputs = refs;
  if (n.declared) d.output = { kind: "artifact", name: id(n.declared.name), ...(n.declared.schema !== undefined ? { schema: id(n.declared.schema) } : {}), span: S };
  return withComments(d, n);
}

const attr = (a: { name: string; value: IrExpr } & IrComments): A.Attr => withComments<A.Attr>({ kind: "attr", name: id(a.name), value: expr(a.value), span: S }, a);

function typeRef(t: IrTypeRef): A.TypeRef {
  const r: A.TypeRef = { kind: "type", name: id(t.name), nullable: t.nullable, span: S };
  if (t.args) r.args = t.args.map(expr);
  return r;
}

function stmt(s: IrStmt): A.BodyStmt {
  const base = { span: S, keyword: S };
  switch (s.kind) {
    case "attr": return attr(s);
    case "column": return withComments<A.ColumnDef>({ kind: "column", name: id(s.name), type: typeRef(s.type), value: expr(s.value), span: S }, s);
    case "block": return withComments<A.Block>({ kind: "block", name: id(s.name), body: s.body.map(stmt), span: S }, s);
    case "filter": return withComments<A.Op>({ ...base, kind: "filter", cond: expr(s.cond) }, s);
    case "fill": return withComments<A.Op>({ ...base, kind: "fill", column: id(s.column), value: expr(s.value) }, s);
    case "derive": return withComments<A.Op>({ ...base, kind: "derive", column: id(s.column), value: expr(s.value) }, s);
    case "drop": return withComments<A.Op>({ ...base, kind: "drop", columns: s.columns.map(id) }, s);
    case "rename": return withComments<A.Op>({ ...base, kind: "rename", from: id(s.from), to: id(s.to) }, s);
    case "cast": return withComments<A.Op>({ ...base, kind: "cast", column: id(s.column), type: typeRef(s.type) }, s);
    case "dedupe": {
      const op: A.Op = { ...base, kind: "dedupe", by: s.by.map(id) };
      if (s.latest !== undefined) op.latest = id(s.latest);
      else if (s.earliest !== undefined) op.earliest = id(s.earliest);
      return withComments<A.Op>(op, s);
    }
    case "by": return withComments<A.Op>({ ...base, kind: "by", columns: s.columns.map(id) }, s);
    case "key": return withComments<A.Op>({ ...base, kind: "key", columns: s.columns.map(id) }, s);
    case "keep": return withComments<A.Op>({ ...base, kind: "keep", columns: s.columns.map(id) }, s);
    case "require": return withComments<A.Op>({ ...base, kind: "require", metric: id(s.metric), op: s.op, value: expr(s.value) }, s);
  }
}

export function expr(e: IrExpr): A.Expr {
  switch (e.kind) {
    case "ref": return { kind: "ref", name: id(e.name).name, span: S };
    case "number": return { kind: "number", value: e.value, raw: raw("number", e.raw), span: S };
    case "string":
      if (e.value.includes("\r")) throw new NotWritableError("a string holds a carriage return, which has no escape");
      return { kind: "string", value: e.value, span: S };
    case "bool": return { kind: "bool", value: e.value, span: S };
    case "null": return { kind: "null", span: S };
    case "duration": return { kind: "duration", raw: raw("duration", e.raw), span: S };
    case "size": return { kind: "size", raw: raw("size", e.raw), span: S };
    case "range": return { kind: "range", lo: expr(e.lo), hi: expr(e.hi), span: S };
    case "list": return { kind: "list", items: e.items.map(expr), span: S };
    case "object": return { kind: "object", entries: e.entries.map((x) => ({ key: id(x.key), value: expr(x.value) })), span: S };
    case "call": return { kind: "call", callee: id(e.callee), args: e.args.map((a) => (a.name !== undefined ? { name: id(a.name), value: expr(a.value) } : { value: expr(a.value) })), span: S };
    case "binary": return { kind: "binary", op: e.op, left: expr(e.left), right: expr(e.right), span: S };
    case "unary": return { kind: "unary", op: e.op, operand: expr(e.operand), span: S };
    case "isnull": return { kind: "isnull", operand: expr(e.operand), negated: e.negated, span: S };
    case "error": return { kind: "error", span: S };
  }
}

function rawString(s: string): string {
  if (s.includes("\r")) throw new NotWritableError("a string holds a carriage return, which has no escape");
  return s;
}
