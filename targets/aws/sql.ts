// One lowering, two homes: the SQL the on-premise targets write, made to run on AWS.
//
// Spark (Glue): emitSpark runs on a view of the IR whose warehouse is `{{warehouse}}` (the
// Glue runner puts the stack's `s3://<bucket>/warehouse` there) and whose online feature
// sets are written offline only: on AWS the Glue runner, not the spark-cassandra-connector,
// loads them into DynamoDB.
//
// Flink (Managed Service for Apache Flink): emitFlink runs on a view of the IR where each
// stream deployment is a source (its scored stream, for steps downstream of it) and its data
// input is published (a Lambda scores it on AWS); then every Kafka table of each job is
// rewritten as a Kinesis table: sources read the Kinesis stream of their step, the sink writes
// the job's own stream. `{{...}}` placeholders (stream ARNs, region) are filled by the Flink
// runner from the application's runtime properties.
import type { IrDocument, IrNode } from "../../compiler/ir";
import { emitFlink } from "../flink/index";
import { emitSpark } from "../spark/index";
import { TargetError } from "../sql/graph";

export const WAREHOUSE = "{{warehouse}}";

/**
 * The SQL of one IR, shared by the stacks whose variants leave the data steps alone (a
 * variant only changes attributes, so the steps' configurations are all the SQL can differ by).
 */
export class SqlCache {
  private readonly spark = new Map<string, Map<string, string>>();
  private readonly flink = new Map<string, FlinkJob[]>();

  private key(ir: IrDocument): string {
    return JSON.stringify(ir.nodes.filter((n) => n.kind === "deploy" || DATA.has(n.kind)).map((n) => [n.id, n.config]));
  }

  sparkSql(ir: IrDocument): Map<string, string> {
    const k = this.key(ir);
    let v = this.spark.get(k);
    if (!v) this.spark.set(k, (v = sparkSql(ir)));
    return v;
  }

  flinkJobs(ir: IrDocument): FlinkJob[] {
    const k = this.key(ir);
    let v = this.flink.get(k);
    if (!v) this.flink.set(k, (v = flinkJobs(ir)));
    return v;
  }
}

const DATA = new Set(["source", "cleanse", "aggregate", "join", "features", "split"]);
export const REGION = "{{region}}";
export const streamPlaceholder = (table: string) => `{{stream.${table}}}`;

/** `<id>.sql` per batch data step, for Glue. */
export function sparkSql(ir: IrDocument): Map<string, string> {
  const view: IrDocument = {
    ...ir,
    nodes: ir.nodes.map((n) => (isOnline(n) ? { ...n, config: { ...n.config, store: "offline" } } : n)),
    targets: [...ir.targets.filter((t) => t.name !== "onprem"), { name: "onprem", attrs: [], settings: { warehouse: WAREHOUSE } }],
  };
  const out = new Map<string, string>();
  for (const f of emitSpark(view)) if (f.path.endsWith(".sql")) out.set(f.path.slice(0, -4), f.contents);
  return out;
}

export interface FlinkJob {
  /** The step whose result the job writes to its own Kinesis stream. */
  id: string;
  sql: string;
  /** Kinesis tables the job reads: table (= step id) names. */
  reads: string[];
  /** Columns the sink partitions by (the feature keys), if any. */
  keys: string[];
}

/** The Flink jobs of the streaming steps, rewritten for Kinesis. */
export function flinkJobs(ir: IrDocument): FlinkJob[] {
  const deploys = new Set(ir.nodes.filter((n) => n.kind === "deploy" && (n.config as { mode?: string }).mode === "stream").map((n) => n.id));
  if (!ir.nodes.some((n) => n.ports.outputs.some((p) => p.artifact.type === "Stream" || (p.artifact.type === "Features" && p.artifact.streaming)))) return [];
  const taken = new Set(ir.nodes.map((n) => n.id));
  const extra: IrNode[] = [];
  const edges = [];
  for (const e of ir.edges) {
    if (!deploys.has(e.to.node)) {
      edges.push(e);
      continue;
    }
    if (e.to.port !== "data") continue;
    // The deployment's input must be published: a stand-in consumer outside the streaming
    // world makes the Flink target write it to a stream of its own.
    let id = `${e.to.node}__scoring`;
    while (taken.has(id)) id += "_";
    taken.add(id);
    extra.push({ id, name: id, kind: "notebook", body: [], config: {}, ports: { inputs: [{ port: "inputs", artifact: e.artifact ?? { type: "Unknown" } }], outputs: [] } });
    edges.push({ ...e, to: { node: id, port: "inputs" } });
  }
  const view: IrDocument = {
    ...ir,
    nodes: [
      ...ir.nodes.map((n) =>
        deploys.has(n.id)
          ? { ...n, kind: "source", use: undefined, body: [], config: { topic: (n.config as { topic?: string }).topic ?? n.id, format: "json" }, ports: { inputs: [], outputs: n.ports.outputs } }
          : n,
      ),
      ...extra,
    ],
    edges,
    targets: [...ir.targets.filter((t) => t.name !== "onprem"), { name: "onprem", attrs: [], settings: { kafka: "kinesis" } }],
  };
  const jobs: FlinkJob[] = [];
  for (const f of emitFlink(view)) {
    if (!f.path.endsWith(".sql")) continue;
    jobs.push(kinesisJob(f.path.slice(0, -4), f.contents));
  }
  return jobs;
}

