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
import { baseName, IrGraph, isDeploy, isStreamData, pipelineNameOf, storeOf } from "../../compiler/query";
import { TargetError, type Emit, type GeneratedFile } from "../../compiler/target-api";
import { durationMs } from "../../language/catalog/values";
import { FLINK as d } from "../sql/dialect";
import { commentText, Names } from "../sql/names";
import { lowerStep, select, type Rel } from "../sql/steps";
import { latestModelPath } from "../slurm/index";
import { udfModule } from "./udf";
import { checkProjectPaths } from "../paths";

/** The Python UDF the stream deploy calls (module `mlp_flink.py`, see udf.ts and targets/README.md). */
/** Written unquoted: a fixed, non-reserved name (and some SQL tools mis-read a quoted name before `((`). */
export const PREDICT_FUNCTION = "mlp_predict";
export const PREDICT_PYTHON = "mlp_flink.predict";

/** Kafka topic a job publishes a step to, when the step has no topic of its own. */
export const topicOf = (ir: IrDocument, id: string) => `mlp-${pipelineNameOf(ir)}-${id}`;

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

/**
 * Kafka, at `target onprem { kafka = ... }`. Each job reads with its own consumer group, from
 * the committed offsets (earliest on first start). A keyed stream is an upsert-kafka table
 * (keyed results may be updated, e.g. after a streaming dedupe), else an append-only kafka
 * table.
 */
export function kafkaConnector(ir: IrDocument): StreamConnector {
  const servers = ir.settings.onprem.kafka;
  const group = (t: StreamTable): [string, string][] => [
    ["properties.bootstrap.servers", servers],
    ["properties.group.id", `mlp-${pipelineNameOf(ir)}-${t.job.id}`],
  ];
  const upsert = (t: StreamTable, extra: [string, string][]): TableClauses => ({
    primaryKey: t.keys,
    options: [["connector", "upsert-kafka"], ["topic", t.topic], ...extra, ...formatOptions(t.format, "key."), ...formatOptions(t.format, "value.")],
  });
  return {
    source: (t) =>
      t.keys.length
        ? upsert(t, group(t))
        : {
            options: [
              ["connector", "kafka"],
              ["topic", t.topic],
              ...group(t),
              ["properties.auto.offset.reset", "earliest"],
              ["scan.startup.mode", "group-offsets"],
              ...formatOptions(t.format),
            ],
          },
    sink: (t) =>
      t.keys.length
        ? upsert(t, [["properties.bootstrap.servers", servers]])
        : { options: [["connector", "kafka"], ["topic", t.topic], ["properties.bootstrap.servers", servers], ...formatOptions(t.format)] },
  };
}

/** The on-premise parameterisation: Kafka, and stream deployments scored by the UDF. */
export const onpremFlink = (ir: IrDocument): FlinkOptions => ({ connector: kafkaConnector(ir), scoring: "udf", checkpoints: true });

// ---------- the target ----------

export const emitFlink: Emit = ({ ir }) => {
  // jobs.json and the scoring UDF name the stream deployment's entry script.
  checkProjectPaths(ir, ["entry"]);
  const g = new IrGraph(ir);
  const jobs = flinkJobs(ir, onpremFlink(ir), g);
  const files: GeneratedFile[] = [];
  for (const job of jobs) {
    files.push({ path: `${job.node.id}.sql`, contents: job.sql });
    if (job.sink === "features" && storeOf(job.node)?.kind === "online") files.push({ path: `${job.node.id}.cassandra-sink.properties`, contents: cassandraSink(g, job.node) });
  }
  const pyfile = `${PREDICT_PYTHON.split(".")[0]}.py`;
  if (jobs.some((j) => j.sink === "deploy")) files.push({ path: pyfile, contents: udfModule(g) });
  const manifest = {
    generated: `mlp from ${commentText(baseName(ir.file))} (pipeline ${pipelineNameOf(ir)}); do not edit`,
    jobs: jobs.map((j) => ({
      id: j.node.id,
      file: `${j.node.id}.sql`,
      // A stream job runs until stopped: it waits only for what it needs to exist first,
      // the model (a node of the Slurm target) for a stream deploy.
      dependsOn: j.sink === "deploy" ? g.inputs(j.node).filter((i) => i.port === "model").map((i) => i.from.id) : [],
      kind: j.node.kind,
      topic: j.topic,
      ...(j.sink === "deploy" ? { python: PREDICT_PYTHON, pyfiles: [pyfile], entry: g.lineage(j.node)?.train.config.entry ?? null } : {}),
    })),
  };
  files.push({ path: "jobs.json", contents: JSON.stringify(manifest, null, 2) + "\n" });
  return files;
};

