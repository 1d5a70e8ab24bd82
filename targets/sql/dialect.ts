// The SQL dialect table: everything that differs between the engines the SQL targets
// write for: quoting, literals, column types, intervals and the spelling of each
// library function: Spark SQL, Flink SQL, and DuckDB for `mlp run` (the local engine,
// whose rows are the reference the other two must compute).
//
// Conventions shared by all dialects (see targets/README.md):
//   int -> BIGINT (64-bit: COUNT and SUM results fit, and int -> BIGINT is a safe store)
//   float -> DOUBLE, string/enum -> STRING, bool -> BOOLEAN, date -> DATE,
//   vector(N) -> ARRAY<DOUBLE> (DuckDB: DOUBLE[]), timestamp -> TIMESTAMP (Spark, DuckDB) /
//   TIMESTAMP(3) (Flink).
import type { IrType } from "../../compiler/ir";
import { TargetError } from "../../compiler/target-api";

export type FnLowering = (args: string[], types: IrType[]) => string;

export interface Dialect {
  name: "spark" | "flink" | "duckdb";
  /** A quoted identifier: `name`, a backtick doubled. */
  ident(name: string): string;
  /** A string literal in an expression: always one operand (an atom or a parenthesised concatenation). */
  string(value: string): string;
  /** A string where the grammar takes a plain literal only (table options, paths). */
  literal(value: string): string;
  /** The SQL type a column of this type is stored as. */
  type(t: IrType): string;
  /** An interval literal of `ms` milliseconds. `single` when the grammar needs one literal (window sizes). */
  interval(ms: number, single: boolean): string;
  /** `a % b` with the engine's remainder (sign of the dividend). */
  remainder(a: string, b: string, float: boolean): string;
  /** Timestamp rendered as text in `concat` and `cast ... as string`. */
  timestampText(x: string): string;
  /**
   * A relation of `table`'s rows with `window_start` and `window_end` of the tumbling window
   * of `ms` each row's `time` falls in, windows aligned to the epoch. Absent: Flink's TUMBLE
   * table function.
   */
  tumble?(table: string, time: string, ms: number): string;
  /**
   * Hopping look-back windows on a table (`every`): how to read `table` once per window that
   * covers each row's `time`. Windows start at multiples of `everyMs` since the epoch and hold
   * `window_start <= time < window_start + windowMs`; a row with a null time is in none.
   * `scratch` is a column name free in `table`, for the dialect's own use.
   */
  hop(table: string, time: string, everyMs: number, windowMs: number, scratch: string): Hop;
  /**
   * The engine has a backward as-of join (DuckDB `ASOF JOIN`). Otherwise `asof` joins are a
   * key join on `r.t <= l.t` keeping the latest match per left row (targets/sql/steps.ts).
   */
  asofJoin: boolean;
  /** A float as an int (`cast x as int`): truncated toward zero, as Spark's and Flink's CAST do. */
  floatToInt(x: string): string;
  /** Every function of language/functions.ts. Arguments arrive lowered; ints are BIGINT. */
  fns: Readonly<Record<string, FnLowering>>;
}

/** The rows of a hopping window expansion: read `from`, keep `where`, each row's window is [start, end). */
export interface Hop {
  from: string;
  start: string;
  end: string;
  where?: string;
}

const EPOCH = "TIMESTAMP '1970-01-01 00:00:00'";

// Nearly every name has nothing to escape: testing first spares a copy of each (as in quoted()).
const backtick = (name: string) => "`" + (name.includes("`") ? name.replaceAll("`", "``") : name) + "`";

function baseType(t: IrType, timestamp: string): string {
  switch (t.kind) {
    case "int":
      return "BIGINT";
    case "float":
      return "DOUBLE";
    case "bool":
      return "BOOLEAN";
    case "timestamp":
      return timestamp;
    case "date":
      return "DATE";
    case "vector":
      return "ARRAY<DOUBLE>";
    default:
      // string, enum (stored as its member name) and, in erroneous programs only, unknown.
      return "STRING";
  }
}

const call = (name: string): FnLowering => (a) => `${name}(${a.join(", ")})`;
const bigint = (sql: string) => `CAST(${sql} AS BIGINT)`;
const double = (sql: string) => `CAST(${sql} AS DOUBLE)`;
const isInt = (t: IrType | undefined) => t?.kind === "int";

