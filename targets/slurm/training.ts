// Train and tune jobs: the training contract (SageMaker's SM_* conventions, see README.md),
// how the entry script is launched (one process, torchrun for ddp, MPI for horovod), and the
// tuning array's configuration.
import type { IrArtifact, NodeOf } from "../../compiler/ir";
import { columnsOf } from "../../compiler/query";
import { modelConfig, VALIDATION_FRACTION } from "../local/plan";
import type { Channel, Plan } from "./plan";
import { entrySh, locJson, locSh, runStepScript, stepIdentity, type JobBody, type StepPython } from "./render";
import { json, sh, sortKeys, type JsonValue } from "./quote";
import { plainJson } from "../local/sorted-json";
import { requeueLauncher } from "./requeue";
import { trainCpusPerTask } from "./resources";
import { spelledParams, spelledSpace } from "../../compiler/spelling";

export function trainBody(plan: Plan, n: NodeOf<"train">): JobBody {
  const l = launch(n);
  return {
    lines: [
      ...contract(plan, n, plan.slugOf(n), true),
      "",
      ...requeueLauncher(),
      ...l.prep,
      `mlp_launch ${l.command}`,
      // The model's signature (mlp_model.json: label, features, columns, task) beside it, as on every target.
      `"$MLP_PYTHON" "$MLP_SLURM_DIR/mlp_runtime.py" signature "$SM_MODEL_DIR" ${sh(n.config.entry)}`,
      `"$MLP_PYTHON" "$MLP_SLURM_DIR/mlp_runtime.py" publish ${sh(plan.slugOf(n))} "$MLP_STEP_DIR"`,
    ],
  };
}

export function tuneBody(plan: Plan, n: NodeOf<"tune">): JobBody {
  const train = plan.trainOf(n);
  if (!train) return { lines: ['echo "mlp: this tune step has no train step to repeat" >&2', "exit 2"], python: tunePython(plan, n) };
  const l = launch(train);
  return {
    // Each trial gets its own checkpoint folder (trials/<i>/checkpoint, set by the trial script).
    lines: [...contract(plan, train, plan.slugOf(n), false), "", ...requeueLauncher(), ...l.prep, `mlp_launch ${runStepScript(plan, "tune", n, " trial --")} ${l.command}`],
    python: tunePython(plan, n),
  };
}

export function tuneSelectBody(plan: Plan, n: NodeOf<"tune">): JobBody {
  return { lines: [runStepScript(plan, "tune", n, " select")] };
}

/** Hyperparameters as the training gets them (numbers spelled as written: `0.0` stays a float). */
export function hyperparams(train: NodeOf<"train">): { [k: string]: JsonValue } {
  return spelledParams(train, "hyperparams", train.config.hyperparams ?? {});
}

/** The keys of a model step's configuration that describe the model (the contract's MLP_* settings). */
const MODEL_KEYS = ["entry", "framework", "task", "label", "keys", "features", "columns", "seed"] as const;

/**
 * What the model runtime (mlp_model.py) knows of a training: entry, framework, task, label,
 * key, feature and column names, computed as the local target computes them (modelConfig in
 * targets/local/plan.ts). `data` is the step whose data the model reads: the training's own
 * input by default, a gate's data for a gate (its columns give the features).
 */
export function modelContract(plan: Plan, train: NodeOf<"train">, data?: { artifact: IrArtifact }): { [k: string]: JsonValue } {
  const g = plan.graph;
  const input = data ?? g.input(train, "data");
  const all = modelConfig(train, g.output(train).model, columnsOf(input?.artifact ?? { type: "Unknown" }), g);
  const out: { [k: string]: JsonValue } = {};
  for (const k of MODEL_KEYS) out[k] = all[k] ?? null;
  return out;
}

/** SM_* variables of the training contract that do not change between trials. */
function contract(plan: Plan, train: NodeOf<"train">, stepDir: string, withHps: boolean): string[] {
  const res = train.config.resources ?? {};
  const { channels } = plan.channels(train);
  const lines = [`MLP_STEP_DIR="$MLP_RUN_DIR"/${sh(stepDir)}`];
  lines.push(`export SM_CHANNELS=${sh(json(channels.map((c) => c.name)))}`);
  for (const c of channels) lines.push(`export ${channelVar(c)}=${locSh(c.loc)}`);
  if (withHps) {
    lines.push(`export SM_HPS=${sh(json(sortKeys(hyperparams(train))))}`);
    lines.push('export SM_MODEL_DIR="$MLP_STEP_DIR/model"', 'export SM_OUTPUT_DATA_DIR="$MLP_STEP_DIR/output"');
    // Outlives a requeue (the same run and step folder): an entry that saves checkpoints there resumes.
    lines.push('export MLP_CHECKPOINT_DIR="$MLP_STEP_DIR/checkpoint"', 'export SM_CHECKPOINT_DIR="$MLP_CHECKPOINT_DIR"');
    lines.push('mkdir -p "$SM_MODEL_DIR" "$SM_OUTPUT_DATA_DIR" "$MLP_CHECKPOINT_DIR"');
  }
  lines.push(`export SM_NUM_GPUS=${res.gpus ?? 0}`);
  lines.push(res.cpus !== undefined ? `export SM_NUM_CPUS=${res.cpus}` : 'export SM_NUM_CPUS="${SLURM_CPUS_ON_NODE:-1}"');
  const m = modelContract(plan, train);
  lines.push(`export MLP_LABEL=${sh(typeof m.label === "string" ? m.label : "")}`);
  lines.push(`export MLP_FEATURES=${sh(json(m.features ?? []))}`);
  lines.push(`export MLP_KEYS=${sh(json(m.keys ?? []))}`);
  lines.push(`export MLP_TASK=${sh(typeof m.task === "string" ? m.task : "")}`);
  lines.push(`export MLP_FRAMEWORK=${sh(train.config.framework)}`);
  lines.push(`export MLP_COLUMNS=${sh(plainJson(m.columns ?? []))}`);
  lines.push(`export MLP_SEED=${typeof m.seed === "number" ? m.seed : 0}`);
  // The entry script imports mlp_data (shipped here) wherever it runs.
  lines.push('export PYTHONPATH="$MLP_SLURM_DIR${PYTHONPATH:+:$PYTHONPATH}"');
  lines.push(`mlp_entry=${entrySh(train.config.entry)}`);
  return lines;
}

