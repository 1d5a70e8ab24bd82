// A source's rows on the local engine: read a local file (csv with a header row, json lines,
// parquet) as text, find the first row that breaks the declared schema (as the Spark target
// stops on one), then cast every column to its declared type. A stream is the same file
// replayed in event-time order (ties in file order).
import type { IrColumn, IrType } from "../../compiler/ir";
import { DUCKDB as d } from "../sql/dialect";

export type FileFormat = "csv" | "json" | "parquet";

/** The format of a local file, from its name; undefined when the name says none. */
export function formatOfPath(path: string): FileFormat | undefined {
  const p = path.toLowerCase().replace(/\/+$/, "");
  if (/\.csv(\.gz)?$/.test(p)) return "csv";
  if (/\.(jsonl|ndjson|json)(\.gz)?$/.test(p)) return "json";
  if (/\.parquet$/.test(p)) return "parquet";
  return undefined;
}

/** The row number a problem is reported at (1 = the first data row of the file). */
export const ROW = "__mlp_row";

/** The file's rows with every declared column as text (csv, json) or as stored (parquet), in file order. */
export function rawRead(paths: string | string[], format: FileFormat, columns: IrColumn[]): string {
  const file = typeof paths === "string" ? d.literal(paths) : `[${paths.map((p) => d.literal(p)).join(", ")}]`;
  let from: string;
  switch (format) {
    case "csv":
      from = `read_csv(${file}, header = true, all_varchar = true, delim = ',', quote = '"', escape = '"', auto_detect = false, columns = ${columnTypes(columns)}, null_padding = true)`;
      break;
    case "json":
      from = `read_json(${file}, format = 'newline_delimited', columns = ${columnTypes(columns)})`;
      break;
    case "parquet":
      from = `read_parquet(${file})`;
      break;
  }
  return `SELECT * FROM ${from}`;
}

/** Every column read as VARCHAR: the checks below decide what parses, not the reader. */
const columnTypes = (columns: IrColumn[]) => `{${columns.map((c) => `${d.literal(c.name)}: 'VARCHAR'`).join(", ")}}`;

/** The columns a csv file's header must name (DuckDB fills missing ones with nulls otherwise). */
export function headerQuery(path: string): string {
  return `SELECT * FROM read_csv(${d.literal(path)}, header = true, all_varchar = true, delim = ',', quote = '"', escape = '"', auto_detect = false, columns = {'__mlp_probe': 'VARCHAR'}, null_padding = true) LIMIT 0`;
}

const text = (ref: string) => `CAST(${ref} AS VARCHAR)`;

/** SQL that is the typed value of a raw column, or NULL when it does not parse (a null stays null). */
function parsed(ref: string, t: IrType): string {
  switch (t.kind) {
    case "int":
      return `CASE WHEN regexp_full_match(trim(${text(ref)}), '[+-]?[0-9]+') THEN TRY_CAST(trim(${text(ref)}) AS BIGINT) END`;
    case "float":
      return `TRY_CAST(${ref} AS DOUBLE)`;
    case "bool":
      return `CASE lower(trim(${text(ref)})) WHEN 'true' THEN TRUE WHEN 'false' THEN FALSE END`;
    case "timestamp":
    {
      // An offset or `Z` is honoured (the session is UTC); a bare timestamp is UTC already and
      // takes the cheaper plain cast (an offset can only follow the 19 characters of the time).
      const x = text(ref);
      const zoned = `length(${x}) > 19 AND (contains(substr(${x}, 20), '+') OR contains(substr(${x}, 20), '-') OR upper(${x}) LIKE '%Z')`;
      return `CASE WHEN ${zoned} THEN CAST(TRY_CAST(${x} AS TIMESTAMPTZ) AS TIMESTAMP) ELSE TRY_CAST(${x} AS TIMESTAMP) END`;
    }
    case "date":
      return `TRY_CAST(${ref} AS DATE)`;
    case "vector":
      return `CASE WHEN len(TRY_CAST(${text(ref)} AS DOUBLE[])) = ${t.size} THEN TRY_CAST(${text(ref)} AS DOUBLE[]) END`;
    default:
      return text(ref);
  }
}

const typeName = (t: IrType): string => {
  switch (t.kind) {
    case "int":
      return "a whole number";
    case "float":
      return "a number";
    case "bool":
      return "true or false";
    case "timestamp":
      return "a timestamp";
    case "date":
      return "a date";
    case "vector":
      return `a list of ${t.size} numbers`;
    default:
      return "text";
  }
};