/** Functions spelled the same in Spark and Flink. */
function common(): Record<string, FnLowering> {
  return {
    lower: call("LOWER"),
    upper: call("UPPER"),
    trim: call("TRIM"),
    abs: call("ABS"),
    exp: call("EXP"),
    log: call("LN"),
    round: (a) => `ROUND(${a[0]}, ${a[1] ?? "0"})`,
    floor: (a) => bigint(`FLOOR(${a[0]})`),
    ceil: (a) => bigint(`CEIL(${a[0]})`),
    coalesce: call("COALESCE"),
    if: (a) => `CASE WHEN ${a[0]} THEN ${a[1]} ELSE ${a[2]} END`,
    year: (a) => bigint(`YEAR(${a[0]})`),
    month: (a) => bigint(`MONTH(${a[0]})`),
    concat: call("CONCAT"),
    count: (a) => (a.length === 0 ? "COUNT(*)" : `COUNT(${a[0]})`),
    count_distinct: (a) => `COUNT(DISTINCT ${a[0]})`,
    sum: call("SUM"),
    // Flink's AVG of an integer column is an integer: average doubles everywhere.
    avg: (a, t) => `AVG(${isInt(t[0]) ? double(a[0]!) : a[0]})`,
    min: call("MIN"),
    max: call("MAX"),
  };
}

/** The argument as a DATE (calendar days are UTC: every generated file pins the session time zone). */
const asDate = (x: string, t: IrType | undefined) => (t?.kind === "date" ? x : `CAST(${x} AS DATE)`);
const asTimestamp = (x: string, t: IrType | undefined, ts: string) => (t?.kind === "timestamp" ? x : `CAST(${x} AS ${ts})`);

/**
 * The natural logarithm with IEEE values outside its domain: -Infinity at 0, NaN below, as
 * Flink's LN (Java's Math.log) computes. The language types log(x) of a non-null x as a
 * non-null float, so neither Spark's NULL nor DuckDB's error ("cannot take logarithm of zero")
 * will do. A null argument stays null.
 */
const ieeeLn = (x: string) => `CASE WHEN ${x} > 0 THEN LN(${x}) WHEN ${x} = 0 THEN CAST('-Infinity' AS DOUBLE) WHEN ${x} < 0 THEN CAST('NaN' AS DOUBLE) END`;

// ---------- Spark SQL ----------

/**
 * Spark string literals: backslash is the escape character (spark.sql.parser.escapedStringLiterals
 * is pinned to false by every generated file). A quote is written \' (Spark reads '' as two
 * adjacent literals, which would drop the quote). `$` is written \u0024 so `${...}` variable
 * substitution of spark-sql cannot fire inside data, `;` as \u003B and the second `-` of `--`
 * as \u002D so no statement splitter or comment stripper can cut a literal, and control
 * characters as escapes so a literal never spans lines.
 */
function sparkString(value: string): string {
  if (!SPARK_ESCAPED.test(value) && !value.includes("--")) return `'${value}'`;
  let out = "'";
  let prev = "";
  for (const ch of value) {
    const c = ch.codePointAt(0)!;
    const dashes = ch === "-" && prev === "-";
    prev = dashes ? "" : ch;
    if (dashes) out += "\\u002D";
    else if (ch === "\\") out += "\\\\";
    else if (ch === "'") out += "\\'";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\t") out += "\\t";
    else if (ch === "\r") out += "\\r";
    else if (ch === "$" || ch === ";" || c < 0x20 || c === 0x7f || c === 0x2028 || c === 0x2029 || c === 0x85) out += "\\u" + c.toString(16).toUpperCase().padStart(4, "0");
    else out += ch;
  }
  return out + "'";
}

