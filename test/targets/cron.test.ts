// Schedules fire when the .mlp cron says, on every target: each cron form is expanded three
// ways, independently of targets/cron.ts: as cron(5) reads the .mlp text, as EventBridge
// Scheduler reads the AWS target's `cron(...)`, and as Slurm's scrontab parser reads the
// slurm target's line (its quirks included: a step mask starting at 1 for day fields, `*/n`
// not being a wildcard, bit 7 of the weekday folded into Sunday). The fire times are compared
// over two years (a leap day included). Every field but the day is independent of the others,
// so comparing the day, hour and minute sets separately compares every minute of those years.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { cronProblem } from "../../language/cron";
import { TargetError } from "../../compiler/target-api";
import { awsCron } from "../../targets/aws/compute";
import { scrontabCron } from "../../targets/cron";
import { emitAws } from "../../targets/aws/index";
import { emitSlurm } from "../../targets/slurm/index";
import { compilation } from "../../compiler/compile";
import { checkProgram } from "../../language/checker/program";
import { loader, ROOT } from "./helpers";

const MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const DAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

interface Schedule {
  minute(m: number): boolean;
  hour(h: number): boolean;
  /** UTC date at midnight. */
  day(d: Date): boolean;
}

// ---------- cron(5), the .mlp meaning ----------

function posixItem(item: string, lo: number, hi: number, names: string[] | undefined, base: number): (v: number) => boolean {
  const [range, stepText] = item.split("/");
  const step = stepText === undefined ? 1 : Number(stepText);
  const num = (s: string) => (names && names.includes(s.toUpperCase()) ? names.indexOf(s.toUpperCase()) + base : Number(s));
  let a: number;
  let b: number;
  if (range === "*") [a, b] = [lo, hi];
  else if (range!.includes("-")) [a, b] = range!.split("-").map(num) as [number, number];
  else [a, b] = [num(range!), stepText === undefined ? num(range!) : hi];
  return (v) => v >= a && v <= b && (v - a) % step === 0;
}

function posixField(text: string, lo: number, hi: number, names?: string[], base = 0): (v: number) => boolean {
  const items = text.split(",").map((i) => posixItem(i, lo, hi, names, base));
  return (v) => items.some((f) => f(v));
}

function posix(expr: string): Schedule {
  const [mi, ho, dm, mo, dw] = expr.trim().split(/\s+/) as [string, string, string, string, string];
  const minute = posixField(mi, 0, 59);
  const hour = posixField(ho, 0, 23);
  const dom = posixField(dm, 1, 31);
  const month = posixField(mo, 1, 12, MONTHS, 1);
  const dowRaw = posixField(dw, 0, 7, DAYS, 0);
  const dow = (wd: number) => dowRaw(wd) || (wd === 0 && dowRaw(7));
  // cron(5): "If both fields are restricted (i.e., do not contain the "*" character), the
  // command will be run when either field matches the current time."
  const either = !dm.includes("*") && !dw.includes("*");
  return {
    minute,
    hour,
    day: (d) => month(d.getUTCMonth() + 1) && (either ? dom(d.getUTCDate()) || dow(d.getUTCDay()) : dom(d.getUTCDate()) && dow(d.getUTCDay())),
  };
}

// ---------- EventBridge Scheduler cron(min hour dom month dow year) ----------

