// Column-level rules of the data steps: how each one turns its input schema into
// its output schema, and what it must be given to do so.
import type * as A from "../ast";
import { didYouMean } from "../diagnostics/diagnostic";
import { fits, Schema, showType, unify, unknownType, withNullable, UNKNOWN, type Artifact, type Column, type ColumnType } from "../types";
import { bareColumns, typeOf, usesAggregate, type ExprEnv } from "./expressions";
import { resolveType } from "./schemas";
import { durationMs } from "../catalog/values";
import { joinKeys } from "../catalog/join";
import type { KindContext, KindRules } from "./steps";

type Data = Artifact & { kind: "Table" | "Stream" | "Features" };

const isData = (a: Artifact | undefined): a is Data => !!a && (a.kind === "Table" || a.kind === "Stream" || a.kind === "Features");

/** "Customer" for a declared schema, else the step the data comes from. */
function sourceName(c: KindContext, port: string, a: Data): string {
  return a.schema.name ?? `\`${c.step.inputs.find((i) => i.port === port)?.ref.step.name ?? port}\``;
}

function env(c: KindContext, schema: Schema, source: string, aggregates = false): ExprEnv {
  return { schema, step: c.step.name, source, aggregates, report: c.report, types: c.step.types };
}

/** Looks a column up; reports it (with "did you mean") when missing. */
function column(c: KindContext, schema: Schema, id: A.Ident, source: string): Column | undefined {
  const col = schema.get(id.name);
  if (!col && id.name !== "")
    c.report("MLP0301", id.span, `unknown column \`${id.name}\` in \`${c.step.name}\``, { label: `not a column of ${source}`, help: didYouMean(id.name, schema.names()) });
  return col;
}

/** A value of type `value` stored in a column declared `declared`: kind must fit, and nullability. */
export function checkAssign(c: KindContext, what: string, declared: ColumnType, value: ColumnType, at: A.Expr): void {
  if (value.kind === "unknown" || declared.kind === "unknown") return;
  if (value.kind === "duration" || !fits(value, declared)) {
    c.report("MLP0302", at.span, `${what} is declared ${showType(declared)}, but its value is ${showType(value)}`, { label: `a ${showType(value)}` });
    return;
  }
  if (value.nullable && !declared.nullable) {
    c.report("MLP0303", at.span, `${what} is declared ${showType(declared)}, but its value may be null`, {
      label: "may be null",
      help: `declare it \`${showType(withNullable(declared, true))}\`, or give a default with coalesce(..., value)`,
    });
  }
}

function checkColumnDef(c: KindContext, def: A.ColumnDef, e: ExprEnv): Column {
  const declared = resolveType(def.type, c.report);
  const value = typeOf(def.value, e);
  checkAssign(c, `\`${def.name.name}\``, declared, value, def.value);
  return { name: def.name.name, type: declared };
}

