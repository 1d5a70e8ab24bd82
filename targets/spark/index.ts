// The Spark target: every batch data step (table sources, cleanse, aggregate, join,
// features, split) as one self-contained Spark SQL file `<id>.sql` for `spark-sql -f`,
// plus `jobs.json`, the ordered manifest the Slurm target submits.
//
// Materialisation (targets/README.md): every step writes its output as Parquet files under
// its run's folder, `<warehouse>/runs/<run id>/<id>/` (`.../<id>/train|test/` for a split),
// with INSERT OVERWRITE DIRECTORY, and reads each input through a session-scoped temporary
// view over the input's directory with the input's declared schema. The run id is the job's
// `MLP_RUN_ID` (spark-sql's `${env:...}` substitution), so a failed run never overwrites
// the last good one's tables, and a model names the exact data it was trained on; the Slurm
// target points `<warehouse>/latest` at a run once all of it succeeded. No metastore is
// involved, so files run anywhere, in any order their dependencies allow, and in parallel. A source step takes a
// typed snapshot of its `uri` (checking declared non-null columns and enum members), so
// every step of one run sees the same data. Online feature sets are also written to
// Cassandra through the spark-cassandra-connector. `sparkJobs` takes the warehouse and the
// online store as parameters, so the AWS target (Glue) runs the same SQL.
import type { IrColumn, IrDocument, NodeOf, ValidNode } from "../../compiler/ir";
import { baseName, graphOf, type IrGraph, isBatchData, isDeploy, pipelineNameOf, storeOf } from "../../compiler/query";
import { TargetError, type Emit, type GeneratedFile } from "../../compiler/target-api";
import { SPARK as d } from "../sql/dialect";
import { commentText, fileText, Names } from "../sql/names";
import { dedupe, lowerStep, select, type Rel } from "../sql/steps";
import { checkProjectPaths } from "../paths";
import { orderOf } from "../order";
import { keyspaceOf } from "../cassandra/index";

/** Settings every generated Spark file pins, so the SQL means the same on every cluster. */
const PREAMBLE = [
  // Errors instead of silent nulls (invalid casts, overflow, division by zero): the
  // non-null types the checker proved stay true at run time.
  "SET spark.sql.ansi.enabled=true;",
  // String literals use backslash escapes (see SPARK.string in targets/sql/dialect.ts).
  "SET spark.sql.parser.escapedStringLiterals=false;",
  // Timestamps, hour(), dates and days_between() are UTC, as in the Flink target.
  "SET spark.sql.session.timeZone=UTC;",
];

const CASSANDRA_FORMAT = "org.apache.spark.sql.cassandra";

/** Where a platform runs the batch steps: the on-premise targets and AWS (Glue) differ only here. */
export interface SparkOptions {
  /** The warehouse, without a trailing slash. */
  warehouse: string;
  /**
   * The run's id as text of the SQL (a substitution the platform makes when the job starts):
   * each run's outputs go to `<warehouse>/runs/<run id>/<id>/`. Without it, outputs go
   * straight under the warehouse.
   */
  runId?: string;
  /**
   * Online feature sets: also written to the Cassandra of `ir.settings.onprem` by their job
   * (`cassandra`), or to the warehouse only (`none`), where the platform loads them itself
   * (on AWS the Glue runner writes them to DynamoDB).
   */
  onlineStore: "cassandra" | "none";
}

/**
 * The run id of a job: its `MLP_RUN_ID`, substituted by spark-sql (and by Spark's parser
 * under Glue) from the environment. The Slurm jobs allow only `[A-Za-z0-9._-]` in a run id
 * (never `.` or `..`), so the substituted text can neither leave the string literal nor the
 * run folder; the SQL checks it again.
 */
export const RUN_ID = "${env:MLP_RUN_ID}";

/** The on-premise parameterisation: the resolved `target onprem` warehouse, runs and Cassandra. */
export const onpremSpark = (ir: IrDocument): SparkOptions => ({ warehouse: ir.settings.onprem.warehouse, runId: RUN_ID, onlineStore: "cassandra" });

