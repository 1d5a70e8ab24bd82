// The data steps of one `mlp run` in one DuckDB database (engine.ts). Every step runs on a
// connection of its own, in a schema of its own: the relations it declares are its alone, as
// when each step had a database of its own, and steps running at once do not meet. An output
// that later steps of this run read stays in memory, in its step's schema, until the last of
// them has ended: they read it there instead of reading back the parquet file the step wrote
// (the file is still written: the cache, `--resume`, `mlp show` and later runs read it).
import { DUCKDB as d } from "../../targets/sql/dialect";
import { Database, type Engine } from "./engine";

/** What a step of the run reads: (step, port) pairs of earlier steps. */
export interface Reader {
  id: string;
  inputs: { step: string; fromPort: string }[];
}

const key = (step: string, port: string) => `${step}\u0000${port}`;

export class DataSession {
  private db?: Promise<Database>;
  private admin?: Promise<Engine>;
  private schemas = 0;
  /** Per output, how many steps of this run that read it from memory have not ended yet. */
  private readonly pending = new Map<string, number>();
  /** What each such step reads. */
  private readonly reads = new Map<string, string[]>();
  /** Outputs in memory: the qualified relation, and the schema (step) holding it. */
  private readonly held = new Map<string, { relation: string; schema: string }>();
  /** Per schema, how many of its outputs are still held (and 1 while it writes files). */
  private readonly holding = new Map<string, number>();
  private readonly schemaOf = new Map<string, string>();
  /**
   * Schemas that keep views over the step's inputs: those inputs are held while the views are,
   * so what the step read is released when its schema is dropped (null: the step has not ended).
   */
  private readonly leaning = new Map<string, string[] | null>();

  /** `readers`: the steps of this run that will read their inputs here (data steps still to run). */
  constructor(
    private readonly clock: Date,
    readers: Reader[],
  ) {
    for (const r of readers) {
      const keys = [...new Set(r.inputs.map((i) => key(i.step, i.fromPort)))];
      this.reads.set(r.id, keys);
      for (const k of keys) this.pending.set(k, (this.pending.get(k) ?? 0) + 1);
    }
  }

  /** Whether a step of this run still to run reads this output (so it is worth keeping in memory). */
  wanted(step: string, port: string): boolean {
    return (this.pending.get(key(step, port)) ?? 0) > 0;
  }

  /** The output's rows in memory, as a qualified relation; undefined when only its file has them. */
  relation(step: string, port: string): string | undefined {
    return this.held.get(key(step, port))?.relation;
  }

  /**
   * Runs a step's SQL on a connection and schema of its own. `keep(port, relation, view)` keeps a
   * relation of the step's schema for the steps that read that port (a view over the step's
   * inputs keeps them in memory as long as it is kept); `later(write)` writes once
   * `f` has returned, while those steps run (a parquet write takes one core: the other is
   * theirs). `written` settles when the writes have; a step that fails keeps nothing.
   */
  async run<T>(
    step: string,
    f: (e: Engine, keep: (port: string, relation: string, view?: boolean) => void, later: (write: () => Promise<unknown>) => void) => Promise<T>,
  ): Promise<{ result: T; written?: Promise<void> }> {
    const db = await (this.db ??= Database.open());
    const schema = `__mlp_step_${this.schemas++}`;
    this.schemaOf.set(step, schema);
    const kept: [string, string, boolean][] = [];
    const writes: (() => Promise<unknown>)[] = [];
    const e = await db.connect(this.clock, schema);
    let result: T;
    try {
      result = await f(
        e,
        (port, relation, view) => kept.push([port, relation, view === true]),
        (write) => writes.push(write),
      );
    } catch (err) {
      e.close();
      await this.drop(schema);
      throw err;
    }
    const wanted = kept.filter(([port]) => this.wanted(step, port));
    for (const [port, relation] of wanted) this.held.set(key(step, port), { relation: `${d.ident(schema)}.${d.ident(relation)}`, schema });
    if (wanted.some(([, , view]) => view)) this.leaning.set(schema, null);
    // The schema lives while a step still reads from it or a write is still under way.
    const holds = wanted.length + (writes.length ? 1 : 0);
    if (!holds) {
      e.close();
      await this.drop(schema);
      return { result };
    }
    this.holding.set(schema, holds);
    if (!writes.length) {
      e.close();
      return { result };
    }
    const written = (async () => {
      try {
        for (const w of writes) await w();
      } finally {
        e.close();
        await this.release(schema);
      }
    })();
    return { result, written };
  }

  /** A step has ended (whatever its status): what it read is freed once no other step needs it. */
  async ended(step: string): Promise<void> {
    const keys = this.reads.get(step) ?? [];
    this.reads.delete(step);
    const schema = this.schemaOf.get(step);
    // Its views still read its inputs: they are released with its schema.
    if (schema !== undefined && this.leaning.get(schema) === null && (this.holding.get(schema) ?? 0) > 0) {
      this.leaning.set(schema, keys);
      return;
    }
    await this.unread(keys);
  }

  private async unread(keys: string[]): Promise<void> {
    for (const k of keys) {
      const left = (this.pending.get(k) ?? 1) - 1;
      this.pending.set(k, left);
      const h = this.held.get(k);
      if (left > 0 || !h) continue;
      this.held.delete(k);
      await this.release(h.schema);
    }
  }

  private async release(schema: string): Promise<void> {
    const n = (this.holding.get(schema) ?? 1) - 1;
    this.holding.set(schema, n);
    if (n === 0) await this.drop(schema);
  }

  /** Frees a schema's tables (a failure to is no failure of the run: closing the database frees them too). */
  private async drop(schema: string): Promise<void> {
    try {
      const admin = await (this.admin ??= this.db!.then((db) => db.connect(this.clock)));
      await admin.exec(`DROP SCHEMA IF EXISTS ${d.ident(schema)} CASCADE`);
    } catch {
      // nothing to do: the memory is freed at close()
    }
    const leaned = this.leaning.get(schema);
    this.leaning.delete(schema);
    if (leaned) await this.unread(leaned);
  }

  /** `exiting`: the process ends with the run, and frees the database at once (closing it frees it piece by piece, ~60 ms). */
  async close(exiting = false): Promise<void> {
    if (!this.db) return;
    const db = await this.db;
    if (this.admin) (await this.admin).close();
    if (!exiting) db.close();
  }
}