const source: KindRules = (c) => {
  const out = c.body.output;
  if (!out) {
    c.report("MLP0210", c.step.decl.name.span, `source \`${c.step.name}\` needs its output type`, { help: `write \`source ${c.step.name}: Table<Schema> { ... }\` or \`Stream<Schema>\`` });
    return UNKNOWN;
  }
  const kind = out.name.name;
  if (kind !== "Table" && kind !== "Stream") {
    c.report("MLP0311", out.name.span, `a source produces a \`Table<S>\` or a \`Stream<S>\`, not \`${kind}\``, { help: didYouMean(kind, ["Table", "Stream"]) });
    return UNKNOWN;
  }
  if (!out.schema) {
    c.report("MLP0210", out.span, `\`${kind}\` needs its schema: \`${kind}<Schema>\``);
    return UNKNOWN;
  }
  const info = c.schemaNamed(out.schema.name);
  if (!info) {
    c.report("MLP0204", out.schema.span, `unknown schema \`${out.schema.name}\``, { help: didYouMean(out.schema.name, c.schemaNames()) });
    return UNKNOWN;
  }
  const schema = info.schema;
  const needs = kind === "Table" ? ["uri"] : ["topic"];
  const forbidden = kind === "Table" ? ["topic", "event_time", "lateness"] : ["uri"];
  for (const n of forbidden) {
    const a = c.attr(n);
    if (a) c.report("MLP0209", a.name.span, `\`${n}\` is for ${kind === "Table" ? "stream" : "table"} sources; \`${c.step.name}\` is a ${kind}`);
  }
  for (const n of needs)
    if (!c.attr(n)) c.report("MLP0210", c.step.decl.name.span, `${kind === "Table" ? "table" : "stream"} source \`${c.step.name}\` needs \`${n}\``, { help: `add \`${n} = "..."\`` });
  if (kind === "Table") return { kind: "Table", schema };
  const et = c.attr("event_time");
  let eventTime: string | undefined;
  if (et && typeof c.config.event_time === "string") {
    const col = column(c, schema, { kind: "ident", name: c.config.event_time, span: et.value.span }, schema.name ?? "the schema");
    if (col && col.type.kind !== "timestamp" && col.type.kind !== "unknown")
      c.report("MLP0302", et.value.span, `event time \`${col.name}\` must be a timestamp, but it is ${showType(col.type)}`);
    else if (col) eventTime = col.name;
  }
  return eventTime ? { kind: "Stream", schema, eventTime } : { kind: "Stream", schema };
};

