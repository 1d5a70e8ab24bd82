// The graph IR: a versioned JSON document holding one pipeline as nodes and edges, and the
// typed contract every target reads.
//
// It is lossless: printing it gives back the formatted .mlp text (comments, order, literal
// spellings), so the editor can work on the graph and hand text back. What was written
// (`body`, `attrs`, `kind` of an invalid node, ...) sits beside what the checker derived,
// which `print` ignores and targets rely on:
//   - each node is typed by its kind: `config` is the kind's catalog schema's output (defaults
//     applied) and the body comes decoded (cleanse `ops`, aggregate `by`/`columns`/`time`,
//     features `key`/`keep`/`columns`, join `keys`, tune `search`, evaluate `require`), with
//     every column expression carrying its type;
//   - `ports` and edge `artifact`s are the typed artifacts, schema `columns` resolved types;
//   - `settings` holds every target's settings resolved with their defaults;
//   - `variant` names the variant the document holds (its overrides already applied and checked).
// The TypeScript types are inferred from the zod schemas below and from the catalog's.
//
// Written form (version 3, compiler/ir-wire.ts). The objects above are what every reader
// works on; the JSON `mlp graph` writes is a compact spelling of them, decoded back to exactly
// these objects before validation. Why it is not JSON.stringify of them: the derived parts
// repeat, and a graph of 10,000 steps came to 17x its source (46x indented), which put a
// 65,000-step graph past the longest string V8 can build. So:
//   - what repeats is written once: resolved types, column lists and artifacts sit in the
//     tables `types`, `columns` and `artifacts`, written before anything that refers to them
//     by index (a port, an edge, a typed expression), so one pass reads the file in order;
//   - what is written most, expressions and statements, is a list led by its kind or operator
//     rather than an object of named fields: a name is a bare string, a number spelled as JSON
//     spells it a bare number; optional fields (comments) follow as one trailing object, only
//     when set. Spans are [start, line, col, end, endLine, endCol]; edges name their nodes by
//     index in `nodes` (the id itself for a node that does not exist), and `order` writes a run
//     of consecutive nodes as one entry; a node's `id` is left out when it is its name;
//   - nodes, schemas and the document stay objects with the field names above, so a problem
//     with one of their fields (a comment, a name) has the same path in the file as in the
//     document (inside a statement, paths name the decoded fields); the catalog's `config` and
//     `settings` are written as they are;
//   - the text has one line per field and one line per item of a list (of the document's, and
//     the layout's entries): no line grows with the pipeline, it is written in chunks, a diff
//     shows the nodes that changed, and the same document always gives the same bytes (tables
//     are filled in first-use order).
// Versions 1 and 2 were the objects written as they are; `mlp graph --to-mlp` still reads them.
import * as z from "zod";
import { KINDS } from "../language/catalog";
import { resolvedSettings } from "../language/catalog/resolved";
import { pipelineSettings } from "../language/catalog/settings";
import { normalSpace } from "../language/catalog/tune";
import { decodeIr, WireError } from "./ir-wire";

export const IR_VERSION = "mlp.ir/3";
/**
 * Earlier versions `mlp graph --to-mlp` still reads: their written parts are unchanged, in the
 * keyed form of version 2 (one JSON object per node, statement and expression).
 */
export const READABLE_IR_VERSIONS = ["mlp.ir/1", "mlp.ir/2", IR_VERSION] as const;
/** Versions written in the keyed form (read as they are, no decoding). */
const KEYED_IR_VERSIONS: readonly string[] = ["mlp.ir/1", "mlp.ir/2"];
// ---------- what can be written back as .mlp ----------
// `mlp graph --to-mlp` and the editor print an IR as text, so every written name, comment and
// literal spelling must print as exactly one token of its kind: a name with a space or a
// comment with a line break would print as other declarations (F12), which then check clean.