/** The characters sparkString writes otherwise than as themselves (and `--`). */
const SPARK_ESCAPED = /[\\'$;\x00-\x1f\x7f\x85\u2028\u2029]/;

function sparkInterval(ms: number): string {
  const units: [number, string][] = [
    [86_400_000, "DAY"],
    [3_600_000, "HOUR"],
    [60_000, "MINUTE"],
    [1000, "SECOND"],
  ];
  for (const [size, unit] of units) if (ms % size === 0) return `INTERVAL '${ms / size}' ${unit}`;
  return `INTERVAL '${secondsText(ms)}' SECOND`;
}

const secondsText = (ms: number) => `${Math.floor(ms / 1000)}.${String(ms % 1000).padStart(3, "0")}`;

/** A duration as Spark's window() reads it ('28 days'): a fixed length, counted in the largest whole unit. */
function sparkWindowDuration(ms: number): string {
  const units: [number, string][] = [
    [86_400_000, "days"],
    [3_600_000, "hours"],
    [60_000, "minutes"],
    [1000, "seconds"],
  ];
  for (const [size, unit] of units) if (ms % size === 0) return `'${ms / size} ${unit}'`;
  return `'${ms} milliseconds'`;
}

/**
 * Spark's window(time, size, slide): windows start at multiples of the slide since the epoch
 * (its startTime defaults to 0, on the timestamp's UTC microseconds), hold start <= time < end,
 * and a row with a null time is in none. Spark refuses a slide larger than the size, so with
 * `every` > `window` (gaps between windows) each row is bucketed by a tumbling window of
 * `every` and kept only when it falls in the first `window` of it.
 */
function sparkHop(table: string, time: string, everyMs: number, windowMs: number, scratch: string): Hop {
  const w = backtick(scratch);
  const start = `${w}.${backtick("start")}`;
  if (everyMs <= windowMs) {
    const fn = `window(${time}, ${sparkWindowDuration(windowMs)}, ${sparkWindowDuration(everyMs)})`;
    return { from: `(SELECT *, ${fn} AS ${w} FROM ${table}) AS ${backtick("__mlp_hop")}`, start, end: `${w}.${backtick("end")}` };
  }
  const end = `${start} + ${sparkInterval(windowMs)}`;
  const fn = `window(${time}, ${sparkWindowDuration(everyMs)})`;
  return { from: `(SELECT *, ${fn} AS ${w} FROM ${table}) AS ${backtick("__mlp_hop")}`, start, end, where: `${time} < ${end}` };
}

export const SPARK: Dialect = {
  name: "spark",
  ident: backtick,
  string: sparkString,
  literal: sparkString,
  type: (t) => baseType(t, "TIMESTAMP"),
  interval: (ms) => sparkInterval(ms),
  hop: sparkHop,
  asofJoin: false,
  remainder: (a, b) => `${a} % ${b}`,
  timestampText: (x) => `DATE_FORMAT(${x}, 'yyyy-MM-dd HH:mm:ss.SSS')`,
  floatToInt: bigint,
  fns: (() => {
    return {
      ...common(),
      length: (a) => bigint(`CHAR_LENGTH(${a[0]})`),
      // Spark's LN and LOG1P are NULL at and below their asymptote: the IEEE values instead.
      log: (a) => ieeeLn(a[0]!),
      log1p: (a) => `CASE WHEN ${a[0]} > -1 THEN LOG1P(${a[0]}) WHEN ${a[0]} = -1 THEN CAST('-Infinity' AS DOUBLE) WHEN ${a[0]} < -1 THEN CAST('NaN' AS DOUBLE) END`,
      sqrt: call("SQRT"),
      now: () => "CURRENT_TIMESTAMP()",
      today: () => "CURRENT_DATE()",
      // DATEDIFF(end, start): whole calendar days from the first argument to the second.
      days_between: (a, t) => bigint(`DATEDIFF(${asDate(a[1]!, t[1])}, ${asDate(a[0]!, t[0])})`),
      hour: (a, t) => bigint(`HOUR(${asTimestamp(a[0]!, t[0], "TIMESTAMP")})`),
      // DAYOFWEEK: 1 = Sunday ... 7 = Saturday, as the language defines it.
      day_of_week: (a, t) => bigint(`DAYOFWEEK(${asDate(a[0]!, t[0])})`),
    };
  })(),
};

// ---------- Flink SQL ----------

/**
 * Characters a Flink SQL literal does not carry verbatim, written as CHR(n) instead:
 * - line breaks and other control characters, `;` and `--`: Flink's SQL client up to 1.16
 *   (and many SQL runners) cut statements at lines ending in `;` after removing `--...`,
 *   without looking at quotes; with none of them inside literals, every `;` in a generated
 *   file ends a statement, whatever splits it;
 * - `\`: Flink reads it as a plain character, but other SQL tools (dt-sql-parser's Flink
 *   grammar among them) read `\'` as an escaped quote, so a literal holding one would end at
 *   different places for different readers.
 */
/** A character flinkUnsafe takes (`--` aside), to write most strings without a loop. */
const FLINK_UNSAFE = /[\x00-\x1f\x7f;\\]/;
const flinkUnsafe = (c: number, prev: number | undefined) => c < 0x20 || c === 0x7f || c === 0x3b || c === 0x5c || (c === 0x2d && prev === 0x2d);

function flinkString(value: string): string {
  if (!FLINK_UNSAFE.test(value) && !value.includes("--")) return `'${value.replaceAll("'", "''")}'`;
  const parts: string[] = [];
  let run = "";
  let prev: number | undefined;
  for (const ch of value) {
    const c = ch.codePointAt(0)!;
    if (flinkUnsafe(c, prev)) {
      if (run) parts.push(`'${run}'`);
      run = "";
      parts.push(`CHR(${c})`);
      prev = undefined; // a `-` written as CHR(45) ends the run: the next `-` starts afresh
      continue;
    }
    run += ch === "'" ? "''" : ch;
    prev = c;
  }
  if (run || parts.length === 0) parts.push(`'${run}'`);
  return parts.length === 1 ? parts[0]! : `(${parts.join(" || ")})`;
}

/**
 * Option values are plain literals in Flink's grammar, so CHR() cannot help there: a value with
 * a line break, a control character, `;` or `\` is refused (see flinkUnsafe; none is valid in
 * a Kafka topic or a server list). `--` is harmless here: every option stands on its own line,
 * and the line that ends the statement holds no literal.
 */
function flinkLiteral(value: string): string {
  if (FLINK_UNSAFE.test(value))
    throw new TargetError(
      `${JSON.stringify(value)} cannot be a Flink SQL option value: it contains a line break, a control character, ';' or '\\', which no Kafka topic or server list can contain`,
    );
  return `'${value.replaceAll("'", "''")}'`;
}

/**
 * Flink interval literals have a leading precision of 2 digits (`INTERVAL '100' DAY` is out of
 * range, and `DAY(3)` is not in every grammar): a duration is written in the largest unit that
 * keeps the value under 100, else as `D HH:MM:SS.fff` DAY TO SECOND, else (100 days or more) as
 * a sum of 99-day intervals where an expression is allowed.
 */
function flinkInterval(ms: number, single: boolean): string {
  const units: [number, string][] = [
    [86_400_000, "DAY"],
    [3_600_000, "HOUR"],
    [60_000, "MINUTE"],
    [1000, "SECOND"],
  ];
  for (const [size, unit] of units) if (ms % size === 0 && ms / size < 100) return `INTERVAL '${ms / size}' ${unit}`;
  if (ms < 1000 * 100 && ms % 1000 !== 0) return `INTERVAL '${secondsText(ms)}' SECOND`;
  const day = 86_400_000;
  if (ms < 100 * day) {
    const d = Math.floor(ms / day);
    let rest = ms % day;
    const h = Math.floor(rest / 3_600_000);
    rest %= 3_600_000;
    const m = Math.floor(rest / 60_000);
    rest %= 60_000;
    const pad = (n: number) => String(n).padStart(2, "0");
    const s = rest % 1000 === 0 ? pad(rest / 1000) : `${pad(Math.floor(rest / 1000))}.${String(rest % 1000).padStart(3, "0")}`;
    return `INTERVAL '${d} ${pad(h)}:${pad(m)}:${s}' DAY TO SECOND`;
  }
  if (single) return `INTERVAL '${Math.round(ms / day)}' DAY`;
  const parts: string[] = [];
  let left = ms;
  while (left >= 100 * day) {
    parts.push(`INTERVAL '99' DAY`);
    left -= 99 * day;
  }
  if (left > 0) parts.push(flinkInterval(left, false));
  return `(${parts.join(" + ")})`;
}

/**
 * Flink's HOP table function (slide, then size), on a batch table: the tables of a pipeline
 * are not streamed, so this only plans in a batch job. Flink slices hopping windows and
 * refuses a size that is not a whole number of slides.
 */
function flinkHop(table: string, time: string, everyMs: number, windowMs: number): Hop {
  if (windowMs % everyMs !== 0)
    throw new TargetError(`Flink's HOP needs a window that is a whole number of \`every\` (${windowMs} ms is not a multiple of ${everyMs} ms)`);
  const from = `TABLE(HOP(TABLE ${table}, DESCRIPTOR(${time}), ${flinkInterval(everyMs, true)}, ${flinkInterval(windowMs, true)}))`;
  return { from, start: backtick("window_start"), end: backtick("window_end") };
}

export const FLINK: Dialect = {
  name: "flink",
  ident: backtick,
  string: flinkString,
  literal: flinkLiteral,
  type: (t) => baseType(t, "TIMESTAMP(3)"),
  interval: flinkInterval,
  hop: flinkHop,
  asofJoin: false,
  // MOD takes exact numerics only: a float remainder is a - b * TRUNCATE(a / b, 0).
  remainder: (a, b, float) => (float ? `(${a} - ${b} * TRUNCATE(${a} / ${b}, 0))` : `MOD(${a}, ${b})`),
  timestampText: (x) => `DATE_FORMAT(${x}, 'yyyy-MM-dd HH:mm:ss.SSS')`,
  floatToInt: bigint,
  fns: (() => {
    return {
      ...common(),
      length: (a) => bigint(`CHAR_LENGTH(${a[0]})`),
      // Flink has no LOG1P: log(1 + x) * x / ((1 + x) - 1) is exact near zero (Goldberg 1991).
      log1p: (a) => {
        const x = double(a[0]!);
        return `CASE WHEN 1 + ${x} = 1 THEN ${x} ELSE LN(1 + ${x}) * ${x} / ((1 + ${x}) - 1) END`;
      },
      sqrt: call("SQRT"),
      // LOCALTIMESTAMP is a TIMESTAMP(3) like the columns (CURRENT_TIMESTAMP is a TIMESTAMP_LTZ).
      now: () => "LOCALTIMESTAMP",
      today: () => "CURRENT_DATE",
      days_between: (a, t) => bigint(`TIMESTAMPDIFF(DAY, ${asDate(a[0]!, t[0])}, ${asDate(a[1]!, t[1])})`),
      hour: (a, t) => bigint(`HOUR(${asTimestamp(a[0]!, t[0], "TIMESTAMP(3)")})`),
      // DAYOFWEEK: 1 = Sunday ... 7 = Saturday, as in Spark and the language.
      day_of_week: (a, t) => bigint(`DAYOFWEEK(${asDate(a[0]!, t[0])})`),
    };
  })(),
};

// ---------- DuckDB (the local engine) ----------

/**
 * DuckDB string literals: `'` doubled, no backslash escapes. Control characters, `;` and the
 * second `-` of `--` are written as CHR(n) so a literal never spans lines and no statement
 * splitter or comment stripper can cut one, wherever the generated SQL is pasted.
 */
/** A character duckdbString writes as CHR(n) (`--` aside), to write most strings without a loop. */
const DUCKDB_UNSAFE = /[\x00-\x1f\x7f;]/;

function duckdbString(value: string): string {
  if (!DUCKDB_UNSAFE.test(value) && !value.includes("--")) return `'${value.replaceAll("'", "''")}'`;
  const parts: string[] = [];
  let run = "";
  let prev: number | undefined;
  for (const ch of value) {
    const c = ch.codePointAt(0)!;
    if (c < 0x20 || c === 0x7f || c === 0x3b || (c === 0x2d && prev === 0x2d)) {
      if (run) parts.push(`'${run}'`);
      run = "";
      parts.push(`CHR(${c})`);
      prev = undefined;
      continue;
    }
    run += ch === "'" ? "''" : ch;
    prev = c;
  }
  if (run || parts.length === 0) parts.push(`'${run}'`);
  return parts.length === 1 ? parts[0]! : `(${parts.join(" || ")})`;
}

/**
 * `round` in DuckDB. Its precision must be an INTEGER (a BIGINT column, as every int is, does
 * not bind). And DuckDB rounds a DOUBLE through x * 10^d, so round(-1.005, 2) is -1.0, where
 * Spark and Flink round the double's shortest decimal text half away from zero (-1.01, as the
 * language says: "rounds half away from zero, to `digits` decimals"): with whole-number
 * literal digits, a float is rounded as that decimal (DuckDB's DOUBLE -> VARCHAR is the
 * shortest text); beyond DECIMAL(38, 18)'s range (and for computed digits) DuckDB's own
 * ROUND stands.
 */
function duckdbRound(a: string[], t: IrType[]): string {
  const x = a[0]!;
  if (a[1] === undefined) return `ROUND(${x}, 0)`;
  const literal = /^\(?(-?\d+)\)?$/.exec(a[1])?.[1];
  if (t[0]?.kind === "float" && literal !== undefined && literal !== "0" && Math.abs(Number(literal)) <= 18)
    return `CASE WHEN ABS(${x}) < 1e15 THEN CAST(ROUND(CAST(CAST(${x} AS VARCHAR) AS DECIMAL(38, 18)), ${literal}) AS DOUBLE) ELSE ROUND(${x}, ${literal}) END`;
  return `ROUND(${x}, CAST(${a[1]} AS INTEGER))`;
}

/** Java's (Spark's, Flink's) one-to-many upper-case mappings of Latin letters and ligatures. */
const UPPER_SPECIAL = new Map([
  ["ß", "SS"],
  ["ŉ", "ʼN"],
  ["ﬀ", "FF"],
  ["ﬁ", "FI"],
  ["ﬂ", "FL"],
  ["ﬃ", "FFI"],
  ["ﬄ", "FFL"],
  ["ﬅ", "ST"],
  ["ﬆ", "ST"],
]);

const doubleQuote = (name: string) => `"${name.includes('"') ? name.replaceAll('"', '""') : name}"`;

/**
 * The clock of a local run: `now()` and `today()` read the `mlp_now` variable the engine sets
 * once per run (the `target local` `now` setting, else the wall clock at the start), so every
 * step of a run sees one instant and a pinned clock makes a run repeatable.
 */
export const LOCAL_NOW = "CAST(getvariable('mlp_now') AS TIMESTAMP)";

export const DUCKDB: Dialect = {
  name: "duckdb",
  ident: doubleQuote,
  string: duckdbString,
  literal: (value) => `'${value.replaceAll("'", "''")}'`,
  type: (t) => {
    const base = baseType(t, "TIMESTAMP");
    return base === "STRING" ? "VARCHAR" : base === "ARRAY<DOUBLE>" ? "DOUBLE[]" : base;
  },
  interval: (ms) => {
    const units: [number, string][] = [
      [86_400_000, "DAY"],
      [3_600_000, "HOUR"],
      [60_000, "MINUTE"],
      [1000, "SECOND"],
    ];
    for (const [size, unit] of units) if (ms % size === 0) return `INTERVAL ${ms / size} ${unit}`;
    return `INTERVAL ${ms} MILLISECOND`;
  },
  // Windows aligned to the epoch, as Flink's TUMBLE aligns them.
  tumble(table, time, ms) {
    const size = DUCKDB.interval(ms, true);
    const start = `TIME_BUCKET(${size}, ${time}, ${EPOCH})`;
    return `(SELECT *, ${start} AS "window_start", ${start} + ${size} AS "window_end" FROM ${table}) AS "__mlp_tumble"`;
  },
  // Each row's covering windows, generated: the latest start at or before `time` is its
  // epoch-aligned bucket of `every`; the earlier ones reach back ceil(window / every) - 1 hops;
  // those that end at or before `time` are dropped (they only exist when `every` does not
  // divide `window`, or exceeds it). A null time generates nothing.
  hop(table, time, everyMs, windowMs) {
    const every = DUCKDB.interval(everyMs, true);
    const back = (Math.ceil(windowMs / everyMs) - 1) * everyMs;
    const last = `TIME_BUCKET(${every}, ${time}, ${EPOCH})`;
    const first = back === 0 ? last : `${last} - ${DUCKDB.interval(back, true)}`;
    const start = doubleQuote("window_start");
    const end = `${start} + ${DUCKDB.interval(windowMs, true)}`;
    const from = `(SELECT *, UNNEST(GENERATE_SERIES(${first}, ${last}, ${every})) AS ${start} FROM ${table}) AS "__mlp_hop"`;
    return { from, start, end, where: `${end} > ${time}` };
  },
  asofJoin: true,
  // DuckDB's % takes the dividend's sign for integers and doubles alike (fmod). An int % 0 is
  // NULL in DuckDB, which the language's non-null int cannot hold: the run stops instead, as
  // Spark (ANSI mode) and Flink (MOD) do. A float % 0 is NaN, as in Flink.
  remainder: (a, b, float) => (float ? `${a} % ${b}` : `CASE WHEN ${b} = 0 THEN ERROR('remainder by zero') ELSE ${a} % ${b} END`),
  timestampText: (x) => `STRFTIME(${x}, '%Y-%m-%d %H:%M:%S.%g')`,
  // DuckDB's CAST(DOUBLE AS BIGINT) rounds to nearest (1.5 -> 2); Spark and Flink truncate
  // (1.5 -> 1), which is what `cast x as int` computes everywhere.
  floatToInt: (x) => bigint(`TRUNC(${x})`),
  fns: (() => {
    return {
      ...common(),
      // DuckDB's CONCAT skips nulls; the language (and Spark, Flink) make the result null.
      concat: (a) => (a.length === 1 ? a[0]! : `(${a.join(" || ")})`),
      length: (a) => bigint(`LENGTH(${a[0]})`),
      round: (a, t) => duckdbRound(a, t),
      // DuckDB maps case one character to one (ß -> ẞ, ﬁ unchanged); Spark and Flink use Java's
      // full mappings (ß -> SS, ﬁ -> FI; lower-case İ is i + U+0307). The one-to-many mappings of Latin text are
      // written out first (Greek final sigma and the rarer ones of SpecialCasing.txt are not).
      upper: (a) => `UPPER(${[...UPPER_SPECIAL].reduce((x, [from, to]) => `REPLACE(${x}, '${from}', '${to}')`, a[0]!)})`,
      lower: (a) => `LOWER(REPLACE(${a[0]}, '\u0130', 'i\u0307'))`,
      // DuckDB's LN and SQRT stop the run on 0 or a negative number ("cannot take logarithm of
      // zero"), where the language types log(x) and sqrt(x) as a non-null float: the IEEE values
      // are computed instead (log(0) = -Infinity, log(-1) = NaN, sqrt(-1) = NaN), as Flink (Java's
      // Math) and Spark (SQRT; LN through ieeeLn) do, and as DuckDB's own x / 0 does.
      log: (a) => ieeeLn(a[0]!),
      log1p: (a) => {
        const x = double(a[0]!);
        return `CASE WHEN 1 + ${x} = 1 THEN ${x} ELSE ${ieeeLn(`1 + ${x}`)} * ${x} / ((1 + ${x}) - 1) END`;
      },
      sqrt: (a) => `CASE WHEN ${a[0]} >= 0 THEN SQRT(${a[0]}) WHEN ${a[0]} < 0 THEN CAST('NaN' AS DOUBLE) END`,
      now: () => LOCAL_NOW,
      today: () => `CAST(${LOCAL_NOW} AS DATE)`,
      days_between: (a, t) => bigint(`DATE_DIFF('day', ${asDate(a[0]!, t[0])}, ${asDate(a[1]!, t[1])})`),
      hour: (a, t) => bigint(`HOUR(${asTimestamp(a[0]!, t[0], "TIMESTAMP")})`),
      // DAYOFWEEK is 0 = Sunday in DuckDB; the language counts 1 = Sunday ... 7 = Saturday.
      day_of_week: (a, t) => bigint(`DAYOFWEEK(${asDate(a[0]!, t[0])}) + 1`),
    };
  })(),
};

export const DIALECTS = { spark: SPARK, flink: FLINK, duckdb: DUCKDB } as const;
