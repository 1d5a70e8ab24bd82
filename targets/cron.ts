// The .mlp cron (five fields, as cron(5) reads them) expanded to the sets of values it fires
// on, and written back for each scheduler from those sets. Schedulers disagree on the parts
// that look alike: EventBridge counts weekdays 1-7 from Sunday and needs `?` in one day field;
// Slurm's scrontab drops a 7 at the end of a range's bit set only after applying steps from 1,
// reads one name per field and treats `*/n` as a restricted field. Rewriting the text item by
// item inherited each of those differences (`0-7` became Sunday only on AWS), so both targets
// write plain numbers and ranges computed from the sets instead.
import { TargetError } from "../compiler/target-api";

const MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const DAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

interface Field {
  min: number;
  max: number;
  names?: string[];
  /** The value of the first name. */
  base?: number;
}
const FIELDS: Field[] = [
  { min: 0, max: 59 },
  { min: 0, max: 23 },
  { min: 1, max: 31 },
  { min: 1, max: 12, names: MONTHS, base: 1 },
  // cron(5): 0 and 7 are both Sunday; `*` runs 0-7, so `1/2` includes 7.
  { min: 0, max: 7, names: DAYS, base: 0 },
];

/** What a cron fires on: each field's values (weekdays 0-6 from Sunday) and how the day fields combine. */
export interface CronSets {
  minute: number[];
  hour: number[];
  month: number[];
  days: DayRule;
}

/**
 * cron(5): when both day fields are restricted (neither has a `*`), a day matches either
 * one; otherwise both must match. Reduced so that a field that allows every day is gone.
 */
export type DayRule =
  | { kind: "every" }
  | { kind: "dom"; dom: number[] }
  | { kind: "dow"; dow: number[] }
  | { kind: "either"; dom: number[]; dow: number[] }
  | { kind: "both"; dom: number[]; dow: number[] };

export function cronSets(expr: string): CronSets {
  const parts = expr.trim().split(/\s+/);
  if (parts.length !== 5) throw new TargetError(`cron ${JSON.stringify(expr)} does not have 5 fields`);
  const sets = parts.map((p, i) => expand(expr, p, FIELDS[i]!));
  const dow = [...new Set(sets[4]!.map((d) => d % 7))].sort((a, b) => a - b);
  const month = sets[3]!;
  const domAll = sets[2]!.length === 31;
  const dowAll = dow.length === 7;
  // Days no chosen month has never match: leaving them out keeps the schedule, and scrontab
  // rejects a line whose first day is one (`31` in February and April).
  const longest = Math.max(...month.map((m) => (m === 2 ? 29 : [4, 6, 9, 11].includes(m) ? 30 : 31)));
  const dom = sets[2]!.filter((d) => d <= longest);
  const restricted = !parts[2]!.includes("*") && !parts[4]!.includes("*");
  const never = (): never => {
    throw new TargetError(`cron ${JSON.stringify(expr)} never fires: no month it names has the days of the month it names`);
  };
  let days: DayRule;
  if (restricted) days = domAll || dowAll ? { kind: "every" } : dom.length === 0 ? { kind: "dow", dow } : { kind: "either", dom, dow };
  else if (domAll && dowAll) days = { kind: "every" };
  else if (domAll) days = { kind: "dow", dow };
  else if (dom.length === 0) return never();
  else if (dowAll) days = { kind: "dom", dom };
  else days = { kind: "both", dom, dow };
  return { minute: sets[0]!, hour: sets[1]!, month, days };
}

function expand(expr: string, text: string, f: Field): number[] {
  const out = new Set<number>();
  const bad = (why: string): never => {
    throw new TargetError(`cron ${JSON.stringify(expr)}: ${why}`);
  };
  const value = (v: string): number => {
    if (/^\d+$/.test(v)) return Number(v);
    const i = f.names?.indexOf(v.toUpperCase()) ?? -1;
    return i >= 0 ? i + f.base! : bad(`\`${v}\` is not a value`);
  };
  for (const item of text.split(",")) {
    const m = /^([^/]+)(?:\/(\d+))?$/.exec(item) ?? bad(`\`${item}\` is not a value, range or step`);
    const step = m[2] === undefined ? 1 : Number(m[2]);
    let lo: number;
    let hi: number;
    if (m[1] === "*") [lo, hi] = [f.min, f.max];
    else {
      const r = m[1]!.split("-");
      if (r.length > 2) bad(`\`${m[1]}\` is not a value or range`);
      lo = value(r[0]!);
      // `5/10` runs from 5 to the end of the field (cronie, and EventBridge's reading).
      hi = r.length === 2 ? value(r[1]!) : m[2] === undefined ? lo : f.max;
    }
    if (step < 1 || lo < f.min || hi > f.max || lo > hi) bad(`\`${item}\` is outside ${f.min}-${f.max} or empty`);
    for (let v = lo; v <= hi; v += step) out.add(v);
  }
  return [...out].sort((a, b) => a - b);
}

