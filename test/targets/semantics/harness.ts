// The semantics harness: a tiny .mlp program, its input rows, and the rows the language says
// its steps compute (written by hand in each test, never produced by the code under test).
// The data steps are lowered with the shared SQL lowering (targets/sql/steps.ts) in the DuckDB
// dialect and run on an in-memory DuckDB; the Spark and Flink lowerings of the same steps are
// compared with DuckDB's structurally (they cannot run here). Where Spark's strategy differs
// from DuckDB's (as-of joins), the comparison is with DuckDB running Spark's strategy
// (DUCKDB_RANKED), whose rows the tests check too.
import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import { expect } from "vitest";
import type { IrColumn, IrDocument, IrType, ValidNode } from "../../../compiler/ir";
import { lower } from "../../../compiler/lower";
import { IrGraph } from "../../../compiler/query";
import { checkProgram } from "../../../language/checker/program";
import { DUCKDB, FLINK, SPARK, type Dialect } from "../../../targets/sql/dialect";
import { Names } from "../../../targets/sql/names";
import { lowerStep, type Rel, type View } from "../../../targets/sql/steps";

export type Row = Record<string, unknown>;

/** The .mlp text as a library file (no pipeline block): the checker's diagnostics must be empty. */
export function compile(src: string): IrDocument {
  const program = checkProgram("semantics/case.mlp", { read: () => undefined }, src);
  const errors = program.diagnostics.filter((d) => d.severity === "error").map((d) => `${d.code} ${d.message}`);
  expect(errors, src).toEqual([]);
  return lower(program);
}

/** One schema `S`, one table source `src` of it, then the steps. */
export const program = (schema: string, steps: string, extra = ""): string =>
  `${extra}schema S {\n${schema}\n}\n\nsource src: Table<S> {\n  uri    = "data/s.parquet"\n  format = parquet\n}\n\n${steps}\n`;

/** The lowered views of every data step, in dependency order, in one dialect. */
export function lowerAll(ir: IrDocument, d: Dialect, streaming = false): { node: ValidNode; views: View[]; out: Rel }[] {
  const g = new IrGraph(ir);
  const names = new Names(g.nodes.map((n) => n.id));
  const rels = new Map<string, Rel>();
  const out: { node: ValidNode; views: View[]; out: Rel }[] = [];
  for (const n of g.order(g.nodes)) {
    if (n.kind === "source") {
      rels.set(n.id, { name: n.id, columns: g.output(n).columns ?? [] });
      continue;
    }
    const inputs = g.inputs(n).map((i) => {
      const r = rels.get(i.from.id);
      if (!r) throw new Error(`no relation for ${i.from.id}`);
      return r;
    });
    const lowered = lowerStep(n, inputs, { d, names, streaming });
    rels.set(n.id, lowered.out);
    out.push({ node: n, views: lowered.views, out: lowered.out });
  }
  return out;
}

/** One in-memory DuckDB per test file; each case drops what it created. */
export class Duck {
  private constructor(private readonly c: DuckDBConnection) {}
  static async open(): Promise<Duck> {
    const instance = await DuckDBInstance.create(":memory:");
    return new Duck(await instance.connect());
  }

  async sql(text: string): Promise<Row[]> {
    const r = await this.c.runAndReadAll(text);
    return r.getRowObjectsJson() as Row[];
  }

