// The leakage check (design: point-in-time.md, section 4). A table `aggregate` with a `window`
// and no `every` computes its features as of the run time; a plain `join` of such rows to rows
// that each carry their own time (labels, impressions, readings) gives every old row features
// computed from later data. When those rows reach a `train`, `tune` or `evaluate` step, the
// model learns from the future: warn on the join, once.
//
// Computed on the whole program's graph (imported and re-applied steps included) in two linear
// passes: forward, which as-of-now aggregate each step's rows derive from and which plain joins
// meet them with timed rows; backward, which of those joins feed training. Of several such joins
// on one path (stores joined to the features, then labels to that) the last one is reported:
// it is where the timed rows that reach the model meet the features, and one mistake gets one
// warning.
import { joinKeys } from "../catalog/join";
import { durationMs } from "../catalog/values";
import type * as A from "../ast";
import type { Diagnostic, Fix } from "../diagnostics/diagnostic";
import type { Span } from "../span";
import { CATALOG } from "../diagnostics/catalog";
import type { Artifact } from "../types";
import type { StepInfo } from "./model";

const TRAINING = new Set(["train", "tune", "evaluate"]);
/** Kinds whose output rows are (a transformation of) their input rows. */
const ROW_KINDS = new Set(["cleanse", "aggregate", "join", "features", "split"]);

interface Leak {
  join: StepInfo;
  /** The as-of-now aggregate upstream of one side. */
  aggregate: StepInfo;
  /** The join's input (step name) that carries the aggregate's rows, and the event side's. */
  featureSide: string;
  eventSide: string;
  /** A timestamp column of the event side, for the rewrite. */
  eventTime: string;
}

export function checkLeakage(order: readonly StepInfo[]): Diagnostic[] {
  const asOfNow = new Map<StepInfo, StepInfo>();
  const leaks: Leak[] = [];
  for (const s of order) {
    if (!s.kind || !ROW_KINDS.has(s.kind)) continue;
    if (isAsOfNow(s)) {
      asOfNow.set(s, s);
      continue;
    }
    if (s.kind === "join" && s.config.asof === undefined) {
      const leak = plainJoinLeak(s, asOfNow);
      if (leak) leaks.push(leak);
    }
    for (const i of s.inputs) {
      const agg = i.step && asOfNow.get(i.step);
      if (agg) {
        asOfNow.set(s, agg);
        break;
      }
    }
  }
  if (leaks.length === 0) return [];
  const feeds = feedsTraining(order, new Set(leaks.map((l) => l.join)));
  return leaks.filter((l) => feeds.has(l.join)).map(diagnostic);
}

function isAsOfNow(s: StepInfo): boolean {
  const input = s.inputs[0]?.artifact;
  return s.kind === "aggregate" && s.config.window !== undefined && s.config.every === undefined && !!input && !streaming(input);
}

const streaming = (a: Artifact) => a.kind === "Stream" || (a.kind === "Features" && a.streaming);

function plainJoinLeak(s: StepInfo, asOfNow: ReadonlyMap<StepInfo, StepInfo>): Leak | undefined {
  const left = s.inputs.find((i) => i.port === "left");
  const right = s.inputs.find((i) => i.port === "right");
  if (!left?.step || !right?.step) return undefined;
  const [la, ra] = [asOfNow.get(left.step), asOfNow.get(right.step)];
  if (!la === !ra) return undefined;
  const [features, events, aggregate] = la ? [left, right, la] : [right, left, ra!];
  const eventTime = timestampOf(events.artifact);
  if (!eventTime || oneRowPerKey(events.artifact, joinKeys(s.config.on)?.[events.port === "left" ? "left" : "right"])) return undefined;
  return { join: s, aggregate, featureSide: features.ref.step.name, eventSide: events.ref.step.name, eventTime };
}

/**
 * Rows known to be one per key (`dedupe by customer_id`) are a snapshot of entities, whose
 * timestamps are attributes (`signup_at`): joining features to them fans nothing out over time.
 */
function oneRowPerKey(a: Artifact, key: string | undefined): boolean {
  if (!key || (a.kind !== "Table" && a.kind !== "Features")) return false;
  return (a.unique ?? []).some((k) => k.every((c) => c === key));
}

/**
 * A point in time that varies per row: what makes rows events (labels, impressions, readings;
 * weekly labels often carry a date). Timestamps first: a date beside one is more likely an
 * attribute (`installed_on`) than the moment the row describes.
 */
function timestampOf(a: Artifact): string | undefined {
  if (a.kind !== "Table" && a.kind !== "Features") return undefined;
  const cols = a.schema.columns;
  return (cols.find((c) => c.type.kind === "timestamp") ?? cols.find((c) => c.type.kind === "date"))?.name;
}

