// How a step's relations are declared on DuckDB: the same statements in `pipeline.sql` (what
// `mlp compile --target local` shows) and in what `mlp run` executes (compiler/run).
import { DUCKDB as d } from "../sql/dialect";

export const viewSql = (name: string, query: string): string => `CREATE VIEW ${d.ident(name)} AS\n${query}`;

/** `name` as the rows of a parquet file (an input an earlier step wrote). */
export const parquetViewSql = (name: string, path: string): string => `CREATE VIEW ${d.ident(name)} AS SELECT * FROM read_parquet(${d.literal(path)})`;
