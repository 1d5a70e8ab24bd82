// Five-field cron strings (minute hour day-of-month month day-of-week), as cron(5) reads them.
// Returns the first problem found, or undefined when the string is valid.

const FIELDS = [
  { name: "minute", min: 0, max: 59 },
  { name: "hour", min: 0, max: 23 },
  { name: "day of month", min: 1, max: 31 },
  { name: "month", min: 1, max: 12, names: ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"] },
  { name: "day of week", min: 0, max: 7, names: ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"] },
] as const;

export function cronProblem(expr: string): string | undefined {
  const parts = expr.trim().split(/\s+/);
  if (parts.length !== 5 || expr.trim() === "") return `a cron schedule has 5 fields (minute hour day-of-month month day-of-week), found ${expr.trim() === "" ? 0 : parts.length}`;
  for (let i = 0; i < 5; i++) {
    const f = FIELDS[i]!;
    for (const item of parts[i]!.split(",")) {
      const problem = itemProblem(item, f);
      if (problem) return `${f.name} field \`${parts[i]}\`: ${problem}`;
    }
  }
  return undefined;
}

function itemProblem(item: string, f: (typeof FIELDS)[number]): string | undefined {
  const m = /^([^/]+)(?:\/(\d+))?$/.exec(item);
  if (!m) return `\`${item}\` is not a value, range or step`;
  const [, base, step] = m;
  if (step !== undefined && Number(step) === 0) return "a step must be at least 1";
  if (base === "*") return undefined;
  const range = base!.split("-");
  if (range.length > 2) return `\`${base}\` is not a value or range`;
  const values: number[] = [];
  for (const v of range) {
    const n = value(v, f);
    if (n === undefined) return `\`${v}\` is not a number${"names" in f ? " or name" : ""}`;
    if (n < f.min || n > f.max) return `${n} is outside ${f.min}-${f.max}`;
    values.push(n);
  }
  if (values.length === 2 && values[0]! > values[1]!) return `range \`${base}\` runs backwards`;
  return undefined;
}

function value(v: string, f: (typeof FIELDS)[number]): number | undefined {
  if (/^\d+$/.test(v)) return Number(v);
  if ("names" in f) {
    const i = (f.names as readonly string[]).indexOf(v.toUpperCase());
    if (i >= 0) return f.name === "month" ? i + 1 : i;
  }
  return undefined;
}