/** Marks the problems that are about spelling (exit code 1), not the document's shape. */
export const NOT_WRITABLE = "cannot be written as .mlp: ";
const IDENT_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Reserved words of language/lexer.ts (`hard`): never a name. */
const RESERVED = new Set(["import", "from", "pipeline", "schema", "use", "variant", "target", "layout", "true", "false", "null", "and", "or", "not", "is"]);
/** A name as the lexer reads one; "" is what error recovery writes for a missing name (printed `_`). */
export const isWritableName = (s: string): boolean => s === "" || (IDENT_RE.test(s) && !RESERVED.has(s));
/** The text of a `//` comment after the slashes: one line, trailing blanks already trimmed by the parser. */
export const isWritableComment = (s: string): boolean => !/[\n\r]/.test(s) && !/\s$/.test(s);
const name = z.string().refine(isWritableName, { message: `${NOT_WRITABLE}not an identifier (or a reserved word)` });
const commentText = z.string().refine(isWritableComment, { message: `${NOT_WRITABLE}a comment is one line without trailing blanks` });
/** Literal spellings exactly as language/lexer.ts reads them. */
const spelled = (re: RegExp, what: string) => z.string().regex(re, { message: `${NOT_WRITABLE}not a ${what} literal` });
// A minus written against the digits is part of the literal (language/grammar.ts `unary`).
const numberRaw = spelled(/^-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?$/, "number");
const durationRaw = spelled(/^\d+(?:ms|s|m|h|d)$/, "duration");
const sizeRaw = spelled(/^\d+(?:KiB|MiB|GiB|TiB)$/, "size");
/** The string escapes are `\"`, `\\`, `\n` and `\t`: a carriage return has no spelling. */
const stringValue = z.string().refine((s) => !s.includes("\r"), { message: `${NOT_WRITABLE}a string cannot hold a carriage return` });

/** `pipeline.schedule = ...` overrides the pipeline's own settings: there the reserved word is the path's head. */
const overridePath = z.array(z.string()).superRefine((path, ctx) =>
  path.forEach((p, i) => {
    if (!(isWritableName(p) || (i === 0 && p === "pipeline"))) ctx.addIssue({ code: "custom", path: [i], message: `${NOT_WRITABLE}not an identifier (or a reserved word)` });
  }),
);

const span = z.object({ start: z.number(), line: z.number(), col: z.number(), end: z.number(), endLine: z.number(), endCol: z.number() });
export type IrSpan = z.infer<typeof span>;

const comments = {
  leading: z.array(commentText).optional(),
  trailing: commentText.optional(),
  head: commentText.optional(),
  inner: z.array(commentText).optional(),
};
export type IrComments = { leading?: string[]; trailing?: string; head?: string; inner?: string[] };

// ---------- expressions as written (the AST's, without spans) ----------

export type IrExpr =
  | { kind: "ref"; name: string }
  | { kind: "number"; value: number; raw: string }
  | { kind: "string"; value: string }
  | { kind: "bool"; value: boolean }
  | { kind: "null" }
  | { kind: "duration"; raw: string }
  | { kind: "size"; raw: string }
  | { kind: "range"; lo: IrExpr; hi: IrExpr }
  | { kind: "list"; items: IrExpr[] }
  | { kind: "object"; entries: { key: string; value: IrExpr }[] }
  | { kind: "call"; callee: string; args: { name?: string; value: IrExpr }[] }
  | { kind: "binary"; op: "or" | "and" | "==" | "!=" | "<" | "<=" | ">" | ">=" | "+" | "-" | "*" | "/" | "%"; left: IrExpr; right: IrExpr }
  | { kind: "unary"; op: "not" | "-"; operand: IrExpr }
  | { kind: "isnull"; operand: IrExpr; negated: boolean }
  | { kind: "error" };

