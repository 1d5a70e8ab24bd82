// The graph IR: a versioned JSON document holding one pipeline as nodes and edges.
// It is lossless: printing it gives back the formatted .mlp text (comments, order,
// literal spellings), so the editor can work on the graph and hand text back.
// Some fields are derived by `lower` for consumers and ignored by `print`:
// node `config` and `ports`, schema `columns`, edge `artifact`.
import { z } from "zod";

export const IR_VERSION = "mlp.ir/1";

const span = z.object({ start: z.number(), end: z.number(), line: z.number(), col: z.number(), endLine: z.number(), endCol: z.number() });
export type IrSpan = z.infer<typeof span>;

const comments = {
  leading: z.array(z.string()).optional(),
  trailing: z.string().optional(),
  head: z.string().optional(),
  inner: z.array(z.string()).optional(),
};
export type IrComments = { leading?: string[]; trailing?: string; head?: string; inner?: string[] };

// ---------- expressions (the AST's, without spans) ----------

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
    z.object({ kind: z.literal("ref"), name: z.string() }),
    z.object({ kind: z.literal("number"), value: z.number(), raw: z.string() }),
    z.object({ kind: z.literal("string"), value: z.string() }),
    z.object({ kind: z.literal("bool"), value: z.boolean() }),
    z.object({ kind: z.literal("null") }),
    z.object({ kind: z.literal("duration"), raw: z.string() }),
    z.object({ kind: z.literal("size"), raw: z.string() }),
    z.object({ kind: z.literal("range"), lo: irExpr, hi: irExpr }),
    z.object({ kind: z.literal("list"), items: z.array(irExpr) }),
    z.object({ kind: z.literal("object"), entries: z.array(z.object({ key: z.string(), value: irExpr })) }),
    z.object({ kind: z.literal("call"), callee: z.string(), args: z.array(z.object({ name: z.string().optional(), value: irExpr })) }),
    z.object({ kind: z.literal("binary"), op: z.enum(["or", "and", "==", "!=", "<", "<=", ">", ">=", "+", "-", "*", "/", "%"]), left: irExpr, right: irExpr }),
    z.object({ kind: z.literal("unary"), op: z.enum(["not", "-"]), operand: irExpr }),
    z.object({ kind: z.literal("isnull"), operand: irExpr, negated: z.boolean() }),
    z.object({ kind: z.literal("error") }),
  ]),
);

// ---------- types ----------

/** A type as written: `enum(free, pro)?`. */
export const irTypeRef = z.object({ name: z.string(), args: z.array(irExpr).optional(), nullable: z.boolean() });
export type IrTypeRef = z.infer<typeof irTypeRef>;

/** A resolved column type. */
export const irColumnType = z.discriminatedUnion("kind", [
  z.object({ kind: z.enum(["int", "float", "string", "bool", "timestamp", "date", "unknown"]), nullable: z.boolean() }),
  z.object({ kind: z.literal("enum"), members: z.array(z.string()), nullable: z.boolean() }),
  z.object({ kind: z.literal("vector"), size: z.number().int(), nullable: z.boolean() }),
]);
export const irColumn = z.object({ name: z.string(), type: irColumnType });
export type IrColumn = z.infer<typeof irColumn>;

export const irArtifact = z.object({
  type: z.enum(["Table", "Stream", "Features", "Model", "Endpoint", "Report", "Unknown"]),
  /** Declared schema name, when the columns are exactly a declared schema. */
  schema: z.string().optional(),
  columns: z.array(irColumn).optional(),
  streaming: z.boolean().optional(),
  keys: z.array(z.string()).optional(),
  eventTime: z.string().optional(),
  model: z
    .object({
      input: z.array(irColumn),
      label: z.string(),
      labelType: irColumnType,
      task: z.enum(["classification", "regression"]),
      hyperparams: z.array(z.string()),
      gated: z.boolean(),
    })
    .optional(),
});
export type IrArtifact = z.infer<typeof irArtifact>;

// ---------- step bodies ----------

const ident = z.string();
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
    z.object({ kind: z.literal("dedupe"), by: z.array(ident), latest: ident.optional(), ...comments }),
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
    | { kind: "dedupe"; by: string[]; latest?: string }
    | { kind: "by"; columns: string[] }
    | { kind: "key"; columns: string[] }
    | { kind: "keep"; columns: string[] }
    | { kind: "require"; metric: string; op: "==" | "!=" | "<" | "<=" | ">" | ">="; value: IrExpr }
  );

const irAttr = z.object({ name: ident, value: irExpr, ...comments });
export type IrAttr = z.infer<typeof irAttr>;

