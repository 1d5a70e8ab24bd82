import * as z from "zod";
import { name, dataStepResources } from "./values";
import { defineKind } from "./kind";

const fraction = z.number().gt(0, { message: "expected a fraction between 0 and 1" }).lt(1, { message: "expected a fraction between 0 and 1" });

export const split = defineKind({
  kind: "split",
  category: "data",
  doc:
    "Splits batch data into `train` and `test` outputs by fractions that sum to 1. With `by = COL` the " +
    "split is a deterministic hash of that column, so a row always lands on the same side.",
  inputs: [{ name: "data", accepts: ["Table", "Features"], batchOnly: true, doc: "Rows to split." }],
  outputs: [
    { name: "train", produces: ["Table", "Features"], doc: "The training share." },
    { name: "test", produces: ["Table", "Features"], doc: "The held-out share." },
  ],
  config: () => z
    .object({
      train: fraction.describe("Share of rows for training"),
      test: fraction.describe("Share of rows held out"),
      by: name.optional().describe("Column hashed to choose the side"),
      resources: dataStepResources,
    })
    .strict(),
  ops: [],
  columns: false,
  blocks: [],
  sink: false,
});