const cleanse: KindRules = (c) => {
  const input = c.input("data");
  if (!isData(input)) return UNKNOWN;
  const origin = sourceName(c, "data", input);
  let cols: Column[] = [...input.schema.columns];
  let eventTime = "eventTime" in input ? input.eventTime : undefined;
  let schema = input.schema;
  // Row identities survive operations that neither merge rows nor change their key columns.
  let unique = uniqueOf(input);
  let history = input.kind === "Stream" ? undefined : input.history;
  const forget = (changed: string) => {
    unique = unique.filter((k) => !k.includes(changed));
    if (history === changed) history = undefined;
  };
  const update = (next: Column[]) => {
    cols = next;
    schema = new Schema(cols);
  };
  for (const st of c.body.body) {
    if (st.kind === "attr" || st.kind === "column" || st.kind === "block") continue;
    const e = env(c, schema, origin);
    switch (st.kind) {
      case "filter": {
        const t = typeOf(st.cond, e);
        if (t.kind !== "bool" && t.kind !== "unknown") c.report("MLP0302", st.cond.span, `\`filter\` needs a bool condition, but this is ${showType(t)}`);
        // Rows that pass `x is not null` (alone or and-ed) have a non-null x from here on.
        const proven = notNullColumns(st.cond);
        if (proven.size) update(cols.map((x) => (proven.has(x.name) ? { name: x.name, type: withNullable(x.type, false) } : x)));
        break;
      }
      case "fill": {
        const col = column(c, schema, st.column, origin);
        const v = typeOf(st.value, e);
        if (!col) break;
        const target = withNullable(col.type, false);
        if (v.kind !== "unknown" && col.type.kind !== "unknown") {
          const literalMember = target.kind === "enum" && st.value.kind === "string" && target.members.includes(st.value.value);
          if (!literalMember && (v.kind === "duration" || !fits(v, target)))
            c.report("MLP0302", st.value.span, `cannot fill \`${col.name}\` (${showType(col.type)}) with ${st.value.kind === "string" ? "a string" : `a ${showType(v)}`}`, { label: `a ${showType(v)}` });
          else if (v.nullable) c.report("MLP0303", st.value.span, `the value filling \`${col.name}\` may itself be null`, { help: "fill with a literal or coalesce(..., default)" });
        }
        forget(col.name);
        update(cols.map((x) => (x.name === col.name ? { name: x.name, type: target } : x)));
        break;
      }
      case "drop": {
        const gone = new Set(st.columns.filter((id) => column(c, schema, id, origin)).map((id) => id.name));
        if (eventTime && gone.has(eventTime)) eventTime = undefined;
        for (const g of gone) forget(g);
        update(cols.filter((x) => !gone.has(x.name)));
        break;
      }
      case "rename": {
        const col = column(c, schema, st.from, origin);
        if (!col) break;
        if (schema.has(st.to.name) && st.to.name !== st.from.name) {
          c.report("MLP0312", st.to.span, `cannot rename \`${st.from.name}\` to \`${st.to.name}\`: that column exists`);
          break;
        }
        if (eventTime === col.name) eventTime = st.to.name;
        unique = unique.map((k) => k.map((x) => (x === col.name ? st.to.name : x)));
        if (history === col.name) history = st.to.name;
        update(cols.map((x) => (x.name === col.name ? { name: st.to.name, type: x.type } : x)));
        break;
      }
      case "cast": {
        const col = column(c, schema, st.column, origin);
        const to = resolveType(st.type, c.report);
        if (!col) break;
        if (history === col.name && to.kind !== "timestamp") history = undefined;
        if ((to.kind === "vector") !== (col.type.kind === "vector") && col.type.kind !== "unknown" && to.kind !== "unknown")
          c.report("MLP0302", st.type.span, `cannot cast \`${col.name}\` (${showType(col.type)}) to ${showType(to)}`);
        update(cols.map((x) => (x.name === col.name ? { name: x.name, type: withNullable(to, to.nullable || col.type.nullable) } : x)));
        break;
      }
      case "dedupe": {
        const by = st.by.filter((id) => column(c, schema, id, origin));
        const order = st.latest ?? st.earliest;
        if (order) {
          const col = column(c, schema, order, origin);
          if (col && !["timestamp", "date", "int", "float", "unknown"].includes(col.type.kind))
            c.report("MLP0302", order.span, `\`keep ${st.latest ? "latest" : "earliest"}\` needs a timestamp, date or number to order by, but \`${col.name}\` is ${showType(col.type)}`);
        } else if (by.length === st.by.length && !cols.every((x) => st.by.some((id) => id.name === x.name))) {
          const stamps = timeColumns(cols);
          c.report("MLP0605", st.keyword, `\`dedupe\` without \`keep\` keeps an arbitrary row per ${ids(st.by)}: engines and runs may pick different ones`, {
            label: "which row survives is unspecified",
            help: stamps.length
              ? `say which: \`keep latest ${stamps[0]}\` or \`keep earliest ${stamps[0]}\`${stamps.length > 1 ? ` (timestamp columns: ${stamps.map((s) => `\`${s}\``).join(", ")})` : ""}`
              : "say which with `keep latest COL` or `keep earliest COL`, or dedupe by every column to drop exact duplicates",
          });
        }
        if (by.length === st.by.length && by.length > 0) unique = [...unique, by.map((id) => id.name)];
        break;
      }
      case "derive": {
        const t = typeOf(st.value, e);
        let type: ColumnType = t;
        if (t.kind === "duration" || t.kind === "null") {
          c.report("MLP0302", st.value.span, `\`${st.column.name}\` needs a column type, but this is ${t.kind === "null" ? "only `null`" : "a duration"}`);
          type = unknownType(true);
        }
        const exists = schema.has(st.column.name);
        if (exists) forget(st.column.name);
        update(exists ? cols.map((x) => (x.name === st.column.name ? { name: x.name, type } : x)) : [...cols, { name: st.column.name, type }]);
        break;
      }
    }
  }
  const out = new Schema(cols);
  if (input.kind === "Stream") return eventTime ? { kind: "Stream", schema: out, eventTime } : { kind: "Stream", schema: out };
  return table(out, unique, history);
};

/** Column sets that identify a row of `a` (a features step's history keeps those of its input). */
function uniqueOf(a: Data): string[][] {
  return a.kind === "Stream" ? [] : (a.unique ?? []);
}

