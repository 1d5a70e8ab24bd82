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

/** The row number column every raw read carries (1 = the first data row of the file). */
export const ROW = "__mlp_row";

/** The file's rows with every declared column as text (csv, json) or as stored (parquet), numbered. */
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
  return `SELECT ROW_NUMBER() OVER () AS ${d.ident(ROW)}, * FROM ${from}`;
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
      // An offset or `Z` is honoured (the session is UTC); a bare timestamp is UTC already.
      return `CAST(TRY_CAST(${ref} AS TIMESTAMPTZ) AS TIMESTAMP)`;
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

/** Per column, SQL that is NULL when the raw value fits the declared type, else what is wrong with it. */
function problem(c: IrColumn, schema: string): string {
  const ref = d.ident(c.name);
  const t = c.type;
  const cases: string[] = [];
  if (!t.nullable) cases.push(`WHEN ${ref} IS NULL THEN ${d.string(`is empty, but ${schema} declares it non-null`)}`);
  if (t.kind === "enum") {
    cases.push(`WHEN ${ref} IS NOT NULL AND ${text(ref)} NOT IN (${t.members.map((m) => d.string(m)).join(", ")}) THEN ${d.string(`is not one of ${t.members.join(", ")}`)}`);
  } else if (t.kind !== "string" && t.kind !== "null" && t.kind !== "unknown") {
    cases.push(`WHEN ${ref} IS NOT NULL AND (${parsed(ref, t)}) IS NULL THEN ${d.string(`is not ${typeName(t)}`)}`);
  }
  return cases.length ? `CASE ${cases.join(" ")} END` : "NULL";
}

/**
 * The first row that breaks the schema: its number, then per column the problem or NULL.
 * Empty when every row fits.
 */
export function firstProblemQuery(raw: string, columns: IrColumn[], schema: string): string {
  const items = columns.map((c, i) => `${problem(c, schema)} AS ${d.ident(`p${i}`)}`);
  const values = columns.map((c, i) => `${text(d.ident(c.name))} AS ${d.ident(`v${i}`)}`);
  const any = columns.map((_, i) => `${d.ident(`p${i}`)} IS NOT NULL`).join(" OR ") || "FALSE";
  return `SELECT * FROM (SELECT ${d.ident(ROW)}, ${[...items, ...values].join(", ")} FROM (${raw})) WHERE ${any} ORDER BY ${d.ident(ROW)} LIMIT 1`;
}

/** The typed rows, in file order (a stream: event-time order, ties in file order). */
export function typedQuery(raw: string, columns: IrColumn[], eventTime?: string): string {
  const items = columns.map((c) => `${c.type.kind === "enum" || c.type.kind === "string" ? text(d.ident(c.name)) : parsed(d.ident(c.name), c.type)} AS ${d.ident(c.name)}`);
  const order = eventTime ? `${d.ident(eventTime)}, ${d.ident(ROW)}` : d.ident(ROW);
  const typed = `SELECT ${d.ident(ROW)}, ${items.join(", ")} FROM (${raw})`;
  return `SELECT ${columns.map((c) => d.ident(c.name)).join(", ")} FROM (${typed}) ORDER BY ${order}`;
}

/** For `mlp compile --target local`: the source as one statement over its bound file. */
export function sourceSql(path: string | string[], format: FileFormat, columns: IrColumn[], eventTime?: string): string {
  return typedQuery(rawRead(path, format, columns), columns, eventTime);
}
