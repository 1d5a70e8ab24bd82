// Settings of the pipeline block and of the `target` blocks. Platform engineers own
// the target blocks; each target reads its settings through these schemas.
import { z } from "zod";
import { cron } from "./values";

export const pipelineSettings = z
  .object({
    version: z.string().min(1).optional().describe("Version of the pipeline definition"),
    owner: z.string().min(1).optional().describe("Who to contact"),
    description: z.string().optional().describe("What the pipeline is for"),
    schedule: cron.optional().describe("When the training pipeline runs"),
  })
  .strict();

const hostPort = z.string().regex(/^[A-Za-z0-9.-]+:\d+$/, { message: "expected host:port" });

export const awsSettings = z
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

export const onpremSettings = z
  .object({
    spark_master: z.string().min(1).optional().describe("Spark master URL for spark-submit"),
    slurm_partition: z.string().min(1).optional().describe("Slurm partition for jobs"),
    slurm_account: z.string().min(1).optional().describe("Slurm account to charge"),
    kafka: z.string().min(1).optional().describe("Kafka bootstrap servers"),
    feature_store: z
      .object({ cassandra: z.object({ hosts: z.array(hostPort).min(1), keyspace: z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/) }).strict() })
      .strict()
      .optional()
      .describe("Online feature store"),
    model_dir: z.string().min(1).optional().describe("Shared directory for models and the registry"),
  })
  .strict();

export const TARGET_SETTINGS = { aws: awsSettings, onprem: onpremSettings } as const;
export type TargetName = keyof typeof TARGET_SETTINGS;

export const layoutPosition = z.object({ x: z.number(), y: z.number() }).strict();