function table(schema: Schema, unique: string[][], history?: string): Artifact {
  const a: Artifact = { kind: "Table", schema };
  if (unique.length) a.unique = unique;
  if (history) a.history = history;
  return a;
}

/** The columns holding a point in time (timestamps and dates), by name: what `keep` and `asof` order by. */
const timeColumns = (cols: readonly Column[]): string[] => cols.filter((x) => x.type.kind === "timestamp" || x.type.kind === "date").map((x) => x.name);

const ids = (xs: A.Ident[]) => xs.map((x) => `\`${x.name}\``).join(", ");

/** Columns a filter condition proves non-null: `x is not null`, possibly joined with `and`. */
function notNullColumns(cond: A.Expr, out = new Set<string>()): Set<string> {
  if (cond.kind === "isnull" && cond.negated && cond.operand.kind === "ref") out.add(cond.operand.name);
  else if (cond.kind === "binary" && cond.op === "and") {
    notNullColumns(cond.left, out);
    notNullColumns(cond.right, out);
  }
  return out;
}

const aggregate: KindRules = (c) => {
  const input = c.input("data");
  if (!isData(input)) return UNKNOWN;
  const origin = sourceName(c, "data", input);
  const schema = input.schema;
  const by: Column[] = [];
  for (const op of c.ops("by")) for (const id of op.columns) {
    const col = column(c, schema, id, origin);
    if (col && !by.some((b) => b.name === col.name)) by.push(col);
  }
  const streaming = input.kind === "Stream";
  const windowAttr = c.attr("window");
  if (streaming && !windowAttr)
    c.report("MLP0210", c.step.decl.name.span, `aggregating the stream \`${c.step.inputs[0]?.ref.step.name}\` needs a \`window\``, { help: "add `window = 10m` (a tumbling event-time window)" });
  if (windowAttr || c.attr("time")) c.step.windowTime = timeColumn(c, input, origin);
  const hopping = checkEvery(c, streaming);
  const cols: Column[] = [...by];
  if (hopping) cols.push(...windowColumns());
  const e = env(c, schema, origin, true);
  for (const def of c.columns()) {
    const col = checkColumnDef(c, def, e);
    if (cols.some((x) => x.name === col.name)) {
      const what = by.some((b) => b.name === col.name) ? "a `by` column" : hopping && col.name.startsWith("window_") ? "the hopping window's column" : "defined";
      c.report("MLP0312", def.name.span, `column \`${col.name}\` is already ${what} in \`${c.step.name}\``);
      continue;
    }
    if (!usesAggregate(def.value)) {
      c.report("MLP0307", def.value.span, `\`${col.name}\` is computed per group, so it needs an aggregate function`, { help: "use count(), count_distinct, sum, avg, min or max" });
    } else {
      for (const ref of bareColumns(def.value))
        if (ref.kind === "ref" && schema.has(ref.name) && !by.some((b) => b.name === ref.name))
          c.report("MLP0307", ref.span, `\`${ref.name}\` is neither a \`by\` column nor inside an aggregate function`, { help: `aggregate it, e.g. max(${ref.name}), or add it to \`by\`` });
    }
    cols.push(col);
  }
  if (streaming && windowAttr) {
    cols.push(...windowColumns());
    return { kind: "Stream", schema: new Schema(cols), eventTime: "window_end" };
  }
  if (streaming) return { kind: "Stream", schema: new Schema(cols) };
  const keys = by.map((b) => b.name);
  // One row per key (and window); without `by`, one row (per window).
  if (!hopping) return table(new Schema(cols), [keys]);
  return table(new Schema(cols), [[...keys, "window_end"], [...keys, "window_start"]], "window_end");
};

/** What a window adds: its bounds, after the values on a stream (tumbling), after the keys on a table (hopping). */
const windowColumns = (): Column[] => [
  { name: "window_start", type: { kind: "timestamp", nullable: false } },
  { name: "window_end", type: { kind: "timestamp", nullable: false } },
];

