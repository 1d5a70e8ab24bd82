// The resolved settings every target reads: each target's settings, written or not, with
// lowering's defaults applied (resolveSettings in settings.ts). Apart from settings.ts so that
// what only the IR validates is not built by a check.
import * as z from "zod";
import { cassandraCredentials, kafkaSecurity } from "./settings";

export const resolvedOnprem = z
  .object({
    spark_master: z.string().optional(),
    slurm_partition: z.string().optional(),
    slurm_account: z.string().optional(),
    kafka: z.string(),
    feature_store: z.object({ cassandra: z.object({ hosts: z.array(z.string()), keyspace: z.string() }) }),
    /** Without a trailing slash. */
    model_dir: z.string(),
    /** Without a trailing slash. */
    warehouse: z.string(),
    data_partition: z.string().optional(),
    spark_packages: z.array(z.string()),
    spark_executor_memory: z.string().optional(),
    spark_executor_cores: z.number().optional(),
    spark_driver_memory: z.string().optional(),
    /** Without a trailing slash. */
    flink_checkpoints: z.string(),
    flink_jars: z.array(z.string()),
    /** Absent: PLAINTEXT. */
    kafka_security: kafkaSecurity().optional(),
    /** Absent: no authentication. */
    cassandra_credentials: cassandraCredentials.optional(),
    // ---- Slurm jobs (issue 11) ----
    min_trials: z.number(),
    preempt_signal: z.string(),
    serving_time: z.string(),
    // ---- end of the Slurm block ----
  })
  .strict();
export type ResolvedOnprem = z.output<typeof resolvedOnprem>;

export const resolvedAws = z
  .object({
    /** Absent: the stack's `aws:region` config decides. */
    region: z.string().optional(),
    /** Absent: Pulumi names the bucket. */
    artifact_bucket: z.string().optional(),
    tags: z.record(z.string(), z.string()),
  })
  .strict();
export type ResolvedAws = z.output<typeof resolvedAws>;

export const resolvedLocal = z
  .object({
    sources: z.record(z.string(), z.string()),
    workdir: z.string(),
    python: z.string().optional(),
    now: z.string().optional(),
  })
  .strict();
export type ResolvedLocal = z.output<typeof resolvedLocal>;

export const resolvedSettings = z.object({ aws: resolvedAws, onprem: resolvedOnprem, local: resolvedLocal }).strict();
export type ResolvedSettings = z.output<typeof resolvedSettings>;