// ---------- graph ----------

const configValue: z.ZodType<unknown> = z.unknown();

export const irNode = z.object({
  /** Unique in the document; the step name, file-prefixed for a clashing imported step. */
  id: z.string(),
  name: z.string(),
  /** Step kind as written (may be unknown in an erroneous program). */
  kind: z.string(),
  /** `use NAME = OF(...)`: the step whose body is re-applied. */
  use: z.string().optional(),
  /** Written without parentheses (`source x: Table<S> { }`). */
  bare: z.boolean().optional(),
  /** The declared output type `: Table<S>`. */
  declared: z.object({ name: z.string(), schema: z.string().optional() }).optional(),
  body: z.array(irStmt),
  /** Derived: the attributes decoded and validated by the kind's schema. */
  config: z.record(z.string(), configValue),
  /** Derived: typed input and output ports. */
  ports: z.object({
    inputs: z.array(z.object({ port: z.string(), artifact: irArtifact })),
    outputs: z.array(z.object({ port: z.string(), artifact: irArtifact })),
  }),
  /** Set on nodes that come from another file: `mlp graph --to-mlp` prints the import, not the step. */
  origin: z.object({ file: z.string(), import: z.string().optional() }).optional(),
  span: span.optional(),
  ...comments,
});
export type IrNode = z.infer<typeof irNode>;

export const irEdge = z.object({
  from: z.object({ node: z.string(), port: z.string() }),
  to: z.object({ node: z.string(), port: z.string() }),
  /** Written `port: step`. */
  named: z.boolean().optional(),
  /** Written `step.port`. */
  select: z.boolean().optional(),
  /** Derived: what flows along the edge. */
  artifact: irArtifact.optional(),
});
export type IrEdge = z.infer<typeof irEdge>;

export const irSchema = z.object({
  name: z.string(),
  fields: z.array(z.object({ name: z.string(), type: irTypeRef, ...comments })),
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
  pipeline: z
    .object({ name: z.string(), attrs: z.array(irAttr), settings: z.record(z.string(), configValue), span: span.optional(), ...comments })
    .nullable(),
  imports: z.array(z.object({ names: z.array(z.string()), from: z.string(), span: span.optional(), ...comments })),
  schemas: z.array(irSchema),
  nodes: z.array(irNode),
  edges: z.array(irEdge),
  variants: z.array(
    z.object({ name: z.string(), overrides: z.array(z.object({ path: z.array(z.string()), value: irExpr, ...comments })), span: span.optional(), ...comments }),
  ),
  targets: z.array(z.object({ name: z.string(), attrs: z.array(irAttr), settings: z.record(z.string(), configValue), span: span.optional(), ...comments })),
  layout: z
    .object({
      entries: z.array(z.object({ name: z.string(), value: irExpr, ...comments })),
      span: span.optional(),
      ...comments,
    })
    .nullable(),
  /** Declaration order of the file, so printing keeps it. */
  order: z.array(declRef),
  /** Comments after the last declaration. */
  trailing: z.array(z.string()).optional(),
});
export type IrDocument = z.infer<typeof irDocument>;

/** Validates untrusted JSON (e.g. `mlp graph --to-mlp`) and returns the document or readable problems. */
export function parseIr(json: unknown): { ok: true; ir: IrDocument } | { ok: false; problems: string[] } {
  if (jsonDepth(json) > MAX_JSON_DEPTH) return { ok: false, problems: [`the document nests deeper than ${MAX_JSON_DEPTH} levels`] };
  if (json && typeof json === "object" && "version" in json && (json as { version: unknown }).version !== IR_VERSION)
    return { ok: false, problems: [`unsupported IR version ${JSON.stringify((json as { version: unknown }).version)}; this mlp reads ${IR_VERSION}`] };
  const r = irDocument.safeParse(json);
  if (r.success) return { ok: true, ir: r.data };
  return { ok: false, problems: r.error.issues.slice(0, 10).map((i) => `${i.path.length ? i.path.join(".") : "(document)"}: ${i.message}`) };
}

/** Validation and printing recurse over the document; no real pipeline nests this deep. */
const MAX_JSON_DEPTH = 1000;

function jsonDepth(root: unknown): number {
  let max = 0;
  const stack: [unknown, number][] = [[root, 1]];
  while (stack.length) {
    const [v, d] = stack.pop()!;
    if (d > max) max = d;
    if (max > MAX_JSON_DEPTH) break;
    if (v && typeof v === "object") for (const x of Object.values(v)) stack.push([x, d + 1]);
  }
  return max;
}