/**
 * `every` hops a table's look-back window. True when the step has a valid hopping window;
 * a stream window is tumbling and `every` alone has nothing to hop.
 */
function checkEvery(c: KindContext, streaming: boolean): boolean {
  const every = c.attr("every");
  if (!every) return false;
  const window = c.attr("window");
  if (streaming) {
    c.report("MLP0315", every.name.span, `\`every\` hops a table's look-back window; \`${c.step.name}\` aggregates a stream, whose windows are tumbling`, {
      label: "a hop on a stream",
      help: "remove `every` (streams keep their latest values in the online store), or aggregate the table history instead",
    });
    return false;
  }
  if (!window) {
    c.report("MLP0315", every.name.span, `\`every\` needs a \`window\` to hop: \`${c.step.name}\` has none`, {
      label: "nothing to hop",
      help: `add the look-back period, e.g. \`window = 28d\` with \`every = ${typeof c.config.every === "string" ? c.config.every : "7d"}\``,
    });
    return false;
  }
  const [w, e] = [c.config.window, c.config.every];
  if (typeof w !== "string" || typeof e !== "string") return false;
  if (durationMs(e) <= 0) {
    c.report("MLP0310", every.value.span, "`every` must be longer than zero");
    return false;
  }
  if (durationMs(e) > durationMs(w))
    c.report("MLP0604", every.value.span, `\`every = ${e}\` is longer than \`window = ${w}\`: rows between two windows are in none`, {
      label: "gaps between windows",
      help: `make \`every\` at most \`${w}\` so every row is counted`,
    });
  return true;
}

/** The column a window is measured on: `time = COL`, the stream's event time, or the only timestamp. */
function timeColumn(c: KindContext, input: Data, origin: string): string | undefined {
  const timeAttr = c.attr("time");
  if (timeAttr && typeof c.config.time === "string") {
    const col = column(c, input.schema, { kind: "ident", name: c.config.time, span: timeAttr.value.span }, origin);
    if (col && col.type.kind !== "timestamp" && col.type.kind !== "unknown") {
      c.report("MLP0309", timeAttr.value.span, `window time \`${col.name}\` must be a timestamp, but it is ${showType(col.type)}`);
      return undefined;
    }
    return col?.name;
  }
  if (timeAttr) return undefined;
  if ("eventTime" in input && input.eventTime) return input.eventTime;
  const stamps = input.schema.columns.filter((x) => x.type.kind === "timestamp");
  const at = (c.attr("window") ?? c.attr("time"))!.name.span;
  if (stamps.length === 1) return stamps[0]!.name;
  if (stamps.length === 0) c.report("MLP0309", at, `\`${c.step.name}\` has a window but ${origin} has no timestamp column to measure it on`);
  else
    c.report("MLP0309", at, `the window of \`${c.step.name}\` could be measured on ${stamps.map((s) => `\`${s.name}\``).join(" or ")}`, {
      help: `say which with \`time = ${stamps[0]!.name}\``,
    });
  return undefined;
}

