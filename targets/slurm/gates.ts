// Evaluate jobs: the gate checks its `require` lines against the metrics the training wrote
// and fails the job (so afterok cancels everything behind it) when one does not hold.
import type { NodeOf, ValidNode } from "../../compiler/ir";
import type { Plan } from "./plan";
import { locJson, runStepScript, stepIdentity, type JobBody } from "./render";
import type { JsonValue } from "./quote";

export function evaluateBody(plan: Plan, n: NodeOf<"evaluate">): JobBody {
  const train = plan.trainOf(n);
  const channel = (train && plan.channels(train).gateChannel.get(n.id)) ?? "test";
  return {
    lines: [runStepScript(plan, "evaluate", n)],
    python: {
      kind: "evaluate",
      config: {
        ...stepIdentity(plan, n),
        home: homeLoc(plan, plan.graph.modelInput(n)),
        channel,
        requires: n.require.map((r) => ({ metric: r.metric, op: r.op, value: r.value })),
      },
      doc: "Checks the gate's `require` lines against the metrics the training wrote; exits 1 when one fails.",
    },
  };
}

/** The run folder whose `model/` and `output/` a gate or registration reads. */
export function homeLoc(plan: Plan, model: ValidNode | undefined): JsonValue {
  const home = model ? plan.modelHome(model) : undefined;
  return locJson({ env: "MLP_RUN_DIR", path: home ? plan.slugOf(home) : "" });
}
