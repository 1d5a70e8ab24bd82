// The Python side of `mlp run`'s model steps (mlp_model.py beside this file) as the runner
// sees it: the files to put on PYTHONPATH, the command line, the exit codes and the JSON
// configuration of each kind of step. The runner writes a config, then runs
//   /usr/bin/python3 -u <dir>/mlp_model.py KIND CONFIG.json
// in a scratch folder with <dir> on PYTHONPATH and MLP_PROJECT_DIR set to the .mlp file's
// folder; on failure the last stderr line is `mlp: <cause>`.
import DATA_TEXT from "./mlp_data.py?raw";
import METRICS_TEXT from "./mlp_metrics.py?raw";
import MODEL_TEXT from "./mlp_model.py?raw";
import { SERVING_FILE, SERVING_PY } from "./serving";

/** The script the runner starts; its folder goes on PYTHONPATH. */
export const MODEL_STEP_SCRIPT = "mlp_model.py";

/** Every module mlp_model.py imports (users' entry scripts import mlp_data): written together into one folder. */
export const MODEL_STEP_FILES: readonly { path: string; contents: string }[] = [
  { path: MODEL_STEP_SCRIPT, contents: MODEL_TEXT },
  { path: "mlp_data.py", contents: DATA_TEXT },
  { path: "mlp_metrics.py", contents: METRICS_TEXT },
  { path: SERVING_FILE, contents: SERVING_PY },
];

/** Exit codes besides 0 (done) and 1 (failed; the cause is the last stderr line). */
export const MODEL_STEP_EXIT = { usage: 2, portInUse: 2, gateFailed: 3 } as const;

export type ModelStepKind = "train" | "tune" | "evaluate" | "score" | "notebook" | "serve";

export type ColumnType = "int" | "float" | "bool" | "string" | "enum" | "timestamp" | "date" | "vector";

export interface StepColumn {
  name: string;
  type: ColumnType;
  nullable: boolean;
}

/** Fields every kind reads (paths in `entry` are relative to `project_dir`). */
export interface ModelStepCommon {
  step: string;
  project_dir: string;
  entry?: string;
  framework?: string;
  task?: "classification" | "regression";
  label?: string;
  keys?: string[];
  features?: string[];
  columns?: StepColumn[];
  hyperparams?: Record<string, unknown>;
  seed?: number;
}

export interface TrainConfig extends ModelStepCommon {
  /** Channel name -> folder of CSV (or Parquet) files; SM_CHANNEL_<NAME> for the entry script. */
  channels: Record<string, string>;
  model_dir: string;
  output_dir: string;
}

export type SearchSpec = { choice: unknown[] } | { uniform: [number, number] } | { loguniform: [number, number] } | { intrange: [number, number] };

export interface TuneConfig extends ModelStepCommon {
  channels: { train: string };
  model_dir: string;
  /** Gets tune.json and the best trial's outputs. */
  output_dir: string;
  /** Gets data/{train,validation}/part-0.csv and trials/<n>/. */
  trials_dir: string;
  strategy: "grid" | "random" | "bayesian";
  trials: number;
  parallel: number;
  objective: { metric: string; direction: "maximize" | "minimize" };
  search: [string, SearchSpec][];
  validation_fraction: number;
}

export type GateOp = "==" | "!=" | "<" | "<=" | ">" | ">=";

export interface EvaluateConfig extends ModelStepCommon {
  model_dir: string;
  data: string;
  requires: { metric: string; op: GateOp; value: number }[];
  /** evaluation.json: {step, passed, checks, metrics, rows}. */
  out: string;
}

export interface ScoreConfig extends ModelStepCommon {
  model_dir: string;
  /** A CSV file (or a folder of them) with a header row. */
  input: string;
  output: string;
}

export interface NotebookConfig extends ModelStepCommon {
  path: string;
  parameters: Record<string, unknown>;
  inputs: Record<string, string>;
  out: string;
  timeout: number;
}

export interface ServeConfig extends ModelStepCommon {
  model_dir: string;
  host: string;
  /** 0 picks a free port; stdout's `listening http://HOST:PORT` line names it. */
  port: number;
  name?: string;
  version?: string | number;
}

export interface ModelStepConfigs {
  train: TrainConfig;
  tune: TuneConfig;
  evaluate: EvaluateConfig;
  score: ScoreConfig;
  notebook: NotebookConfig;
  serve: ServeConfig;
}

/** The arguments after the interpreter: `-u <dir>/mlp_model.py KIND CONFIG.json`. */
export function modelStepArgs(dir: string, kind: ModelStepKind, configPath: string): string[] {
  return ["-u", `${dir.replace(/\/+$/, "")}/${MODEL_STEP_SCRIPT}`, kind, configPath];
}

/** The `listening http://HOST:PORT` line `serve` prints once bound: the URL, or undefined. */
export function listeningUrl(line: string): string | undefined {
  const m = /^listening (http:\/\/\S+:\d+)\s*$/.exec(line);
  return m ? m[1] : undefined;
}
