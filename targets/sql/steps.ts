// The data steps as relational SQL, shared by the Spark and Flink targets: each step
// becomes one or more views (SELECT text) over the relations that feed it. The column
// semantics are the checker's (language/checker/data-steps.ts):
//   cleanse   ordered ops, one view each: filter keeps rows where the condition is true
//             (null drops the row, as SQL WHERE), fill is COALESCE (T? becomes T), derive
//             replaces a column in place or appends it, cast keeps nullability (SQL CAST),
//             dedupe keeps one row per key: `keep latest COL` the greatest COL (nulls last)
//   aggregate `by` columns then the aggregates; a window is a tumbling window TVF on streams
//             (adding window_start, window_end) and a look-back filter on tables
//   join      left columns then the right side's, the shared key once; SQL LEFT JOIN makes
//             the right side nullable exactly as the checker types it
//   features  keys, then kept columns, then the features
// Every computed column is stored in its declared type (CAST when its SQL type differs).
import type { IrCleanseOp, IrColumn, IrType, NodeOf, ValidNode } from "../../compiler/ir";
import { TargetError } from "../../compiler/target-api";
import { durationMs } from "../../language/catalog/values";
import type { Dialect } from "./dialect";
import { lowerExpr, PREC, stored, type ExprCtx, type Sql } from "./expr";
import { freshColumn, type Names } from "./names";

/** A relation in scope: a view or table with typed columns. */
export interface Rel {
  name: string;
  columns: IrColumn[];
  /** A stream's event time column (Flink: the column carrying the watermark). */
  eventTime?: string;
}

export interface View {
  name: string;
  query: string;
}

export interface StepCtx {
  d: Dialect;
  names: Names;
  streaming: boolean;
}

export interface LoweredStep {
  views: View[];
  out: Rel;
}

interface Item {
  /** SQL of the value; undefined for a plain pass-through of `name`. */
  expr?: string;
  name: string;
}

export function select(items: Item[], from: string, d: Dialect, tail: string[] = []): string {
  const list = items.map((i) => `  ${i.expr === undefined ? d.ident(i.name) : `${i.expr} AS ${d.ident(i.name)}`}`).join(",\n");
  return [`SELECT\n${list}`, `FROM ${from}`, ...tail].join("\n");
}

const passThrough = (cols: IrColumn[]): Item[] => cols.map((c) => ({ name: c.name }));

/** Lowers one data step (not sources, not split: those are target-specific). */
export function lowerStep(node: ValidNode, inputs: Rel[], ctx: StepCtx): LoweredStep {
  let r: LoweredStep;
  switch (node.kind) {
    case "cleanse":
      r = cleanse(node, inputs[0]!, ctx);
      break;
    case "aggregate":
      r = aggregate(node, inputs[0]!, ctx);
      break;
    case "join":
      r = join(node, inputs[0]!, inputs[1]!, ctx);
      break;
    case "features":
      r = features(node, inputs[0]!, ctx);
      break;
    default:
      throw new TargetError(`\`${node.id}\` (${node.kind}) is not a relational data step (${ctx.d.name} SQL)`);
  }
  const expected = outputColumns(node).map((c) => c.name);
  const got = r.out.columns.map((c) => c.name);
  if (expected.join(",") !== got.join(","))
    throw new TargetError(`the ${ctx.d.name} SQL of \`${node.id}\` computes columns ${got.join(", ")} but the graph says ${expected.join(", ")}`);
  return r;
}

const nullableIf = (t: IrType, nullable: boolean): IrType => (t.kind === "null" || !nullable ? t : { ...t, nullable: true });

/** The columns the checker gave a step's `out` port. */
const outputColumns = (n: ValidNode): IrColumn[] => n.ports.outputs.find((p) => p.port === "out")?.artifact.columns ?? [];

// ---------- cleanse ----------

