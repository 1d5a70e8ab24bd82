import * as z from "zod";
import { defineKind } from "./kind";

export const CLASSIFICATION_METRICS = ["accuracy", "auc", "precision", "recall", "f1", "log_loss"] as const;
export const REGRESSION_METRICS = ["rmse", "mae", "r2", "mape"] as const;

export const evaluate = defineKind({
  kind: "evaluate",
  category: "model",
  doc:
    "Scores a model on held-out data and gates it: every `require METRIC OP NUMBER` must hold or the " +
    "pipeline stops here, so nothing downstream (registration, deployment) sees a model that failed. " +
    "Metrics must fit the task: accuracy, auc, precision, recall, f1, log_loss for classification; rmse, mae, r2, mape for regression.",
  inputs: [
    { name: "model", accepts: ["Model"], doc: "The model to score." },
    { name: "data", accepts: ["Table", "Features"], batchOnly: true, doc: "Labelled evaluation data." },
  ],
  outputs: [{ name: "out", produces: ["Model"], doc: "The same model, marked as gated." }],
  config: () => z.object({}).strict(),
  ops: ["require"],
  columns: false,
  blocks: [],
  sink: false,
});