export const irExpr: z.ZodType<IrExpr> = z.lazy(() =>
  z.discriminatedUnion("kind", [
    z.object({ kind: z.literal("ref"), name: name }),
    z.object({ kind: z.literal("number"), value: z.number(), raw: numberRaw }),
    z.object({ kind: z.literal("string"), value: stringValue }),
    z.object({ kind: z.literal("bool"), value: z.boolean() }),
    z.object({ kind: z.literal("null") }),
    z.object({ kind: z.literal("duration"), raw: durationRaw }),
    z.object({ kind: z.literal("size"), raw: sizeRaw }),
    z.object({ kind: z.literal("range"), lo: irExpr, hi: irExpr }),
    z.object({ kind: z.literal("list"), items: z.array(irExpr) }),
    z.object({ kind: z.literal("object"), entries: z.array(z.object({ key: name, value: irExpr })) }),
    z.object({ kind: z.literal("call"), callee: name, args: z.array(z.object({ name: name.optional(), value: irExpr })) }),
    z.object({ kind: z.literal("binary"), op: z.enum(["or", "and", "==", "!=", "<", "<=", ">", ">=", "+", "-", "*", "/", "%"]), left: irExpr, right: irExpr }),
    z.object({ kind: z.literal("unary"), op: z.enum(["not", "-"]), operand: irExpr }),
    z.object({ kind: z.literal("isnull"), operand: irExpr, negated: z.boolean() }),
    z.object({ kind: z.literal("error") }),
  ]),
);

// ---------- types ----------

/** A type as written: `enum(free, pro)?`. */
export const irTypeRef = z.object({ name: name, args: z.array(irExpr).optional(), nullable: z.boolean() });
export type IrTypeRef = z.infer<typeof irTypeRef>;

/**
 * A resolved type: of a column, or of a column expression (which may also be a `duration`,
 * `now() - 7d`, or the `null` literal). The same shape as the language's ColumnType.
 */
export const irType = z.discriminatedUnion("kind", [
  z.object({ kind: z.enum(["int", "float", "string", "bool", "timestamp", "date", "duration", "unknown"]), nullable: z.boolean() }),
  z.object({ kind: z.literal("null"), nullable: z.literal(true) }),
  // Derived and never printed; an erroneous `enum("x")` still lowers to a reloadable IR.
  z.object({ kind: z.literal("enum"), members: z.array(z.string()), nullable: z.boolean() }),
  z.object({ kind: z.literal("vector"), size: z.number().int(), nullable: z.boolean() }),
]);
export type IrType = z.infer<typeof irType>;
/** Kept for readers of version 1: a column's type. */
export const irColumnType = irType;
export const irColumn = z.object({ name: name, type: irType });
export type IrColumn = z.infer<typeof irColumn>;

export const irArtifact = z.object({
  type: z.enum(["Table", "Stream", "Features", "Model", "Endpoint", "Report", "Unknown"]),
  /** Declared schema name, when the columns are exactly a declared schema. */
  schema: name.optional(),
  columns: z.array(irColumn).optional(),
  streaming: z.boolean().optional(),
  keys: z.array(name).optional(),
  eventTime: name.optional(),
  /**
   * Rows that are a history (a hopping aggregate's windows, and what keeps them): the column
   * saying when each row's values became known. An online store keeps the newest row per key.
   */
  history: name.optional(),
  model: z
    .object({
      input: z.array(irColumn),
      label: name,
      labelType: irType,
      task: z.enum(["classification", "regression"]),
      hyperparams: z.array(name),
      gated: z.boolean(),
    })
    .optional(),
});
export type IrArtifact = z.infer<typeof irArtifact>;

// ---------- typed column expressions (decoded bodies) ----------

const BINARY_OPS = ["or", "and", "==", "!=", "<", "<=", ">", ">=", "+", "-", "*", "/", "%"] as const;
const COMPARE_OPS = ["==", "!=", "<", "<=", ">", ">="] as const;

/** A column expression with the type the checker gave each part. */
export type IrTExpr = { type: IrType } & (
  | { kind: "ref"; name: string }
  | { kind: "number"; value: number; raw: string }
  | { kind: "string"; value: string }
  | { kind: "bool"; value: boolean }
  | { kind: "null" }
  | { kind: "duration"; raw: string; ms: number }
  | { kind: "call"; callee: string; args: IrTExpr[] }
  | { kind: "binary"; op: (typeof BINARY_OPS)[number]; left: IrTExpr; right: IrTExpr }
  | { kind: "unary"; op: "not" | "-"; operand: IrTExpr }
  | { kind: "isnull"; operand: IrTExpr; negated: boolean }
);