  /**
   * Runs the program's data steps on `inputs` (rows per source id) and returns the rows of
   * `step` (default: the last step), normalised by the step's column types.
   */
  async run(src: string, inputs: Record<string, Row[]>, opts: { step?: string; now?: string; patch?: (ir: IrDocument) => void; dialect?: Dialect } = {}): Promise<Row[]> {
    const ir = compile(src);
    opts.patch?.(ir);
    const g = new IrGraph(ir);
    const created: string[] = [];
    try {
      await this.c.run(`SET VARIABLE mlp_now = TIMESTAMP '${opts.now ?? "2024-03-10 12:00:00"}'`);
      for (const n of g.ofKind("source")) {
        const cols = g.output(n).columns ?? [];
        await this.c.run(`CREATE TABLE ${DUCKDB.ident(n.id)} (${cols.map((c) => `${DUCKDB.ident(c.name)} ${DUCKDB.type(c.type)}`).join(", ")})`);
        created.push(`TABLE ${DUCKDB.ident(n.id)}`);
        // Values are bound as text and cast by DuckDB: no literal of the dialect under test is involved.
        const stmt = await this.c.prepare(`INSERT INTO ${DUCKDB.ident(n.id)} VALUES (${cols.map((c) => `CAST(? AS ${DUCKDB.type(c.type)})`).join(", ")})`);
        for (const row of inputs[n.id] ?? []) {
          for (const k of Object.keys(row)) if (!cols.some((c) => c.name === k)) throw new Error(`${n.id} has no column ${k}`);
          stmt.bind(cols.map((c) => toText(row[c.name])));
          await stmt.run();
        }
      }
      const steps = lowerAll(ir, opts.dialect ?? DUCKDB);
      for (const s of steps)
        for (const v of s.views) {
          await this.c.run(`CREATE VIEW ${DUCKDB.ident(v.name)} AS\n${v.query}`);
          created.push(`VIEW ${DUCKDB.ident(v.name)}`);
        }
      const target = opts.step ? steps.find((s) => s.node.id === opts.step)! : steps[steps.length - 1]!;
      const rows = await this.sql(`SELECT * FROM ${DUCKDB.ident(target.out.name)}`);
      const cols = target.out.columns;
      expect(Object.keys(rows[0] ?? Object.fromEntries(cols.map((c) => [c.name, null])))).toEqual(cols.map((c) => c.name));
      return rows.map((r) => normalise(r, cols));
    } finally {
      for (const o of created.reverse()) await this.c.run(`DROP ${o}`);
    }
  }
}

function toText(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (Array.isArray(v)) return `[${v.join(", ")}]`;
  return String(v);
}

/** Timestamps as ISO text (`2024-01-02T03:04:05.000`), dates as `yyyy-MM-dd`, BIGINTs as numbers. */
function normalise(row: Row, cols: IrColumn[]): Row {
  const out: Row = {};
  for (const c of cols) out[c.name] = value(row[c.name], c.type);
  return out;
}

function value(v: unknown, t: IrType): unknown {
  if (v === null || v === undefined) return null;
  switch (t.kind) {
    case "int":
      return Number(v);
    case "float":
      // NaN and the infinities arrive as text.
      return typeof v === "string" ? Number(v) : v;
    case "timestamp":
      return isoTimestamp(String(v));
    default:
      return v;
  }
}

/** `2024-01-02 03:04:05[.123]` or `2024-01-02T03:04:05` -> `2024-01-02T03:04:05.123`. */
export function isoTimestamp(s: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(?:\.(\d+))?$/.exec(s);
  if (!m) return s;
  return `${m[1]}T${m[2]}.${(m[3] ?? "").padEnd(3, "0").slice(0, 3)}`;
}

/** Expected rows with timestamps normalised like the results. */
export function rows(expected: Row[], timestamps: string[] = []): Row[] {
  return expected.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, timestamps.includes(k) && typeof v === "string" ? isoTimestamp(v) : v])));
}

const key = (r: Row) => JSON.stringify(Object.entries(r));

/** Order-insensitive comparison; floats within 1e-9 (relative). */
export function expectRows(actual: Row[], expected: Row[], timestamps: string[] = []): void {
  const exp = rows(expected, timestamps);
  const sort = (rs: Row[]) => [...rs].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  const a = sort(actual.map(roundFloats));
  const e = sort(exp.map(roundFloats));
  expect(a).toEqual(e);
}

/** Floats rounded to 9 significant digits so a tolerance survives sorting and deep equality. */
function roundFloats(r: Row): Row {
  return Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === "number" && !Number.isInteger(v) && Number.isFinite(v) ? Number(v.toPrecision(9)) : v]));
}

// ---------- structural comparison of the dialects ----------

