// The local target's planner: a pure function from the typed IR to a run plan for one
// machine. Data steps become DuckDB SQL through the same lowering as Spark and Flink
// (targets/sql/), so the rows `mlp run` computes are the reference for those dialects;
// model steps become tasks for the Python model runtime (targets/python/mlp_model.py).
// What executes a plan (DuckDB, Python processes, the run folder) lives in compiler/run/.
//
// Every step reads its inputs as relations named after the producing step (`<id>`, or
// `<id>__<port>` for a split's ports) and writes one relation per output port; the engine
// materialises each output (a parquet file in the run folder) and declares it under that
// name for the steps that read it (from memory within a run, compiler/run/session.ts;
// `rowwise` says which steps are cheaper to read as views than as a copy).
import type { IrArtifact, IrColumn, IrDocument, NodeOf, ValidNode } from "../../compiler/ir";
import { json, sortKeys, type JsonValue } from "../../compiler/json-text";
import { graphOf, type IrGraph, columnsOf, isStreamArtifact } from "../../compiler/query";
import { spelledParams, spelledSpace } from "../../compiler/spelling";
import { TargetError } from "../../compiler/target-api";
import { DUCKDB as d, LOCAL_NOW } from "../sql/dialect";
import { Names } from "../sql/names";
import { lowerStep, select, type Rel, type View } from "../sql/steps";
import { modelColumns } from "../python/serving";
import { sortedJson } from "./sorted-json";

/** One output of a step: the relation later steps read it by. */
export interface PlannedOutput {
  port: string;
  /** The relation name (data outputs only). */
  relation?: string;
  artifact: IrArtifact;
  columns: IrColumn[];
}

export interface PlannedInput {
  /** The consuming step's port. */
  port: string;
  step: string;
  fromPort: string;
  relation?: string;
}

interface StepBase {
  id: string;
  kind: ValidNode["kind"];
  inputs: PlannedInput[];
  outputs: PlannedOutput[];
  /** Its SQL reads the run's clock (`now()`, `today()`, a look-back window): the clock is part of its fingerprint. */
  readsClock: boolean;
  /** What makes the step what it is, apart from its inputs (hashed into its fingerprint). */
  definition: string;
}

/** A source: rows read from a local file, checked against the declared schema. */
export interface SourceStep extends StepBase {
  run: "source";
  stream: boolean;
  columns: IrColumn[];
  schemaName: string;
  eventTime?: string;
  /** The production location, shown when no local file is bound. */
  uri?: string;
  topic?: string;
  /** A local path written as the uri (no scheme), relative to the .mlp file. */
  localUri?: string;
}

/** Relational steps: views over the input relations, then one relation per output port. */
export interface SqlStep extends StepBase {
  run: "sql";
  views: View[];
  /** Output port -> the view that holds its rows. */
  results: Record<string, string>;
  /**
   * Each output row is computed from one input row alone (filter, fill, derive, ...; no dedupe,
   * grouping or join): as cheap to compute again as to read back, so the steps after it in the
   * same run may read its views over its input instead of a copy of its rows.
   */
  rowwise: boolean;
}

/** A step of the Python model runtime; `config` is completed with paths by the engine. */
export interface PythonStep extends StepBase {
  run: "python";
  task: "train" | "tune" | "evaluate" | "score" | "notebook";
  config: { [k: string]: JsonValue };
  /** Project files the step runs (entry script, notebook): their content is part of the fingerprint. */
  files: string[];
  /** The model step this one loads (evaluate, score, tune's training). */
  model?: string;
  /** The Python module the framework needs, to pick an interpreter that has it. */
  needs?: string;
}

export interface RegisterStep extends StepBase {
  run: "register";
  name: string;
  stage?: string;
  model: string;
  gates: string[];
  framework: string;
  entry: string;
}

/** An endpoint is served on demand (`mlp serve`); the run records what it would serve. */
export interface EndpointStep extends StepBase {
  run: "endpoint";
  model: string;
}

export type PlannedStep = SourceStep | SqlStep | PythonStep | RegisterStep | EndpointStep;