export const irTExpr: z.ZodType<IrTExpr> = z.lazy(() =>
  z.discriminatedUnion("kind", [
    z.object({ type: irType, kind: z.literal("ref"), name: name }),
    z.object({ type: irType, kind: z.literal("number"), value: z.number(), raw: numberRaw }),
    z.object({ type: irType, kind: z.literal("string"), value: stringValue }),
    z.object({ type: irType, kind: z.literal("bool"), value: z.boolean() }),
    z.object({ type: irType, kind: z.literal("null") }),
    z.object({ type: irType, kind: z.literal("duration"), raw: durationRaw, ms: z.number() }),
    z.object({ type: irType, kind: z.literal("call"), callee: name, args: z.array(irTExpr) }),
    z.object({ type: irType, kind: z.literal("binary"), op: z.enum(BINARY_OPS), left: irTExpr, right: irTExpr }),
    z.object({ type: irType, kind: z.literal("unary"), op: z.enum(["not", "-"]), operand: irTExpr }),
    z.object({ type: irType, kind: z.literal("isnull"), operand: irTExpr, negated: z.boolean() }),
  ]),
);

/** `name: TYPE = EXPR` in an aggregate or features step, and `derive` in cleanse: the declared (stored) type and the typed value. */
export const irColumnDef = z.object({ name: name, type: irType, value: irTExpr });
export type IrColumnDef = z.infer<typeof irColumnDef>;

export const irCleanseOp = z.discriminatedUnion("op", [
  z.object({ op: z.literal("filter"), cond: irTExpr }),
  z.object({ op: z.literal("fill"), column: name, value: irTExpr }),
  /** The new column's type is the value's. */
  z.object({ op: z.literal("derive"), column: name, value: irTExpr }),
  z.object({ op: z.literal("drop"), columns: z.array(name) }),
  z.object({ op: z.literal("rename"), from: name, to: name }),
  z.object({ op: z.literal("cast"), column: name, type: irType }),
  /** One row per `by` key: the greatest `latest`, the smallest `earliest`, else any (at most one of the two is set). */
  z.object({ op: z.literal("dedupe"), by: z.array(name), latest: name.optional(), earliest: name.optional() }),
]);
export type IrCleanseOp = z.infer<typeof irCleanseOp>;

export const irRequire = z.object({ metric: name, op: z.enum(COMPARE_OPS), value: z.number() });
export type IrRequire = z.infer<typeof irRequire>;

export const irSearchParam = z.object({ param: name, space: normalSpace() });
export type IrSearchParam = z.infer<typeof irSearchParam>;

// ---------- step bodies ----------

const ident = name;
export const irStmt: z.ZodType<IrStmt> = z.lazy(() =>
  z.discriminatedUnion("kind", [
    z.object({ kind: z.literal("attr"), name: ident, value: irExpr, ...comments }),
    z.object({ kind: z.literal("column"), name: ident, type: irTypeRef, value: irExpr, ...comments }),
    z.object({ kind: z.literal("block"), name: ident, body: z.array(irStmt), ...comments }),
    z.object({ kind: z.literal("filter"), cond: irExpr, ...comments }),
    z.object({ kind: z.literal("fill"), column: ident, value: irExpr, ...comments }),
    z.object({ kind: z.literal("derive"), column: ident, value: irExpr, ...comments }),
    z.object({ kind: z.literal("drop"), columns: z.array(ident), ...comments }),
    z.object({ kind: z.literal("rename"), from: ident, to: ident, ...comments }),
    z.object({ kind: z.literal("cast"), column: ident, type: irTypeRef, ...comments }),
    z.object({ kind: z.literal("dedupe"), by: z.array(ident), latest: ident.optional(), earliest: ident.optional(), ...comments }),
    z.object({ kind: z.literal("by"), columns: z.array(ident), ...comments }),
    z.object({ kind: z.literal("key"), columns: z.array(ident), ...comments }),
    z.object({ kind: z.literal("keep"), columns: z.array(ident), ...comments }),
    z.object({ kind: z.literal("require"), metric: ident, op: z.enum(["==", "!=", "<", "<=", ">", ">="]), value: irExpr, ...comments }),
  ]),
);
export type IrStmt = IrComments &
  (
    | { kind: "attr"; name: string; value: IrExpr }
    | { kind: "column"; name: string; type: IrTypeRef; value: IrExpr }
    | { kind: "block"; name: string; body: IrStmt[] }
    | { kind: "filter"; cond: IrExpr }
    | { kind: "fill"; column: string; value: IrExpr }
    | { kind: "derive"; column: string; value: IrExpr }
    | { kind: "drop"; columns: string[] }
    | { kind: "rename"; from: string; to: string }
    | { kind: "cast"; column: string; type: IrTypeRef }
    | { kind: "dedupe"; by: string[]; latest?: string; earliest?: string }
    | { kind: "by"; columns: string[] }
    | { kind: "key"; columns: string[] }
    | { kind: "keep"; columns: string[] }
    | { kind: "require"; metric: string; op: "==" | "!=" | "<" | "<=" | ">" | ">="; value: IrExpr }
  );