function cleanse(node: NodeOf<"cleanse">, input: Rel, ctx: StepCtx): LoweredStep {
  const { d } = ctx;
  const ops = node.ops;
  const views: View[] = [];
  let cur: Rel = input;
  ops.forEach((op, i) => {
    const name = i === ops.length - 1 ? node.id : ctx.names.fresh(`${node.id}__${i + 1}`);
    const { query, columns, eventTime } = cleanseOp(op, cur, ctx);
    views.push({ name, query });
    cur = { name, columns, ...(eventTime !== undefined ? { eventTime } : {}) };
  });
  if (ops.length === 0) {
    views.push({ name: node.id, query: select(passThrough(input.columns), d.ident(input.name), d) });
    cur = { ...input, name: node.id };
  }
  return { views, out: cur };
}

function cleanseOp(op: IrCleanseOp, cur: Rel, ctx: StepCtx): { query: string; columns: IrColumn[]; eventTime?: string } {
  const { d } = ctx;
  const from = d.ident(cur.name);
  const ex: ExprCtx = { d };
  const cols = cur.columns;
  let eventTime = cur.eventTime;
  switch (op.op) {
    case "filter":
      return { query: select(passThrough(cols), from, d, [`WHERE ${lowerExpr(op.cond, ex).sql}`]), columns: cols, eventTime };
    case "fill": {
      const v = lowerExpr(op.value, ex);
      const items = cols.map((c): Item => (c.name === op.column ? { expr: `COALESCE(${d.ident(c.name)}, ${v.sql})`, name: c.name } : { name: c.name }));
      const columns = cols.map((c) => (c.name === op.column ? { name: c.name, type: c.type.kind === "null" ? c.type : { ...c.type, nullable: false } } : c));
      return { query: select(items, from, d), columns, eventTime };
    }
    case "drop": {
      const gone = new Set(op.columns);
      if (eventTime && gone.has(eventTime)) eventTime = undefined;
      const columns = cols.filter((c) => !gone.has(c.name));
      return { query: select(passThrough(columns), from, d), columns, eventTime };
    }
    case "rename": {
      if (eventTime === op.from) eventTime = op.to;
      const items = cols.map((c): Item => (c.name === op.from ? { expr: d.ident(c.name), name: op.to } : { name: c.name }));
      const columns = cols.map((c) => (c.name === op.from ? { name: op.to, type: c.type } : c));
      return { query: select(items, from, d), columns, eventTime };
    }
    case "cast": {
      const col = cols.find((c) => c.name === op.column);
      if (!col) throw new TargetError(`the ${d.name} SQL casts an unknown column ${op.column}`);
      // SQL CAST keeps nulls: a nullable column stays nullable whatever the written type.
      const type = nullableIf(op.type, col.type.nullable);
      const ref: Sql = { sql: d.ident(col.name), prec: PREC.ATOM, type: col.type, exact: true };
      const items = cols.map((c): Item => (c.name === op.column ? { expr: stored(ref, type, d), name: c.name } : { name: c.name }));
      // A cast column stops being the event time in Flink (CAST materialises the time attribute).
      if (eventTime === col.name && d.type(type) !== d.type(col.type)) eventTime = undefined;
      return { query: select(items, from, d), columns: cols.map((c) => (c.name === op.column ? { name: c.name, type } : c)), eventTime };
    }
    case "dedupe":
      return { query: dedupe(op.by, op.latest, cur, ctx), columns: cols, eventTime };
    case "derive": {
      const x = lowerExpr(op.value, ex);
      const type = x.type;
      const item: Item = { expr: stored(x, x.type, d), name: op.column };
      const exists = cols.some((c) => c.name === op.column);
      const items = exists ? cols.map((c): Item => (c.name === op.column ? item : { name: c.name })) : [...passThrough(cols), item];
      const columns = exists ? cols.map((c) => (c.name === op.column ? { name: c.name, type } : c)) : [...cols, { name: op.column, type }];
      if (exists && eventTime === op.column) eventTime = undefined;
      return { query: select(items, from, d), columns, eventTime };
    }
  }
}