export interface BatchLocation {
  path: string;
  format: string;
}

/** One batch data step as one self-contained Spark SQL file. */
export interface SparkJob {
  node: ValidNode;
  /** The file's text, for `spark-sql -f`. */
  sql: string;
  /** The steps whose outputs it reads. */
  dependsOn: string[];
  /** Where it writes each output port. */
  outputs: Record<string, BatchLocation>;
}

/**
 * Where the on-premise jobs store the batch output `port` of node `id` (the run folder as the
 * SQL names it). The Slurm target reads the same locations for training channels.
 */
export function batchLocation(ir: IrDocument, id: string, port = "out"): BatchLocation | undefined {
  // Asked once per step by other targets: one graph per document (graphOf), not per call.
  const n = graphOf(ir).node(id);
  return n ? locationOf(n, port, onpremSpark(ir)) : undefined;
}

/**
 * Where the batch output `port` of `n` is stored: a data step's Parquet directory in the run's
 * folder, or a batch deploy's `output` (assumed Parquet).
 */
function locationOf(n: ValidNode, port: string, o: SparkOptions): BatchLocation | undefined {
  const root = o.runId === undefined ? o.warehouse : `${o.warehouse}/runs/${o.runId}`;
  if (isBatchData(n)) return { path: n.kind === "split" ? `${root}/${n.id}/${port}` : `${root}/${n.id}`, format: "parquet" };
  if (isDeploy(n, "batch")) return n.config.output !== undefined ? { path: n.config.output, format: "parquet" } : undefined;
  return undefined;
}

/** Every batch data step's job, in dependency order. */
export function sparkJobs(ir: IrDocument, o: SparkOptions): SparkJob[] {
  const g = graphOf(ir);
  return orderOf(g, g.nodes.filter(isBatchData)).map((n) => ({
    node: n,
    sql: new Job(g, n, o).text(),
    dependsOn: dependencies(g, n),
    outputs: Object.fromEntries(n.ports.outputs.map((p) => [p.port, locationOf(n, p.port, o)!])),
  }));
}

export const emitSpark: Emit = ({ ir }) => {
  checkProjectPaths(ir, ["uri"]);
  const jobs = sparkJobs(ir, onpremSpark(ir));
  const files: GeneratedFile[] = jobs.map((j) => ({ path: `${j.node.id}.sql`, contents: j.sql }));
  const manifest = {
    generated: `mlp from ${commentText(baseName(ir.file))} (pipeline ${pipelineNameOf(ir)}); do not edit`,
    jobs: jobs.map((j) => ({ id: j.node.id, file: `${j.node.id}.sql`, dependsOn: j.dependsOn, kind: j.node.kind, outputs: j.outputs })),
  };
  files.push({ path: "jobs.json", contents: JSON.stringify(manifest, null, 2) + "\n" });
  return files;
};

const dependencies = (g: IrGraph, n: ValidNode) => [...new Set(g.inputs(n).map((i) => i.from.id))];

/** The text of one step's file. */
class Job {
  private readonly out: string[] = [];
  private names: Names;

  constructor(
    private readonly g: IrGraph,
    private readonly n: ValidNode,
    private readonly o: SparkOptions,
  ) {
    // The relations this file names after steps: its own and its inputs'.
    this.names = new Names([n.id, ...g.inputs(n).map((i) => i.from.id)]);
  }

  private stmt(sql: string): void {
    this.out.push(`${sql};`, "");
  }

  text(): string {
    const { g, n } = this;
    const deps = dependencies(g, n);
    this.out.push(
      `-- Generated by mlp from ${commentText(g.sourceFile(n))} (pipeline ${g.pipelineName}): step ${n.id} (${n.kind}). Do not edit.`,
      `-- Run with: ${this.o.runId !== undefined ? "MLP_RUN_ID=<run id> " : ""}spark-sql -f ${n.id}.sql${deps.length ? ` (after ${deps.join(", ")})` : ""}`,
      "",
      ...PREAMBLE,
      "",
    );
    if (this.o.runId !== undefined) this.runGuard();
    if (n.kind === "source") this.source(n);
    else if (n.kind === "split") this.split(n, this.inputs()[0]!);
    else this.step(this.inputs());
    return fileText(this.out);
  }

