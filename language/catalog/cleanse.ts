import * as z from "zod";
import { defineKind } from "./kind";
import { dataStepResources } from "./values";

export const cleanse = defineKind({
  kind: "cleanse",
  category: "data",
  doc:
    "Cleans a table or stream with ordered operations: `filter EXPR` keeps matching rows, " +
    "`fill COL = EXPR` replaces nulls (the column becomes non-null), `drop`, `rename A -> B`, " +
    "`cast COL as TYPE`, `dedupe by COLS [keep latest|earliest COL]` and `derive COL = EXPR` for a new column.",
  inputs: [{ name: "data", accepts: ["Table", "Stream"], doc: "The rows to clean." }],
  outputs: [{ name: "out", produces: ["Table", "Stream"], doc: "Same kind as the input, with the new schema." }],
  config: () => z.object({ resources: dataStepResources }).strict(),
  ops: ["filter", "fill", "drop", "rename", "cast", "dedupe", "derive"],
  columns: false,
  blocks: [],
  sink: false,
});