const join: KindRules = (c) => {
  const left = c.input("left");
  const right = c.input("right");
  if (!isData(left) || !isData(right)) return UNKNOWN;
  const [ln, rn] = ["left", "right"].map((p) => c.step.inputs.find((i) => i.port === p)?.ref.step.name ?? p) as [string, string];
  const onAttr = c.attr("on");
  const keys = joinKeys(c.config.on);
  const [lkey, rkey] = [keys?.left, keys?.right];
  if (onAttr && lkey && rkey) {
    const spans = onAttr.value.kind === "binary" ? [onAttr.value.left.span, onAttr.value.right.span] : [onAttr.value.span, onAttr.value.span];
    const lc = column(c, left.schema, { kind: "ident", name: lkey, span: spans[0]! }, `\`${ln}\``);
    const rc = column(c, right.schema, { kind: "ident", name: rkey, span: spans[1]! }, `\`${rn}\``);
    if (lc && rc && !unify(withNullable(lc.type, false), withNullable(rc.type, false)))
      c.report("MLP0302", onAttr.value.span, `join keys differ in type: \`${lkey}\` is ${showType(lc.type)} in \`${ln}\`, \`${rkey}\` is ${showType(rc.type)} in \`${rn}\``);
  }
  const asof = checkAsof(c, left, right, ln, rn, rkey);
  const leftJoin = c.config.type === "left";
  const cols: Column[] = [...left.schema.columns];
  const clashes: string[] = [];
  for (const col of right.schema.columns) {
    if (col.name === rkey && rkey === lkey) continue;
    if (left.schema.has(col.name)) {
      clashes.push(col.name);
      continue;
    }
    cols.push(leftJoin ? { name: col.name, type: withNullable(col.type, true) } : col);
  }
  if (clashes.length > 0) {
    c.report("MLP0308", c.step.decl.name.span, `${clashes.length === 1 ? "column" : "columns"} ${clashes.map((n) => `\`${n}\``).join(", ")} ${clashes.length === 1 ? "is" : "are"} in both \`${ln}\` and \`${rn}\``, {
      label: "ambiguous after the join",
      help: "rename or drop them on one side first, e.g. `cleanse` with `rename a -> b`",
    });
  }
  // An as-of join matches each left row at most once, so the left side's row identities hold.
  return table(new Schema(cols), asof ? uniqueOf(left) : []);
};

/**
 * `asof = L >= R`: L a timestamp of the left side, R of the right, and the right side unique
 * per (key, R) so that "the latest right row at or before L" is one row. True when valid.
 */
function checkAsof(c: KindContext, left: Data, right: Data, ln: string, rn: string, rkey: string | undefined): boolean {
  const attr = c.attr("asof");
  const within = c.attr("within");
  const asof = c.config.asof;
  if (!attr) {
    if (within) c.report("MLP0319", within.name.span, "`within` limits how old an as-of match may be, but this join has no `asof`", { help: "add `asof = left_time >= right_time`, or remove `within`" });
    return false;
  }
  if (!asof || typeof asof !== "object" || Array.isArray(asof) || attr.value.kind !== "binary") return false;
  const [l, r, op] = [asof.left as string, asof.right as string, asof.op as string];
  if (op !== ">=") {
    c.report("MLP0318", attr.value.span, `\`asof\` takes the latest \`${rn}\` row at or before each \`${ln}\` row, written \`left_time >= right_time\`, not \`${op}\``, {
      label: `\`${op}\` is not a backward as-of match`,
      help: op === "<=" || op === "<" ? `the left side's time comes first: \`asof = ${l} >= ${r}\` (forward as-of joins would read the future)` : `write \`asof = ${l} >= ${r}\``,
    });
    return false;
  }
  let ok = true;
  const sides: [Data, string, string, A.Expr][] = [[left, l, ln, attr.value.left], [right, r, rn, attr.value.right]];
  for (const [side, name, sideName, at] of sides) {
    const col = column(c, side.schema, { kind: "ident", name, span: at.span }, `\`${sideName}\``);
    if (!col) ok = false;
    else if (col.type.kind !== "timestamp" && col.type.kind !== "date" && col.type.kind !== "unknown") {
      const stamps = timeColumns(side.schema.columns);
      c.report("MLP0316", at.span, `\`asof\` compares points in time, but \`${name}\` of \`${sideName}\` is ${showType(col.type)}`, {
        label: "not a timestamp",
        help: stamps.length ? `use a timestamp of \`${sideName}\`: ${stamps.map((s) => `\`${s}\``).join(", ")}` : `\`${sideName}\` has no timestamp column`,
      });
      ok = false;
    }
  }
  if (!ok || !rkey) return ok;
  const keyed = uniqueOf(right).some((k) => k.every((x) => x === rkey || x === r));
  if (!keyed) {
    c.report("MLP0317", attr.value.span, `\`${rn}\` may hold several rows per \`${rkey}\` and \`${r}\`, so the as-of match of a \`${ln}\` row is not one row`, {
      label: "ties on the right side",
      help: `join a table \`aggregate\` with \`every\` (one row per key and window), or dedupe \`${rn}\` first: \`dedupe by ${rkey}, ${r} keep latest COL\``,
    });
    return false;
  }
  return true;
}

