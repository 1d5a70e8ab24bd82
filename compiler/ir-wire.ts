// The written form of the graph IR from version 3 on: how an IrDocument becomes JSON text and
// back. The in-memory document (ir.ts) is what targets, the printer and the editor read; only
// `mlp graph` writes this form and only parseIr / parseWrittenIr read it. The reasons for its
// shape are at the top of ir.ts.
import type { IrArtifact, IrColumn, IrDocument, IrSpan, IrType } from "./ir";

/** A problem in the shape of a written document, at its JSON path. */
export class WireError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message);
  }
}

type Json = unknown;
type Obj = Record<string, Json>;
type Enc = (v: Json, t: Tables) => Json;
type Dec = (v: Json, r: Refs, path: string) => Json;
interface Codec {
  enc: Enc;
  dec: Dec;
}

// ---------- helpers ----------

const isObj = (v: Json): v is Obj => v !== null && typeof v === "object" && !Array.isArray(v);
/** Sets an own property whatever its name: a written key may be `__proto__` (F14), which plain assignment would take as the prototype. */
function put(o: Obj, k: string, v: Json): void {
  if (k === "__proto__") Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  else o[k] = v;
}
const join = (path: string, k: string | number) => (path ? `${path}.${k}` : String(k));
function fail(path: string, message: string): never {
  throw new WireError(path, message);
}
function list(v: Json, path: string): Json[] {
  if (!Array.isArray(v)) fail(path, "expected a list");
  return v;
}
const same: Codec = { enc: (v) => v, dec: (v) => v };
const arrayOf = (c: Codec): Codec => ({
  enc: (v, t) => (Array.isArray(v) ? v.map((x) => c.enc(x, t)) : v),
  dec: (v, r, path) => list(v, path).map((x, i) => c.dec(x, r, join(path, i))),
});

// ---------- shared tables: types, column lists, artifacts ----------

/** Interns values on write, in first-use order, so the same document always gives the same bytes. */
class Table<T> {
  readonly items: Json[] = [];
  private readonly byKey = new Map<string, number>();
  /** Lowering shares some values (a schema's column list) among many ports: known by identity, they are not keyed again. */
  private readonly byRef = new WeakMap<object, number>();
  constructor(
    private readonly wire: (v: T) => Json,
    private readonly key: (v: T, wire: () => Json) => string = (_v, w) => JSON.stringify(w()),
    private readonly shared = false,
  ) {}
  index(v: T): number {
    const known = this.shared ? this.byRef.get(v as object) : undefined;
    if (known !== undefined) return known;
    let w: Json;
    const wire = () => (w ??= this.wire(v));
    let i = this.byKey.get(this.key(v, wire));
    if (i === undefined) {
      i = this.items.length;
      this.items.push(wire());
      this.byKey.set(this.key(v, wire), i);
    }
    if (this.shared) this.byRef.set(v as object, i);
    return i;
  }
}

class Tables {
  constructor(readonly nodeIndex: ReadonlyMap<string, number>) {}
  // A type's fields in a fixed order, so two equal types written in another key order still share.
  readonly types = new Table<IrType>(
    (t) => {
      const o: Obj = { kind: t.kind };
      if (t.kind === "enum") o.members = t.members;
      if (t.kind === "vector") o.size = t.size;
      o.nullable = t.nullable;
      return o;
    },
    // Every typed expression has a type object of its own: a cheap key rather than its JSON.
    (t) => `${t.kind}|${t.nullable}|${t.kind === "enum" ? JSON.stringify(t.members) : t.kind === "vector" ? t.size : ""}`,
  );
  readonly columns = new Table<IrColumn[]>((cs) => cs.map((c) => [c.name, this.types.index(c.type)]), undefined, true);
  readonly artifacts = new Table<IrArtifact>((a) => {
    const o: Obj = {};
    for (const [k, v] of Object.entries(a)) {
      if (v === undefined) continue;
      if (k === "columns") put(o, k, this.columns.index(v as IrColumn[]));
      else if (k === "model") {
        const m = v as NonNullable<IrArtifact["model"]>;
        put(o, k, { ...m, input: this.columns.index(m.input), labelType: this.types.index(m.labelType) });
      } else put(o, k, v);
    }
    return o;
  });
}