/** The streaming jobs of a pipeline, in graph order. */
export function flinkJobs(ir: IrDocument, o: FlinkOptions, g = new IrGraph(ir)): FlinkJob[] {
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

  constructor(
    private readonly g: IrGraph,
    private readonly n: ValidNode,
    private readonly sink: FlinkJob["sink"],
    private readonly o: FlinkOptions,
  ) {
    const data = sink === "deploy" ? g.input(n, "data") : undefined;
    if (sink === "deploy" && !data) throw new TargetError(`stream deploy \`${n.id}\` has no data input`);
    this.top = data ? data.from : n;
    this.needed = collect(g, this.top);
    // The relations this file names after steps: the ones it computes or reads, and its own.
    this.names = new Names([n.id, ...this.needed.map((m) => m.id)]);
  }

  private stmt(sql: string): void {
    this.out.push(`${sql};`, "");
  }

  build(): FlinkJob {
    const { g, n, sink } = this;
    const pipeline = g.pipelineName;
    this.out.push(
      `-- Generated by mlp from ${commentText(g.sourceFile(n))} (pipeline ${pipeline}): Flink job ${n.id} (${n.kind}, streaming). Do not edit.`,
      `-- Run with: sql-client.sh${sink === "deploy" ? ` -pyfs mlp_flink.py` : ""} -f ${n.id}.sql`,
      "",
      // Timestamps are UTC wall-clock values (TIMESTAMP(3)), as in the Spark target.
      `SET 'table.local-time-zone' = 'UTC';`,
      `SET 'pipeline.name' = ${d.literal(`mlp-${pipeline}-${n.id}`)};`,
      // Windows, dedupe state and Kafka offsets survive a restart: exactly-once checkpoints,
      // kept when the job is cancelled (resume with `SET 'execution.savepoint.path'`), and
      // restarts with a growing delay instead of failing the job on the first error.
      ...(this.o.checkpoints ? checkpointing(g.ir, `mlp-${pipeline}-${n.id}`) : []).map(([k, v]) => `SET ${d.literal(k)} = ${d.literal(v)};`),
      "",
    );

    // The streaming steps this job computes, from the tables it reads.
    const rels = new Map<string, Rel>();
    for (const m of this.needed) {
      if (isTable(m)) {
        rels.set(m.id, this.sourceTable(m));
        continue;
      }
      const inputs = g.inputs(m).map((i) => rels.get(i.from.id)!);
      const lowered = lowerStep(m, inputs, { d, names: this.names, streaming: true });
      for (const v of lowered.views) this.stmt(`CREATE TEMPORARY VIEW ${d.ident(v.name)} AS\n${v.query}`);
      rels.set(m.id, lowered.out);
    }
    const rel = rels.get(this.top.id)!;

    const sinkName = this.names.fresh(`${n.id}__sink`);
    const { query, columns, keys } = sink === "deploy" ? this.scored(rel) : { query: select(rel.columns.map((c) => ({ name: c.name })), d.ident(rel.name), d), columns: rel.columns, keys: g.output(n).keys ?? [] };
    const topic = this.topic(n);
    const table: StreamTable = { name: sinkName, step: n, job: n, topic, format: "json", keys };
    this.stmt(createTable(table.name, columns, [], this.o.connector.sink(table)));
    this.out.push("EXECUTE STATEMENT SET", "BEGIN", `INSERT INTO ${d.ident(sinkName)}\n${query};`, "END;", "");
    return { node: n, sink, sql: this.out.join("\n").replace(/\n+$/, "\n"), reads: this.reads, keys, topic };
  }

  /** The sink's topic: a stream deploy's `topic`, else the job's own. */
  private topic(m: ValidNode): string {
    if (!isDeploy(m, "stream")) return topicOf(this.g.ir, m.id);
    if (!m.config.topic) throw new TargetError(`stream deploy \`${m.id}\` has no topic`);
    return m.config.topic;
  }

  /** A stream deploy scoring its input with the UDF: the input's columns and the prediction. */
  private scored(rel: Rel): { query: string; columns: IrColumn[]; keys: string[] } {
    const { g, n, top } = this;
    const model = g.input(n, "model");
    const inputCols = model?.artifact.model?.input.map((c) => c.name) ?? [];
    const outCols = g.output(n).columns ?? [];
    const prediction = outCols.find((c) => !rel.columns.some((r) => r.name === c.name));
    if (!model || !prediction) throw new TargetError(`stream deploy \`${n.id}\` has no model or no prediction column`);
    for (const c of inputCols) if (!rel.columns.some((r) => r.name === c)) throw new TargetError(`the model of \`${n.id}\` reads \`${c}\`, which \`${top.id}\` lacks`);
    this.stmt(`CREATE TEMPORARY SYSTEM FUNCTION IF NOT EXISTS ${PREDICT_FUNCTION} AS ${d.literal(PREDICT_PYTHON)} LANGUAGE PYTHON`);
    // The newest good model of the step feeding the deploy, where the Slurm target keeps it.
    const modelPath = latestModelPath(g.ir, model.from.id) ?? `${g.ir.settings.onprem.model_dir}/${model.from.id}`;
    const entry = g.lineage(n)?.train.config.entry ?? "";
    const call = `${PREDICT_FUNCTION}(${[d.string(modelPath), d.string(entry), ...inputCols.map((c) => d.ident(c))].join(", ")})`;
    const type = prediction.type;
    // The UDF answers text; the prediction column has the model's label type.
    const value = type.kind === "string" || type.kind === "enum" ? call : `CAST(${call} AS ${d.type(type)})`;
    const data = g.input(n, "data")!;
    return {
      query: select([...rel.columns.map((c) => ({ name: c.name })), { expr: value, name: prediction.name }], d.ident(rel.name), d),
      columns: outCols,
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

// ---------- Cassandra sink (Kafka Connect) ----------

/**
 * Flink has no Cassandra SQL connector, so an online feature set goes Flink -> upsert topic ->
 * Cassandra: this file configures the DataStax Apache Kafka Connector (standalone or, as JSON,
 * distributed Kafka Connect) to write the topic's records into the feature table, a deleted
 * key (tombstone) deleting its row. Columns map by name.
 */
function cassandraSink(g: IrGraph, n: ValidNode): string {
  const { hosts: hostPorts, keyspace } = g.ir.settings.onprem.feature_store.cassandra;
  const topic = topicOf(g.ir, n.id);
  const cols = g.output(n).columns ?? [];
  const hosts = hostPorts.map((h) => h.replace(/:\d+$/, ""));
  const port = /:(\d+)$/.exec(hostPorts[0] ?? "")?.[1] ?? "9042";
  const cql = (id: string) => `"${id.replaceAll('"', '""')}"`;
  const mapping = cols.map((c) => `${cql(c.name)}=value.${c.name}`).join(", ");
  const table = `topic.${topic}.${keyspace}.${n.id}`;
  const props: [string, string][] = [
    ["name", `mlp-${g.pipelineName}-${n.id}-cassandra`],
    ["connector.class", "com.datastax.oss.kafka.sink.CassandraSinkConnector"],
    ["tasks.max", "1"],
    ["topics", topic],
    ["contactPoints", hosts.join(",")],
    ["port", port],
    ["loadBalancing.localDc", "datacenter1"],
    ["key.converter", "org.apache.kafka.connect.json.JsonConverter"],
    ["key.converter.schemas.enable", "false"],
    ["value.converter", "org.apache.kafka.connect.json.JsonConverter"],
    ["value.converter.schemas.enable", "false"],
    [`${table}.mapping`, mapping],
    [`${table}.deletesEnabled`, "true"],
  ];
  return [
    `# Generated by mlp from ${commentText(g.sourceFile(n))} (pipeline ${g.pipelineName}): online feature set ${n.id}. Do not edit.`,
    `# Kafka Connect: writes topic ${topic} (written by the Flink job ${n.id}.sql) to the Cassandra table ${keyspace}.${n.id}.`,
    `# Set loadBalancing.localDc to the data center of the contact points.`,
    ...props.map(([k, v]) => `${propertyText(k, true)}=${propertyText(v, false)}`),
    "",
  ].join("\n");
}

/** java.util.Properties escaping: a key or value can neither span lines nor start a comment. */
export function propertyText(s: string, key: boolean): string {
  let out = "";
  let i = 0;
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === "\\") out += "\\\\";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (ch === "\f") out += "\\f";
    else if ((key && (ch === "=" || ch === ":" || ch === " ")) || ch === "#" || ch === "!" || (i === 0 && ch === " ")) out += "\\" + ch;
    else if (c < 0x20 || c > 0x7e) out += utf16(ch);
    else out += ch;
    i++;
  }
  return out;
}

const utf16 = (ch: string) =>
  Array.from({ length: ch.length }, (_, k) => "\\u" + ch.charCodeAt(k).toString(16).padStart(4, "0")).join("");

/** How often a job checkpoints; Flink's default is never. */
export const CHECKPOINT_INTERVAL = "60s";

/**
 * The checkpoint settings of a job (Flink 1.17+ keys). The directory is per job under the
 * warehouse (`target onprem { warehouse }`, a shared file:// or hdfs:// location every
 * TaskManager reaches): `<warehouse>/_flink/checkpoints/<job name>`.
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
  const w = ir.settings.onprem.warehouse;
  const base = /^[A-Za-z][A-Za-z0-9+.-]*:/.test(w) ? w : `file://${w.startsWith("/") ? "" : "/"}${w}`;
  // An option value cannot hold `;`, `\` or control characters (flinkLiteral): those are
  // percent-encoded, so such a warehouse still gets a checkpoint directory of its own.
  return `${base}/_flink/checkpoints/${jobName}`.replace(/[\u0000-\u001f\u007f;\\%]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}`);
}