export interface LocalPlan {
  pipeline: string;
  variant: string | null;
  steps: PlannedStep[];
}

const FRAMEWORK_MODULE: Record<string, string> = { sklearn: "sklearn", xgboost: "xgboost", pytorch: "torch", tensorflow: "tensorflow" };

/** The Python module a framework's entry scripts import, to pick an interpreter that has it. */
export const frameworkModule = (framework: string): string | undefined => FRAMEWORK_MODULE[framework];
const needsOf = (framework: string) => (FRAMEWORK_MODULE[framework] ? { needs: FRAMEWORK_MODULE[framework] } : {});

/** Share of the training rows `tune` holds back to score its trials on (never the gate's test rows). */
export const VALIDATION_FRACTION = 0.2;

/** Buckets of the deterministic split hash, as in the Spark target. */
const BUCKETS = 1_000_000;

export function planLocal(ir: IrDocument): LocalPlan {
  const g = graphOf(ir);
  if (ir.nodes.some((n) => n.kind === "invalid")) throw new TargetError("the pipeline has errors; run `mlp check` first");
  const names = new Names(g.nodes.map((n) => n.id));
  const relations = new Map<string, Rel>();
  const relKey = (step: string, port: string) => `${step}\u0000${port}`;
  const steps: PlannedStep[] = [];

  for (const n of g.inOrder) {
    const inputs: PlannedInput[] = g.inputs(n).map((i) => {
      const rel = relations.get(relKey(i.from.id, i.fromPort));
      return { port: i.port, step: i.from.id, fromPort: i.fromPort, ...(rel ? { relation: rel.name } : {}) };
    });
    const inRels = g.inputs(n).map((i) => relations.get(relKey(i.from.id, i.fromPort)));
    const outputs: PlannedOutput[] = n.ports.outputs.map((o) => ({ port: o.port, artifact: o.artifact, columns: columnsOf(o.artifact) }));
    // The definition is computed when read (lazyDefinition, below), in its place among the keys.
    const base = { id: n.id, kind: n.kind, inputs, outputs, readsClock: false, definition: "" };
    const planned = steps.length;
    const declare = (port: string, rel: Rel) => {
      relations.set(relKey(n.id, port), rel);
      const o = outputs.find((x) => x.port === port);
      if (o) o.relation = rel.name;
    };

    switch (n.kind) {
      case "source": {
        const art = g.output(n);
        const stream = isStreamArtifact(art);
        const columns = columnsOf(art);
        const uri = n.config.uri;
        const local = uri !== undefined && !/^[A-Za-z][A-Za-z0-9+.-]*:/.test(uri) ? uri : uri?.startsWith("file://") ? uri.slice(7) : undefined;
        const step: SourceStep = {
          ...base,
          run: "source",
          stream,
          columns,
          schemaName: art.schema ?? n.id,
          ...(n.config.event_time !== undefined ? { eventTime: n.config.event_time } : art.eventTime !== undefined ? { eventTime: art.eventTime } : {}),
          ...(uri !== undefined ? { uri } : {}),
          ...(n.config.topic !== undefined ? { topic: n.config.topic } : {}),
          ...(local !== undefined ? { localUri: local } : {}),
        };
        steps.push(step);
        declare("out", { name: n.id, columns, ...(step.eventTime ? { eventTime: step.eventTime } : {}) });
        break;
      }
      case "cleanse":
      case "aggregate":
      case "join":
      case "features": {
        const rels = inRels.map((r, i) => {
          if (!r) throw new TargetError(`\`${n.id}\` reads \`${inputs[i]!.step}\`, which produces no data`);
          return r;
        });
        const streaming = g.inputs(n).some((i) => isStreamArtifact(i.artifact));
        const lowered = lowerStep(n, rels, { d, names, streaming });
        const rowwise = n.kind === "features" || (n.kind === "cleanse" && n.ops.every((op) => op.op !== "dedupe"));
        steps.push({ ...base, readsClock: lowered.views.some((v) => readsClock(v.query)), run: "sql", views: lowered.views, results: { out: lowered.out.name }, rowwise });
        declare("out", lowered.out);
        break;
      }
      case "split": {
        const input = inRels[0];
        if (!input) throw new TargetError(`\`${n.id}\` reads no data`);
        const { views, results } = split(n, input, names);
        steps.push({ ...base, run: "sql", views, results, rowwise: false });
        for (const port of ["train", "test"]) declare(port, { name: results[port]!, columns: input.columns });
        break;
      }
      case "train": {
        const data = g.input(n, "data");
        const model = g.output(n).model;
        steps.push({
          ...base,
          run: "python",
          task: "train",
          config: { ...modelConfig(n, model, columnsOf(data?.artifact ?? { type: "Unknown" }), g) },
          files: [n.config.entry],
          ...needsOf(n.config.framework),
        });
        break;
      }
      case "tune": {
        const lineage = g.lineage(n);
        if (!lineage) throw new TargetError(`\`${n.id}\` tunes no training`);
        const train = lineage.train;
        const data = g.input(train, "data");
        const objective = "maximize" in n.config.objective ? { metric: n.config.objective.maximize, direction: "maximize" } : { metric: n.config.objective.minimize, direction: "minimize" };
        steps.push({
          ...base,
          run: "python",
          task: "tune",
          model: train.id,
          config: {
            ...modelConfig(train, g.output(train).model, columnsOf(data?.artifact ?? { type: "Unknown" }), g),
            step: n.id,
            strategy: n.config.strategy,
            trials: n.config.trials,
            parallel: n.config.parallel,
            objective,
            search: n.search.map((s) => [s.param, spelledSpace(n, s.param, s.space)]),
            validation_fraction: VALIDATION_FRACTION,
          },
          files: [train.config.entry],
          ...needsOf(train.config.framework),
        });
        break;
      }
      case "evaluate": {
        const lineage = g.lineage(n);
        const modelStep = g.modelInput(n);
        if (!lineage || !modelStep) throw new TargetError(`\`${n.id}\` evaluates no model`);
        const data = g.input(n, "data");
        steps.push({
          ...base,
          run: "python",
          task: "evaluate",
          model: modelStep.id,
          config: {
            ...modelConfig(lineage.train, g.output(lineage.train).model, columnsOf(data?.artifact ?? { type: "Unknown" }), g),
            step: n.id,
            requires: n.require.map((r) => ({ metric: r.metric, op: r.op, value: r.value })),
          },
          files: [lineage.train.config.entry],
          ...needsOf(lineage.train.config.framework),
        });
        break;
      }
      case "register": {
        const lineage = g.lineage(n);
        const modelStep = g.modelInput(n);
        if (!lineage || !modelStep) throw new TargetError(`\`${n.id}\` registers no model`);
        steps.push({
          ...base,
          run: "register",
          name: n.config.name,
          ...(n.config.stage !== undefined ? { stage: n.config.stage } : {}),
          model: modelStep.id,
          gates: lineage.gates.map((x) => x.id),
          framework: lineage.train.config.framework,
          entry: lineage.train.config.entry,
        });
        break;
      }
      case "deploy": {
        const lineage = g.lineage(n);
        const modelStep = g.modelInput(n);
        if (!lineage || !modelStep) throw new TargetError(`\`${n.id}\` deploys no model`);
        if (n.config.mode === "endpoint") {
          steps.push({ ...base, run: "endpoint", model: modelStep.id });
          break;
        }
        const data = g.input(n, "data");
        const scored = columnsOf(g.output(n));
        steps.push({
          ...base,
          run: "python",
          task: "score",
          model: modelStep.id,
          config: {
            ...modelConfig(lineage.train, g.output(lineage.train).model, columnsOf(data?.artifact ?? { type: "Unknown" }), g),
            step: n.id,
          },
          files: [lineage.train.config.entry],
          ...needsOf(lineage.train.config.framework),
        });
        const o = outputs.find((x) => x.port === "out");
        const eventTime = g.output(n).eventTime;
        if (o) declare("out", { name: n.id, columns: scored, ...(eventTime ? { eventTime } : {}) });
        break;
      }
      case "notebook": {
        steps.push({
          ...base,
          run: "python",
          task: "notebook",
          config: { step: n.id, path: n.config.path, parameters: spelledParams(n, "parameters", n.config.parameters ?? {}) },
          files: [n.config.path],
          needs: "nbclient",
        });
        break;
      }
    }
    for (let i = planned; i < steps.length; i++) lazyDefinition(steps[i]!, n);
  }
  return { pipeline: g.pipelineName, variant: ir.variant ?? null, steps };
}

