// The small programs the generated project ships next to the SQL, kept as real files so
// Python's own tools (and `node --check`) read them: the Glue runner, the training entry
// wrapper and the gate job, the Lambda functions (metrics for gates, online feature writer, stream scorer), the
// notebook runner, the Flink runner and the Flink packaging script. They are fixed text:
// everything a step needs arrives as job arguments, environment variables or JSON files,
// never as code, so no .mlp text can end up executed.
import flinkPackager from "./package.mjs?raw";
import flinkRunner from "./flink_run_sql.py?raw";
import glueRunner from "./glue_run_sql.py?raw";
import trainingEntry from "./mlp_entry.py?raw";
import gateRunner from "./mlp_gate.py?raw";
import endpointHandlers from "./mlp_endpoint.py?raw";
import readMetrics from "./read_metrics.py?raw";
import notebookRunner from "./run_notebook.py?raw";
import scoreStream from "./score_stream.py?raw";
import writeFeatures from "./write_features.py?raw";
import mlpData from "../../python/mlp_data.py?raw";
import mlpMetrics from "../../python/mlp_metrics.py?raw";
import mlpModel from "../../python/mlp_model.py?raw";
import mlpServing from "../../python/mlp_serving.py?raw";

export const GLUE_RUNNER = glueRunner;
export const TRAINING_ENTRY = trainingEntry;
export const GATE_RUNNER = gateRunner;
/** The SageMaker handlers an endpoint runs where the container's defaults do not fit (TensorFlow). */
export const ENDPOINT_HANDLERS = endpointHandlers;

/**
 * mlp's Python model runtime (targets/python/), shipped beside every training's code: what entry
 * scripts import (mlp_data), and what the entry wrapper and the gates score and measure with.
 */
export const MODEL_RUNTIME: Readonly<Record<string, string>> = {
  "mlp_data.py": mlpData,
  "mlp_metrics.py": mlpMetrics,
  "mlp_model.py": mlpModel,
  "mlp_serving.py": mlpServing,
};
export const READ_METRICS = readMetrics;
export const WRITE_FEATURES = writeFeatures;
export const SCORE_STREAM = scoreStream;
export const NOTEBOOK_RUNNER = notebookRunner;
export const FLINK_RUNNER = flinkRunner;
export const FLINK_PACKAGER = flinkPackager;

/** Every shipped script by its file name here (the tests compile each one). */
export const SHIPPED: Readonly<Record<string, string>> = {
  "glue_run_sql.py": glueRunner,
  "mlp_entry.py": trainingEntry,
  "mlp_gate.py": gateRunner,
  "mlp_endpoint.py": endpointHandlers,
  "read_metrics.py": readMetrics,
  "write_features.py": writeFeatures,
  "score_stream.py": scoreStream,
  "run_notebook.py": notebookRunner,
  "flink_run_sql.py": flinkRunner,
  "package.mjs": flinkPackager,
};

/**
 * The regular expression SageMaker reads a metric from the training log with; mlp_entry.py
 * prints `mlp-metric NAME=VALUE` lines in exactly this shape.
 */
export const metricRegex = (metric: string) => `mlp-metric ${metric}=([-+]?[0-9]*\\.?[0-9]+(?:[eE][-+]?[0-9]+)?)`;

/** A jar on Maven Central. */
export interface MavenJar {
  group: string;
  artifact: string;
  version: string;
}

export const jarName = (j: MavenJar) => `${j.artifact}-${j.version}.jar`;

/** Apache Flink's Kinesis SQL connector, bundled into each application's zip. */
export const FLINK_CONNECTOR: MavenJar = { group: "org.apache.flink", artifact: "flink-sql-connector-kinesis", version: "5.0.0-1.20" };

/** The Avro formats of Flink 1.20: plain Avro (`'format' = 'avro'`), and Avro with a Confluent Schema Registry (`avro-confluent`). */
export const FLINK_AVRO: MavenJar = { group: "org.apache.flink", artifact: "flink-sql-avro", version: "1.20.0" };
export const FLINK_AVRO_CONFLUENT: MavenJar = { group: "org.apache.flink", artifact: "flink-sql-avro-confluent-registry", version: "1.20.0" };

/** The jar a job's zip carries in lib/ when it needs several: package.mjs merges them into it. */
export const MERGED_FLINK_JAR = "mlp-flink-dependencies.jar";

/** The Managed Flink runtime the connector above is built for. */
export const FLINK_RUNTIME = "FLINK-1_20";
