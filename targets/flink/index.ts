// The Flink target: streaming steps as Flink SQL jobs `<job>.sql` for `sql-client.sh -f`,
// plus `jobs.json` (same shape as the Spark manifest) and, for online feature sets, the
// Kafka Connect configuration that writes their topic to Cassandra.
//
// One job per streaming sink: a streaming `features` step (its upsert topic, and from there
// the online store), a `deploy` with `mode = stream` (the scored topic), and a streaming
// step that only non-streaming steps (or nothing) consume (published to a topic). A job is
// self-contained: it declares the tables it reads (with the schema and a watermark from
// `event_time` and `lateness`), the steps between them and its sink as temporary views,
// and ends with one statement set. Steps shared by two jobs run in each of them.
//
// `flinkJobs` is parameterised by the stream connector (which WITH options and key clauses
// each table gets: Kafka here, Kinesis on AWS) and by who scores stream deployments (the
// job itself through the Python UDF, or something outside Flink); `emitFlink` is the
// on-premise choice, Kafka and the UDF.
import type { IrColumn, IrDocument, ValidNode } from "../../compiler/ir";
import { baseName, deploymentNameOf, graphOf, type IrGraph, isDeploy, isStreamData, pipelineNameOf, storeOf } from "../../compiler/query";
import { TargetError, type Emit, type GeneratedFile } from "../../compiler/target-api";
import { durationMs } from "../../language/catalog/values";
import { FLINK as d } from "../sql/dialect";
import { commentText, fileText, Names } from "../sql/names";
import { lowerStep, select, type Rel } from "../sql/steps";
import { latestModelPath } from "../slurm/index";
import { dataModule, udfModule } from "./udf";
import { checkProjectPaths } from "../paths";
import { modelColumns } from "../python/serving";
import { cassandraSink } from "../cassandra/kafka-connect";
import { DATA_FILE, entryShipment, sqlClientArgs, sqlClientLine, type SqlClientArgs } from "./command";
import { jaasOption, kafkaSecurityProperties } from "./security";

export { propertyText } from "../cassandra/kafka-connect";

/** The Python UDF the stream deploy calls (module `mlp_flink.py`, see udf.ts and targets/README.md). */
/** Written unquoted: a fixed, non-reserved name (and some SQL tools mis-read a quoted name before `((`). */
export const PREDICT_FUNCTION = "mlp_predict";
export const PREDICT_PYTHON = "mlp_flink.predict";

/** Kafka topic a job publishes a step to, when the step has no topic of its own. */
export const topicOf = (ir: IrDocument, id: string) => `mlp-${deploymentNameOf(ir)}-${id}`;

// ---------- the parameters ----------

/** A table a job declares: a stream it reads, or its sink. */
export interface StreamTable {
  /** The table's name in the job. */
  name: string;
  /** The step whose stream it is: a source, a stream deploy (its scored stream), or the job's own step (the sink). */
  step: ValidNode;
  /** The job's step (Kafka names its consumer group after it). */
  job: ValidNode;
  /** The Kafka topic: the step's `topic`, else `mlp-<pipeline>-<step>`. */
  topic: string;
  format: StreamFormat;
  /** The columns a record is upserted by (the feature keys); empty for an append-only stream. */
  keys: string[];
}

export type StreamFormat = "json" | "csv" | "avro";

/** What a connector writes for one table besides its columns. */
export interface TableClauses {
  options: [string, string][];
  /** `PRIMARY KEY (...) NOT ENFORCED`: an upsert table. */
  primaryKey?: string[];
  /** `PARTITIONED BY (...)`. */
  partitionedBy?: string[];
}

/** Where streams live: decides each table's WITH options and key clauses. */
export interface StreamConnector {
  source(t: StreamTable): TableClauses;
  sink(t: StreamTable): TableClauses;
  /** Job configuration the connector needs (`SET` lines). */
  settings?(): [string, string][];
}

export interface FlinkOptions {
  connector: StreamConnector;
  /**
   * Stream deployments: scored by a job of their own calling the Python UDF (`udf`), or outside
   * Flink (`external`): then a deploy's data input is published by its own job and its scored
   * stream is read as a source by the steps downstream.
   */
  scoring: "udf" | "external";
  /**
   * Checkpointing and restart strategy set by the job itself (a Flink cluster of our own).
   * Off where the platform configures them (AWS Managed Flink's application configuration).
   */
  checkpoints?: boolean;
  /** Started with `flink_jars` (`sql-client.sh -j`); off where the platform provides the connectors. */
  jars?: boolean;
}