/**
 * Steps whose output rows reach a train, tune or evaluate step without passing another of
 * `joins`: from the last step back, a step that trains, or feeds and is not one of the joins,
 * makes its inputs feed. Only inputs not later in the order count (after a cycle, the order
 * is not the graph's), so a step is settled before it is reached.
 */
function feedsTraining(order: readonly StepInfo[], joins: ReadonlySet<StepInfo>): Set<StepInfo> {
  const feeds = new Set<StepInfo>();
  const later = new Set<StepInfo>();
  for (let k = order.length - 1; k >= 0; k--) {
    const c = order[k]!;
    if ((c.kind !== undefined && TRAINING.has(c.kind)) || (feeds.has(c) && !joins.has(c))) for (const i of c.inputs) if (i.step && !later.has(i.step)) feeds.add(i.step);
    later.add(c);
  }
  return feeds;
}

function diagnostic(l: Leak): Diagnostic {
  const agg = l.aggregate;
  const window = typeof agg.config.window === "string" ? agg.config.window : "";
  // A `use` re-applies a body that may sit in another file: point at the window only in its own.
  const windowAttr = agg.decl.kind === "step" ? agg.decl.body.find((st) => st.kind === "attr" && st.name.name === "window") : undefined;
  const via = agg.name === l.featureSide ? "" : ` (through \`${l.featureSide}\`)`;
  const d: Diagnostic = {
    severity: CATALOG.MLP0606.severity,
    code: "MLP0606",
    message:
      `\`${l.join.name}\` joins \`${l.eventSide}\` to features of \`${agg.name}\`${via}, computed as of the run time: ` +
      `each \`${l.eventSide}\` row sees data from after its own \`${l.eventTime}\``,
    file: l.join.file,
    span: l.join.decl.name.span,
    label: "training rows may see the future",
    help:
      `compute the features as they were at each point in time and join each row to the latest before it: ` +
      `add \`every = ${hop(window)}\` to \`${agg.name}\`, and \`asof = ${l.eventTime} >= window_end\` to \`${l.join.name}\``,
  };
  if (windowAttr) d.notes = [{ message: `\`${agg.name}\` looks back ${window} from the run time`, file: agg.file, span: windowAttr.span }];
  const fix = rewrite(l, windowAttr?.kind === "attr" ? windowAttr : undefined, hop(window));
  if (fix) d.fixes = [fix];
  return d;
}

/**
 * The help as edits: `every` under the aggregate's `window`, `asof` under the join's last
 * attribute, each on a line of its own, indented and aligned at `=` like the line above it.
 * Offered only where the join reads the aggregate itself and both are written out (not
 * re-applied bodies).
 */
function rewrite(l: Leak, windowAttr: A.Attr | undefined, every: string): Fix | undefined {
  // Through other steps (`featureSide` is not the aggregate) `window_end` may not reach the join.
  if (l.featureSide !== l.aggregate.name) return undefined;
  const joinDecl = l.join.decl.kind === "step" ? l.join.decl : undefined;
  const last = joinDecl?.body.filter((st): st is A.Attr => st.kind === "attr").at(-1);
  if (!windowAttr || !last) return undefined;
  return {
    title: `Compute \`${l.aggregate.name}\` every ${every} and join it as of \`${l.eventTime}\``,
    edits: [
      { file: l.aggregate.file, ...attributeAfter(windowAttr, "every", every) },
      { file: l.join.file, ...attributeAfter(last, "asof", `${l.eventTime} >= window_end`) },
    ],
  };
}

/** An attribute `name = value` on a new line after `attr`, aligned with it. */
function attributeAfter(attr: A.Attr, name: string, value: string): { span: Span; text: string } {
  const indent = " ".repeat(attr.name.span.col - 1);
  // The value column of the line above (`window = 28d`, `on   = id`) when `name` fits before it.
  const width = attr.value.span.col - attr.name.span.col - 3;
  const line = `${name.padEnd(Math.max(width, name.length))} = ${value}`;
  const at = attr.span;
  // A comment after the attribute stays on its line: the new one goes above it instead.
  if (attr.trailing !== undefined) {
    const start = at.start - (at.col - 1);
    return { span: { start, line: at.line, col: 1, end: start, endLine: at.line, endCol: 1 }, text: `${indent}${line}\n` };
  }
  return { span: { start: at.end, line: at.endLine, col: at.endCol, end: at.end, endLine: at.endLine, endCol: at.endCol }, text: `\n${indent}${line}` };
}

/** A hop that suits the window: a week for long windows, a day for days, else the window itself. */
function hop(window: string): string {
  if (!window) return "1d";
  const ms = durationMs(window);
  const day = 86_400_000;
  return ms >= 7 * day ? "7d" : ms >= day ? "1d" : window;
}
