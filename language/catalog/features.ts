import { z } from "zod";
import { duration } from "./values";
import { defineKind } from "./kind";

export const featureStore = z.union([z.literal("offline"), z.object({ online: z.object({ ttl: duration }).strict() }).strict()]);

export const features = defineKind({
  kind: "features",
  doc:
    "Computes a keyed feature set: `key COLS` identify an entity, `keep COLS` carry columns unchanged " +
    "(labels), and `COL: TYPE = EXPR` define features. `store = online(ttl: 7d)` also serves them from the " +
    "online feature store; on a stream the features are updated as events arrive.",
  inputs: [{ name: "data", accepts: ["Table", "Stream"], doc: "Rows to compute features from." }],
  outputs: [{ name: "out", produces: ["Features"], doc: "Keys, kept columns and features." }],
  config: z
    .object({
      store: featureStore.optional().describe("offline (default) or online(ttl: DURATION)"),
    })
    .strict(),
  ops: ["key", "keep"],
  columns: true,
  blocks: [],
  sink: false,
});