/** The tables of a document being read, resolved in order (each refers only to the ones before it). */
interface Refs {
  /** The id of each node, by its index in `nodes`. */
  nodeIds: Json[];
  types: Json[];
  columns: Json[];
  artifacts: Json[];
}

function ref(table: Json[], v: Json, path: string, what: string): Json {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v >= table.length) fail(path, `expected the index of one of the ${table.length} ${what}`);
  return table[v];
}
const typeRef: Codec = { enc: (v, t) => t.types.index(v as IrType), dec: (v, r, path) => ref(r.types, v, path, "types") };
const artifactRef: Codec = { enc: (v, t) => t.artifacts.index(v as IrArtifact), dec: (v, r, path) => ref(r.artifacts, v, path, "artifacts") };

function readTables(doc: Obj): Refs {
  const nodeIds = Array.isArray(doc.nodes) ? doc.nodes.map((n) => (isObj(n) ? (n.id ?? n.name) : undefined)) : [];
  const r: Refs = { nodeIds, types: [], columns: [], artifacts: [] };
  r.types = list(doc.types ?? [], "types").map((t, i) => (isObj(t) ? t : fail(`types.${i}`, "expected a type object")));
  r.columns = list(doc.columns ?? [], "columns").map((cs, i) =>
    list(cs, `columns.${i}`).map((c, j) => {
      const p = `columns.${i}.${j}`;
      const [name, type] = list(c, p);
      return { name, type: ref(r.types, type, `${p}.1`, "types") };
    }),
  );
  r.artifacts = list(doc.artifacts ?? [], "artifacts").map((a, i) => {
    const p = `artifacts.${i}`;
    if (!isObj(a)) fail(p, "expected an artifact object");
    const o: Obj = {};
    for (const [k, v] of Object.entries(a)) {
      if (k === "columns") put(o, k, ref(r.columns, v, `${p}.columns`, "column lists"));
      else if (k === "model" && isObj(v)) put(o, k, { ...v, input: ref(r.columns, v.input, `${p}.model.input`, "column lists"), labelType: ref(r.types, v.labelType, `${p}.model.labelType`, "types") });
      else put(o, k, v);
    }
    return o;
  });
  return r;
}

// ---------- tuples: [tag?, required fields..., {optional fields}?] ----------

/**
 * An object written as a list: its tag (when the kind has one), its required fields in a fixed
 * order, then, only when one is set, an object of its optional fields (comments, mostly).
 */
function tuple(fields: readonly string[], codecs: Record<string, Codec> = {}, tagKey?: string): Codec {
  const required = new Set(fields);
  const codec = (k: string) => (Object.hasOwn(codecs, k) ? codecs[k]! : same);
  return {
    enc: (v, t) => {
      const o = v as Obj;
      const out: Json[] = tagKey ? [o[tagKey]] : [];
      for (const f of fields) out.push(codec(f).enc(o[f], t));
      let rest: Obj | undefined;
      for (const [k, x] of Object.entries(o)) {
        if (x === undefined || required.has(k) || k === tagKey) continue;
        put((rest ??= {}), k, codec(k).enc(x, t));
      }
      if (rest) out.push(rest);
      return out;
    },
    dec: (v, r, path) => {
      const a = list(v, path);
      const skip = tagKey ? 1 : 0;
      const n = skip + fields.length;
      if (a.length !== n && !(a.length === n + 1 && isObj(a[n]))) fail(path, `expected ${n} items${tagKey ? ` for ${JSON.stringify(a[0])}` : ""}, then optionally an object`);
      const o: Obj = {};
      if (tagKey) put(o, tagKey, a[0]);
      fields.forEach((f, i) => put(o, f, codec(f).dec(a[skip + i], r, join(path, skip + i))));
      const rest = a[n];
      if (isObj(rest)) for (const [k, x] of Object.entries(rest)) if (!required.has(k) && k !== tagKey) put(o, k, codec(k).dec(x, r, join(join(path, n), k)));
      return o;
    },
  };
}

