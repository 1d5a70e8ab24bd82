import * as z from "zod";
import { name, params, projectFile, resources } from "./values";
import { defineKind } from "./kind";

export const FRAMEWORKS = ["pytorch", "tensorflow", "xgboost", "sklearn"] as const;

export const train = defineKind({
  kind: "train",
  category: "model",
  doc:
    "Trains a model with the user's `entry` script in any `framework` (pytorch, tensorflow, xgboost, " +
    "sklearn) on batch data. `label` names the target column; the task is inferred from its type " +
    "(bool/enum/string: classification, int/float: regression) unless `task` says otherwise. `resources` " +
    "asks for GPUs, CPUs, nodes, memory and a timeout; `distributed = ddp` or `horovod` trains on several nodes.",
  inputs: [{ name: "data", accepts: ["Table", "Features"], batchOnly: true, doc: "Training data, label included." }],
  outputs: [{ name: "out", produces: ["Model"], doc: "The trained model." }],
  config: () => z
    .object({
      framework: z.enum(FRAMEWORKS).describe("Training framework"),
      entry: projectFile.describe("Path of the training script, inside the project"),
      label: name.describe("Column to predict"),
      task: z.enum(["classification", "regression"]).optional().describe("Inferred from the label when omitted"),
      hyperparams: params.optional().describe("Passed to the script; keys are what tune may search"),
      resources: resources.optional().describe("Compute per training job"),
      distributed: z.enum(["none", "ddp", "horovod"]).default("none").describe("Multi-node strategy"),
    })
    .strict(),
  ops: [],
  columns: false,
  blocks: [],
  sink: false,
});