export interface Shape {
  view: string;
  /** Output column names of the outer SELECT. */
  columns: string[];
  /** Per clause line (FROM, JOIN, WHERE, GROUP BY, nested SELECT ...): the keyword and the identifiers it names. */
  skeleton: string[];
}

/**
 * A view's text with its identifiers made dialect-neutral (`⟨name⟩`) and its string literals
 * removed (each dialect escapes them differently), then reduced to its clauses.
 */
export function shapeOf(v: View, d: Dialect): Shape {
  const lines = neutral(v.query, d).split("\n");
  const from = lines.findIndex((l) => l.startsWith("FROM "));
  const items = lines.slice(1, from).filter((l) => /^ {2}\S/.test(l));
  const columns = items.map((l) => {
    const ids = [...l.matchAll(/⟨([^⟩]*)⟩/g)].map((m) => m[1]!);
    return ids[ids.length - 1] ?? "?";
  });
  const skeleton: string[] = [];
  for (const l of lines) {
    const t = l.trim();
    const kw = /^(SELECT|FROM|LEFT JOIN|JOIN|WHERE|GROUP BY|\) AS)\b/.exec(t)?.[1];
    if (kw) skeleton.push(`${kw} ${[...t.matchAll(/⟨([^⟩]*)⟩/g)].map((m) => m[1]).join(" ")}`.trim());
  }
  return { view: v.name, columns, skeleton };
}

function neutral(sql: string, d: Dialect): string {
  let out = "";
  for (let i = 0; i < sql.length; ) {
    const ch = sql[i]!;
    if (ch === "'") {
      // A string literal: '' doubles a quote everywhere; Spark also escapes with a backslash.
      let j = i + 1;
      for (;;) {
        if (j >= sql.length) throw new Error(`unterminated literal in ${sql}`);
        if (d.name === "spark" && sql[j] === "\\") j += 2;
        else if (sql[j] === "'" && sql[j + 1] === "'") j += 2;
        else if (sql[j] === "'") break;
        else j++;
      }
      out += "'…'";
      i = j + 1;
    } else if ((ch === "`" && d.name !== "duckdb") || (ch === '"' && d.name === "duckdb")) {
      let j = i + 1;
      let name = "";
      for (;;) {
        if (sql[j] === ch && sql[j + 1] === ch) {
          name += ch;
          j += 2;
        } else if (sql[j] === ch) break;
        else name += sql[j++];
      }
      out += `⟨${name}⟩`;
      i = j + 1;
    } else {
      out += ch;
      i++;
    }
  }
  return out;
}

/**
 * DuckDB without its ASOF JOIN: `asof` joins lowered as the ranked key join Spark runs
 * (targets/sql/steps.ts), so a test can run Spark's plan on DuckDB and check its rows.
 */
export const DUCKDB_RANKED: Dialect = { ...DUCKDB, asofJoin: false };

/**
 * The views that expand rows into hopping windows (`every`): each dialect reads its engine's
 * own window function there (Spark window(), Flink HOP, DuckDB generated starts), so only
 * their names and output columns are compared; their rows are the semantics tests' business.
 */
const isHopView = (name: string) => /__windows(_\d+)?$/.test(name);

/**
 * The Spark and Flink lowerings of the program's steps have the shape of the plan DuckDB runs
 * with Spark's strategies (DUCKDB_RANKED; the same as DuckDB's plan but for `asof` joins).
 * `flink: false` for a program Flink's SQL cannot express (a HOP whose size is not a whole
 * number of slides: the Flink dialect refuses it).
 */
export function expectSameShape(src: string, opts: { flink?: boolean } = {}): void {
  const ir = compile(src);
  const shapes = (d: Dialect) =>
    lowerAll(ir, d).flatMap((s) => s.views.map((v) => (isHopView(v.name) ? { ...shapeOf(v, d), skeleton: [] } : shapeOf(v, d))));
  const duck = shapes(DUCKDB_RANKED);
  expect(duck.length).toBeGreaterThan(0);
  expect(shapes(SPARK)).toEqual(duck);
  if (opts.flink !== false) expect(shapes(FLINK)).toEqual(duck);
}

export { DUCKDB, FLINK, SPARK };