/** A tagged union of tuples: the tag picks the fields. */
function tagged(tagKey: string, shapes: Record<string, Codec>): Codec {
  const pick = (tag: Json, path: string): Codec => (typeof tag === "string" && Object.hasOwn(shapes, tag) ? shapes[tag]! : fail(path, `unknown ${tagKey} ${JSON.stringify(tag)}`));
  return {
    enc: (v, t) => pick((v as Obj)[tagKey], "").enc(v, t),
    dec: (v, r, path) => pick(list(v, path)[0], join(path, 0)).dec(v, r, path),
  };
}

/** An object written as an object, some of its fields through their codecs; `id` left out where it is the name. */
function keyed(codecs: Record<string, Codec>, idFromName = false): Codec {
  return {
    enc: (v, t) => {
      const o: Obj = {};
      for (const [k, x] of Object.entries(v as Obj)) {
        if (x === undefined || (idFromName && k === "id" && x === (v as Obj).name)) continue;
        put(o, k, Object.hasOwn(codecs, k) ? codecs[k]!.enc(x, t) : x);
      }
      return o;
    },
    dec: (v, r, path) => {
      if (!isObj(v)) fail(path, "expected an object");
      const o: Obj = {};
      if (idFromName && !Object.hasOwn(v, "id")) put(o, "id", v.name);
      for (const [k, x] of Object.entries(v)) put(o, k, Object.hasOwn(codecs, k) ? codecs[k]!.dec(x, r, join(path, k)) : x);
      return o;
    },
  };
}

// ---------- spans ----------

const SPAN_KEYS = ["start", "line", "col", "end", "endLine", "endCol"] as const;
const span: Codec = {
  enc: (v) => SPAN_KEYS.map((k) => (v as IrSpan)[k]),
  dec: (v, _r, path) => {
    const a = list(v, path);
    if (a.length !== SPAN_KEYS.length) fail(path, "expected a span [start, line, col, end, endLine, endCol]");
    const o: Obj = {};
    SPAN_KEYS.forEach((k, i) => put(o, k, a[i]));
    return o;
  },
};

// ---------- expressions as written ----------

const BINARY = new Set(["or", "and", "==", "!=", "<", "<=", ">", ">=", "+", "-", "*", "/", "%"]);

/** `raw` is what the number is written as when it reads back as the same JSON number. */
const plainNumber = (value: number, raw: string) => Number.isFinite(value) && String(value) === raw && Object.is(Number(raw), value);

