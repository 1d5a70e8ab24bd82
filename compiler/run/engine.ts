// The embedded data engine of `mlp run`: DuckDB in this process. `mlp run` opens one
// in-memory database for the whole run (a Database) and gives every data step its own
// connection and schema (session.ts), so a step sees exactly the relations it reads and
// nothing another step declared; `show` and the model steps open a database of their own
// (Engine.open). Loaded on first use: only `mlp run`, `show` and `serve` pay for the native
// module.
import type { DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { createRequire } from "node:module";
import { DUCKDB as d } from "../../targets/sql/dialect";
import { viewSql } from "../../targets/local/views";

type DuckDB = typeof import("@duckdb/node-api");
let module: Promise<DuckDB> | undefined;
// The package is CommonJS: required, not imported, so node does not scan its modules for
// their exports first (the ESM loader's scan was half of loading it, ~150 ms of every run).
const duckdb = () => (module ??= Promise.resolve().then(() => createRequire(import.meta.url)("@duckdb/node-api") as DuckDB));

/** A SQL error of the engine, with the statement it ran. */
export class EngineError extends Error {
  constructor(
    message: string,
    readonly sql: string,
  ) {
    super(message);
  }
}

/** One in-memory DuckDB database that several connections (Engines) share. */
export class Database {
  private constructor(private readonly instance: DuckDBInstance) {}

  static async open(threads = 2): Promise<Database> {
    const { DuckDBInstance } = await duckdb();
    return new Database(await DuckDBInstance.create(":memory:", { threads: String(threads) }));
  }

  /** A connection of its own: its settings, variables and default schema (`schema`, created here) are its own. */
  async connect(now: Date, schema?: string): Promise<Engine> {
    return Engine.over(await this.instance.connect(), now, undefined, schema === undefined ? [] : [`CREATE SCHEMA ${d.ident(schema)}`, `SET schema = ${d.literal(schema)}`]);
  }

  close(): void {
    this.instance.closeSync();
  }
}

export class Engine {
  private constructor(
    private readonly conn: DuckDBConnection,
    /** The database this engine opened for itself, closed with it. */
    private readonly owned?: DuckDBInstance,
  ) {}

  /** A database of its own. `now`: the run's clock, read by `now()` and `today()` of the local dialect. */
  static async open(now: Date, threads = 2): Promise<Engine> {
    const { DuckDBInstance } = await duckdb();
    const instance = await DuckDBInstance.create(":memory:", { threads: String(threads) });
    return Engine.over(await instance.connect(), now, instance);
  }

  /** Settings and variables belong to the connection: every connection gets the run's, then runs `setup`. */
  static async over(conn: DuckDBConnection, now: Date, owned?: DuckDBInstance, setup: string[] = []): Promise<Engine> {
    const e = new Engine(conn, owned);
    try {
      await e.execAll(["SET TimeZone = 'UTC'", `SET VARIABLE mlp_now = TIMESTAMP '${timestampText(now)}'`, ...setup]);
    } catch (err) {
      e.close();
      throw err;
    }
    return e;
  }

  /**
   * Statements in order, in one call: each call is a trip to a worker thread and back, which
   * waits its turn for a core while other steps' queries keep both busy (a step's set-up is
   * several statements, and the steps after a large source run one after another).
   */
  async execAll(statements: string[]): Promise<void> {
    if (statements.length) await this.exec(statements.join(";\n"));
  }

  async exec(sql: string): Promise<void> {
    try {
      await this.conn.run(sql);
    } catch (e) {
      throw new EngineError((e as Error).message, sql);
    }
  }

  /** Rows as JSON-safe objects (BIGINT as strings where they do not fit a double, timestamps as text). */
  async rows(sql: string): Promise<Record<string, unknown>[]> {
    try {
      const r = await this.conn.runAndReadAll(sql);
      return r.getRowObjectsJson() as Record<string, unknown>[];
    } catch (e) {
      throw new EngineError((e as Error).message, sql);
    }
  }

  /** Rows with column names, in order, values as JSON. */
  async table(sql: string): Promise<{ columns: string[]; types: string[]; rows: unknown[][] }> {
    try {
      const r = await this.conn.runAndReadAll(sql);
      return { columns: r.columnNames(), types: r.columnTypes().map((t) => t.toString()), rows: r.getRowsJson() as unknown[][] };
    } catch (e) {
      throw new EngineError((e as Error).message, sql);
    }
  }

  async view(name: string, query: string): Promise<void> {
    await this.exec(viewSql(name, query));
  }

  /** Writes a relation to a parquet file (zstd level 1: several times faster to write than snappy here, and smaller); returns the row count. */
  async toParquet(relation: string, path: string, columns?: string[]): Promise<number> {
    const list = columns ? columns.map((c) => d.ident(c)).join(", ") : "*";
    const r = await this.rows(`COPY (SELECT ${list} FROM ${d.ident(relation)}) TO ${d.literal(path)} (FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL 1)`);
    return Number(r[0]?.Count ?? 0);
  }

  /** Keeps a relation's rows as a table (the columns in this order); returns the row count. */
  async toTable(relation: string, table: string, columns?: string[]): Promise<number> {
    const list = columns ? columns.map((c) => d.ident(c)).join(", ") : "*";
    return this.createTable(table, `SELECT ${list} FROM ${d.ident(relation)}`);
  }

  /** Keeps a query's rows as a table; returns the row count. */
  async createTable(table: string, query: string): Promise<number> {
    const r = await this.rows(`CREATE TABLE ${d.ident(table)} AS ${query}`);
    return Number(r[0]?.Count ?? 0);
  }

  /** Writes a query's rows as CSV with a header (empty field = null), for the Python steps. */
  async toCsv(query: string, path: string): Promise<number> {
    const r = await this.rows(`COPY (${query}) TO ${d.literal(path)} (FORMAT csv, HEADER true)`);
    return Number(r[0]?.Count ?? 0);
  }

  close(): void {
    this.conn.closeSync();
    this.owned?.closeSync();
  }
}

/** `YYYY-MM-DD HH:MM:SS.fff` in UTC, as DuckDB reads a TIMESTAMP literal. */
export function timestampText(t: Date): string {
  return t.toISOString().replace("T", " ").replace("Z", "");
}

export async function duckdbVersion(): Promise<string> {
  const { version } = await duckdb();
  return version();
}
