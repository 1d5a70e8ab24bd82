// Deploy jobs: an endpoint serving job, scheduled batch scoring, and the job that submits a
// stream deployment's Flink job. Models are loaded and scored by mlp_serving.py (the serving
// contract the Flink UDF shares, targets/python/).
import type { NodeOf } from "../../compiler/ir";
import { sqlClientArgs, sqlClientShellArgs } from "../flink/command";
import type { Plan } from "./plan";
import { locJson, runStepScript, stepIdentity, type JobBody } from "./render";
import { sh, type JsonValue } from "./quote";
import { requeueLauncher } from "./requeue";
import { instanceCount } from "./resources";

export function endpointBody(plan: Plan, n: NodeOf<"deploy">): JobBody {
  const tasks = instanceCount(n);
  const lines: string[] = [];
  const inst = n.config.instances;
  if (inst !== undefined && typeof inst !== "number")
    lines.push(`# Autoscaling ${JSON.stringify(inst)} is not available on Slurm: the job serves with the minimum, ${tasks}.`);
  lines.push(
    "# One serving job per endpoint: a newer run's job replaces an older one still serving",
    "# (after it has stopped, so the ports are free). MLP_KEEP_OLD_ENDPOINTS=1 keeps the old one.",
    'if [ "${MLP_KEEP_OLD_ENDPOINTS:-0}" != 1 ] && [ -n "${SLURM_JOB_ID:-}" ]; then',
    '  mapfile -t mlp_old < <(squeue -h -u "$(id -un)" -n "$SLURM_JOB_NAME" -o %i | awk -v me="$SLURM_JOB_ID" \'$1 + 0 < me + 0\')',
    "  if [ ${#mlp_old[@]} -gt 0 ]; then",
    '    echo "mlp: replacing the older serving job(s) ${mlp_old[*]}" >&2',
    '    scancel "${mlp_old[@]}"',
    "    for _ in $(seq 1 120); do",
    '      if [ -z "$(squeue -h -j "$(IFS=,; echo "${mlp_old[*]}")" -o %i 2>/dev/null)" ]; then break; fi',
    "      sleep 1",
    "    done",
    "  fi",
    "fi",
    // Before its time limit the job requeues itself: the endpoint comes back in the same job.
    ...requeueLauncher(),
    // srun does not inherit the job's --cpus-per-task (Slurm 22.05+): name it again.
    `mlp_launch srun --ntasks=${tasks}${n.config.resources?.cpus !== undefined ? ` --cpus-per-task=${n.config.resources.cpus}` : ""} ${runStepScript(plan, "serve", n)}`,
  );
  const model = plan.graph.modelInput(n);
  return {
    lines,
    python: {
      kind: "serve",
      config: { ...stepIdentity(plan, n), model: locJson(model ? plan.location(model) : { path: "" }), entry: entryOf(plan, n), instances: tasks },
      doc: "Serves the model over HTTP: POST /invocations, GET /ping (SageMaker's protocol).",
    },
  };
}

export function batchBody(plan: Plan, n: NodeOf<"deploy">): JobBody {
  const model = plan.graph.modelInput(n);
  return {
    lines: [runStepScript(plan, "score", n)],
    python: {
      kind: "score",
      config: {
        ...stepIdentity(plan, n),
        // Scheduled runs score with the newest model that got through its gates.
        model: locJson({ env: "MLP_LATEST_DIR", path: model ? `${plan.slugOf(model)}/model` : "" }),
        entry: entryOf(plan, n),
        data: locJson(plan.inputLocation(n, "data") ?? { path: "" }),
        output: n.config.output ?? "",
      },
      doc: "Scores the data with the newest gated model, file by file, and writes the scores to `output`.",
    },
  };
}

export function streamDeployBody(plan: Plan, n: NodeOf<"deploy">): JobBody {
  // No MLP_MODEL_PATH: it would pin the job to this run's model, while the scoring function
  // follows the registry's `latest` (named in the SQL) and reloads when a newer model passes.
  const lines: string[] = [];
  lines.push(
    `mlp_sql="$MLP_SLURM_DIR/../flink/"${sh(`${n.id}.sql`)}`,
    `"\${MLP_FLINK_SQL:-sql-client.sh}" ${sqlClientShellArgs(sqlClientArgs(plan.graph.ir, n, plan.graph), sh, '"$MLP_SLURM_DIR/../flink/"', '"$MLP_PROJECT_DIR"/')} -f "$mlp_sql"`,
  );
  return { lines };
}

/** The training entry script whose handlers serve the deployed model. */
function entryOf(plan: Plan, n: NodeOf<"deploy">): JsonValue {
  return plan.graph.lineage(n)?.train.config.entry ?? null;
}
