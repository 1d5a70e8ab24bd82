// Settings of the pipeline block and of the `target` blocks. Platform engineers own
// the target blocks; each target reads its settings through these schemas.
import * as z from "zod";
import { cron, dataLocation, duration, positiveInt, projectFile, size } from "./values";
import type { ResolvedAws, ResolvedLocal, ResolvedOnprem, ResolvedSettings } from "./resolved";

/**
 * Partition and account names go into `#SBATCH` lines and `sbatch` command lines: letters,
 * digits, `_`, `-` and `.` only, so a space or a shell metacharacter cannot split or extend them.
 */
const slurmName = z
  .string({ error: "expected a Slurm name" })
  .regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/, { error: "a Slurm partition or account is letters, digits, `_`, `-` and `.` (no spaces or shell characters)" });

export const pipelineSettings = z
  .object({
    version: z.string().min(1).optional().describe("Version of the pipeline definition"),
    owner: z.string().min(1).optional().describe("Who to contact"),
    description: z.string().optional().describe("What the pipeline is for"),
    schedule: cron.optional().describe("When the training pipeline runs"),
  })
  .strict();

const hostPort = z.string().regex(/^[A-Za-z0-9.-]+:\d+$/, { message: "expected host:port" });

// ---------- secrets and the Flink/Kafka settings ----------
// A secret is never written in the .mlp file: a setting names where it is, an environment
// variable or a file (its whole contents) on the machines that run the jobs.

/** Where a secret is: `env:NAME` (an environment variable) or `file:/abs/path` (the file's contents). */
export const secretRef = z
  .string({ error: "expected a secret reference" })
  .regex(/^(env:[A-Za-z_][A-Za-z0-9_]*|file:(\/[^\u0000-\u0020;\\:${}/]+)+)$/, {
    error: 'a secret is named, never written: "env:NAME" (an environment variable) or "file:/absolute/path" (the file\'s contents; no spaces, `:`, `;`, `$`, `{`, `}` or `\\`)',
  });
export type SecretRef = z.output<typeof secretRef>;

/** An absolute path on the job's machines, usable as a Flink option value and a .properties value. */
const absolutePath = z.string().regex(/^\/[^\u0000-\u0020;\\]*$/, { error: "expected an absolute path (no spaces, `;`, `\\` or control characters)" });

const SASL = ["SASL_SSL", "SASL_PLAINTEXT"];

/**
 * How Flink jobs and the Kafka Connect sink reach a secured Kafka: credentials stay in the files
 * named. Made by the on-premises settings and the IR that read it, not by every check.
 */
export const kafkaSecurity = () =>
  z
    .object({
      protocol: z.enum(["SASL_SSL", "SASL_PLAINTEXT", "SSL"]).describe("security.protocol"),
      mechanism: z.enum(["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"]).optional().describe("sasl.mechanism (SASL protocols)"),
      jaas: absolutePath.optional().describe("JAAS file with the KafkaClient login (SASL protocols)"),
      truststore: absolutePath.optional().describe("PEM file of the CA certificates (SSL protocols)"),
    })
    .strict()
    .superRefine((k, ctx) => {
      if (SASL.includes(k.protocol) && (k.mechanism === undefined || k.jaas === undefined)) ctx.addIssue({ code: "custom", message: `${k.protocol} needs \`mechanism\` and \`jaas\` (the JAAS file with the credentials)` });
      if (!SASL.includes(k.protocol) && (k.mechanism !== undefined || k.jaas !== undefined)) ctx.addIssue({ code: "custom", message: `\`mechanism\` and \`jaas\` are for SASL_SSL and SASL_PLAINTEXT, not ${k.protocol}` });
      if (k.protocol === "SASL_PLAINTEXT" && k.truststore !== undefined) ctx.addIssue({ code: "custom", message: "`truststore` is for SSL and SASL_SSL, not SASL_PLAINTEXT" });
    });
export type KafkaSecurity = z.output<ReturnType<typeof kafkaSecurity>>;

/** The Cassandra login of the jobs writing the online store (the Kafka Connect sink, Spark). */
export const cassandraCredentials = z.object({ username: secretRef, password: secretRef }).strict();
export type CassandraCredentials = z.output<typeof cassandraCredentials>;

/**
 * The connector and format jars every Flink job is started with (`sql-client.sh -j`), for
 * Flink 1.20: the Kafka SQL connector and the avro / avro-confluent-registry formats.
 */
export const defaultFlinkJars = [
  "/opt/flink/connectors/flink-sql-connector-kafka-3.3.0-1.20.jar",
  "/opt/flink/connectors/flink-sql-avro-1.20.0.jar",
  "/opt/flink/connectors/flink-sql-avro-confluent-registry-1.20.0.jar",
];