export interface FlinkJob {
  node: ValidNode;
  sink: "features" | "deploy" | "publish";
  /** The file's text, for `sql-client.sh -f`. */
  sql: string;
  /** The steps whose streams the job reads, in the order it declares them. */
  reads: string[];
  /** The columns the sink is keyed by (the feature keys), if any. */
  keys: string[];
  /** The sink's Kafka topic. */
  topic: string;
}

/** The value format options of a table (`key.`/`value.` with a prefix). */
export function formatOptions(format: StreamFormat, prefix = ""): [string, string][] {
  const opts: [string, string][] = [[`${prefix}format`, format]];
  if (format === "json") opts.push([`${prefix}json.timestamp-format.standard`, "ISO-8601"]);
  return opts;
}

/** A stream source's Confluent Schema Registry, when its Avro messages are registry-encoded. */
export function schemaRegistryOf(step: ValidNode): string | undefined {
  if (step.kind !== "source" || step.config.schema_registry === undefined) return undefined;
  if (step.config.format !== "avro") throw new TargetError(`source \`${step.id}\` names a schema_registry, which only Avro streams use (its format is ${step.config.format})`);
  return step.config.schema_registry;
}

/**
 * The format of a table a job reads: Avro with a schema registry is Confluent's wire format (a
 * magic byte and the schema id before each record), `avro-confluent`, which fetches the writer's
 * schema from the registry; plain `avro` is a bare record in the declared schema.
 */
export function readFormatOptions(t: StreamTable, prefix = ""): [string, string][] {
  const registry = schemaRegistryOf(t.step);
  return registry === undefined ? formatOptions(t.format, prefix) : [[`${prefix}format`, "avro-confluent"], [`${prefix}avro-confluent.url`, registry]];
}

/**
 * Kafka, at `target onprem { kafka = ... }`. Each job reads with its own consumer group, from
 * the committed offsets (earliest on first start). A keyed stream is an upsert-kafka table
 * (keyed results may be updated, e.g. after a streaming dedupe), else an append-only kafka
 * table.
 */
export function kafkaConnector(ir: IrDocument): StreamConnector {
  const servers = ir.settings.onprem.kafka;
  // SASL/TLS of every client (`kafka_security`): file paths and names only, never a credential.
  const security = kafkaSecurityProperties(ir.settings.onprem.kafka_security, "properties.");
  const group = (t: StreamTable): [string, string][] => [
    ["properties.bootstrap.servers", servers],
    ...security,
    ["properties.group.id", `mlp-${deploymentNameOf(ir)}-${t.job.id}`],
  ];
  const upsert = (t: StreamTable, extra: [string, string][], format = formatOptions): TableClauses => ({
    primaryKey: t.keys,
    options: [["connector", "upsert-kafka"], ["topic", t.topic], ...extra, ...format(t.format, "key."), ...format(t.format, "value.")],
  });
  const jaas = jaasOption(ir.settings.onprem.kafka_security);
  return {
    // The Kafka login of a secured cluster: the JAAS file's path reaches every JVM the job
    // starts (a session cluster needs the same option in its own configuration).
    settings: () => (jaas ? [["env.java.opts.all", jaas]] : []),
    source: (t) =>
      t.keys.length
        ? upsert(t, group(t), (_format, prefix) => readFormatOptions(t, prefix))
        : {
            options: [
              ["connector", "kafka"],
              ["topic", t.topic],
              ...group(t),
              ["properties.auto.offset.reset", "earliest"],
              ["scan.startup.mode", "group-offsets"],
              ...readFormatOptions(t),
            ],
          },
    sink: (t) =>
      t.keys.length
        ? upsert(t, [["properties.bootstrap.servers", servers], ...security])
        : { options: [["connector", "kafka"], ["topic", t.topic], ["properties.bootstrap.servers", servers], ...security, ...formatOptions(t.format)] },
  };
}

/** The on-premise parameterisation: Kafka, and stream deployments scored by the UDF. */
export const onpremFlink = (ir: IrDocument): FlinkOptions => ({ connector: kafkaConnector(ir), scoring: "udf", checkpoints: true, jars: true });

// ---------- the target ----------

