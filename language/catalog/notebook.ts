import * as z from "zod";
import { params, projectFile, resources } from "./values";
import { defineKind } from "./kind";

export const notebook = defineKind({
  kind: "notebook",
  category: "report",
  doc:
    "Runs a Jupyter notebook as a step with papermill: its inputs' locations and `parameters` are " +
    "injected into the notebook at `path`, and the executed notebook is kept as a report.",
  inputs: [{ name: "inputs", accepts: ["Table", "Stream", "Features", "Model", "Endpoint", "Report"], variadic: true, doc: "Anything the notebook reads." }],
  outputs: [{ name: "out", produces: ["Report"], doc: "The executed notebook." }],
  config: () => z
    .object({
      path: projectFile.regex(/\.ipynb$/, { message: "expected a path ending in .ipynb" }).describe("Notebook to run, inside the project"),
      parameters: params.optional().describe("Injected as papermill parameters"),
      resources: resources.optional().describe("Compute for the run"),
    })
    .strict(),
  ops: [],
  columns: false,
  blocks: [],
  sink: true,
});
