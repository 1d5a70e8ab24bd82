// The fixed function library of expressions. Each entry types its call from the
// argument types; the SQL dialects in targets/ lower the same names.
import { isNumeric, unify, type ColumnType } from "./types";

export interface FnSig {
  name: string;
  min: number;
  max: number;
  aggregate: boolean;
  /** e.g. `log1p(float) -> float`, for messages and the reference. */
  shape: string;
  doc: string;
  /** Result type, or a message saying which argument is wrong. Nullability is added by the caller unless `nullSafe`. */
  type(args: ColumnType[]): ColumnType | { error: string; arg: number };
  /** The function decides nullability itself (coalesce, count). */
  nullSafe?: boolean;
}

const t = (kind: "int" | "float" | "string" | "bool" | "timestamp" | "date"): ColumnType => ({ kind, nullable: false });
const isTime = (x: ColumnType) => x.kind === "timestamp" || x.kind === "date" || x.kind === "unknown";
const isText = (x: ColumnType) => x.kind === "string" || x.kind === "enum" || x.kind === "unknown";

function need(args: ColumnType[], ok: (x: ColumnType) => boolean, what: string): { error: string; arg: number } | undefined {
  const i = args.findIndex((a) => !ok(a));
  return i < 0 ? undefined : { error: `expects ${what}`, arg: i };
}

const numToFloat = (name: string, doc: string): FnSig => ({
  name, min: 1, max: 1, aggregate: false, shape: `${name}(number) -> float`, doc,
  type: (a) => need(a, isNumeric, "a number") ?? t("float"),
});

const timePart = (name: string, doc: string): FnSig => ({
  name, min: 1, max: 1, aggregate: false, shape: `${name}(timestamp|date) -> int`, doc,
  type: (a) => need(a, isTime, "a timestamp or date") ?? t("int"),
});

const sameNumber = (a: ColumnType[]): ColumnType => (a[0]!.kind === "int" ? t("int") : a[0]!.kind === "unknown" ? { kind: "unknown", nullable: false } : t("float"));