/** Values as `*` (all of min..max), `*\/n` (minutes and hours from 0), or numbers and ranges. */
function render(values: number[], min: number, max: number, steps: boolean, names?: string[]): string {
  const v = (x: number) => (names ? names[x - min]! : String(x));
  if (values.length === max - min + 1) return "*";
  if (steps && values.length > 1 && values[0] === min) {
    const n = values[1]! - values[0]!;
    if (values.every((v, i) => v === min + i * n) && values[values.length - 1]! + n > max) return `*/${n}`;
  }
  const items: string[] = [];
  for (let i = 0; i < values.length; ) {
    let j = i;
    while (j + 1 < values.length && values[j + 1] === values[j]! + 1) j++;
    if (j - i >= 2) items.push(`${v(values[i]!)}-${v(values[j]!)}`);
    else for (let k = i; k <= j; k++) items.push(v(values[k]!));
    i = j + 1;
  }
  return items.join(",");
}

const dayNames = (dow: number[]) => dow.map((d) => DAYS[d]).join(",");

/**
 * EventBridge Scheduler's `cron(min hour dom month dow year)`: one day field is `?`, weekdays
 * are 1-7 from Sunday (written SUN-SAT here). It has no "either" between the day fields and no "both".
 */
export function eventBridgeCron(expr: string, where = "schedule"): string {
  const s = cronSets(expr);
  const d = s.days;
  let dom: string;
  let dow: string;
  if (d.kind === "every") [dom, dow] = ["*", "?"];
  else if (d.kind === "dom") [dom, dow] = [render(d.dom, 1, 31, false), "?"];
  // Names, not numbers: EventBridge's 1-7 from Sunday is the trap that made `0-7` Sunday only.
  else if (d.kind === "dow") [dom, dow] = ["?", render(d.dow.map((x) => x + 1), 1, 7, false, DAYS)];
  else {
    const how = d.kind === "either" ? "any day that is one of them" : "only days that are both";
    throw new TargetError(
      `${where}: cron ${JSON.stringify(expr)} restricts both the day of the month and the day of the week (${how}: days ${render(d.dom, 1, 31, false)} of the month, ${dayNames(d.dow)}), which EventBridge Scheduler cannot express: one of its day fields must be \`?\`; use two schedules or restrict one day field`,
    );
  }
  return `cron(${render(s.minute, 0, 59, true)} ${render(s.hour, 0, 23, true)} ${dom} ${render(s.month, 1, 12, false)} ${dow} *)`;
}

/**
 * Slurm's scrontab: numbers and ranges only, weekdays 0-6, `*` only for a field that allows
 * everything (Slurm treats any other day field as restricted, and then either day matches).
 */
export function scrontabCron(expr: string, where = "schedule"): string {
  const s = cronSets(expr);
  const d = s.days;
  let dom = "*";
  let dow = "*";
  if (d.kind === "dom" || d.kind === "either") dom = render(d.dom, 1, 31, false);
  if (d.kind === "dow" || d.kind === "either") dow = render(d.dow, 0, 6, false);
  if (d.kind === "both")
    throw new TargetError(
      `${where}: cron ${JSON.stringify(expr)} runs only on days that are both days ${render(d.dom, 1, 31, false)} of the month and ${dayNames(d.dow)} (a day field with \`*\` makes cron(5) require both), which scrontab cannot express: it runs a job when either day field matches`,
    );
  return `${render(s.minute, 0, 59, true)} ${render(s.hour, 0, 23, true)} ${dom} ${render(s.month, 1, 12, false)} ${dow}`;
}
