// How a generated Spark SQL file is run: the spark-sql command line of a data job. The jobs
// need jars no Spark distribution ships (the Cassandra connector, Delta, the S3A filesystem)
// and the executor sizes of the platform, all from `target onprem`.
import type { ResolvedOnprem } from "../../language/catalog/settings";
import { sizeBytes, type DataResources } from "../../language/catalog/values";

/** The options sparkSqlArgs writes: constant words, so a script may leave them unquoted. */
export const SPARK_SQL_OPTIONS: ReadonlySet<string> = new Set(["--master", "--packages", "--conf", "--driver-memory", "--executor-memory", "--executor-cores", "--num-executors"]);

/**
 * The arguments of `spark-sql` before `-f FILE`, one argv entry each (the caller shell-quotes
 * them). Every job loads every configured package: one classpath for all jobs, so a step
 * behaves the same whichever job runs it, and Ivy resolves the list once per node into its
 * cache; trim `spark_packages` to load fewer. The step's `resources` size its own executors
 * over the pipeline-wide settings (one heavy join need not size every job). Sizes Spark would
 * pick itself are left out.
 */
export function sparkSqlArgs(o: ResolvedOnprem, res: DataResources = {}): string[] {
  const args: string[] = [];
  if (o.spark_master !== undefined) args.push("--master", o.spark_master);
  if (o.spark_packages.length) args.push("--packages", o.spark_packages.join(","));
  const conf = (k: string, v: string) => args.push("--conf", `${k}=${v}`);
  const has = (group: string, artifact: string) => o.spark_packages.some((p) => p.startsWith(`${group}:${artifact}`));
  // Delta's reader and catalog are session extensions: the jar alone does not read `USING delta`.
  if (has("io.delta", "delta-")) {
    conf("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension");
    conf("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog");
  }
  if (has("com.datastax.spark", "spark-cassandra-connector")) {
    // The hosts the online loads' OPTIONS name too: the connector's session-wide default.
    conf("spark.cassandra.connection.host", o.feature_store.cassandra.hosts.join(","));
  }
  if (has("org.apache.hadoop", "hadoop-aws")) {
    // Pipelines write s3:// URIs as AWS does; Hadoop only maps s3a:// to S3A by itself.
    conf("spark.hadoop.fs.s3.impl", "org.apache.hadoop.fs.s3a.S3AFileSystem");
  }
  if (o.spark_driver_memory !== undefined) args.push("--driver-memory", sparkMemory(o.spark_driver_memory));
  const memory = res.memory ?? o.spark_executor_memory;
  const cores = res.cpus ?? o.spark_executor_cores;
  if (memory !== undefined) args.push("--executor-memory", sparkMemory(memory));
  if (cores !== undefined) args.push("--executor-cores", String(cores));
  if (res.nodes !== undefined) args.push("--num-executors", String(res.nodes));
  return args;
}

/** A size as Spark's JVM memory string: whole GiB as `Ng`, else MiB rounded up as `Nm`. */
export function sparkMemory(size: string): string {
  const mib = Math.ceil(sizeBytes(size) / 2 ** 20);
  return mib % 1024 === 0 ? `${mib / 1024}g` : `${mib}m`;
}