const awsSettings = () =>
  z
    .object({
      region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, { message: "expected an AWS region such as us-east-1" }).describe("AWS region"),
      artifact_bucket: z
        .string()
        .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { message: "expected an S3 bucket name" })
        .optional()
        .describe("Bucket for generated assets and models (created)"),
      tags: z.record(z.string(), z.string()).optional().describe("Tags on every resource"),
    })
    .strict();

/** `group:artifact:version`: no spaces, commas or shell characters, so a list joins into one --packages value. */
const mavenCoordinate = z
  .string({ error: "expected a Maven coordinate" })
  .regex(/^[A-Za-z0-9_.-]+:[A-Za-z0-9_.-]+:[A-Za-z0-9_.+-]+$/, { error: "a Maven coordinate is group:artifact:version (letters, digits, `_`, `.`, `-`)" });

/**
 * What Spark 3.5 (Scala 2.12) jobs load by default: the Cassandra connector (online feature
 * sets), Delta (delta sources) and the S3A filesystem (s3:// and s3a:// paths; hadoop-aws
 * matching Spark 3.5's Hadoop 3.3.4).
 */
export const DEFAULT_SPARK_PACKAGES = [
  "com.datastax.spark:spark-cassandra-connector_2.12:3.5.1",
  "io.delta:delta-spark_2.12:3.2.0",
  "org.apache.hadoop:hadoop-aws:3.3.4",
];

const onpremSettings = () =>
  z
    .object({
      spark_master: z.string().min(1).optional().describe("Spark master URL for spark-submit"),
      slurm_partition: slurmName.optional().describe("Slurm partition for jobs"),
      slurm_account: slurmName.optional().describe("Slurm account to charge"),
      kafka: z.string().min(1).optional().describe("Kafka bootstrap servers"),
      feature_store: z
        .object({ cassandra: z.object({ hosts: z.array(hostPort).min(1), keyspace: z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/) }).strict() })
        .strict()
        .optional()
        .describe("Online feature store"),
      model_dir: z.string().min(1).optional().describe("Shared directory for models and the registry"),
      warehouse: z.string().min(1).optional().describe("Where the batch steps' tables live (a path or file:// URI)"),
      data_partition: slurmName.optional().describe("Slurm partition for data jobs (default: slurm_partition)"),
      spark_packages: z.array(mavenCoordinate).optional().describe("Maven packages every Spark job loads (--packages)"),
      spark_executor_memory: size.optional().describe("Memory of each Spark executor"),
      spark_executor_cores: positiveInt.optional().describe("Cores of each Spark executor"),
      spark_driver_memory: size.optional().describe("Memory of the Spark driver"),
      flink_checkpoints: z.string().min(1).optional().describe("Where Flink jobs keep their checkpoints, one folder per job (a path or URI; default <warehouse>/_flink/checkpoints)"),
      flink_jars: z.array(absolutePath).optional().describe("Connector and format jars every Flink job is started with (default: Kafka, avro, avro-confluent-registry for Flink 1.20)"),
      kafka_security: kafkaSecurity().optional().describe("SASL/TLS of Kafka: protocol, mechanism, JAAS file and PEM truststore"),
      cassandra_credentials: cassandraCredentials.optional().describe("Cassandra username and password, each env:NAME or file:/path"),
      // ---- Slurm jobs: failed trials, preemption, serving (issue 11) ----
      min_trials: positiveInt.optional().describe("Tuning trials that must succeed for a tune to select one (default 1, at most the trials it runs)"),
      preempt_signal: duration.optional().describe("How long before its time limit a training or tuning job is signalled to checkpoint and requeue (default 5m)"),
      serving_time: duration.optional().describe("Time limit of a serving job without a resources timeout; it requeues itself before it (default 1d)"),
      // ---- end of the Slurm block ----
    })
    .strict();

/** An instant written as ISO-8601 UTC, e.g. "2026-11-30T06:00:00Z". */
const instant = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?Z$/, { message: 'expected an instant in UTC such as "2026-11-30T06:00:00Z"' })
  .refine((t) => !Number.isNaN(Date.parse(t)), { message: "expected a real calendar date and time" });

/** `mlp run` on this machine: where each source's rows are, the run folder, the Python, the clock. */
const localSettings = () =>
  z
    .object({
      sources: z.record(z.string(), dataLocation).optional().describe("A local file (csv with a header row, json lines or parquet) per source, relative to the .mlp file"),
      workdir: projectFile.optional().describe('Folder of the runs, the cache and the registry (default ".mlp" beside the file)'),
      python: z.string().min(1).optional().describe("The Python that runs entry scripts (default: $MLP_PYTHON, else the first python3 that imports the framework)"),
      now: instant.optional().describe("The instant now() and today() read and look-back windows end at (default: the wall clock when the run starts)"),
    })
    .strict();

/**
 * Each target's settings schema, made when first read: a check meets few targets (most files
 * none), and making all three is start-up time (issue 15).
 */
export const TARGET_SETTINGS = madeOnRead({ aws: awsSettings, onprem: onpremSettings, local: localSettings });
export type TargetName = keyof typeof TARGET_SETTINGS;