/**
 * The step's definition, computed on first read: `mlp run` fingerprints every step with it,
 * `mlp compile --target local` never reads it, and for a large pipeline it was most of planning.
 */
function lazyDefinition(step: PlannedStep, n: ValidNode): void {
  const settle = (value: string) => Object.defineProperty(step, "definition", { value, writable: true, enumerable: true, configurable: true });
  Object.defineProperty(step, "definition", {
    enumerable: true,
    configurable: true,
    get: () => {
      const d = definition(n);
      settle(d);
      return d;
    },
    set: settle,
  });
}

/**
 * The split as two views. A row goes to `train` when the hash of the `by` column (of every
 * column without `by`) modulo 1,000,000 is below train * 1,000,000, as on Spark; DuckDB's hash
 * function is not Spark's XXHASH64, so the same data may be divided differently there.
 */
function split(n: NodeOf<"split">, input: Rel, names: Names): { views: View[]; results: Record<string, string> } {
  const threshold = Math.round(n.config.train * BUCKETS);
  const hashed = n.config.by !== undefined ? [n.config.by] : input.columns.map((c) => c.name);
  const bucket = `HASH(${hashed.map((c) => d.ident(c)).join(", ")}) % ${BUCKETS}`;
  const views: View[] = [];
  const results: Record<string, string> = {};
  for (const [port, op] of [["train", "<"], ["test", ">="]] as const) {
    const name = names.fresh(`${n.id}__${port}`);
    views.push({ name, query: select(input.columns.map((c) => ({ name: c.name })), d.ident(input.name), d, [`WHERE ${bucket} ${op} ${threshold}`]) });
    results[port] = name;
  }
  return { views, results };
}