// A name is a bare string, a number spelled as JSON spells it a bare number, true/false/null
// themselves: the bulk of a body is those.
const expr: Codec = {
  enc: (v, t) => {
    const e = v as Obj;
    switch (e.kind) {
      case "ref": return e.name;
      case "number": return plainNumber(e.value as number, e.raw as string) ? e.value : ["number", e.value, e.raw];
      case "bool": return e.value;
      case "null": return null;
      case "string": return ["string", e.value];
      case "duration": return ["duration", e.raw];
      case "size": return ["size", e.raw];
      case "range": return ["range", expr.enc(e.lo, t), expr.enc(e.hi, t)];
      case "list": return ["list", ...(e.items as Json[]).map((x) => expr.enc(x, t))];
      case "object": return ["object", ...(e.entries as Obj[]).flatMap((x) => [x.key, expr.enc(x.value, t)])];
      case "call": return ["call", e.callee, ...(e.args as Obj[]).map((a) => (a.name !== undefined ? ["arg", a.name, expr.enc(a.value, t)] : expr.enc(a.value, t)))];
      case "binary": return [e.op, expr.enc(e.left, t), expr.enc(e.right, t)];
      case "unary": return ["unary", e.op, expr.enc(e.operand, t)];
      case "isnull": return ["isnull", expr.enc(e.operand, t), e.negated];
      default: return ["error"];
    }
  },
  dec: (v, r, path) => {
    if (typeof v === "string") return { kind: "ref", name: v };
    if (typeof v === "number") return { kind: "number", value: v, raw: String(v) };
    if (typeof v === "boolean") return { kind: "bool", value: v };
    if (v === null) return { kind: "null" };
    const a = list(v, path);
    const sub = (i: number) => expr.dec(a[i], r, join(path, i));
    const arity = (n: number) => (a.length === n ? undefined : fail(path, `expected ${n} items for ${JSON.stringify(a[0])}`));
    const tag = a[0];
    if (typeof tag === "string" && BINARY.has(tag)) return arity(3) ?? { kind: "binary", op: tag, left: sub(1), right: sub(2) };
    switch (tag) {
      case "number": return arity(3) ?? { kind: "number", value: a[1], raw: a[2] };
      case "string": return arity(2) ?? { kind: "string", value: a[1] };
      case "duration": return arity(2) ?? { kind: "duration", raw: a[1] };
      case "size": return arity(2) ?? { kind: "size", raw: a[1] };
      case "range": return arity(3) ?? { kind: "range", lo: sub(1), hi: sub(2) };
      case "list": return { kind: "list", items: a.slice(1).map((_, i) => sub(i + 1)) };
      case "object": {
        if (a.length % 2 === 0) fail(path, 'expected ["object", key, value, key, value, ...]');
        const entries: Json[] = [];
        for (let i = 1; i < a.length; i += 2) entries.push({ key: a[i], value: sub(i + 1) });
        return { kind: "object", entries };
      }
      case "call":
        return {
          kind: "call",
          callee: a[1],
          args: a.slice(2).map((x, i) => {
            const p = join(path, i + 2);
            if (Array.isArray(x) && x[0] === "arg") {
              if (x.length !== 3) fail(p, 'expected ["arg", name, value]');
              return { name: x[1], value: expr.dec(x[2], r, join(p, 2)) };
            }
            return { value: expr.dec(x, r, p) };
          }),
        };
      case "unary": return arity(3) ?? { kind: "unary", op: a[1], operand: sub(2) };
      case "isnull": return arity(3) ?? { kind: "isnull", operand: sub(1), negated: a[2] };
      case "error": return arity(1) ?? { kind: "error" };
      default: return fail(join(path, 0), `unknown expression ${JSON.stringify(tag)}`);
    }
  },
};

// ---------- typed column expressions: [tag, type index, ...] ----------

const texpr: Codec = {
  enc: (v, t) => {
    const e = v as Obj;
    const type = t.types.index(e.type as IrType);
    const sub = (x: Json) => texpr.enc(x, t);
    switch (e.kind) {
      case "ref": return ["ref", type, e.name];
      case "number": return ["number", type, e.value, e.raw];
      case "string": return ["string", type, e.value];
      case "bool": return ["bool", type, e.value];
      case "null": return ["null", type];
      case "duration": return ["duration", type, e.raw, e.ms];
      case "call": return ["call", type, e.callee, ...(e.args as Json[]).map(sub)];
      case "binary": return [e.op, type, sub(e.left), sub(e.right)];
      case "unary": return ["unary", type, e.op, sub(e.operand)];
      case "isnull": return ["isnull", type, sub(e.operand), e.negated];
      default: throw new Error(`no typed expression ${String(e.kind)}`);
    }
  },
  dec: (v, r, path) => {
    const a = list(v, path);
    const tag = a[0];
    const type = ref(r.types, a[1], join(path, 1), "types");
    const sub = (i: number) => texpr.dec(a[i], r, join(path, i));
    const arity = (n: number) => (a.length === n ? undefined : fail(path, `expected ${n} items for ${JSON.stringify(tag)}`));
    if (typeof tag === "string" && BINARY.has(tag)) return arity(4) ?? { type, kind: "binary", op: tag, left: sub(2), right: sub(3) };
    switch (tag) {
      case "ref": return arity(3) ?? { type, kind: "ref", name: a[2] };
      case "number": return arity(4) ?? { type, kind: "number", value: a[2], raw: a[3] };
      case "string": return arity(3) ?? { type, kind: "string", value: a[2] };
      case "bool": return arity(3) ?? { type, kind: "bool", value: a[2] };
      case "null": return arity(2) ?? { type, kind: "null" };
      case "duration": return arity(4) ?? { type, kind: "duration", raw: a[2], ms: a[3] };
      case "call": return { type, kind: "call", callee: a[2], args: a.slice(3).map((_, i) => sub(i + 3)) };
      case "unary": return arity(4) ?? { type, kind: "unary", op: a[2], operand: sub(3) };
      case "isnull": return arity(4) ?? { type, kind: "isnull", operand: sub(2), negated: a[3] };
      default: return fail(join(path, 0), `unknown typed expression ${JSON.stringify(tag)}`);
    }
  },
};