/** The command that starts the entry script: directly, or srun + torchrun (ddp), or srun with MPI (horovod). */
function launch(train: NodeOf<"train">): { prep: string[]; command: string } {
  const res = train.config.resources ?? {};
  const nodes = res.nodes ?? 1;
  const perNode = Math.max(1, res.gpus ?? 0);
  const entry = '"$MLP_SLURM_DIR/mlp_runtime.py" entry "$mlp_entry"';
  // srun does not inherit the job's --cpus-per-task (Slurm 22.05+): without it each task gets one CPU.
  const c = trainCpusPerTask(train);
  const cpus = c === undefined ? "" : ` --cpus-per-task=${c}`;
  switch (train.config.distributed) {
    case "ddp":
      return {
        // A port per job, so two jobs sharing a head node do not collide.
        prep: ['mlp_head="$(scontrol show hostnames "$SLURM_JOB_NODELIST" | head -n 1)"', 'mlp_port="${MLP_RDZV_PORT:-$((29500 + SLURM_JOB_ID % 1000))}"'],
        command:
          `srun --nodes=${nodes} --ntasks=${nodes} --ntasks-per-node=1${cpus} "\${MLP_TORCHRUN:-torchrun}" --nnodes=${nodes} --nproc_per_node=${perNode}` +
          ` --rdzv_id="$SLURM_JOB_ID" --rdzv_backend=c10d --rdzv_endpoint="$mlp_head:$mlp_port" ${entry}`,
      };
    case "horovod":
      return { prep: [], command: `srun --mpi="\${MLP_SRUN_MPI:-pmi2}" --nodes=${nodes} --ntasks=${nodes * perNode} --ntasks-per-node=${perNode}${cpus} "$MLP_PYTHON" ${entry}` };
    default:
      return { prep: [], command: `"$MLP_PYTHON" ${entry}` };
  }
}

/** The training data (the `train` channel), where the tune carves its validation split from. */
function trainData(plan: Plan, train: NodeOf<"train">): JsonValue {
  const c = plan.channels(train).channels.find((x) => x.name === "train");
  return c ? locJson(c.loc) : null;
}

function channelVar(c: Channel): string {
  return `SM_CHANNEL_${c.name.toUpperCase()}`;
}

/** Trials the array runs: a grid runs each combination once (at most `trials`). */
export function tuneTrials(n: NodeOf<"tune">): number {
  const trials = Math.max(1, n.config.trials);
  if (n.config.strategy !== "grid") return trials;
  let size = 1;
  for (const { space } of n.search) {
    if (!("choice" in space)) continue;
    size *= Math.max(1, space.choice.length);
    if (size >= trials) return trials;
  }
  return Math.min(trials, size);
}

function tunePython(plan: Plan, n: NodeOf<"tune">): StepPython {
  const train = plan.trainOf(n);
  const objective = n.config.objective;
  const config: JsonValue = {
    ...stepIdentity(plan, n),
    strategy: n.config.strategy,
    trials: tuneTrials(n),
    // A failed trial is recorded and skipped; the selection fails when fewer than this succeeded.
    min_trials: Math.min(plan.settings.minTrials, tuneTrials(n)),
    objective: "maximize" in objective ? { metric: objective.maximize, direction: "maximize" } : { metric: objective.minimize, direction: "minimize" },
    search: n.search.map(({ param, space }) => [param, spelledSpace(n, param, space)]),
    hyperparams: train ? hyperparams(train) : {},
    train: train ? train.id : null,
    // Trials are scored by mlp on a validation split carved from the training data, never on a gate's data.
    train_data: train ? trainData(plan, train) : null,
    validation_fraction: VALIDATION_FRACTION,
    ...(train ? modelContract(plan, train) : {}),
  };
  return {
    kind: "tune",
    config,
    doc: "Picks one trial's hyperparameters per array task, runs the training with them and scores it on the validation split; `select` keeps the best.",
  };
}

export function trainShape(n: NodeOf<"train">): string {
  const res = n.config.resources ?? {};
  const nodes = res.nodes ?? 1;
  const where = `${nodes} node${nodes === 1 ? "" : "s"}${res.gpus ? ` x ${res.gpus} GPU${res.gpus === 1 ? "" : "s"}` : ""}`;
  const how = n.config.distributed === "ddp" ? "torchrun (ddp)" : n.config.distributed === "horovod" ? "horovod over MPI" : "one process";
  return `${how} on ${where}`;
}