const readsClock = (sql: string) => sql.includes(LOCAL_NOW);

function columnJson(c: IrColumn): JsonValue {
  const t = c.type;
  return { name: c.name, type: t.kind === "null" || t.kind === "unknown" ? "string" : t.kind, nullable: t.nullable };
}

/** What the model runtime needs to know of a training: the contract's environment. */
export function modelConfig(train: NodeOf<"train">, model: IrArtifact["model"], data: IrColumn[], g: IrGraph): { [k: string]: JsonValue } {
  const label = train.config.label;
  const { features, keys } = modelColumns(train, data, g);
  return {
    step: train.id,
    entry: train.config.entry,
    framework: train.config.framework,
    task: model?.task ?? train.config.task ?? "regression",
    label,
    keys,
    features,
    columns: data.map(columnJson),
    hyperparams: spelledParams(train, "hyperparams", train.config.hyperparams ?? {}),
    seed: 0,
  };
}

/** Where a node was written: left out of its definition. */
export const NOT_IN_DEFINITION: ReadonlySet<string> = new Set(["span", "leading", "trailing", "head", "inner", "origin"]);

/** The node without where it was written: moving a step in its file is no change to the step. */
function definition(n: ValidNode): string {
  return sortedJson(n, { ascii: true, skip: NOT_IN_DEFINITION }) ?? definitionCopied(n);
}

/**
 * `definition` by copying (what sortedJson computes in one pass, for nodes it does not take):
 * the reference test/targets/sorted-json.test.ts holds the one-pass writer to.
 */
export function definitionCopied(n: ValidNode): string {
  const strip = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(strip);
    if (v && typeof v === "object") {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) if (!NOT_IN_DEFINITION.has(k)) out[k] = strip(x);
      return out;
    }
    return v;
  };
  return json(sortKeys(strip(n) as JsonValue));
}