function eventBridge(text: string): Schedule {
  const m = /^cron\((\S+) (\S+) (\S+) (\S+) (\S+) (\S+)\)$/.exec(text);
  if (!m) throw new Error(`not an EventBridge cron: ${text}`);
  const [, mi, ho, dm, mo, dw, yr] = m as unknown as [string, string, string, string, string, string, string];
  expect(yr).toBe("*");
  // Exactly one of the day fields is `?`.
  expect([dm, dw].filter((f) => f === "?")).toHaveLength(1);
  const field = (f: string, lo: number, hi: number, names?: string[], base = 0) => {
    if (f === "?") return () => true;
    // EventBridge has no 0 or 7 ambiguity: 1-7 is SUN-SAT, and a value outside the field is invalid.
    for (const item of f.split(",")) {
      for (const v of item.split("/")[0]!.split("-")) {
        if (v === "*") continue;
        const n = names?.includes(v.toUpperCase()) ? names.indexOf(v.toUpperCase()) + base : Number(v);
        expect(Number.isInteger(n) && n >= lo && n <= hi, `${v} in ${text}`).toBe(true);
      }
    }
    return posixField(f, lo, hi, names, base);
  };
  const dow = field(dw, 1, 7, DAYS, 1);
  const dom = field(dm, 1, 31);
  const month = field(mo, 1, 12, MONTHS, 1);
  return {
    minute: field(mi, 0, 59),
    hour: field(ho, 0, 23),
    day: (d) => month(d.getUTCMonth() + 1) && dom(d.getUTCDate()) && dow(d.getUTCDay() + 1),
  };
}

// ---------- Slurm's scrontab (src/scrontab/parse.c, src/common/cron.c) ----------

function slurm(line: string): Schedule {
  const fields = line.split(" ");
  expect(fields).toHaveLength(5);
  const specs: [number, number][] = [
    [61, 0],
    [25, 0],
    [32, 1],
    [13, 1],
    [8, 1],
  ];
  const wild: boolean[] = [];
  const bits = fields.map((f, i) => {
    const [size, stepStart] = specs[i]!;
    let b = new Array<boolean>(size).fill(false);
    let rest = f;
    if (rest.startsWith("*")) {
      b.fill(true);
      rest = rest.slice(1);
      wild[i] = !rest.startsWith("/");
    } else {
      // Only digits, '-' and ',' (bit_unfmt); names are single words and we write none.
      const m = /^[0-9,-]+/.exec(rest);
      expect(m, `field ${f} of ${line}`).not.toBeNull();
      for (const item of m![0].split(",")) {
        const [a, z] = item.split("-").map(Number) as [number, number | undefined];
        for (let v = a; v <= (z ?? a); v++) {
          expect(v < size, `${v} in ${line}`).toBe(true);
          b[v] = true;
        }
      }
      rest = rest.slice(m![0].length);
      wild[i] = false;
    }
    if (rest.startsWith("/")) {
      const step = Number(rest.slice(1));
      expect(step > 1 && step < size, `step of ${line}`).toBe(true);
      b = b.map((x, v) => x && v >= stepStart && (v - stepStart) % step === 0);
      rest = "";
    }
    expect(rest).toBe("");
    return b;
  });
  const [minute, hour, dom, month, dow] = bits as [boolean[], boolean[], boolean[], boolean[], boolean[]];
  if (minute[60]) minute[0] = true;
  if (hour[24]) hour[0] = true;
  if (dow[7]) dow[0] = true;
  const [, , wDom, , wDow] = wild;
  // valid_cron_entry(): scrontab rejects a line whose first day of the month no chosen month has.
  const months = [...Array(13).keys()].filter((m) => wild[3] || month[m]);
  const first = dom.indexOf(true);
  if (!wDom && first === 31) expect(months.some((m) => [1, 3, 5, 7, 8, 10, 12].includes(m)), `scrontab rejects ${line}`).toBe(true);
  if (!wDom && first === 30) expect(months.every((m) => m === 2), `scrontab rejects ${line}`).toBe(false);
  return {
    minute: (m) => wild[0]! || minute[m]!,
    hour: (h) => wild[1]! || hour[h]!,
    day: (d) => {
      if (!wild[3] && !month[d.getUTCMonth() + 1]) return false;
      const a = dom[d.getUTCDate()]!;
      const w = dow[d.getUTCDay()]!;
      if (wDom && wDow) return true;
      if (wDom) return w;
      if (wDow) return a;
      return a || w;
    },
  };
}

// ---------- comparison ----------

const DAYS_OF_TWO_YEARS = (() => {
  const out: Date[] = [];
  for (let t = Date.UTC(2027, 0, 1); t < Date.UTC(2029, 0, 1); t += 86_400_000) out.push(new Date(t));
  return out;
})();