  /**
   * Stops the job before it writes anything when the run folder names no run: spark-sql leaves
   * a `${...}` it cannot resolve as it is (MLP_RUN_ID unset), which would be a folder of that name.
   */
  private runGuard(): void {
    this.stmt(runGuardSql(this.o.runId!));
  }

  /** One temporary view per upstream output, over its stored files. */
  private inputs(): Rel[] {
    const { g, n } = this;
    const rels: Rel[] = [];
    const declared = new Map<string, Rel>();
    for (const i of g.inputs(n)) {
      const key = `${i.from.id}\u0000${i.fromPort}`;
      let rel = declared.get(key);
      if (!rel) {
        const loc = locationOf(i.from, i.fromPort, this.o);
        if (!loc) throw new TargetError(`\`${n.id}\` reads \`${i.from.id}\`, which produces no batch data`);
        const name = i.from.kind === "split" ? this.names.fresh(`${i.from.id}__${i.fromPort}`) : i.from.id;
        rel = { name, columns: i.artifact.columns ?? [] };
        declared.set(key, rel);
        this.stmt(`CREATE OR REPLACE TEMPORARY VIEW ${d.ident(name)} (\n${schemaOf(rel.columns)}\n) USING parquet OPTIONS ('path' = ${pathLiteral(loc.path, this.o)})`);
      }
      rels.push(rel);
    }
    return rels;
  }

  private step(rels: Rel[]): void {
    const { n } = this;
    const out = this.views(() => {
      const lowered = lowerStep(n, rels, { d, names: this.names, streaming: false });
      return { views: lowered.views.map((v) => `CREATE OR REPLACE TEMPORARY VIEW ${d.ident(v.name)} AS\n${v.query}`), out: lowered.out };
    });
    const loc = locationOf(n, "out", this.o)!;
    this.stmt(`INSERT OVERWRITE DIRECTORY ${pathLiteral(loc.path, this.o)} USING parquet\n${select(out.columns.map((c) => ({ name: c.name })), d.ident(out.name), d)}`);
    if (storeOf(n)?.kind === "online" && this.o.onlineStore === "cassandra") this.online(out.columns, loc);
  }

  /**
   * The step's views, the same in every platform's file (only locations and the online store
   * differ): written by the first file of the node in a compilation (`write`), then taken from
   * `bodies` with the names that file had taken by then.
   */
  private views(write: () => Omit<Body, "names">): Rel {
    let byNode = bodies.get(this.g);
    if (!byNode) bodies.set(this.g, (byNode = new Map()));
    let body = byNode.get(this.n);
    if (body) this.names = body.names.copy();
    else byNode.set(this.n, (body = { ...write(), names: this.names.copy() }));
    for (const v of body.views) this.stmt(v);
    return body.out;
  }
  // ---------- sources ----------

