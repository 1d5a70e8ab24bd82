import * as z from "zod";
import { duration, dataStepResources } from "./values";
import { defineKind } from "./kind";

export const features = defineKind({
  kind: "features",
  category: "data",
  doc:
    "Computes a keyed feature set: `key COLS` identify an entity, `keep COLS` carry columns unchanged " +
    "(labels), and `COL: TYPE = EXPR` define features. Without `store` they feed later steps only; " +
    "`store = offline` keeps them as a feature table and `store = online(ttl: 7d)` also serves them from the " +
    "online feature store; on a stream the features are updated as events arrive.",
  inputs: [{ name: "data", accepts: ["Table", "Stream"], doc: "Rows to compute features from." }],
  outputs: [{ name: "out", produces: ["Features"], doc: "Keys, kept columns and features." }],
  config: () => z
    .object({
      store: z
        .union([z.literal("offline"), z.object({ online: z.object({ ttl: duration }).strict() }).strict()])
        .optional()
        .describe("Keep as a feature table (offline) or also serve online(ttl: DURATION); omit for intermediate features"),
      resources: dataStepResources,
    })
    .strict(),
  ops: ["key", "keep"],
  columns: true,
  blocks: [],
  sink: false,
});