/**
 * One row per `by` key, with ROW_NUMBER() = 1. Batch (Spark): ordered by `latest` descending
 * with nulls last, then by every other orderable column, so the row kept does not depend on
 * how the data is partitioned. Streams (Flink): ordered by `latest` descending, else by the
 * event time ascending (Flink runs these as deduplication when the column is the time
 * attribute, as Top-N otherwise).
 */
function dedupe(by: string[], latest: string | undefined, cur: Rel, ctx: StepCtx): string {
  const { d } = ctx;
  const rn = freshColumn("__mlp_rank", cur.columns);
  const order: string[] = [];
  if (ctx.streaming) {
    if (latest) order.push(`${d.ident(latest)} DESC`);
    else order.push(`${d.ident(cur.eventTime ?? by[0]!)} ASC`);
  } else {
    if (latest) order.push(`${d.ident(latest)} DESC NULLS LAST`);
    for (const c of cur.columns)
      if (!by.includes(c.name) && c.name !== latest && c.type.kind !== "vector") order.push(`${d.ident(c.name)} ASC NULLS FIRST`);
    if (order.length === 0) order.push(`${d.ident(by[0]!)} ASC`);
  }
  const inner = select(
    [...passThrough(cur.columns), { expr: `ROW_NUMBER() OVER (PARTITION BY ${by.map((b) => d.ident(b)).join(", ")} ORDER BY ${order.join(", ")})`, name: rn }],
    d.ident(cur.name),
    d,
  );
  const alias = d.ident("__mlp_dedupe");
  return select(passThrough(cur.columns), `(\n${indent(inner)}\n) AS ${alias}`, d, [`WHERE ${d.ident(rn)} = 1`]);
}

const indent = (s: string) =>
  s
    .split("\n")
    .map((l) => `  ${l}`)
    .join("\n");

// ---------- aggregate ----------

const WINDOW_COLUMNS = ["window_start", "window_end", "window_time"];

function aggregate(node: NodeOf<"aggregate">, input: Rel, ctx: StepCtx): LoweredStep {
  const { d } = ctx;
  const { by, columns: defs, time } = node;
  const window = node.config.window !== undefined ? durationMs(node.config.window) : undefined;
  const views: View[] = [];

  // A stream already carrying window columns (an aggregate of an aggregate) is projected with
  // those renamed, so the window TVF can add its own.
  let source = input;
  let column: ((name: string) => string) | undefined;
  const streamingWindow = ctx.streaming && window !== undefined;
  if (streamingWindow && input.columns.some((c) => WINDOW_COLUMNS.includes(c.name))) {
    const renamed = new Map<string, string>();
    for (const c of input.columns) if (WINDOW_COLUMNS.includes(c.name)) renamed.set(c.name, freshColumn(`__mlp_${c.name}`, input.columns));
    const name = ctx.names.fresh(`${node.id}__input`);
    const items = input.columns.map((c): Item => (renamed.has(c.name) ? { expr: d.ident(c.name), name: renamed.get(c.name)! } : { name: c.name }));
    views.push({ name, query: select(items, d.ident(input.name), d) });
    source = { name, columns: input.columns.map((c) => ({ name: renamed.get(c.name) ?? c.name, type: c.type })) };
    column = (n) => d.ident(renamed.get(n) ?? n);
  }
  const ex: ExprCtx = { d, ...(column ? { column } : {}) };
  const ref = (n: string) => (column ? column(n) : d.ident(n));
  const items: Item[] = by.map((b) => (column && ref(b) !== d.ident(b) ? { expr: ref(b), name: b } : { name: b }));
  for (const def of defs) items.push({ expr: stored(lowerExpr(def.value, ex), def.type, d), name: def.name });

  let from = d.ident(source.name);
  const tail: string[] = [];
  const groupBy = by.map(ref);
  if (window !== undefined && time === undefined) throw new TargetError(`\`${node.id}\` has a window but no time column`);
  if (streamingWindow) {
    from = d.tumble
      ? d.tumble(d.ident(source.name), ref(time!), window!)
      : `TABLE(TUMBLE(TABLE ${d.ident(source.name)}, DESCRIPTOR(${ref(time!)}), ${d.interval(window!, true)}))`;
    items.push({ name: "window_start" }, { name: "window_end" });
    groupBy.unshift(d.ident("window_start"), d.ident("window_end"));
  } else if (window !== undefined) {
    // A look-back window on a table: the rows of the last `window` before the job runs,
    // [now - window, now]. Rows timed after the run's instant (future-dated rows) are not
    // "within that period before the run" (language/REFERENCE.md, aggregate), so the upper
    // bound is written too.
    const now = d.fns.now!([], []);
    tail.push(`WHERE ${ref(time!)} >= ${now} - ${d.interval(window, false)} AND ${ref(time!)} <= ${now}`);
  }
  if (groupBy.length) tail.push(`GROUP BY ${groupBy.join(", ")}`);
  views.push({ name: node.id, query: select(items, from, d, tail) });
  const columns: IrColumn[] = [
    ...by.map((b) => input.columns.find((c) => c.name === b)!),
    ...defs.map((def) => ({ name: def.name, type: def.type })),
  ];
  if (streamingWindow) columns.push({ name: "window_start", type: { kind: "timestamp", nullable: false } }, { name: "window_end", type: { kind: "timestamp", nullable: false } });
  return { views, out: { name: node.id, columns, ...(streamingWindow ? { eventTime: "window_end" } : {}) } };
}