// ---------- statements as written ----------

/** A type as written: its bare name when it has no arguments and is not nullable, else [name, nullable, [args]?]. */
const typeAsWritten: Codec = {
  enc: (v, t) => {
    const ty = v as Obj;
    if (ty.args === undefined) return ty.nullable === false ? ty.name : [ty.name, ty.nullable];
    return [ty.name, ty.nullable, (ty.args as Json[]).map((x) => expr.enc(x, t))];
  },
  dec: (v, r, path) => {
    if (typeof v === "string") return { name: v, nullable: false };
    const a = list(v, path);
    if (a.length !== 2 && a.length !== 3) fail(path, "expected a type name or [name, nullable, [args]?]");
    const o: Obj = { name: a[0], nullable: a[1] };
    if (a.length === 3) o.args = list(a[2], join(path, 2)).map((x, i) => expr.dec(x, r, join(join(path, 2), i)));
    return o;
  },
};

const stmtShapes: Record<string, Codec> = {};
const stmt = tagged("kind", stmtShapes);
const E = { value: expr, cond: expr, type: typeAsWritten, body: arrayOf(stmt) };
Object.assign(stmtShapes, {
  attr: tuple(["name", "value"], E, "kind"),
  column: tuple(["name", "type", "value"], E, "kind"),
  block: tuple(["name", "body"], E, "kind"),
  filter: tuple(["cond"], E, "kind"),
  fill: tuple(["column", "value"], E, "kind"),
  derive: tuple(["column", "value"], E, "kind"),
  drop: tuple(["columns"], E, "kind"),
  rename: tuple(["from", "to"], E, "kind"),
  cast: tuple(["column", "type"], E, "kind"),
  dedupe: tuple(["by"], E, "kind"),
  by: tuple(["columns"], E, "kind"),
  key: tuple(["columns"], E, "kind"),
  keep: tuple(["columns"], E, "kind"),
  require: tuple(["metric", "op", "value"], E, "kind"),
});

// ---------- decoded bodies ----------

const T = { value: texpr, cond: texpr, type: typeRef };
const cleanseOp = tagged("op", {
  filter: tuple(["cond"], T, "op"),
  fill: tuple(["column", "value"], T, "op"),
  derive: tuple(["column", "value"], T, "op"),
  drop: tuple(["columns"], T, "op"),
  rename: tuple(["from", "to"], T, "op"),
  cast: tuple(["column", "type"], T, "op"),
  dedupe: tuple(["by"], T, "op"),
});
const columnDef = tuple(["name", "type", "value"], T);

