// The serving contract every target that scores with a trained model shares: where the newest
// good model of a step is, and the Python that loads it with the training entry script's
// handlers (mlp_serving.py beside this file). The Slurm target ships mlp_serving.py next to
// its runtime; the Flink target's UDF carries it inside its single -pyfs file.
import type { IrColumn, NodeOf } from "../../compiler/ir";
import type { IrGraph } from "../../compiler/query";
import { upstreamOf } from "../order";
import SERVING_TEXT from "./mlp_serving.py?raw";

/** The module's file name as shipped; Python imports it as `mlp_serving`. */
export const SERVING_FILE = "mlp_serving.py";
export const SERVING_PY: string = SERVING_TEXT;

/** The Flink stream deployments' scoring UDF: its module file and the function Flink SQL registers. */
export const UDF_FILE = "mlp_flink.py";
export const UDF_FUNCTION = "mlp_flink.predict";

/**
 * Under `model_dir` (MLP_MODEL_DIR at run time), per pipeline:
 *   <pipeline>/runs/<run>/<step>/model   what a run's model step produced
 *   <pipeline>/latest/<step>             the newest good one (a gate publishes it only when it passes)
 * `step` is the step's file-safe name (the Slurm target's job name).
 */
export function latestModelPath(modelDir: string, pipeline: string, step: string): string {
  return `${modelDir}/${pipeline}/latest/${step}/model`;
}

/**
 * The columns a model trained by `train` reads, in the order it was trained on, from the
 * columns of its data: all but the label and the keys. Keys are the key columns of the feature
 * sets the training read (and a split's `by`): identifiers, never features, even when a join
 * or a cleanse made a plain table of them. Every target sends a model these columns only:
 * `mlp run` (modelConfig), the Flink UDF.
 */
export function modelColumns(train: NodeOf<"train">, data: readonly IrColumn[], g: IrGraph): { features: string[]; keys: string[] } {
  const label = train.config.label;
  const present = keysAbove(train, g).filter((k) => data.some((c) => c.name === k) && k !== label);
  return { features: data.map((c) => c.name).filter((c) => c !== label && !present.includes(c)), keys: present };
}

/**
 * The key columns upstream of a training, in dependency order: computed once per graph and
 * training, as every step of its model (train, tune, gates, deployments) asks in every target.
 */
const keysByTrain = new WeakMap<IrGraph, Map<NodeOf<"train">, readonly string[]>>();
function keysAbove(train: NodeOf<"train">, g: IrGraph): readonly string[] {
  let byTrain = keysByTrain.get(g);
  if (!byTrain) keysByTrain.set(g, (byTrain = new Map()));
  let keys = byTrain.get(train);
  if (keys) return keys;
  const found: string[] = [];
  const upstream = upstreamOf(train, g);
  for (const m of upstream) if (m.kind === "features") for (const k of m.key) if (!found.includes(k)) found.push(k);
  for (const m of upstream) if (m.kind === "split" && m.config.by !== undefined && !found.includes(m.config.by)) found.push(m.config.by);
  byTrain.set(train, (keys = found));
  return keys;
}

const IMPORT_LINE = /^from mlp_serving import [^\n]*\n/m;

/**
 * `py` as one self-contained module: its `from mlp_serving import ...` line replaced by the
 * serving module's code, for a runtime that ships a single file.
 */
export function withServingInlined(py: string): string {
  if (!IMPORT_LINE.test(py)) throw new Error("no `from mlp_serving import` line to replace");
  const body = SERVING_PY.replace(/^"""[\s\S]*?"""\n/, "").trim();
  return py.replace(IMPORT_LINE, () => `# ---------- mlp_serving (the serving contract, written in) ----------\n${body}\n\n# ---------- end of mlp_serving ----------\n`);
}