  /**
   * A typed snapshot of the source. Self-describing formats are read as they are, csv (with a
   * header row) as text, and each column is selected by name and CAST to its declared type;
   * json (one object per line, matched by name) is read with the declared schema. A null in a column declared non-null, or an enum value
   * outside its members, stops the job with RAISE_ERROR.
   */
  private source(n: NodeOf<"source">): void {
    const { format, uri } = n.config;
    if (uri === undefined) throw new TargetError(`source \`${n.id}\` has no uri`);
    const out = this.g.output(n);
    const cols = out.columns ?? [];
    this.views(() => {
      const raw = this.names.fresh(`${n.id}__raw`);
      const options = [`'path' = ${d.literal(uri)}`];
      // Spark maps a csv file to a given schema by position, so a reordered export would swap
      // columns silently: the file is read as text under its own header (every column STRING)
      // and the declared columns are selected by name, which fails on a missing one.
      if (format === "csv") options.push(`'header' = 'true'`, `'inferSchema' = 'false'`);
      const typed = SELF_DESCRIBING.has(format) || format === "csv";
      const what = out.schema ?? n.id;
      const items = cols.map(({ name, type }) => {
        const ref = d.ident(name);
        let v = typed ? `CAST(${ref} AS ${d.type(type)})` : ref;
        if (format === "csv") {
          // A vector in a csv cell is its JSON array text, as the local engine reads it.
          if (type.kind === "vector") v = `FROM_JSON(${ref}, 'ARRAY<DOUBLE>')`;
          else if (d.type(type) === "STRING") v = ref;
        }
        if (type.kind === "enum") {
          const members = type.members.map((m) => d.string(m)).join(", ");
          const problem = d.string(`${n.id}: ${name} is ${type.nullable ? "" : "null or "}not one of ${type.members.join(", ")}, as ${what} declares`);
          v = `CASE WHEN ${type.nullable ? `${v} IS NULL OR ` : ""}${v} IN (${members}) THEN ${v} ELSE RAISE_ERROR(${problem}) END`;
        } else if (!type.nullable) {
          v = `COALESCE(${v}, RAISE_ERROR(${d.string(`${n.id}: ${name} is null, but ${what} declares it non-null`)}))`;
        }
        return v === ref ? { name } : { expr: v, name };
      });
      return {
        views: [
          `CREATE OR REPLACE TEMPORARY VIEW ${d.ident(raw)}${typed ? "" : ` (\n${schema(cols)}\n)`} USING ${format} OPTIONS (${options.join(", ")})`,
          `CREATE OR REPLACE TEMPORARY VIEW ${d.ident(n.id)} AS\n${select(items, d.ident(raw), d)}`,
        ],
        out: { name: n.id, columns: cols },
      };
    });
    const loc = locationOf(n, "out", this.o)!;
    this.stmt(`INSERT OVERWRITE DIRECTORY ${pathLiteral(loc.path, this.o)} USING parquet\n${select(cols.map((c) => ({ name: c.name })), d.ident(n.id), d)}`);
  }

  // ---------- split ----------

  /**
   * A deterministic split: a row goes to `train` when XXHASH64 of the `by` column (of all
   * columns without `by`) modulo 1,000,000 is below train * 1,000,000, else to `test`.
   * A null key hashes too, so every row lands on exactly one side.
   */
  private split(n: NodeOf<"split">, input: Rel): void {
    const threshold = Math.round(n.config.train * BUCKETS);
    const hashed = n.config.by !== undefined ? [n.config.by] : input.columns.map((c) => c.name);
    const bucket = `PMOD(XXHASH64(${hashed.map((c) => d.ident(c)).join(", ")}), ${BUCKETS})`;
    for (const [port, op] of [["train", "<"], ["test", ">="]] as const) {
      const loc = locationOf(n, port, this.o)!;
      this.stmt(`INSERT OVERWRITE DIRECTORY ${pathLiteral(loc.path, this.o)} USING parquet\n${select(input.columns.map((c) => ({ name: c.name })), d.ident(input.name), d, [`WHERE ${bucket} ${op} ${threshold}`])}`);
    }
  }

  // ---------- online features ----------