function sameFireTimes(expected: Schedule, got: Schedule, what: string) {
  const diff = (name: string, xs: number[], f: (v: number) => boolean, g: (v: number) => boolean) => {
    const bad = xs.filter((x) => f(x) !== g(x));
    expect(bad, `${what}: ${name} differ`).toEqual([]);
  };
  diff("minutes", [...Array(60).keys()], expected.minute, got.minute);
  diff("hours", [...Array(24).keys()], expected.hour, got.hour);
  const bad = DAYS_OF_TWO_YEARS.filter((d) => expected.day(d) !== got.day(d)).map((d) => d.toISOString().slice(0, 10));
  expect(bad.slice(0, 5), `${what}: days differ`).toEqual([]);
}

/** Which day fields the .mlp cron really restricts (its days are not every day of one field). */
function bothDaysMatter(expr: string): boolean {
  const s = posix(expr);
  const [, , dm, , dw] = expr.trim().split(/\s+/) as string[];
  const domAll = [...Array(31).keys()].every((i) => posixField(dm!, 1, 31)(i + 1));
  const dowAll = [0, 1, 2, 3, 4, 5, 6].every((wd) => posixField(dw!, 0, 7, DAYS)(wd) || (wd === 0 && posixField(dw!, 0, 7, DAYS)(7)));
  void s;
  return !domAll && !dowAll;
}

const FORMS = [
  "0 3 * * *",
  "0 3 * * 0-7",
  "0 3 * * 0",
  "0 3 * * 7",
  "0 3 * * 5-7",
  "0 3 * * 6,7",
  "0 3 * * 0,7",
  "0 3 * * 1-7",
  "0 3 * * 0-6",
  "0 3 * * 1-5",
  "0 3 * * MON-FRI",
  "0 3 * * mon-fri",
  "0 3 * * SAT,SUN",
  "0 3 * * SUN",
  "0 3 * * */2",
  "0 3 * * */3",
  "0 3 * * 1/2",
  "0 3 * * 0-7/2",
  "0 3 * * 1-7/3",
  "0 3 * * */7",
  "*/15 * * * *",
  "*/7 * * * *",
  "5/10 * * * *",
  "0-30/10 */5 * * *",
  "59 23 * * *",
  "0,15,30,45 0-6,22 * * *",
  "0 */6 * * *",
  "0 1/6 * * *",
  "0 0 1 * *",
  "0 0 31 * *",
  "0 0 29 2 *",
  "0 0 30,31 2,4 *",
  "0 0 31 2 *",
  "0 0 30 FEB MON",
  "0 0 31 4 1-5",
  "0 0 1,15 * *",
  "0 0 */2 * *",
  "0 0 2/3 * *",
  "0 0 1-7 * *",
  "0 0 1-31 * *",
  "0 0 * JAN *",
  "0 0 1 JAN-MAR *",
  "0 0 1 jan,jul *",
  "0 0 1 */3 *",
  "0 0 1 2/4 *",
  "30 2 * 12 SUN",
  "*/15 0-6,22 1-31 JAN-dec MON-FRI",
  "0 0 1-31 * 1",
  "0 0 1 * 0-7",
  "0 0 * * *",
  "0 0 */1 * 1-5",
  "0 12 * */1 */1",
];

/** Both day fields restricted and neither allows every day: cron(5)'s "either" or "both". */
const DAY_AND_WEEKDAY = ["0 0 1 * MON", "0 0 1,15 * 5", "0 0 13 * FRI", "0 0 */2 * 1", "0 0 1-7 * */2", "0 0 1 * 7"];