const port = tuple(["port", "artifact"], { artifact: artifactRef });
/** [inputs, outputs]. */
const ports: Codec = {
  enc: (v, t) => [arrayOf(port).enc((v as Obj).inputs, t), arrayOf(port).enc((v as Obj).outputs, t)],
  dec: (v, r, path) => {
    const a = list(v, path);
    if (a.length !== 2) fail(path, "expected [inputs, outputs]");
    return { inputs: arrayOf(port).dec(a[0], r, join(path, 0)), outputs: arrayOf(port).dec(a[1], r, join(path, 1)) };
  },
};

const node = keyed(
  {
    body: arrayOf(stmt),
    ports,
    span,
    ops: arrayOf(cleanseOp),
    columns: arrayOf(columnDef),
  },
  true,
);

// ---------- the rest of the document ----------

/** A node by its index in `nodes`; an id no node has (an erroneous program's) as the id. */
const nodeRef = (id: string, t: Tables): Json => t.nodeIndex.get(id) ?? id;
function nodeId(v: Json, r: Refs, path: string): Json {
  if (typeof v !== "number") return v;
  const id = ref(r.nodeIds, v, path, "nodes");
  return typeof id === "string" ? id : fail(path, "the node has no id");
}

const edge: Codec = {
  enc: (v, t) => {
    const e = v as Obj;
    const from = e.from as Obj;
    const to = e.to as Obj;
    const out: Json[] = [nodeRef(from.node as string, t), from.port, nodeRef(to.node as string, t), to.port];
    if (e.artifact !== undefined) out.push(t.artifacts.index(e.artifact as IrArtifact));
    const flags: Obj = {};
    if (e.named !== undefined) flags.named = e.named;
    if (e.select !== undefined) flags.select = e.select;
    if (Object.keys(flags).length) out.push(flags);
    return out;
  },
  dec: (v, r, path) => {
    const a = list(v, path);
    const flags = isObj(a[a.length - 1]) ? (a[a.length - 1] as Obj) : undefined;
    const n = a.length - (flags ? 1 : 0);
    if (n !== 4 && n !== 5) fail(path, "expected [from node, from port, to node, to port, artifact?, flags?]");
    const e: Obj = { from: { node: nodeId(a[0], r, join(path, 0)), port: a[1] }, to: { node: nodeId(a[2], r, join(path, 2)), port: a[3] } };
    if (flags?.named !== undefined) e.named = flags.named;
    if (flags?.select !== undefined) e.select = flags.select;
    if (n === 5) e.artifact = ref(r.artifacts, a[4], join(path, 4), "artifacts");
    return e;
  },
};

const attr = tuple(["name", "value"], { value: expr });
const schema = keyed({
  fields: arrayOf(tuple(["name", "type"], { type: typeAsWritten })),
  columns: { enc: (v, t) => t.columns.index(v as IrColumn[]), dec: (v, r, path) => ref(r.columns, v, path, "column lists") },
  span,
});
/** Declaration order; a run of nodes in the order `nodes` lists them is one ["nodes", first index, count]. */
const order: Codec = {
  enc: (v, t) => {
    const out: Json[] = [];
    for (const d of v as Obj[]) {
      const at = d.kind === "node" ? t.nodeIndex.get(d.id as string) : undefined;
      const last = out[out.length - 1];
      if (at !== undefined && Array.isArray(last) && last[0] === "nodes" && (last[1] as number) + (last[2] as number) === at) last[2] = (last[2] as number) + 1;
      else if (at !== undefined) out.push(["nodes", at, 1]);
      else out.push(d.kind === "node" ? [d.kind, d.id] : d.index !== undefined ? [d.kind, d.index] : [d.kind]);
    }
    return out;
  },
  dec: (v, r, path) =>
    list(v, path).flatMap((x, i) => {
      const p = join(path, i);
      const [kind, arg, count] = list(x, p);
      if (kind === "nodes") {
        if (typeof count !== "number" || !Number.isInteger(count) || count < 1 || count > r.nodeIds.length) fail(join(p, 2), `expected a count of nodes (at most ${r.nodeIds.length})`);
        if (typeof arg !== "number") fail(join(p, 1), "expected the index of a node");
        return Array.from({ length: count }, (_, k) => ({ kind: "node", id: nodeId((arg as number) + k, r, join(p, 1)) }));
      }
      return [kind === "node" ? { kind, id: arg } : arg !== undefined ? { kind, index: arg } : { kind }];
    }),
};