/** Columns whose text is parsed into another type (whether the text was there is kept beside the value while checking). */
export const isParsed = (t: IrType) => !["string", "enum", "null", "unknown"].includes(t.kind);
const value = (i: number) => d.ident(`c${i}`);
/** TRUE where a parsed column's text is missing (a value of NULL is then no parse failure). */
const missing = (i: number) => d.ident(`n${i}`);

/**
 * The file's rows staged for checking: per column its typed value `c<i>` (NULL where the text
 * does not parse) and, for parsed types, whether there was text at all, `n<i>` (a flag, not the
 * text: a million timestamps' text is tens of megabytes to hold; the failing row's text is read
 * again, rawValueQuery). Read and parsed once; the table's rowid is the row's position in the file.
 */
export function stagedQuery(raw: string, columns: IrColumn[]): string {
  const items: string[] = [];
  columns.forEach((c, i) => {
    const ref = d.ident(c.name);
    items.push(`${isParsed(c.type) ? parsed(ref, c.type) : text(ref)} AS ${value(i)}`);
    if (isParsed(c.type)) items.push(`${ref} IS NULL AS ${missing(i)}`);
  });
  return `SELECT ${items.join(", ")} FROM (${raw})`;
}

/** Per column, SQL over the staged row that is NULL when the value fits the declared type, else what is wrong. */
function problem(c: IrColumn, i: number, schema: string): string {
  const t = c.type;
  const absent = isParsed(t) ? missing(i) : `${value(i)} IS NULL`;
  const cases: string[] = [];
  if (!t.nullable) cases.push(`WHEN ${absent} THEN ${d.string(`is empty, but ${schema} declares it non-null`)}`);
  if (t.kind === "enum") cases.push(`WHEN ${value(i)} IS NOT NULL AND ${value(i)} NOT IN (${t.members.map((m) => d.string(m)).join(", ")}) THEN ${d.string(`is not one of ${t.members.join(", ")}`)}`);
  else if (isParsed(t)) cases.push(`WHEN NOT ${missing(i)} AND ${value(i)} IS NULL THEN ${d.string(`is not ${typeName(t)}`)}`);
  return cases.length ? `CASE ${cases.join(" ")} END` : "NULL";
}

/**
 * The first staged row that breaks the schema: `row` (1 = the first data row), then per column
 * `p<i>` the problem or NULL and `v<i>` the text as written (NULL for parsed columns: see
 * rawValueQuery). Empty when every row fits.
 */
export function firstProblemQuery(staged: string, columns: IrColumn[], schema: string): string {
  const items = columns.map((c, i) => `${problem(c, i, schema)} AS ${d.ident(`p${i}`)}`);
  const values = columns.map((c, i) => `${isParsed(c.type) ? "NULL" : value(i)} AS ${d.ident(`v${i}`)}`);
  const any = columns.map((_, i) => `${d.ident(`p${i}`)} IS NOT NULL`).join(" OR ") || "FALSE";
  return `SELECT * FROM (SELECT rowid + 1 AS ${d.ident(ROW)}, ${[...items, ...values].join(", ")} FROM ${d.ident(staged)}) WHERE ${any} ORDER BY ${d.ident(ROW)} LIMIT 1`;
}

/** A column's text as written in row `row` (1 = the first data row) of the raw read: the failing row's value. */
export function rawValueQuery(raw: string, column: string, row: number): string {
  return `SELECT ${text(d.ident(column))} AS v FROM (${raw}) LIMIT 1 OFFSET ${row - 1}`;
}

/** The typed rows are the staged table's, in its order (typedQuery is a projection, no sort). */
export const inFileOrder = (files: number, eventTime?: string): boolean => files === 1 && !eventTime;

/**
 * The typed rows of staged tables, one per file in order: a table in file order, a stream in
 * event-time order with ties in file order.
 */
export function typedQuery(staged: string[], columns: IrColumn[], eventTime?: string): string {
  const items = columns.map((c, i) => `${value(i)} AS ${d.ident(c.name)}`).join(", ");
  // One file of a table: the staged table is in file order already (no sort of a million rows).
  if (inFileOrder(staged.length, eventTime)) return `SELECT ${items} FROM ${d.ident(staged[0]!)}`;
  const parts = staged.map((t, k) => `SELECT ${items}, ${k} AS "__mlp_file", rowid AS "__mlp_rowid" FROM ${d.ident(t)}`);
  const all = parts.join("\nUNION ALL\n");
  const order = [...(eventTime ? [d.ident(eventTime)] : []), `"__mlp_file"`, `"__mlp_rowid"`].join(", ");
  return `SELECT ${columns.map((c) => d.ident(c.name)).join(", ")} FROM (${all}) ORDER BY ${order}`;
}