/** Random crons in the checker's grammar (a fixed seed: the same cases on every run). */
function randomForms(n: number): string[] {
  let seed = 12345;
  const rnd = (k: number) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return (seed >>> 8) % k;
  };
  const item = (lo: number, hi: number, names?: string[], base = 0): string => {
    const v = () => {
      const x = lo + rnd(hi - lo + 1);
      return names && rnd(3) === 0 && x - base >= 0 && x - base < names.length ? names[x - base]! : String(x);
    };
    const num = (s: string) => (names?.includes(s) ? names.indexOf(s) + base : Number(s));
    switch (rnd(6)) {
      case 0:
        return "*";
      case 1:
        return `*/${1 + rnd(hi - lo + 1)}`;
      case 2: {
        let a = v();
        let b = v();
        if (num(a) > num(b)) [a, b] = [b, a];
        return `${a}-${b}${rnd(2) ? `/${1 + rnd(4)}` : ""}`;
      }
      case 3:
        return `${v()}/${1 + rnd(5)}`;
      default:
        return v();
    }
  };
  const field = (lo: number, hi: number, names?: string[], base = 0) => {
    const k = 1 + (rnd(4) === 0 ? rnd(3) : 0);
    const items = Array.from({ length: k }, () => item(lo, hi, names, base));
    return items.length > 1 ? items.filter((i) => i !== "*").join(",") || "*" : items[0]!;
  };
  const out: string[] = [];
  while (out.length < n) {
    const c = [field(0, 59), field(0, 23), rnd(2) ? "*" : field(1, 31), rnd(2) ? "*" : field(1, 12, MONTHS, 1), rnd(2) ? "*" : field(0, 7, DAYS, 0)].join(" ");
    if (cronProblem(c) === undefined) out.push(c);
  }
  return out;
}

describe("cron on every target fires when cron(5) does", () => {
  test.each([...FORMS, ...DAY_AND_WEEKDAY, ...randomForms(400)])("%s", (expr) => {
    expect(cronProblem(expr), "the checker accepts it").toBeUndefined();
    const ref = posix(expr);
    for (const [target, write, read] of [
      ["aws", awsCron, eventBridge],
      ["slurm", scrontabCron, slurm],
    ] as const) {
      let out: string;
      try {
        out = write(expr);
      } catch (e) {
        // Refusing is right only for what the scheduler cannot express, and says why.
        expect(e, `${target}: ${String(e)}`).toBeInstanceOf(TargetError);
        // "never fires" only for what never does (in the two years, which hold every month length).
        if (/never fires/.test((e as Error).message)) expect(DAYS_OF_TWO_YEARS.some((d) => ref.day(d))).toBe(false);
        else {
          expect(bothDaysMatter(expr), `${target} refused ${expr}: ${(e as Error).message}`).toBe(true);
          expect((e as Error).message).toMatch(/day of the month|days .* of the month/);
          expect((e as Error).message).toMatch(/cannot express/);
        }
        continue;
      }
      sameFireTimes(ref, read(out), `${target} ${expr} -> ${out}`);
    }
  });

  test("the AWS target refuses both day fields (EventBridge has no 'either'); scrontab keeps cron(5)'s 'either'", () => {
    expect(() => awsCron("0 0 1 * MON")).toThrow(/restricts both the day of the month and the day of the week.*cannot express/);
    expect(scrontabCron("0 0 1 * MON")).toBe("0 0 1 * 1");
    // `*/2` is a `*` field for cron(5): both must match, which scrontab cannot say.
    expect(() => scrontabCron("0 0 */2 * 1")).toThrow(/both.*cannot express/);
  });

  test("F16: 0-7 is every day, not Sunday", () => {
    expect(awsCron("0 3 * * 0-7")).toBe("cron(0 3 * * ? *)");
    expect(scrontabCron("0 3 * * 0-7")).toBe("0 3 * * *");
    const path = "../shared/findings/reliability/F16-cron-0-7-becomes-sunday-only-on-aws.mlp";
    readFileSync(join(ROOT, path), "utf8");
    const program = checkProgram(path, loader);
    const c = compilation(program);
    const index = emitAws(c).find((f) => f.path === "index.ts")!.contents;
    expect(index).toContain(`scheduleExpression: "cron(0 3 * * ? *)"`);
    const scron = emitSlurm(c).find((f) => f.path === "schedule.scrontab")!.contents;
    expect(scron).toMatch(/^0 3 \* \* \* cd @MLP_SLURM_DIR@/m);
  });
});