/** Field codecs of the document, in the order fields are written (the tables before what refers to them). */
const DOCUMENT: Record<string, Codec> = {
  pipeline: nullable(keyed({ attrs: arrayOf(attr), span })),
  imports: arrayOf(keyed({ span })),
  schemas: arrayOf(schema),
  nodes: arrayOf(node),
  edges: arrayOf(edge),
  variants: arrayOf(keyed({ overrides: arrayOf(tuple(["path", "value"], { value: expr })), span })),
  targets: arrayOf(keyed({ attrs: arrayOf(attr), span })),
  layout: nullable(keyed({ entries: arrayOf(attr), span })),
  order,
};
const TABLES = ["types", "columns", "artifacts"] as const;

function nullable(c: Codec): Codec {
  return { enc: (v, t) => (v === null ? null : c.enc(v, t)), dec: (v, r, path) => (v === null ? null : c.dec(v, r, path)) };
}

/** The document as written: its fields, then the tables its nodes and edges refer to, placed before `imports`. */
export function encodeIr(ir: IrDocument): Obj {
  const t = new Tables(new Map(ir.nodes.map((n, i) => [n.id, i])));
  const body: [string, Json][] = Object.entries(ir)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => [k, Object.hasOwn(DOCUMENT, k) ? DOCUMENT[k]!.enc(v, t) : v]);
  const out: Obj = {};
  for (const [k, v] of body) {
    if (k === "imports") for (const name of TABLES) put(out, name, t[name].items);
    put(out, k, v);
  }
  for (const name of TABLES) if (!Object.hasOwn(out, name)) put(out, name, t[name].items);
  return out;
}

/** The in-memory shape of a written document (not yet validated: parseIr does that). Throws WireError. */
export function decodeIr(doc: Json): Json {
  if (!isObj(doc)) return doc;
  const r = readTables(doc);
  const out: Obj = {};
  for (const [k, v] of Object.entries(doc)) {
    if ((TABLES as readonly string[]).includes(k)) continue;
    put(out, k, Object.hasOwn(DOCUMENT, k) ? DOCUMENT[k]!.dec(v, r, k) : v);
  }
  return out;
}

/**
 * Writes the document as JSON text in pieces of about `chunk` characters: one line per field,
 * and one line per item of a list (a node, an edge, a layout entry, ...), so no line grows
 * with the pipeline and a diff of two graphs shows the nodes that changed.
 */
export function writeIr(ir: IrDocument, write: (s: string) => void, chunk = 1 << 16): void {
  let buf = "";
  const out = (s: string) => {
    buf += s;
    if (buf.length >= chunk) {
      write(buf);
      buf = "";
    }
  };
  // The document and the layout (a position per step) are the objects that grow with the pipeline.
  const lines = (o: Obj, lined: (k: string) => boolean) => {
    out("{");
    Object.entries(o).forEach(([k, v], i) => {
      out(`${i ? "," : ""}\n${JSON.stringify(k)}:`);
      if (Array.isArray(v) && v.length && lined(k)) {
        out("[");
        v.forEach((x, j) => out(`${j ? "," : ""}\n${JSON.stringify(x)}`));
        out("\n]");
      } else if (k === "layout" && isObj(v)) lines(v, (f) => f === "entries");
      else out(JSON.stringify(v));
    });
    out("\n}");
  };
  lines(encodeIr(ir), () => true);
  out("\n");
  if (buf) write(buf);
}

/** The text writeIr writes, as one string (for documents of ordinary size). */
export function irText(ir: IrDocument): string {
  const parts: string[] = [];
  writeIr(ir, (s) => parts.push(s));
  return parts.join("");
}