export const layoutPosition = z.object({ x: z.number(), y: z.number() }).strict();

// ---------- resolved settings ----------
// Lowering resolves every target's settings, written or not, with the defaults below: this is
// the one place that says what a default is. Targets read the resolved values and never
// default (or forge) a setting themselves. Their schemas are in resolved.ts: only the IR reads
// them, and a check need not build them.
export type { ResolvedAws, ResolvedLocal, ResolvedOnprem, ResolvedSettings };

const trimSlash = (p: string) => (p.length > 1 ? p.replace(/\/+$/, "") : p);

/**
 * The folder of a variant inside the default's folder (`model_dir`, `warehouse`): a name no
 * step, pipeline or registry folder can have (`=` is in no identifier), so nothing the default
 * writes there (`<step>/`, `<pipeline>/`, `registry/`, `_flink/`) can be a variant's, and the
 * other way round.
 */
export const variantFolder = (variant: string) => `variant=${variant}`;

/**
 * `pipeline` names the defaults' folders and keyspace (`/srv/mlp/<pipeline>/...`, `mlp_<pipeline>`).
 * A variant gets paths of its own, written or default, so two variants deployed side by side
 * share no table, model, run folder, `latest` link, registry or keyspace: the default's paths
 * with a `variant=<variant>` folder appended, the keyspace with `_<variant>`. Without a variant
 * the paths are the ones written (or the defaults).
 */
export function resolveSettings(
  pipeline: string,
  written: { [T in TargetName]?: z.output<(typeof TARGET_SETTINGS)[T]> },
  variant: string | null = null,
): ResolvedSettings {
  const o = written.onprem ?? {};
  const a = written.aws;
  const perVariant = (path: string) => (variant === null ? path : `${path.replace(/\/$/, "")}/${variantFolder(variant)}`);
  const cassandra = o.feature_store?.cassandra ?? { hosts: ["localhost:9042"], keyspace: `mlp_${pipeline}` };
  const warehouse = perVariant(trimSlash(o.warehouse ?? `file:///srv/mlp/${pipeline}/warehouse`));
  const onprem: ResolvedOnprem = {
    kafka: o.kafka ?? "localhost:9092",
    feature_store: { cassandra: variant === null ? cassandra : { ...cassandra, keyspace: `${cassandra.keyspace}_${variant}` } },
    model_dir: perVariant(trimSlash(o.model_dir ?? `/srv/mlp/${pipeline}/models`)),
    warehouse,
    spark_packages: o.spark_packages ?? DEFAULT_SPARK_PACKAGES,
    flink_checkpoints: trimSlash(o.flink_checkpoints ?? `${warehouse}/_flink/checkpoints`),
    flink_jars: o.flink_jars ?? defaultFlinkJars,
    min_trials: o.min_trials ?? 1,
    preempt_signal: o.preempt_signal ?? "5m",
    serving_time: o.serving_time ?? "1d",
  };
  if (o.data_partition !== undefined) onprem.data_partition = o.data_partition;
  if (o.spark_executor_memory !== undefined) onprem.spark_executor_memory = o.spark_executor_memory;
  if (o.spark_executor_cores !== undefined) onprem.spark_executor_cores = o.spark_executor_cores;
  if (o.spark_driver_memory !== undefined) onprem.spark_driver_memory = o.spark_driver_memory;
  if (o.kafka_security !== undefined) onprem.kafka_security = o.kafka_security;
  if (o.cassandra_credentials !== undefined) onprem.cassandra_credentials = o.cassandra_credentials;
  if (o.spark_master !== undefined) onprem.spark_master = o.spark_master;
  if (o.slurm_partition !== undefined) onprem.slurm_partition = o.slurm_partition;
  if (o.slurm_account !== undefined) onprem.slurm_account = o.slurm_account;
  const aws: ResolvedAws = { tags: a?.tags ?? {} };
  if (a?.region !== undefined) aws.region = a.region;
  if (a?.artifact_bucket !== undefined) aws.artifact_bucket = a.artifact_bucket;
  const l = written.local ?? {};
  const local: ResolvedLocal = { sources: l.sources ?? {}, workdir: trimSlash(l.workdir ?? ".mlp") };
  if (l.python !== undefined) local.python = l.python;
  if (l.now !== undefined) local.now = l.now;
  return { aws, onprem, local };
}

/** An object with the makers' keys, in their order, each value made by its maker when first read. */
function madeOnRead<M extends Record<string, () => unknown>>(makers: M): { readonly [K in keyof M]: ReturnType<M[K]> } {
  const made: Partial<Record<keyof M, unknown>> = {};
  const o = {} as { [K in keyof M]: ReturnType<M[K]> };
  for (const k of Object.keys(makers) as (keyof M)[])
    Object.defineProperty(o, k, { enumerable: true, get: () => (k in made ? made[k] : (made[k] = makers[k]!())) });
  return o;
}
