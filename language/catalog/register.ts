import * as z from "zod";
import { defineKind } from "./kind";

export const register = defineKind({
  kind: "register",
  category: "model",
  doc:
    "Registers the model as a new version under `name` in the model registry, optionally in a `stage` " +
    "(staging or production). Deployments read the registered version.",
  inputs: [{ name: "model", accepts: ["Model"], doc: "The model to register." }],
  outputs: [{ name: "out", produces: ["Model"], doc: "The registered, versioned model." }],
  config: () => z
    .object({
      name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, { message: "expected a registry name (letters, digits, _ . -)" }).describe("Model name in the registry"),
      stage: z.enum(["staging", "production"]).optional().describe("Lifecycle stage of the new version"),
    })
    .strict(),
  ops: [],
  columns: false,
  blocks: [],
  sink: true,
});