const irAttr = z.object({ name: ident, value: irExpr, ...comments });
export type IrAttr = z.infer<typeof irAttr>;

// ---------- graph ----------

const origin = z.object({ file: z.string(), import: z.string().optional() });
const ports = z.object({
  inputs: z.array(z.object({ port: name, artifact: irArtifact })),
  outputs: z.array(z.object({ port: name, artifact: irArtifact })),
});

/** What every node has, whatever its kind. */
const nodeBase = z.object({
  /** Unique in the document; the step name, file-prefixed for a clashing imported step. */
  id: z.string(),
  name: name,
  /** `use NAME = OF(...)`: the step whose body is re-applied (the decoded body is the re-applied one). */
  use: name.optional(),
  /** Written without parentheses (`source x: Table<S> { }`). */
  bare: z.boolean().optional(),
  /** The declared output type `: Table<S>`. */
  declared: z.object({ name: name, schema: name.optional() }).optional(),
  /** The body as written (for `use`, empty: the re-applied step's body is decoded below). */
  body: z.array(irStmt),
  /** Derived: typed input and output ports. */
  ports,
  /** Set on nodes that come from another file: `mlp graph --to-mlp` prints the import, not the step. */
  origin: origin.optional(),
  span: span.optional(),
  ...comments,
});

const kindNode = <K extends keyof typeof KINDS, X extends z.ZodRawShape>(kind: K, extra: X) =>
  nodeBase.extend({ kind: z.literal(kind), config: KINDS[kind].config as (typeof KINDS)[K]["config"], ...extra });

export const irNode = z.discriminatedUnion("kind", [
  kindNode("source", {}),
  kindNode("cleanse", { ops: z.array(irCleanseOp) }),
  kindNode("aggregate", {
    by: z.array(ident),
    columns: z.array(irColumnDef),
    /** The column a `window` is measured on (`time`, else the stream's event time, else the only timestamp). */
    time: ident.optional(),
  }),
  kindNode("join", { keys: z.object({ left: ident, right: ident }) }),
  kindNode("features", { key: z.array(ident), keep: z.array(ident), columns: z.array(irColumnDef) }),
  kindNode("split", {}),
  kindNode("train", {}),
  kindNode("tune", { search: z.array(irSearchParam) }),
  kindNode("evaluate", { require: z.array(irRequire) }),
  kindNode("register", {}),
  kindNode("deploy", {}),
  kindNode("notebook", {}),
  /**
   * A step the checker rejected (unknown kind, invalid attributes, a repeated name, a `use` of
   * nothing). Only erroneous programs have them; no target is run on one.
   */
  nodeBase.extend({ kind: z.literal("invalid"), written: name, config: z.record(z.string(), z.unknown()) }),
]);
export type IrNode = z.infer<typeof irNode>;
export type IrKind = IrNode["kind"];
/** A valid node of one kind: `NodeOf<"train">` has `config: ConfigOf<"train">`. */
export type NodeOf<K extends IrKind> = Extract<IrNode, { kind: K }>;
export type ValidNode = Exclude<IrNode, { kind: "invalid" }>;