export const emitFlink: Emit = ({ ir }) => {
  // jobs.json and the scoring UDF name the stream deployment's entry script.
  checkProjectPaths(ir, ["entry"]);
  const g = graphOf(ir);
  const jobs = flinkJobs(ir, onpremFlink(ir), g);
  const files: GeneratedFile[] = [];
  for (const job of jobs) {
    files.push({ path: `${job.node.id}.sql`, contents: job.sql });
    if (job.sink === "features" && storeOf(job.node)?.kind === "online") files.push({ path: `${job.node.id}.cassandra-sink.properties`, contents: cassandraSink(g, job.node, job.topic) });
  }
  const pyfile = `${PREDICT_PYTHON.split(".")[0]}.py`;
  if (jobs.some((j) => j.sink === "deploy")) files.push({ path: pyfile, contents: udfModule(g) }, { path: DATA_FILE, contents: dataModule(g) });
  const manifest = {
    generated: `mlp from ${commentText(baseName(ir.file))} (pipeline ${pipelineNameOf(ir)}); do not edit`,
    // Every job is started with these (sql-client.sh -j).
    jars: ir.settings.onprem.flink_jars,
    jobs: jobs.map((j) => ({
      id: j.node.id,
      file: `${j.node.id}.sql`,
      // A stream job runs until stopped: it waits only for what it needs to exist first,
      // the model (a node of the Slurm target) for a stream deploy.
      dependsOn: j.sink === "deploy" ? g.inputs(j.node).filter((i) => i.port === "model").map((i) => i.from.id) : [],
      kind: j.node.kind,
      topic: j.topic,
      // pyfiles are beside this manifest, projectPyfiles relative to the project folder.
      ...(j.sink === "deploy" ? { python: PREDICT_PYTHON, pyfiles: [pyfile, DATA_FILE], projectPyfiles: sqlClientArgs(ir, j.node, g).pyfs?.project ?? [], entry: g.lineage(j.node)?.train.config.entry ?? null } : {}),
    })),
  };
  files.push({ path: "jobs.json", contents: JSON.stringify(manifest, null, 2) + "\n" });
  return files;
};

/** The streaming jobs of a pipeline, in graph order. */
export function flinkJobs(ir: IrDocument, o: FlinkOptions, g = graphOf(ir)): FlinkJob[] {
  const jobs: FlinkJob[] = [];
  for (const n of g.nodes) {
    const sink = sinkOf(g, n, o);
    if (sink) jobs.push(new Job(g, n, sink, o).build());
  }
  return jobs;
}

function sinkOf(g: IrGraph, n: ValidNode, o: FlinkOptions): FlinkJob["sink"] | undefined {
  if (isDeploy(n, "stream")) return o.scoring === "udf" ? "deploy" : undefined;
  if (!isStreamData(n) || n.kind === "source") return undefined;
  if (n.kind === "features") return "features";
  const cons = g.consumers(n);
  const published = (c: ValidNode) => (isDeploy(c, "stream") ? o.scoring === "external" : !isStreamData(c));
  return cons.length === 0 || cons.some((c) => published(c.node)) ? "publish" : undefined;
}

/** Is `m` read from a table rather than computed by the job: a source, or a stream deploy's scored stream. */
const isTable = (m: ValidNode) => m.kind === "source" || isDeploy(m, "stream");

// ---------- one job ----------

class Job {
  private readonly out: string[] = [];
  private readonly reads: string[] = [];
  private readonly names: Names;
  /** The step whose rows the sink writes: the job's own, or a stream deploy's data input. */
  private readonly top: ValidNode;
  private readonly needed: ValidNode[];
  /** What an earlier flinkJobs of the document computed for this job, if any. */
  private readonly body: Body | undefined;

  constructor(
    private readonly g: IrGraph,
    private readonly n: ValidNode,
    private readonly sink: FlinkJob["sink"],
    private readonly o: FlinkOptions,
  ) {
    const data = sink === "deploy" ? g.input(n, "data") : undefined;
    if (sink === "deploy" && !data) throw new TargetError(`stream deploy \`${n.id}\` has no data input`);
    this.top = data ? data.from : n;
    const body = bodies.get(g)?.get(n);
    this.body = body?.top === this.top ? body : undefined;
    this.needed = this.body?.needed ?? collect(g, this.top);
    // The relations this file names after steps: the ones it computes or reads, and its own
    // (and, with a body computed before, the names its views took).
    this.names = this.body ? this.body.names.copy() : new Names([n.id, ...this.needed.map((m) => m.id)]);
  }

  private stmt(sql: string): void {
    this.out.push(`${sql};`, "");
  }

