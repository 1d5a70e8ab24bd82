import * as z from "zod";
import { cron, dataLocation, positiveInt, resources } from "./values";
import { defineKind } from "./kind";

export const deploy = defineKind({
  kind: "deploy",
  category: "serve",
  doc:
    "Puts a model to work in one of three patterns: `mode = endpoint` serves predictions on demand " +
    "(`instances = N` or an autoscaling range `A..B`); `mode = batch` scores its data input on a cron " +
    "`schedule` and writes to `output`; `mode = stream` scores a streaming input as events arrive and " +
    "publishes to `topic`.",
  inputs: [
    { name: "model", accepts: ["Model"], doc: "The model to serve." },
    { name: "data", accepts: ["Table", "Stream", "Features"], optional: true, doc: "Rows to score (batch and stream modes)." },
  ],
  outputs: [{ name: "out", produces: ["Endpoint", "Table", "Stream"], doc: "An endpoint, scored table or scored stream." }],
  config: () => z
    .object({
      mode: z.enum(["endpoint", "batch", "stream"]).describe("How predictions are served"),
      instances: z
        .union([positiveInt, z.object({ min: positiveInt, max: positiveInt }).strict()])
        .optional()
        .describe("Instance count, or a min..max autoscaling range"),
      resources: resources.optional().describe("Compute per instance"),
      schedule: cron.optional().describe("When batch scoring runs"),
      output: dataLocation.optional().describe("Where batch scores are written"),
      topic: z.string().min(1).optional().describe("Topic stream scores are published to"),
    })
    .strict(),
  ops: [],
  columns: false,
  blocks: [],
  sink: true,
});