/** The kind as written in the file (an invalid node keeps what was written). */
export const writtenKind = (n: { kind: string; written?: string }): string => (n.kind === "invalid" ? (n.written ?? "") : n.kind);

export const irEdge = z.object({
  from: z.object({ node: z.string(), port: name }),
  to: z.object({ node: z.string(), port: name }),
  /** Written `port: step`. */
  named: z.boolean().optional(),
  /** Written `step.port`. */
  select: z.boolean().optional(),
  /** Derived: what flows along the edge. */
  artifact: irArtifact.optional(),
});
export type IrEdge = z.infer<typeof irEdge>;

export const irSchema = z.object({
  name: name,
  fields: z.array(z.object({ name: name, type: irTypeRef, ...comments })),
  /** Derived: the resolved column types. */
  columns: z.array(irColumn),
  origin: z.object({ file: z.string(), import: z.string().optional() }).optional(),
  span: span.optional(),
  ...comments,
});
export type IrSchema = z.infer<typeof irSchema>;

const declRef = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("import"), index: z.number().int() }),
  z.object({ kind: z.literal("pipeline") }),
  z.object({ kind: z.literal("schema"), index: z.number().int() }),
  z.object({ kind: z.literal("node"), id: z.string() }),
  z.object({ kind: z.literal("variant"), index: z.number().int() }),
  z.object({ kind: z.literal("target"), index: z.number().int() }),
  z.object({ kind: z.literal("layout") }),
]);
export type IrDeclRef = z.infer<typeof declRef>;

export const irDocument = z.object({
  version: z.literal(IR_VERSION),
  /** The .mlp file this graph was lowered from. */
  file: z.string(),
  /** The variant this document holds, overrides applied; null for the file's own values. */
  variant: name.nullable(),
  pipeline: z
    .object({ name: name, attrs: z.array(irAttr), settings: pipelineSettings, span: span.optional(), ...comments })
    .nullable(),
  /** Derived: every target's settings with their defaults (whether or not a `target` block is written). */
  settings: resolvedSettings,
  imports: z.array(z.object({ names: z.array(name), from: stringValue, span: span.optional(), ...comments })),
  schemas: z.array(irSchema),
  nodes: z.array(irNode),
  edges: z.array(irEdge),
  variants: z.array(
    z.object({ name: name, overrides: z.array(z.object({ path: overridePath, value: irExpr, ...comments })), span: span.optional(), ...comments }),
  ),
  targets: z.array(z.object({ name: name, attrs: z.array(irAttr), span: span.optional(), ...comments })),
  layout: z
    .object({
      entries: z.array(z.object({ name: name, value: irExpr, ...comments })),
      span: span.optional(),
      ...comments,
    })
    .nullable(),
  /** Declaration order of the file, so printing keeps it. */
  order: z.array(declRef),
  /** Comments after the last declaration. */
  trailing: z.array(commentText).optional(),
});
export type IrDocument = z.infer<typeof irDocument>;

/** Validates untrusted JSON (as `mlp graph` writes it) against the current version and returns the document or readable problems. */
export function parseIr(json: unknown): { ok: true; ir: IrDocument } | { ok: false; problems: string[] } {
  const read = readWire(json, [IR_VERSION]);
  if (!read.ok) return read;
  return result(irDocument.safeParse(read.doc));
}

/**
 * What printing needs: the written parts of a document of any readable version (derived
 * parts are not read, so a version-1 document prints as it did).
 */