  build(): FlinkJob {
    const { g, n, sink } = this;
    const pipeline = g.pipelineName;
    this.out.push(
      `-- Generated by mlp from ${commentText(g.sourceFile(n))} (pipeline ${pipeline}): Flink job ${n.id} (${n.kind}, streaming). Do not edit.`,
      `-- Run with: ${commentText(sqlClientLine(this.clientArgs(), `${n.id}.sql`))}`,
      ...(sink === "deploy" ? [`-- (-pyfs: mlp_flink.py and mlp_data.py beside this file, then paths relative to the project folder)`] : []),
      "",
      // Timestamps are UTC wall-clock values (TIMESTAMP(3)), as in the Spark target.
      `SET 'table.local-time-zone' = 'UTC';`,
      `SET 'pipeline.name' = ${d.literal(`mlp-${deploymentNameOf(g.ir)}-${n.id}`)};`,
      // Windows, dedupe state and Kafka offsets survive a restart: exactly-once checkpoints,
      // kept when the job is cancelled (resume with `SET 'execution.savepoint.path'`), and
      // restarts with a growing delay instead of failing the job on the first error.
      ...(this.o.checkpoints ? checkpointing(g.ir, `mlp-${deploymentNameOf(g.ir)}-${n.id}`) : []).map(([k, v]) => `SET ${d.literal(k)} = ${d.literal(v)};`),
      ...(this.o.connector.settings?.() ?? []).map(([k, v]) => `SET ${d.literal(k)} = ${d.literal(v)};`),
      "",
    );

    // The streaming steps this job computes, from the tables it reads.
    const rels = new Map<string, Rel>();
    const views = this.body?.views ?? new Map<ValidNode, StepViews>();
    for (const m of this.needed) {
      if (isTable(m)) {
        rels.set(m.id, this.sourceTable(m));
        continue;
      }
      let v = views.get(m);
      if (!v) {
        const lowered = lowerStep(m, g.inputs(m).map((i) => rels.get(i.from.id)!), { d, names: this.names, streaming: true });
        views.set(m, (v = { stmts: lowered.views.map((x) => `CREATE TEMPORARY VIEW ${d.ident(x.name)} AS\n${x.query}`), out: lowered.out }));
      }
      for (const x of v.stmts) this.stmt(x);
      rels.set(m.id, v.out);
    }
    if (!this.body) {
      let byNode = bodies.get(g);
      if (!byNode) bodies.set(g, (byNode = new Map()));
      byNode.set(n, { top: this.top, needed: this.needed, views, names: this.names.copy() });
    }
    const rel = rels.get(this.top.id)!;

    const sinkName = this.names.fresh(`${n.id}__sink`);
    const { query, columns, keys } = sink === "deploy" ? this.scored(rel) : { query: select(rel.columns.map((c) => ({ name: c.name })), d.ident(rel.name), d), columns: rel.columns, keys: g.output(n).keys ?? [] };
    const topic = this.topic(n);
    const table: StreamTable = { name: sinkName, step: n, job: n, topic, format: "json", keys };
    this.stmt(createTable(table.name, columns, [], this.o.connector.sink(table)));
    this.out.push("EXECUTE STATEMENT SET", "BEGIN", `INSERT INTO ${d.ident(sinkName)}\n${query};`, "END;", "");
    return { node: n, sink, sql: fileText(this.out), reads: this.reads, keys, topic };
  }

  private clientArgs(): SqlClientArgs {
    const args = sqlClientArgs(this.g.ir, this.n, this.g);
    return this.o.jars ? args : { ...args, jars: [] };
  }

  /** The sink's topic: a stream deploy's `topic`, else the job's own. */
  private topic(m: ValidNode): string {
    if (!isDeploy(m, "stream")) return topicOf(this.g.ir, m.id);
    if (!m.config.topic) throw new TargetError(`stream deploy \`${m.id}\` has no topic`);
    return m.config.topic;
  }

