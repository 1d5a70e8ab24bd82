// The data steps as relational SQL, shared by the Spark and Flink targets: each step
// becomes one or more views (SELECT text) over the relations that feed it. The column
// semantics are the checker's (language/checker/data-steps.ts):
//   cleanse   ordered ops, one view each: filter keeps rows where the condition is true
//             (null drops the row, as SQL WHERE), fill is COALESCE (T? becomes T), derive
//             replaces a column in place or appends it, cast keeps nullability (SQL CAST),
//             dedupe keeps one row per key: `keep latest COL` the greatest COL, `keep earliest
//             COL` the smallest (nulls last either way)
//   aggregate `by` columns then the aggregates; a window is a tumbling window TVF on streams
//             (adding window_start, window_end), a look-back filter on tables, and with
//             `every` hopping windows on tables (window_start, window_end after the keys)
//   join      left columns then the right side's, the shared key once; SQL LEFT JOIN makes
//             the right side nullable exactly as the checker types it; `asof` keeps the
//             latest right row at or before each left row's time (DuckDB ASOF JOIN, else a
//             ranked key join)
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
      return { query: dedupe(op, cur, ctx), columns: cols, eventTime };
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
 * or `earliest` ascending, nulls last either way (a row without the time is never preferred
 * to one with it), then by every other orderable column, so the row kept does not depend on
 * how the data is partitioned. Streams (Flink): ordered by `latest` descending or `earliest`
 * ascending, else by the event time ascending (Flink runs these as deduplication when the
 * column is the time attribute, as Top-N otherwise).
 */
