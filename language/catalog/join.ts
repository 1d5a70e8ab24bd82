import * as z from "zod";
import { duration, name, dataStepResources } from "./values";
import { defineKind } from "./kind";

/** Each side's key column as `on` names it: `on = id` both, `on = a == b` one each (as decoded, before validation). */
export function joinKeys(on: unknown): { left: string; right: string } | undefined {
  if (typeof on === "string") return { left: on, right: on };
  if (on && typeof on === "object" && !Array.isArray(on)) {
    const pair = on as { left?: unknown; right?: unknown };
    return { left: pair.left as string, right: pair.right as string };
  }
  return undefined;
}

export const join = defineKind({
  kind: "join",
  category: "data",
  doc:
    "Joins two batch tables `on` a shared column (`on = id`) or a pair (`on = left_id == right_id`). " +
    "`type = left` keeps every left row and makes the right side's columns nullable. Columns other " +
    "than the key may not appear on both sides: rename one first. `asof = left_time >= right_time` " +
    "makes it point-in-time: each left row meets the latest right row (same key) at or before its " +
    "time, optionally no older than `within`; the right side must be unique per key and time.",
  inputs: [
    { name: "left", accepts: ["Table", "Features"], batchOnly: true, doc: "Left side." },
    { name: "right", accepts: ["Table", "Features"], batchOnly: true, doc: "Right side." },
  ],
  outputs: [{ name: "out", produces: ["Table"], doc: "Left columns followed by the right side's." }],
  config: () => z
    .object({
      on: z
        .union([name, z.object({ op: z.literal("=="), left: name, right: name }).strict()])
        .describe("Join key: a column on both sides, or `left_col == right_col`"),
      type: z.enum(["inner", "left"]).default("inner").describe("inner keeps matches only; left keeps every left row"),
      // Every comparison is read: the checker accepts only `>=` (backward as-of) and says why.
      asof: z
        .object({ op: z.enum(["==", "!=", "<", "<=", ">", ">="]), left: name, right: name })
        .strict()
        .optional()
        .describe("Point-in-time join: `left_time >= right_time` takes the latest right row at or before each left row"),
      within: duration.optional().describe("With `asof`: right rows older than the left row's time minus this do not match"),
      resources: dataStepResources,
    })
    .strict(),
  ops: [],
  columns: false,
  blocks: [],
  sink: false,
});