  /**
   * A stream deploy scoring its input with the UDF, a table function called once per row: the
   * input's columns, the prediction in the label's type and, for a classification model, its
   * score beside it (`<prediction>_score`, DOUBLE: the probability of the positive class of a
   * two-class model, else of the predicted class; null when the model gives no probabilities).
   * The model gets its feature columns only, by name: never the label or the keys.
   */
  private scored(rel: Rel): { query: string; columns: IrColumn[]; keys: string[] } {
    const { g, n, top } = this;
    const model = g.input(n, "model");
    const info = model?.artifact.model;
    const train = g.lineage(n)?.train;
    const outCols = g.output(n).columns ?? [];
    const prediction = outCols.find((c) => !rel.columns.some((r) => r.name === c.name));
    if (!model || !info || !train || !prediction) throw new TargetError(`stream deploy \`${n.id}\` has no model or no prediction column`);
    const trainedOn = g.input(train, "data")?.artifact.columns ?? info.input;
    const features = modelColumns(train, trainedOn, g).features;
    for (const c of features) if (!rel.columns.some((r) => r.name === c)) throw new TargetError(`the model of \`${n.id}\` reads \`${c}\`, which \`${top.id}\` lacks`);
    const classification = info.task === "classification";
    const score: IrColumn | undefined = classification ? { name: `${prediction.name}_score`, type: { kind: "float", nullable: true } } : undefined;
    if (score && outCols.some((c) => c.name === score.name)) throw new TargetError(`stream deploy \`${n.id}\` would write its score as \`${score.name}\`, a column of \`${top.id}\`; rename that column`);
    const entry = train.config.entry;
    if (entryShipment(entry).includes(",")) throw new TargetError(`\`${train.id}\`.entry = ${JSON.stringify(entry)}: Flink ships Python files as a comma-separated list (-pyfs), so its path cannot hold a comma`);
    this.stmt(`CREATE TEMPORARY SYSTEM FUNCTION IF NOT EXISTS ${PREDICT_FUNCTION} AS ${d.literal(PREDICT_PYTHON)} LANGUAGE PYTHON`);
    // The newest good model of the step feeding the deploy, where the Slurm target keeps it.
    const modelPath = latestModelPath(g.ir, model.from.id) ?? `${g.ir.settings.onprem.model_dir}/${model.from.id}`;
    const row = this.names.fresh("mlp_row");
    const scored = this.names.fresh("mlp_scored");
    const args = [
      d.string(modelPath),
      d.string(entry),
      d.string(info.task),
      d.string(prediction.type.kind),
      d.string(JSON.stringify(features)),
      ...features.map((c) => `${d.ident(row)}.${d.ident(c)}`),
    ];
    const label = `${d.ident(scored)}.${d.ident("label")}`;
    // The UDF answers the label as text in the label's type (true/false, an integer, ...).
    const value = prediction.type.kind === "string" || prediction.type.kind === "enum" ? label : `CAST(${label} AS ${d.type(prediction.type)})`;
    const items = [
      ...rel.columns.map((c) => ({ expr: `${d.ident(row)}.${d.ident(c.name)}`, name: c.name })),
      { expr: value, name: prediction.name },
      ...(score ? [{ expr: `${d.ident(scored)}.${d.ident("score")}`, name: score.name }] : []),
    ];
    const from = `${d.ident(rel.name)} AS ${d.ident(row)},\n  LATERAL TABLE(${PREDICT_FUNCTION}(${args.join(", ")})) AS ${d.ident(scored)}(${d.ident("label")}, ${d.ident("score")})`;
    const data = g.input(n, "data")!;
    return {
      query: select(items, from, d),
      columns: [...outCols, ...(score ? [score] : [])],
      keys: g.output(top, data.fromPort).keys ?? [],
    };
  }

  /**
   * A table the job reads: a stream source (its topic and format, the watermark from
   * `event_time` and `lateness`), or the scored stream of a stream deploy.
   */
  private sourceTable(m: ValidNode): Rel {
    const { g } = this;
    const out = g.output(m);
    const cols = out.columns ?? [];
    const extra: string[] = [];
    let eventTime: string | undefined;
    // A scored stream keeps its input's event time, and windows downstream need its watermark.
    if (out.eventTime) {
      eventTime = out.eventTime;
      const et = d.ident(eventTime);
      const lateness = m.kind === "source" && m.config.lateness !== undefined ? durationMs(m.config.lateness) : 0;
      extra.push(`WATERMARK FOR ${et} AS ${lateness > 0 ? `${et} - ${d.interval(lateness, true)}` : et}`);
    }
    let table: StreamTable;
    if (m.kind === "source") {
      if (!m.config.topic) throw new TargetError(`\`${m.id}\` has no topic`);
      const format = m.config.format;
      if (format !== "json" && format !== "csv" && format !== "avro") throw new TargetError(`stream source \`${m.id}\` has format ${format}; streams are json, csv or avro`);
      table = { name: m.id, step: m, job: this.n, topic: m.config.topic, format, keys: [] };
    } else {
      // A stream deploy scoring keyed features publishes upserts by those keys.
      const data = g.input(m, "data");
      const keys = data ? (g.output(data.from, data.fromPort).keys ?? []) : [];
      // Without a topic the deploy's own job (scoring "udf") has refused it already; scored
      // elsewhere, the connector may name the stream after the step.
      const topic = isDeploy(m, "stream") && m.config.topic ? m.config.topic : topicOf(g.ir, m.id);
      table = { name: m.id, step: m, job: this.n, topic, format: "json", keys };
    }
    this.reads.push(m.id);
    this.stmt(createTable(table.name, cols, extra, this.o.connector.source(table)));
    return { name: m.id, columns: cols, ...(eventTime ? { eventTime } : {}) };
  }
}

