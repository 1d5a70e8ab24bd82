// One lowering, two homes: the SQL the on-premise targets write, parameterised to run on AWS.
//
// Spark (Glue): the spark target's jobs with the warehouse `{{warehouse}}` (the Glue runner
// puts the stack's `s3://<bucket>/warehouse` there), each run's tables under
// `runs/${env:MLP_RUN_ID}/` as on premise (the runner puts the run id the state machine gives
// the job there), and online feature sets written to the warehouse only: on AWS the Glue
// runner, not the spark-cassandra-connector, loads them into DynamoDB.
//
// Flink (Managed Service for Apache Flink): the flink target's jobs on Kinesis, with stream
// deployments scored outside Flink (a Lambda scores a deploy's published input on AWS, and
// steps downstream read its scored stream). Sources read the Kinesis stream of their step,
// the sink writes the job's own stream. `{{...}}` placeholders (stream ARNs, region) are
// filled by the Flink runner from the application's runtime properties.
import type { IrDocument, IrNode, ValidNode } from "../../compiler/ir";
import { TargetError } from "../../compiler/target-api";
import { hasStreams, isData } from "../../compiler/query";
import { flinkJobs as flinkSqlJobs, formatOptions, readFormatOptions, schemaRegistryOf, type StreamConnector, type StreamTable } from "../flink/index";
import { FLINK_AVRO, FLINK_AVRO_CONFLUENT, FLINK_CONNECTOR, type MavenJar } from "./scripts";
import { RUN_ID, sparkJobs } from "../spark/index";

export const WAREHOUSE = "{{warehouse}}";
export const REGION = "{{region}}";
export const streamPlaceholder = (table: string) => `{{stream.${table}}}`;

/**
 * The SQL of one IR, shared by the stacks whose variants leave the data steps alone (a
 * variant only changes attributes, so the steps' configurations are all the SQL can differ by).
 */
export class SqlCache {
  private readonly byIr = new Map<IrDocument, Entry>();
  /** Each IR's key, computed once: both kinds of SQL are looked up by it. */
  private readonly keys = new Map<IrDocument, string>();

  private key(ir: IrDocument): string {
    let k = this.keys.get(ir);
    if (k === undefined) this.keys.set(ir, (k = JSON.stringify(ir.nodes.filter((n) => n.kind === "deploy" || isData(n)).map((n) => [n.id, n.config]))));
    return k;
  }

  /**
   * The SQL of `ir` and of every IR with the same data steps. Keys are only computed once a
   * second IR comes (a variant): a project of one stack, nearly every one, never pays for them.
   */
  private entry(ir: IrDocument): Entry {
    let e = this.byIr.get(ir);
    if (e) return e;
    const k = this.byIr.size ? this.key(ir) : "";
    for (const [other, oe] of this.byIr) if (this.key(other) === k) e = oe;
    this.byIr.set(ir, (e ??= {}));
    return e;
  }

  sparkSql(ir: IrDocument): Map<string, string> {
    const e = this.entry(ir);
    return (e.spark ??= sparkSql(ir));
  }

  flinkJobs(ir: IrDocument): FlinkJob[] {
    const e = this.entry(ir);
    return (e.flink ??= flinkJobs(ir));
  }
}

interface Entry {
  spark?: Map<string, string>;
  flink?: FlinkJob[];
}

/** `<id>.sql` per batch data step, for Glue. */
export function sparkSql(ir: IrDocument): Map<string, string> {
  return new Map(sparkJobs(ir, { warehouse: WAREHOUSE, runId: RUN_ID, onlineStore: "none" }).map((j) => [j.node.id, j.sql]));
}

export interface FlinkJob {
  /** The step whose result the job writes to its own Kinesis stream. */
  id: string;
  sql: string;
  /** Kinesis tables the job reads: table (= step id) names. */
  reads: string[];
  /** Columns the sink partitions by (the feature keys), if any. */
  keys: string[];
  /** The jars the application needs: the Kinesis connector, then the formats of the streams it reads. */
  jars: MavenJar[];
}

/** The jar of each Avro format a job's sources read (`nodes`: the IR's nodes by id). */
function formatJars(nodes: ReadonlyMap<string, IrNode>, reads: readonly string[]): MavenJar[] {
  const jars = new Set<MavenJar>();
  for (const id of reads) {
    const n = nodes.get(id);
    if (!n || n.kind !== "source" || n.config.format !== "avro") continue;
    jars.add(schemaRegistryOf(n as ValidNode) === undefined ? FLINK_AVRO : FLINK_AVRO_CONFLUENT);
  }
  return [FLINK_AVRO, FLINK_AVRO_CONFLUENT].filter((j) => jars.has(j));
}

/**
 * Kinesis streams, one per step: a source reads its step's stream from the start; the sink
 * writes the job's own stream. Kinesis tables are append-only: a keyed sink is partitioned by
 * its keys instead of declaring a primary key, and readers get every update.
 */
export const kinesis: StreamConnector = {
  source: (t) => ({
    options: [["connector", "kinesis"], ["stream.arn", streamPlaceholder(t.step.id)], ["aws.region", REGION], ["source.init.position", "TRIM_HORIZON"], ...readFormatOptions(t)],
  }),
  sink: (t) => ({
    ...(t.keys.length ? { partitionedBy: t.keys } : {}),
    options: [["connector", "kinesis"], ["stream.arn", streamPlaceholder(t.job.id)], ["aws.region", REGION], ...formatOptions(t.format)],
  }),
};

const HEADER = `-- aws target: the Kafka tables of the on-premise job are Kinesis tables here; {{...}} values are filled by run_sql.py from the application's runtime properties.\n`;

/** The Flink jobs of the streaming steps, on Kinesis. */
export function flinkJobs(ir: IrDocument): FlinkJob[] {
  if (!hasStreams(ir)) return [];
  // The first node of an id, as a search from the start would find it.
  const nodes = new Map<string, IrNode>();
  for (const n of ir.nodes) if (!nodes.has(n.id)) nodes.set(n.id, n);
  return flinkSqlJobs(ir, { connector: kinesis, scoring: "external" }).map((j) => ({ id: j.node.id, sql: HEADER + j.sql, reads: j.reads, keys: j.keys, jars: [FLINK_CONNECTOR, ...formatJars(nodes, j.reads)] }));
}