const writtenNode = nodeBase.omit({ ports: true }).extend({ kind: name, written: name.optional() });
export const irWrittenDocument = irDocument.omit({ version: true, variant: true, settings: true, nodes: true, pipeline: true }).extend({
  version: z.enum(READABLE_IR_VERSIONS),
  nodes: z.array(writtenNode),
  pipeline: z.object({ name: name, attrs: z.array(irAttr), span: span.optional(), ...comments }).nullable(),
}).superRefine((doc, ctx) => {
  // An edge from a step that does not exist (an erroneous program's `x(undefined_step)`) prints its id as the step name.
  const ids = new Set(doc.nodes.map((n) => n.id));
  doc.edges.forEach((e, i) => {
    if (!ids.has(e.from.node) && !isWritableName(e.from.node))
      ctx.addIssue({ code: "custom", path: ["edges", i, "from", "node"], message: `${NOT_WRITABLE}not an identifier (or a reserved word)` });
  });
});
export type IrWrittenDocument = z.infer<typeof irWrittenDocument>;

/** Validates untrusted JSON (`mlp graph --to-mlp`) of any readable version, for printing. */
export function parseWrittenIr(json: unknown): { ok: true; ir: IrWrittenDocument } | { ok: false; problems: string[] } {
  const read = readWire(json, READABLE_IR_VERSIONS);
  if (!read.ok) return read;
  return result(irWrittenDocument.safeParse(read.doc));
}

/**
 * The document in its in-memory shape, not yet validated: a version-3 document is decoded
 * (its problems of shape are named at their path in the written JSON), a keyed one is as read.
 */
function readWire(json: unknown, versions: readonly string[]): { ok: true; doc: unknown } | { ok: false; problems: string[] } {
  const bad = preflight(json, versions);
  if (bad) return { ok: false, problems: [bad] };
  const version = json && typeof json === "object" && (json as { version?: unknown }).version;
  if (typeof version === "string" && KEYED_IR_VERSIONS.includes(version)) return { ok: true, doc: json };
  let doc: unknown;
  try {
    doc = decodeIr(json);
  } catch (e) {
    if (e instanceof WireError) return { ok: false, problems: [`${e.path || "(document)"}: ${e.message}`] };
    throw e;
  }
  // Decoding nests an expression a level or two deeper than its written list.
  if (jsonDepth(doc) > MAX_JSON_DEPTH * 2) return { ok: false, problems: [`the document nests deeper than ${MAX_JSON_DEPTH} levels`] };
  return { ok: true, doc };
}

function preflight(json: unknown, versions: readonly string[]): string | undefined {
  if (jsonDepth(json) > MAX_JSON_DEPTH) return `the document nests deeper than ${MAX_JSON_DEPTH} levels`;
  if (json && typeof json === "object" && "version" in json && !versions.includes((json as { version: unknown }).version as string))
    return `unsupported IR version ${JSON.stringify((json as { version: unknown }).version)}; this mlp reads ${listed(versions)}`;
  return undefined;
}

const listed = (xs: readonly string[]) => (xs.length < 2 ? xs.join("") : `${xs.slice(0, -1).join(", ")} and ${xs[xs.length - 1]}`);

function result<T>(r: z.ZodSafeParseResult<T>): { ok: true; ir: T } | { ok: false; problems: string[] } {
  if (r.success) return { ok: true, ir: r.data };
  return { ok: false, problems: r.error.issues.slice(0, 10).map((i) => `${i.path.length ? i.path.join(".") : "(document)"}: ${i.message}`) };
}

/** Validation and printing recurse over the document; no real pipeline nests this deep. */
const MAX_JSON_DEPTH = 1000;

function jsonDepth(root: unknown): number {
  let max = 0;
  // Two stacks rather than one of pairs, and no array of each object's values: a 65,000-step
  // document has millions of values.
  const values: unknown[] = [root];
  const depths: number[] = [1];
  const visit = (x: unknown, d: number) => {
    if (x !== null && typeof x === "object") {
      values.push(x);
      depths.push(d);
    } else if (d > max) max = d;
  };
  while (values.length) {
    const v = values.pop() as object;
    const d = depths.pop()!;
    if (d > max) max = d;
    if (max > MAX_JSON_DEPTH * 2) break;
    if (Array.isArray(v)) for (let i = 0; i < v.length; i++) visit(v[i], d + 1);
    else for (const k in v) if (Object.hasOwn(v, k)) visit((v as Record<string, unknown>)[k], d + 1);
  }
  return max;
}