export const FUNCTIONS: readonly FnSig[] = [
  { name: "lower", min: 1, max: 1, aggregate: false, shape: "lower(string) -> string", doc: "Lower-cases text.", type: (a) => need(a, isText, "text") ?? t("string") },
  { name: "upper", min: 1, max: 1, aggregate: false, shape: "upper(string) -> string", doc: "Upper-cases text.", type: (a) => need(a, isText, "text") ?? t("string") },
  { name: "trim", min: 1, max: 1, aggregate: false, shape: "trim(string) -> string", doc: "Removes leading and trailing spaces.", type: (a) => need(a, isText, "text") ?? t("string") },
  { name: "length", min: 1, max: 1, aggregate: false, shape: "length(string) -> int", doc: "Number of characters.", type: (a) => need(a, isText, "text") ?? t("int") },
  { name: "concat", min: 1, max: 16, aggregate: false, shape: "concat(string, ...) -> string", doc: "Joins text; other scalars are converted to text.", type: (a) => need(a, (x) => x.kind !== "vector", "scalars") ?? t("string") },
  { name: "abs", min: 1, max: 1, aggregate: false, shape: "abs(number) -> same", doc: "Absolute value.", type: (a) => need(a, isNumeric, "a number") ?? sameNumber(a) },
  numToFloat("log", "Natural logarithm."),
  numToFloat("log1p", "log(1 + x), exact near zero."),
  numToFloat("exp", "e to the power x."),
  numToFloat("sqrt", "Square root."),
  {
    name: "round", min: 1, max: 2, aggregate: false, shape: "round(number[, int digits]) -> same", doc: "Rounds half away from zero, to `digits` decimals (default 0).",
    type: (a) => need(a.slice(0, 1), isNumeric, "a number") ?? (a[1] && a[1].kind !== "int" && a[1].kind !== "unknown" ? { error: "expects whole-number digits", arg: 1 } : sameNumber(a)),
  },
  { name: "floor", min: 1, max: 1, aggregate: false, shape: "floor(number) -> int", doc: "Largest whole number not above x.", type: (a) => need(a, isNumeric, "a number") ?? t("int") },
  { name: "ceil", min: 1, max: 1, aggregate: false, shape: "ceil(number) -> int", doc: "Smallest whole number not below x.", type: (a) => need(a, isNumeric, "a number") ?? t("int") },
  {
    name: "coalesce", min: 2, max: 16, aggregate: false, nullSafe: true, shape: "coalesce(T?, ..., T) -> T", doc: "The first argument that is not null; non-null when the last argument is.",
    type: (a) => {
      let acc: ColumnType = a[0]!;
      for (let i = 1; i < a.length; i++) {
        const u = unify(acc, a[i]!);
        if (!u) return { error: `has arguments of different types`, arg: i };
        acc = u;
      }
      return { ...acc, nullable: a.every((x) => x.nullable) } as ColumnType;
    },
  },
  {
    name: "if", min: 3, max: 3, aggregate: false, shape: "if(bool, T, T) -> T", doc: "The second argument when the condition holds, else the third.",
    type: (a) => {
      if (a[0]!.kind !== "bool" && a[0]!.kind !== "unknown") return { error: "expects a bool condition", arg: 0 };
      const u = unify(a[1]!, a[2]!);
      return u ?? { error: "has branches of different types", arg: 2 };
    },
  },
  { name: "now", min: 0, max: 0, aggregate: false, shape: "now() -> timestamp", doc: "The time the job runs.", type: () => t("timestamp") },
  { name: "today", min: 0, max: 0, aggregate: false, shape: "today() -> date", doc: "The date the job runs.", type: () => t("date") },
  { name: "days_between", min: 2, max: 2, aggregate: false, shape: "days_between(timestamp|date, timestamp|date) -> int", doc: "Whole days from the first to the second.", type: (a) => need(a, isTime, "timestamps or dates") ?? t("int") },
  timePart("hour", "Hour of the day, 0-23."),
  timePart("day_of_week", "Day of the week, 1 (Sunday) to 7 (Saturday)."),
  timePart("year", "Calendar year."),
  timePart("month", "Month, 1-12."),
  { name: "count", min: 0, max: 1, aggregate: true, nullSafe: true, shape: "count([x]) -> int", doc: "Rows in the group, or non-null values of x.", type: () => t("int") },
  { name: "count_distinct", min: 1, max: 1, aggregate: true, nullSafe: true, shape: "count_distinct(x) -> int", doc: "Distinct non-null values of x.", type: () => t("int") },
  { name: "sum", min: 1, max: 1, aggregate: true, shape: "sum(number) -> same", doc: "Sum over the group.", type: (a) => need(a, isNumeric, "a number") ?? sameNumber(a) },
  { name: "avg", min: 1, max: 1, aggregate: true, shape: "avg(number) -> float", doc: "Mean over the group.", type: (a) => need(a, isNumeric, "a number") ?? t("float") },
  {
    name: "min", min: 1, max: 1, aggregate: true, shape: "min(T) -> T", doc: "Smallest value in the group.",
    type: (a) => need(a, (x) => isNumeric(x) || isTime(x) || x.kind === "string", "a number, text or time") ?? { ...a[0]!, nullable: false } as ColumnType,
  },
  {
    name: "max", min: 1, max: 1, aggregate: true, shape: "max(T) -> T", doc: "Largest value in the group.",
    type: (a) => need(a, (x) => isNumeric(x) || isTime(x) || x.kind === "string", "a number, text or time") ?? { ...a[0]!, nullable: false } as ColumnType,
  },
];

const byName = new Map(FUNCTIONS.map((f) => [f.name, f]));
export const fn = (name: string): FnSig | undefined => byName.get(name);