const features: KindRules = (c) => {
  const input = c.input("data");
  if (!isData(input)) return UNKNOWN;
  const origin = sourceName(c, "data", input);
  const schema = input.schema;
  const cols: Column[] = [];
  const keys: string[] = [];
  const add = (col: Column, at: A.Ident, what: string): boolean => {
    if (cols.some((x) => x.name === col.name)) {
      c.report("MLP0312", at.span, `\`${col.name}\` is already a column of \`${c.step.name}\``, { label: `repeated as ${what}` });
      return false;
    }
    cols.push(col);
    return true;
  };
  const keyOps = c.ops("key");
  if (keyOps.length === 0) c.report("MLP0210", c.step.decl.name.span, `features \`${c.step.name}\` needs a key`, { help: "add `key COLUMN` naming the entity the features describe" });
  for (const op of keyOps) for (const id of op.columns) {
    const col = column(c, schema, id, origin);
    if (!col) continue;
    if (col.type.nullable) c.report("MLP0303", id.span, `key \`${col.name}\` may be null`, { help: "fill or filter nulls in a cleanse step first" });
    if (add(col, id, "a key")) keys.push(col.name);
  }
  for (const op of c.ops("keep")) for (const id of op.columns) {
    const col = column(c, schema, id, origin);
    if (col) add(col, id, "a kept column");
  }
  const e = env(c, schema, origin);
  for (const def of c.columns()) add(checkColumnDef(c, def, e), def.name, "a feature");
  const eventTime = "eventTime" in input && input.eventTime && cols.some((x) => x.name === input.eventTime) ? input.eventTime : undefined;
  const streaming = input.kind === "Stream" || (input.kind === "Features" && input.streaming);
  const out: Artifact = { kind: "Features", schema: new Schema(cols), keys, streaming };
  if (eventTime) out.eventTime = eventTime;
  // Row for row over its input: the input's identities whose columns it keeps (a hopping
  // aggregate's history stays one row per key and `window_end` when that is kept).
  const unique = uniqueOf(input).filter((k) => k.every((x) => cols.some((col) => col.name === x)));
  if (unique.length) out.unique = unique;
  if (input.kind !== "Stream" && input.history) {
    if (cols.some((col) => col.name === input.history)) out.history = input.history;
    else if (c.config.store && typeof c.config.store === "object") {
      // The online store serves the newest row per key: without the history's time, "newest" is unknown.
      const store = c.attr("store")!;
      c.report("MLP0320", store.value.span, `\`${c.step.name}\` serves a history online (one row per key and window), but does not keep \`${input.history}\`, which says which row is the newest`, {
        label: "newest row per key unknown",
        help: `add \`keep ${input.history}\``,
      });
    }
  }
  return out;
};

const split: KindRules = (c) => {
  const input = c.input("data");
  const { train, test, by } = c.config;
  if (typeof train === "number" && typeof test === "number" && Math.abs(train + test - 1) > 1e-9) {
    const at = c.attr("test") ?? c.attr("train")!;
    c.report("MLP0413", at.value.span, `\`train\` and \`test\` add up to ${+(train + test).toFixed(6)}, not 1`, { help: `e.g. train = ${train}, test = ${+(1 - train).toFixed(6)}` });
  }
  if (!isData(input)) return new Map([["train", UNKNOWN], ["test", UNKNOWN]]);
  if (typeof by === "string") column(c, input.schema, { kind: "ident", name: by, span: c.attr("by")!.value.span }, sourceName(c, "data", input));
  return new Map([["train", input], ["test", input]]);
};

export const DATA_STEPS = { source, cleanse, aggregate, join, features, split } satisfies Record<string, KindRules>;

export { isData };