export function dedupe(op: IrCleanseOp & { op: "dedupe" }, cur: Rel, ctx: StepCtx): string {
  const { d } = ctx;
  const { by, latest, earliest } = op;
  const keep = latest ?? earliest;
  const direction = latest !== undefined ? "DESC" : "ASC";
  const rn = freshColumn("__mlp_rank", cur.columns);
  const order: string[] = [];
  if (ctx.streaming) {
    order.push(keep !== undefined ? `${d.ident(keep)} ${direction}` : `${d.ident(cur.eventTime ?? by[0]!)} ASC`);
  } else {
    if (keep !== undefined) order.push(`${d.ident(keep)} ${direction} NULLS LAST`);
    for (const c of cur.columns)
      if (!by.includes(c.name) && c.name !== keep && c.type.kind !== "vector") order.push(`${d.ident(c.name)} ASC NULLS FIRST`);
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
  const every = node.config.every !== undefined ? durationMs(node.config.every) : undefined;
  if (window !== undefined && time === undefined) throw new TargetError(`\`${node.id}\` has a window but no time column`);
  if (every !== undefined && (window === undefined || ctx.streaming))
    throw new TargetError(`\`${node.id}\`: \`every\` hops a look-back window on a table; ${ctx.streaming ? "a stream" : "a step without `window`"} has none (the checker rejects it)`);
  // Tumbling windows on streams, hopping windows on tables with `every`: both add window_start and window_end.
  const windows = ctx.streaming && window !== undefined ? "tumble" : every !== undefined ? "hop" : undefined;
  const views: View[] = [];

  // An input already carrying window columns (an aggregate of an aggregate) is projected with
  // those renamed, so the windows can add their own.
  let source = input;
  let column: ((name: string) => string) | undefined;
  if (windows && input.columns.some((c) => WINDOW_COLUMNS.includes(c.name))) {
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
  const windowItems: Item[] = [{ name: "window_start" }, { name: "window_end" }];
  // The checker's order: a hop's window columns follow the keys, a tumble's follow the values.
  if (windows === "hop") items.push(...windowItems);
  for (const def of defs) items.push({ expr: stored(lowerExpr(def.value, ex), def.type, d), name: def.name });

  let from = d.ident(source.name);
  const tail: string[] = [];
  const groupBy = by.map(ref);
  if (windows === "tumble") {
    from = d.tumble
      ? d.tumble(d.ident(source.name), ref(time!), window!)
      : `TABLE(TUMBLE(TABLE ${d.ident(source.name)}, DESCRIPTOR(${ref(time!)}), ${d.interval(window!, true)}))`;
    items.push(...windowItems);
    groupBy.unshift(d.ident("window_start"), d.ident("window_end"));
  } else if (windows === "hop") {
    const expanded = hopView(node.id, source, ref(time!), every!, window!, ctx);
    views.push(expanded);
    from = d.ident(expanded.name);
    groupBy.push(d.ident("window_start"), d.ident("window_end"));
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
  const windowColumns: IrColumn[] = ["window_start", "window_end"].map((name) => ({ name, type: { kind: "timestamp", nullable: false } }));
  const columns: IrColumn[] = [
    ...by.map((b) => input.columns.find((c) => c.name === b)!),
    ...(windows === "hop" ? windowColumns : []),
    ...defs.map((def) => ({ name: def.name, type: def.type })),
    ...(windows === "tumble" ? windowColumns : []),
  ];
  // A window's values are known at its end: that is the output's time (a stream's event time).
  return { views, out: { name: node.id, columns, ...(windows === "tumble" ? { eventTime: "window_end" } : {}) } };
}

/**
 * `source` once per hopping window covering each row (dialect.hop), with the window's
 * `window_start` and `window_end` appended: the relation a hopping aggregate groups.
 */
function hopView(id: string, source: Rel, time: string, every: number, window: number, ctx: StepCtx): View {
  const { d } = ctx;
  const hop = d.hop(d.ident(source.name), time, every, window, freshColumn("__mlp_window", source.columns));
  const items: Item[] = [...passThrough(source.columns), { expr: hop.start, name: "window_start" }, { expr: hop.end, name: "window_end" }];
  return { name: ctx.names.fresh(`${id}__windows`), query: select(items, hop.from, d, hop.where !== undefined ? [`WHERE ${hop.where}`] : []) };
}

// ---------- join ----------

function join(node: NodeOf<"join">, left: Rel, right: Rel, ctx: StepCtx): LoweredStep {
  if (node.config.asof !== undefined) return asofJoin(node, node.config.asof, left, right, ctx);
  const { d } = ctx;
  const { items, columns } = joinColumns(node, left, right, ctx);
  const [l, r] = [d.ident("l"), d.ident("r")];
  const { left: lkey, right: rkey } = node.keys;
  const from = `${d.ident(left.name)} AS ${l}\n${node.config.type === "left" ? "LEFT JOIN" : "JOIN"} ${d.ident(right.name)} AS ${r} ON ${l}.${d.ident(lkey)} = ${r}.${d.ident(rkey)}`;
  return { views: [{ name: node.id, query: select(items, from, d) }], out: { name: node.id, columns } };
}

/** Left columns then the right side's (the shared key once), qualified by `l` and `r`; a left join's right side nullable. */
function joinColumns(node: NodeOf<"join">, left: Rel, right: Rel, ctx: StepCtx): { items: Item[]; columns: IrColumn[] } {
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
    columns.push(leftJoin ? { name: c.name, type: nullableIf(c.type, true) } : c);
  }
  return { items, columns };
}

type Asof = NonNullable<NodeOf<"join">["config"]["asof"]>;

/**
 * `asof = L >= R` (backward as-of): each left row meets the right row of its key with the
 * greatest `R <= L`; with `within`, a match older than `L - within` is no match (never a
 * fall-back to an older row: every older row is staler still). `type = left` keeps a left
 * row without a match, right columns null; `inner` drops it. The checker makes the right side
 * unique per (key, R), so the latest match is one row.
 */
function asofJoin(node: NodeOf<"join">, asof: Asof, left: Rel, right: Rel, ctx: StepCtx): LoweredStep {
  const { d } = ctx;
  if (ctx.streaming) throw new TargetError(`\`${node.id}\`: an \`asof\` join reads batch tables; a stream is not as-of joined (the checker rejects it)`);
  if (asof.op !== ">=") throw new TargetError(`\`${node.id}\`: \`asof\` takes \`left >= right\` only (the checker rejects \`${asof.op}\`)`);
  const within = node.config.within !== undefined ? durationMs(node.config.within) : undefined;
  const [l, r] = [d.ident("l"), d.ident("r")];
  const lt = `${l}.${d.ident(asof.left)}`;
  const rt = `${r}.${d.ident(asof.right)}`;
  const { left: lkey, right: rkey } = node.keys;
  const key = `${l}.${d.ident(lkey)} = ${r}.${d.ident(rkey)}`;
  // The oldest right time a left row may still meet.
  const fresh = within !== undefined ? `${rt} >= ${lt} - ${d.interval(within, false)}` : undefined;
  const { items, columns } = joinColumns(node, left, right, ctx);
  const leftJoin = node.config.type === "left";
  return d.asofJoin
    ? nativeAsof(node, { left, right, key, lt, rt, fresh, leftJoin, items, columns }, ctx)
    : rankedAsof(node, { left, right, key, lt, rt, fresh, leftJoin, items, columns }, ctx);
}

interface AsofParts {
  left: Rel;
  right: Rel;
  /** `l.k = r.k` */
  key: string;
  /** The left and right time columns, qualified. */
  lt: string;
  rt: string;
  /** `within`'s condition on a match, if any. */
  fresh?: string | undefined;
  leftJoin: boolean;
  items: Item[];
  columns: IrColumn[];
}

/**
 * DuckDB's ASOF JOIN finds the latest match itself; its ON takes one inequality only, so
 * `within` is applied to the match it found: a stale match nulls the right columns (left) or
 * drops the row (inner), as if there were none.
 */
function nativeAsof(node: NodeOf<"join">, p: AsofParts, ctx: StepCtx): LoweredStep {
  const { d } = ctx;
  const [l, r] = [d.ident("l"), d.ident("r")];
  const fromRight = new Set(p.items.slice(p.left.columns.length));
  const items = p.items.map((i): Item => (p.fresh !== undefined && p.leftJoin && fromRight.has(i) ? { expr: `CASE WHEN ${p.fresh} THEN ${i.expr} END`, name: i.name } : i));
  const from = `${d.ident(p.left.name)} AS ${l}\nASOF ${p.leftJoin ? "LEFT JOIN" : "JOIN"} ${d.ident(p.right.name)} AS ${r} ON ${p.key} AND ${p.lt} >= ${p.rt}`;
  const tail = p.fresh !== undefined && !p.leftJoin ? [`WHERE ${p.fresh}`] : [];
  return { views: [{ name: node.id, query: select(items, from, d, tail) }], out: { name: node.id, columns: p.columns } };
}

/**
 * Engines without an as-of join (Spark): a key join on `R <= L` (and `within`), then, among
 * the matches of each left row, the one with the greatest R. A left row is identified by all
 * its columns: identical left rows share one partition and meet the same right rows, so RANK
 * = 1 keeps each of them exactly once with the latest match (the right side is unique per key
 * and R: no ties), and a left row without a match once with nulls. No row id is drawn from
 * the data's partitioning, so the result is the same on every run.
 */
function rankedAsof(node: NodeOf<"join">, p: AsofParts, ctx: StepCtx): LoweredStep {
  const { d } = ctx;
  const [l, r] = [d.ident("l"), d.ident("r")];
  const rank = freshColumn("__mlp_rank", p.columns);
  const partition = p.left.columns.map((c) => `${l}.${d.ident(c.name)}`).join(", ");
  const on = [p.key, `${p.rt} <= ${p.lt}`, ...(p.fresh !== undefined ? [p.fresh] : [])].join(" AND ");
  const from = `${d.ident(p.left.name)} AS ${l}\n${p.leftJoin ? "LEFT JOIN" : "JOIN"} ${d.ident(p.right.name)} AS ${r} ON ${on}`;
  const ranked: Item = { expr: `RANK() OVER (PARTITION BY ${partition} ORDER BY ${p.rt} DESC NULLS LAST)`, name: rank };
  const matches = ctx.names.fresh(`${node.id}__matches`);
  const latest = select(passThrough(p.columns), d.ident(matches), d, [`WHERE ${d.ident(rank)} = 1`]);
  return {
    views: [
      { name: matches, query: select([...p.items, ranked], from, d) },
      { name: node.id, query: latest },
    ],
    out: { name: node.id, columns: p.columns },
  };
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
