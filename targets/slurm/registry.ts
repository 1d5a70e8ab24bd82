// Register jobs: the model is copied into the next version of the registry with
// metadata.json describing what it is (framework, entry, task, label, inputs, gates).
import type { NodeOf } from "../../compiler/ir";
import { homeLoc } from "./gates";
import type { Plan } from "./plan";
import { locJson, runStepScript, stepIdentity, type JobBody } from "./render";

export function registerBody(plan: Plan, n: NodeOf<"register">): JobBody {
  const lineage = plan.graph.lineage(n);
  const train = lineage?.train;
  // The model as this (checked, variant-applied) program types it: label and task come from
  // the registered port, never from another variant's train step.
  const model = plan.graph.input(n, "model")?.artifact.model;
  return {
    lines: [runStepScript(plan, "register", n)],
    python: {
      kind: "register",
      config: {
        ...stepIdentity(plan, n),
        home: homeLoc(plan, plan.graph.modelInput(n)),
        name: n.config.name,
        stage: n.config.stage ?? null,
        pipeline_version: plan.ir.pipeline?.settings.version ?? null,
        framework: train ? train.config.framework : null,
        entry: train ? train.config.entry : null,
        task: model?.task ?? null,
        label: model?.label ?? null,
        inputs: (model?.input ?? []).map((c) => ({ name: c.name, type: c.type.kind, nullable: c.type.nullable })),
        gates: (lineage?.gates ?? []).map((g) => plan.slugOf(g)),
        // The tables the model was trained (`train`) and gated (`test`, ...) on, as this run stored them.
        data: Object.fromEntries((train ? plan.channels(train).channels : []).map((ch) => [ch.name, locJson(ch.loc)])),
      },
      doc: "Copies the model into the next version of the registry, with metadata.json.",
    },
  };
}