  /**
   * The feature set as just written (read back, so `now()` is evaluated once) inserted into its
   * Cassandra table through the spark-cassandra-connector. Columns are named in the INSERT, so
   * the order of the Cassandra table's columns does not matter. A feature set over a history
   * (one row per key and window) serves its newest row per key.
   */
  private online(cols: IrColumn[], loc: BatchLocation): void {
    const { n } = this;
    const { keys = [], history } = this.g.output(n);
    const { hosts } = this.g.ir.settings.onprem.feature_store.cassandra;
    const keyspace = keyspaceOf(this.g.ir);
    const written = this.names.fresh(`${n.id}__written`);
    this.stmt(`CREATE OR REPLACE TEMPORARY VIEW ${d.ident(written)} (\n${schema(cols)}\n) USING parquet OPTIONS ('path' = ${pathLiteral(loc.path, this.o)})`);
    const sink = this.names.fresh(`${n.id}__online`);
    const options = [`'keyspace' = ${d.literal(keyspace)}`, `'table' = ${d.literal(n.id)}`, `'spark.cassandra.connection.host' = ${d.literal(hosts.join(","))}`];
    // The login is spark-sql's substitution of the job's environment (the Slurm job reads
    // `cassandra_credentials` into these variables when it starts): never a value in this file.
    if (this.g.ir.settings.onprem.cassandra_credentials) {
      options.push(`'spark.cassandra.auth.username' = '\${env:MLP_CASSANDRA_USERNAME}'`, `'spark.cassandra.auth.password' = '\${env:MLP_CASSANDRA_PASSWORD}'`);
    }
    this.stmt(`CREATE OR REPLACE TEMPORARY VIEW ${d.ident(sink)} USING ${CASSANDRA_FORMAT} OPTIONS (\n  ${options.join(",\n  ")}\n)`);
    // The newest row per key is a `dedupe by KEYS keep latest TIME` of the written rows.
    const newest = history && dedupe({ op: "dedupe", by: keys, latest: history }, { name: written, columns: cols }, { d, names: this.names, streaming: false });
    const rows = newest ? `(\n${newest}\n) AS ${d.ident(this.names.fresh("newest"))}` : d.ident(written);
    this.stmt(`INSERT INTO ${d.ident(sink)} (${cols.map((c) => d.ident(c.name)).join(", ")})\n${select(cols.map((c) => ({ name: c.name })), rows, d)}`);
  }
}

/**
 * A stored path as one Spark literal (the grammar takes no concatenation there): escaped as
 * any literal, except the run id, which is SQL text for spark-sql to substitute: the path's
 * last occurrence of it (step ids and ports hold no `$`; a warehouse may).
 */
function pathLiteral(path: string, o: SparkOptions): string {
  const at = o.runId === undefined ? -1 : path.lastIndexOf(o.runId);
  if (at < 0) return d.literal(path);
  return d.literal(path.slice(0, at)).slice(0, -1) + o.runId + d.literal(path.slice(at + o.runId!.length)).slice(1);
}

/** The run guard's statement: the same in every file of a run id, so written once per run id. */
const runGuards = new Map<string, string>();
function runGuardSql(runId: string): string {
  let sql = runGuards.get(runId);
  if (sql === undefined) {
    const run = rawLiteral(runId);
    sql = `SELECT RAISE_ERROR(${d.string("MLP_RUN_ID is not set or not a plain name ([A-Za-z0-9._-]): start the job through its pipeline (submit.sh on premise, the state machine on AWS) or set MLP_RUN_ID to the run id")})\nWHERE ${run} NOT RLIKE ${d.string("^[A-Za-z0-9._-]+$")} OR ${run} IN ('.', '..')`;
    if (runGuards.size < 100) runGuards.set(runId, sql);
  }
  return sql;
}

/** SQL text as a string literal, unescaped: only for text mlp wrote (the run id). */
const rawLiteral = (sql: string) => `'${sql}'`;


const schema = (cols: IrColumn[]) => cols.map((c) => `  ${d.ident(c.name)} ${d.type(c.type)}`).join(",\n");

/**
 * Schemas written once per compilation: every consumer's file declares a step's output with
 * the same columns (one IR artifact, one array), on every platform.
 */
const schemas = new WeakMap<IrColumn[], string>();
function schemaOf(cols: IrColumn[]): string {
  let text = schemas.get(cols);
  if (text === undefined) schemas.set(cols, (text = schema(cols)));
  return text;
}

/** A step's views in its file (`Job.views`), by graph and node. */
interface Body {
  views: string[];
  out: Rel;
  /** The names the file has taken after them. */
  names: Names;
}
const bodies = new WeakMap<IrGraph, Map<ValidNode, Body>>();

const SELF_DESCRIBING = new Set(["parquet", "delta", "avro"]);

const BUCKETS = 1_000_000;
