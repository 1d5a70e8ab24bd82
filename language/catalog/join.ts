import { z } from "zod";
import { name } from "./values";
import { defineKind } from "./kind";

export const joinOn = z.union([
  name,
  z.object({ op: z.literal("=="), left: name, right: name }).strict(),
]);

export const join = defineKind({
  kind: "join",
  category: "data",
  doc:
    "Joins two batch tables `on` a shared column (`on = id`) or a pair (`on = left_id == right_id`). " +
    "`type = left` keeps every left row and makes the right side's columns nullable. Columns other " +
    "than the key may not appear on both sides: rename one first.",
  inputs: [
    { name: "left", accepts: ["Table", "Features"], batchOnly: true, doc: "Left side." },
    { name: "right", accepts: ["Table", "Features"], batchOnly: true, doc: "Right side." },
  ],
  outputs: [{ name: "out", produces: ["Table"], doc: "Left columns followed by the right side's." }],
  config: z
    .object({
      on: joinOn.describe("Join key: a column on both sides, or `left_col == right_col`"),
      type: z.enum(["inner", "left"]).default("inner").describe("inner keeps matches only; left keeps every left row"),
    })
    .strict(),
  ops: [],
  columns: false,
  blocks: [],
  sink: false,
});
