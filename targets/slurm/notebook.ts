// Notebook jobs: papermill runs the notebook with its parameters and where its inputs are.
import type { NodeOf } from "../../compiler/ir";
import type { Plan } from "./plan";
import { locJson, runStepScript, stepIdentity, type JobBody } from "./render";
import type { JsonValue } from "./quote";
import { spelledParams } from "../../compiler/spelling";

export function notebookBody(plan: Plan, n: NodeOf<"notebook">): JobBody {
  const inputs: JsonValue[] = plan.graph
    .inputs(n)
    .map((i) => [i.fromPort === "out" ? i.from.id : `${i.from.id}.${i.fromPort}`, locJson(plan.location(i.from, i.fromPort))]);
  return {
    lines: [runStepScript(plan, "notebook", n)],
    python: {
      kind: "notebook",
      config: { ...stepIdentity(plan, n), path: n.config.path, parameters: spelledParams(n, "parameters", n.config.parameters ?? {}), inputs },
      doc: "Runs the notebook with papermill, its parameters and input locations injected.",
    },
  };
}
