// Evaluate jobs: the gate loads the model through its entry script's handlers, scores the
// gate's data and computes each metric itself (mlp_model.py's evaluate: nothing the training
// script wrote is trusted), then checks its `require` lines and fails the job (so afterok
// cancels everything behind it) when one does not hold.
import type { NodeOf, ValidNode } from "../../compiler/ir";
import type { Plan } from "./plan";
import { locJson, runStepScript, stepIdentity, type JobBody } from "./render";
import type { JsonValue } from "./quote";
import { modelContract } from "./training";

export function evaluateBody(plan: Plan, n: NodeOf<"evaluate">): JobBody {
  const train = plan.trainOf(n);
  const data = plan.graph.input(n, "data");
  return {
    lines: [runStepScript(plan, "evaluate", n)],
    python: {
      kind: "evaluate",
      config: {
        ...stepIdentity(plan, n),
        home: homeLoc(plan, plan.graph.modelInput(n)),
        data: locJson(plan.inputLocation(n, "data") ?? { path: "" }),
        requires: n.require.map((r) => ({ metric: r.metric, op: r.op, value: r.value })),
        ...(train ? modelContract(plan, train, data) : {}),
      },
      doc: "Scores the gate's data with the model and computes each metric (mlp_model.py), checks the `require` lines; exits 1 when one fails.",
    },
  };
}

/** The run folder whose `model/` and `output/` a gate or registration reads. */
export function homeLoc(plan: Plan, model: ValidNode | undefined): JsonValue {
  const home = model ? plan.modelHome(model) : undefined;
  return locJson({ env: "MLP_RUN_DIR", path: home ? plan.slugOf(home) : "" });
}