const TABLE = /CREATE TEMPORARY TABLE (`(?:[^`]|``)+`) \(\n([\s\S]*?)\n\) WITH \(\n([\s\S]*?)\n\);/g;
const OPTION = /^ {2}'((?:[^']|'')*)' = '((?:[^']|'')*)',?$/;

const unquote = (q: string) => q.slice(1, -1).replaceAll("``", "`");
const opt = (k: string, v: string) => `  '${k.replaceAll("'", "''")}' = '${v.replaceAll("'", "''")}'`;

function kinesisJob(id: string, sql: string): FlinkJob {
  const sink = /INSERT INTO (`(?:[^`]|``)+`)\n/.exec(sql)?.[1];
  if (!sink) throw new TargetError(`aws: the Flink job ${id} has no INSERT INTO`);
  const reads: string[] = [];
  let keys: string[] = [];
  const rewritten = sql.replace(TABLE, (_all, quoted: string, columns: string, options: string) => {
    const table = unquote(quoted);
    const opts = options.split("\n").map((line) => {
      const m = OPTION.exec(line);
      if (!m) throw new TargetError(`aws: unexpected option line in the Flink job ${id}: ${JSON.stringify(line)}`);
      return [m[1]!.replaceAll("''", "'"), m[2]!.replaceAll("''", "'")] as const;
    });
    const cols = columns.split("\n");
    const pk = cols.findIndex((c) => /^ {2}PRIMARY KEY \(/.test(c));
    const keyCols = pk >= 0 ? [...cols[pk]!.matchAll(/`((?:[^`]|``)+)`/g)].map((m) => m[1]!.replaceAll("``", "`")) : [];
    // Kinesis tables are append-only: keys become the partition key of the sink instead.
    const kept = pk >= 0 ? cols.filter((_, i) => i !== pk) : cols;
    if (pk >= 0) kept[kept.length - 1] = kept[kept.length - 1]!.replace(/,$/, "");
    const format = formatOptions(opts);
    let head = `CREATE TEMPORARY TABLE ${quoted} (\n${kept.join("\n")}\n)`;
    let withOpts: string[];
    if (quoted === sink) {
      keys = keyCols;
      if (keyCols.length) head += ` PARTITIONED BY (${keyCols.map((k) => "`" + k.replaceAll("`", "``") + "`").join(", ")})`;
      withOpts = [opt("connector", "kinesis"), opt("stream.arn", streamPlaceholder(id)), opt("aws.region", REGION), ...format];
    } else {
      reads.push(table);
      withOpts = [opt("connector", "kinesis"), opt("stream.arn", streamPlaceholder(table)), opt("aws.region", REGION), opt("source.init.position", "TRIM_HORIZON"), ...format];
    }
    return `${head} WITH (\n${withOpts.join(",\n")}\n);`;
  });
  if (/'(upsert-)?kafka'|bootstrap\.servers/.test(rewritten)) throw new TargetError(`aws: the Flink job ${id} still names Kafka after the rewrite`);
  const header = `-- aws target: the Kafka tables of the on-premise job are Kinesis tables here; {{...}} values are filled by run_sql.py from the application's runtime properties.\n`;
  return { id, sql: header + rewritten, reads, keys };
}

/** The value format of a Kafka table's options, as a Kinesis table's (`key.`/`value.` prefixes dropped). */
function formatOptions(opts: readonly (readonly [string, string])[]): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const [k, v] of opts) {
    let key: string;
    if (k === "format" || k.startsWith("json.") || k.startsWith("csv.") || k.startsWith("avro.")) key = k;
    else if (k.startsWith("value.")) key = k.slice("value.".length);
    else continue;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(opt(key, v));
  }
  return out;
}

function isOnline(n: IrNode): boolean {
  const s = (n.config as { store?: unknown }).store;
  return n.kind === "features" && !!s && typeof s === "object" && "online" in s;
}
