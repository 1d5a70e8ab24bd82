import * as z from "zod";
import { dataLocation, duration, name, dataStepResources } from "./values";
import { defineKind } from "./kind";

export const source = defineKind({
  kind: "source",
  category: "data",
  doc:
    "Reads data into the pipeline. Declare what it produces: `Table<S>` for batch data at a `uri` " +
    "(parquet, csv, json or delta files), or `Stream<S>` for events on a `topic`, ordered by the " +
    "`event_time` column and accepting events up to `lateness` late.",
  inputs: [],
  outputs: [{ name: "out", produces: ["Table", "Stream"], doc: "The declared table or stream." }],
  config: () => z
    .object({
      uri: dataLocation.optional().describe("Where the table's files are (tables)"),
      format: z.enum(["parquet", "csv", "json", "delta", "avro"]).describe("File or message format"),
      topic: z.string().min(1).optional().describe("Topic the events arrive on (streams)"),
      event_time: name.optional().describe("Timestamp column that orders events (streams)"),
      lateness: duration.optional().describe("How late an event may arrive (streams)"),
      schema_registry: z
        .string()
        .regex(/^https?:\/\/[^\s;\\'"]+$/, "expected an http:// or https:// URL")
        .optional()
        .describe("Confluent Schema Registry URL of an avro stream: its messages are Confluent-registry Avro (a schema id before each record), not plain Avro records"),
      resources: dataStepResources,
    })
    .strict(),
  ops: [],
  columns: false,
  blocks: [],
  sink: false,
});