/**
 * What a job computes whatever the platform (only the tables' connectors and the scoring
 * differ): the steps it needs, the views of those it computes and the names its file has taken
 * by then. The first flinkJobs of a document (the flink target's or the AWS target's) writes
 * them, by graph and job step; a later one with the same top step takes them from here.
 */
interface Body {
  top: ValidNode;
  needed: ValidNode[];
  views: Map<ValidNode, StepViews>;
  names: Names;
}
/** A computed step's statements in a job and the relation they leave. */
interface StepViews {
  stmts: string[];
  out: Rel;
}
const bodies = new WeakMap<IrGraph, Map<ValidNode, Body>>();

/** The streaming nodes `top` is computed from, in dependency order, stopping at the tables it reads. */
function collect(g: IrGraph, top: ValidNode): ValidNode[] {
  const found: ValidNode[] = [];
  const seen = new Set<string>();
  const visit = (m: ValidNode) => {
    if (seen.has(m.id)) return;
    seen.add(m.id);
    found.push(m);
    if (isTable(m)) return;
    for (const i of g.inputs(m)) {
      if (!isStreamData(i.from) && !isDeploy(i.from, "stream")) throw new TargetError(`streaming step \`${m.id}\` reads \`${i.from.id}\`, which is not a stream`);
      visit(i.from);
    }
  };
  visit(top);
  return g.order(found);
}

function createTable(name: string, cols: IrColumn[], extra: string[], c: TableClauses): string {
  const lines = [...cols.map((col) => `${d.ident(col.name)} ${d.type(col.type)}`), ...extra];
  if (c.primaryKey?.length) lines.push(`PRIMARY KEY (${c.primaryKey.map((k) => d.ident(k)).join(", ")}) NOT ENFORCED`);
  const partitioned = c.partitionedBy?.length ? ` PARTITIONED BY (${c.partitionedBy.map((k) => d.ident(k)).join(", ")})` : "";
  const options = c.options.map(([k, v]) => `  ${d.literal(k)} = ${d.literal(v)}`).join(",\n");
  return `CREATE TEMPORARY TABLE ${d.ident(name)} (\n${lines.map((l) => `  ${l}`).join(",\n")}\n)${partitioned} WITH (\n${options}\n)`;
}

/** How often a job checkpoints; Flink's default is never. */
export const CHECKPOINT_INTERVAL = "60s";

/**
 * The checkpoint settings of a job (Flink 1.17+ keys). The directory is per job under
 * `target onprem { flink_checkpoints }` (a shared file:// or hdfs:// location every
 * TaskManager reaches; by default `<warehouse>/_flink/checkpoints`): `<that>/<job name>`.
 */
export function checkpointing(ir: IrDocument, jobName: string): [string, string][] {
  return [
    ["execution.checkpointing.interval", CHECKPOINT_INTERVAL],
    ["execution.checkpointing.mode", "EXACTLY_ONCE"],
    ["execution.checkpointing.min-pause", "10s"],
    ["execution.checkpointing.timeout", "10min"],
    ["execution.checkpointing.externalized-checkpoint-retention", "RETAIN_ON_CANCELLATION"],
    ["state.checkpoints.dir", checkpointDir(ir, jobName)],
    ["restart-strategy.type", "exponential-delay"],
    ["restart-strategy.exponential-delay.initial-backoff", "10s"],
    ["restart-strategy.exponential-delay.max-backoff", "5min"],
  ];
}

export function checkpointDir(ir: IrDocument, jobName: string): string {
  const w = ir.settings.onprem.flink_checkpoints;
  const base = /^[A-Za-z][A-Za-z0-9+.-]*:/.test(w) ? w : `file://${w.startsWith("/") ? "" : "/"}${w}`;
  // An option value cannot hold `;`, `\` or control characters (flinkLiteral): those are
  // percent-encoded, so such a warehouse still gets a checkpoint directory of its own.
  return `${base}/${jobName}`.replace(/[\u0000-\u001f\u007f;\\%]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}`);
}
