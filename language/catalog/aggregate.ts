import * as z from "zod";
import { duration, name, dataStepResources } from "./values";
import { defineKind } from "./kind";

export const aggregate = defineKind({
  kind: "aggregate",
  category: "data",
  doc:
    "Groups rows `by` key columns and computes `COL: TYPE = AGG(...)` with count, count_distinct, sum, " +
    "avg, min and max. `window` is a tumbling event-time window on streams (adding `window_start` and " +
    "`window_end`) and a look-back period on tables, over the `time` column (default: the stream's " +
    "event time, else the table's only timestamp column). On a table, `every` makes the look-back " +
    "window hop: one row per key and window, windows starting at multiples of `every` since the epoch, " +
    "with `window_start` and `window_end` (the moment the values became known): training features " +
    "as they were at each point in time.",
  inputs: [{ name: "data", accepts: ["Table", "Stream"], doc: "The rows to group." }],
  outputs: [{ name: "out", produces: ["Table", "Stream"], doc: "One row per group (and window)." }],
  config: () => z
    .object({
      window: duration.optional().describe("Tumbling window (streams) or look-back period (tables)"),
      time: name.optional().describe("Timestamp column the window is measured on"),
      every: duration.optional().describe("Hop of a table window: one row per key every this long (history for training)"),
      resources: dataStepResources,
    })
    .strict(),
  ops: ["by"],
  columns: true,
  blocks: [],
  sink: false,
});