// ---------- join ----------

function join(node: NodeOf<"join">, left: Rel, right: Rel, ctx: StepCtx): LoweredStep {
  const { d } = ctx;
  const { left: lkey, right: rkey } = node.keys;
  const [l, r] = [d.ident("l"), d.ident("r")];
  const items: Item[] = [];
  const columns: IrColumn[] = [];
  for (const c of left.columns) {
    items.push({ expr: `${l}.${d.ident(c.name)}`, name: c.name });
    columns.push(c);
  }
  const leftJoin = node.config.type === "left";
  for (const c of right.columns) {
    if (c.name === rkey && rkey === lkey) continue;
    items.push({ expr: `${r}.${d.ident(c.name)}`, name: c.name });
    columns.push(leftJoin ? { name: c.name, type: { ...c.type, nullable: true } } : c);
  }
  const from = `${d.ident(left.name)} AS ${l}\n${leftJoin ? "LEFT JOIN" : "JOIN"} ${d.ident(right.name)} AS ${r} ON ${l}.${d.ident(lkey)} = ${r}.${d.ident(rkey)}`;
  return { views: [{ name: node.id, query: select(items, from, d) }], out: { name: node.id, columns } };
}

// ---------- features ----------

function features(node: NodeOf<"features">, input: Rel, ctx: StepCtx): LoweredStep {
  const { d } = ctx;
  const ex: ExprCtx = { d };
  // Keys first, then kept columns, then the features, each in the order written (the checker's output order).
  const items: Item[] = [...node.key, ...node.keep].map((c) => ({ name: c }));
  for (const def of node.columns) items.push({ expr: stored(lowerExpr(def.value, ex), def.type, d), name: def.name });
  const out = new Map(outputColumns(node).map((c) => [c.name, c]));
  const columns = items.map((i) => out.get(i.name) ?? { name: i.name, type: { kind: "unknown" as const, nullable: true } });
  const eventTime = input.eventTime && items.some((i) => i.name === input.eventTime && i.expr === undefined) ? input.eventTime : undefined;
  return { views: [{ name: node.id, query: select(items, d.ident(input.name), d) }], out: { name: node.id, columns, ...(eventTime ? { eventTime } : {}) } };
}
