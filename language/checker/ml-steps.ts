// Rules of the model steps: labels and tasks, metrics, search spaces, gates and the
// three deployment patterns.
import type * as A from "../ast";
import { CLASSIFICATION_METRICS, REGRESSION_METRICS } from "../catalog/evaluate";
import { searchSpace, SEARCH_FUNCTIONS } from "../catalog/tune";
import { decode, DecodeError, exprAt, type Value } from "../catalog/values";
import { didYouMean } from "../diagnostics/diagnostic";
import { fits, isStreaming, Schema, showArtifact, showType, UNKNOWN, withNullable, type Artifact, type ColumnType, type Task } from "../types";
import { issueMessage } from "./config";
import { isData } from "./data-steps";
import type { KindContext, KindRules } from "./steps";

type Model = Artifact & { kind: "Model" };
const isModel = (a: Artifact | undefined): a is Model => a?.kind === "Model";

const METRICS: Record<Task, readonly string[]> = { classification: CLASSIFICATION_METRICS, regression: REGRESSION_METRICS };
const ALL_METRICS = [...CLASSIFICATION_METRICS, ...REGRESSION_METRICS];
/** Metrics that are fractions; a gate outside [0, 1] can never, or always, pass. */
const UNIT_METRICS = new Set(["accuracy", "auc", "precision", "recall", "f1"]);

const inputName = (c: KindContext, port: string) => c.step.inputs.find((i) => i.port === port)?.ref.step.name ?? port;

function inferTask(t: ColumnType): Task | undefined {
  if (t.kind === "bool" || t.kind === "enum" || t.kind === "string") return "classification";
  if (t.kind === "int" || t.kind === "float") return "regression";
  return undefined;
}

function fitsTask(t: ColumnType, task: Task): boolean {
  if (t.kind === "unknown") return true;
  return task === "classification" ? ["bool", "enum", "string", "int"].includes(t.kind) : ["int", "float"].includes(t.kind);
}

/** Reports a metric that does not exist or does not fit the model's task. */
function checkMetric(c: KindContext, metric: string, at: A.Expr | A.Ident, model: Model | undefined): boolean {
  if (!ALL_METRICS.includes(metric as never)) {
    c.report("MLP0404", at.span, `unknown metric \`${metric}\``, { help: didYouMean(metric, ALL_METRICS) ?? `the metrics are ${ALL_METRICS.join(", ")}` });
    return false;
  }
  if (model && !METRICS[model.task].includes(metric)) {
    const other = model.task === "classification" ? "regression" : "classification";
    c.report("MLP0404", at.span, `metric \`${metric}\` is for ${other}, but \`${inputName(c, "model")}\` is a ${model.task} model (label \`${model.label}\` is ${showType(model.labelType)})`, {
      help: `${model.task} metrics are ${METRICS[model.task].join(", ")}`,
    });
    return false;
  }
  return true;
}

const train: KindRules = (c) => {
  const data = c.input("data");
  const { framework, distributed, label, task, hyperparams } = c.config;
  const dist = c.attr("distributed");
  if (dist && typeof distributed === "string" && distributed !== "none" && typeof framework === "string" && framework !== "pytorch" && framework !== "tensorflow") {
    c.report("MLP0409", dist.value.span, `\`distributed = ${distributed}\` needs pytorch or tensorflow, but \`${c.step.name}\` uses ${framework}`, {
      help: framework === "xgboost" ? "xgboost scales with more cpus on one node; remove `distributed`" : "remove `distributed`",
    });
  }
  if (!isData(data) || typeof label !== "string") return UNKNOWN;
  const labelAttr = c.attr("label")!;
  const col = data.schema.get(label);
  const from = inputName(c, "data");
  if (!col) {
    c.report("MLP0401", labelAttr.value.span, `label \`${label}\` is not a column of \`${from}\``, {
      label: "not in the training data",
      help: didYouMean(label, data.schema.names()) ?? (data.kind === "Features" ? `carry it into the features with \`keep ${label}\`` : undefined),
    });
    return UNKNOWN;
  }
  if (col.type.nullable) {
    c.report("MLP0402", labelAttr.value.span, `label \`${label}\` may be null`, { help: `fill it in a cleanse step (\`fill ${label} = ...\`), or drop unlabelled rows with \`filter ${label} is not null\`` });
  }
  const declaredTask = typeof task === "string" ? (task as Task) : undefined;
  const inferred = declaredTask ?? inferTask(col.type);
  if (!inferred || !fitsTask(col.type, inferred)) {
    const at = declaredTask ? c.attr("task")!.value : labelAttr.value;
    c.report("MLP0403", at.span, declaredTask ? `label \`${label}\` (${showType(col.type)}) does not fit ${declaredTask}` : `label \`${label}\` is ${showType(col.type)}; a label must be a bool, enum, string or number`, {
      help: declaredTask ? (declaredTask === "classification" ? "classification needs a bool, enum, string or int label" : "regression needs an int or float label") : undefined,
    });
    return UNKNOWN;
  }
  const keys = data.kind === "Features" ? data.keys : [];
  const input = new Schema(data.schema.columns.filter((x) => x.name !== label && !keys.includes(x.name)));
  const hp = hyperparams && typeof hyperparams === "object" && !Array.isArray(hyperparams) ? Object.keys(hyperparams) : [];
  return { kind: "Model", input, label, labelType: withNullable(col.type, false), task: inferred, hyperparams: hp, gated: false };
};

const tune: KindRules = (c) => {
  const model = c.input("model");
  const m = isModel(model) ? model : undefined;
  const { objective, strategy, trials, parallel } = c.config;
  const objAttr = c.attr("objective");
  if (objAttr && objective && typeof objective === "object" && !Array.isArray(objective)) {
    const metric = (objective.maximize ?? objective.minimize) as string;
    const at = objAttr.value.kind === "call" && objAttr.value.args[0] ? objAttr.value.args[0].value : objAttr.value;
    checkMetric(c, metric, at, m);
  }
  if (typeof trials === "number" && typeof parallel === "number" && parallel > trials)
    c.report("MLP0408", c.attr("parallel")!.value.span, `\`parallel = ${parallel}\` is more than \`trials = ${trials}\``, { help: `at most ${trials} trials can run at once` });
  const blocks = c.body.body.filter((s): s is A.Block => s.kind === "block" && s.name.name === "search");
  if (blocks.length === 0) c.report("MLP0210", c.step.decl.name.span, `tune \`${c.step.name}\` needs a \`search { ... }\` block`, { help: "e.g. `search { lr = loguniform(1e-5, 1e-2) }`" });
  const seen = new Set<string>();
  for (const block of blocks) {
    for (const st of block.body) {
      if (st.kind !== "attr") {
        c.report("MLP0215", st.kind === "column" || st.kind === "block" ? st.name.span : st.keyword, "a search block holds `name = distribution(...)` entries only");
        continue;
      }
      if (seen.has(st.name.name)) c.report("MLP0217", st.name.span, `\`${st.name.name}\` is searched twice`);
      seen.add(st.name.name);
      checkSearchEntry(c, st, m, strategy);
    }
  }
  return m ?? UNKNOWN;
};

function checkSearchEntry(c: KindContext, st: A.Attr, m: Model | undefined, strategy: Value | undefined): void {
  const hp = st.name.name;
  if (m && !m.hyperparams.includes(hp)) {
    c.report("MLP0405", st.name.span, `\`${hp}\` is not a hyperparameter of \`${inputName(c, "model")}\``, {
      help: didYouMean(hp, m.hyperparams) ?? `add it to \`hyperparams\` of the train step${m.hyperparams.length ? ` (it has ${m.hyperparams.join(", ")})` : ""}`,
    });
  }
  const v = st.value;
  if (v.kind !== "call" || !(SEARCH_FUNCTIONS as readonly string[]).includes(v.callee.name)) {
    const name = v.kind === "call" ? v.callee.name : undefined;
    c.report(name ? "MLP0212" : "MLP0310", v.kind === "call" ? v.callee.span : v.span, name ? `unknown search distribution \`${name}\`` : `\`${hp}\` needs a distribution`, {
      help: (name && didYouMean(name, SEARCH_FUNCTIONS)) || `use ${SEARCH_FUNCTIONS.map((f) => f + "(...)").join(", ")}`,
    });
    return;
  }
  if (strategy === "grid" && v.callee.name !== "choice") {
    c.report("MLP0407", v.callee.span, `grid search enumerates values, so \`${hp}\` needs choice(...), not ${v.callee.name}(...)`, { help: "use `strategy = random` or `bayesian` for continuous ranges" });
    return;
  }
  let value: Value;
  try {
    value = decode(v);
  } catch (e) {
    if (e instanceof DecodeError) c.report("MLP0310", e.span, e.message || `invalid \`${hp}\``);
    return;
  }
  const r = searchSpace().safeParse(value);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    const path = issue.code === "invalid_union" ? [] : issue.path.slice(1);
    const args = v.callee.name === "choice" ? "a list of values" : v.callee.name === "intrange" ? "two whole numbers" : "two numbers";
    c.report("MLP0310", exprAt(v, [v.callee.name, ...path]).span, `\`${v.callee.name}\` takes ${args}${issue.code === "invalid_union" ? "" : `: ${issueMessage(issue)}`}`);
    return;
  }
  if (v.callee.name === "choice") return;
  const [lo, hi] = (value as Record<string, [number, number]>)[v.callee.name]!;
  if (!(lo < hi)) c.report("MLP0406", v.span, `the range of \`${hp}\` is empty: ${lo} is not below ${hi}`, { help: "write the lower bound first" });
  else if (v.callee.name === "loguniform" && lo <= 0)
    c.report("MLP0406", v.args[0]!.value.span, `loguniform bounds must be positive, found ${lo}`, { help: "a log scale never reaches 0; start at a small positive value such as 1e-6" });
}

/** The data a model step reads must carry the columns the model was trained on. */
function checkModelColumns(c: KindContext, m: Model, data: Artifact, port: string, withLabel: boolean): void {
  if (!isData(data)) return;
  const from = inputName(c, port);
  const at = c.step.inputs.find((i) => i.port === port)!.ref.step.span;
  if (withLabel && !data.schema.has(m.label)) c.report("MLP0401", at, `\`${from}\` has no label column \`${m.label}\` to evaluate against`);
  const missing = m.input.columns.filter((col) => !data.schema.has(col.name));
  if (missing.length) {
    c.report("MLP0301", at, `\`${from}\` lacks ${missing.length === 1 ? "column" : "columns"} ${missing.map((x) => `\`${x.name}\``).join(", ")} that \`${inputName(c, "model")}\` reads`, {
      help: "score with data shaped like the training data (re-apply its steps with `use`)",
    });
    return;
  }
  for (const col of m.input.columns) {
    const got = data.schema.get(col.name)!;
    if (!fits(withNullable(got.type, false), withNullable(col.type, false))) {
      c.report("MLP0302", at, `column \`${col.name}\` is ${showType(got.type)} in \`${from}\`, but the model was trained on ${showType(col.type)}`);
      return;
    }
  }
}

const evaluate: KindRules = (c) => {
  const model = c.input("model");
  const data = c.input("data");
  const m = isModel(model) ? model : undefined;
  const requires = c.ops("require");
  if (requires.length === 0)
    c.report("MLP0210", c.step.decl.name.span, `evaluate \`${c.step.name}\` gates nothing`, { help: "add at least one `require METRIC >= NUMBER`" });
  for (const r of requires) {
    const ok = checkMetric(c, r.metric.name, r.metric, m);
    if (r.value.kind !== "number") c.report("MLP0302", r.value.span, `\`require\` compares the metric with a number`);
    else if (ok && UNIT_METRICS.has(r.metric.name) && (r.value.value < 0 || r.value.value > 1))
      c.report("MLP0310", r.value.span, `\`${r.metric.name}\` lies between 0 and 1, so this gate ${r.op.startsWith(">") ? "can never pass" : "always passes"}`);
  }
  if (!m) return UNKNOWN;
  if (data) checkModelColumns(c, m, data, "data", true);
  return { ...m, gated: true };
};

const register: KindRules = (c) => {
  const model = c.input("model");
  return isModel(model) ? model : UNKNOWN;
};

const deploy: KindRules = (c) => {
  const model = c.input("model");
  const data = c.input("data");
  const dataRef = c.step.inputs.find((i) => i.port === "data");
  const m = isModel(model) ? model : undefined;
  const mode = c.config.mode;
  const not = (attrs: string[], why: string) => {
    for (const n of attrs) {
      const a = c.attr(n);
      if (a) c.report("MLP0209", a.name.span, `\`${n}\` ${why}`);
    }
  };
  const need = (n: string, example: string) => {
    if (!c.attr(n)) c.report("MLP0210", c.step.decl.name.span, `${mode} deployment \`${c.step.name}\` needs \`${n}\``, { help: `add \`${n} = ${example}\`` });
  };
  let out: Artifact = UNKNOWN;
  if (mode === "endpoint") {
    if (dataRef) c.report("MLP0213", dataRef.ref.span, "an endpoint answers requests; it takes no data input", { help: "use `mode = batch` to score a table" });
    not(["schedule", "output", "topic"], "applies to batch or stream deployments, not to an endpoint");
    out = { kind: "Endpoint" };
  } else if (mode === "batch") {
    if (!dataRef) c.report("MLP0412", c.step.decl.name.span, `batch deployment \`${c.step.name}\` needs data to score`, { help: `add it as the second input: deploy ${c.step.name}(model, table)` });
    else if (data && isStreaming(data)) c.report("MLP0412", dataRef.ref.step.span, `batch deployment needs batch data, but \`${dataRef.ref.step.name}\` is streaming`, { help: "use `mode = stream`" });
    need("schedule", 'cron("0 5 * * *")');
    need("output", '"s3://bucket/scores/"');
    not(["topic"], "applies to stream deployments");
    if (isData(data) && m) out = { kind: "Table", schema: scored(data.schema, m) };
  } else if (mode === "stream") {
    if (!dataRef) c.report("MLP0411", c.step.decl.name.span, `stream deployment \`${c.step.name}\` needs a streaming input to score`);
    else if (data && data.kind !== "Unknown" && !isStreaming(data))
      c.report("MLP0411", dataRef.ref.step.span, `stream deployment needs streaming data, but \`${dataRef.ref.step.name}\` is ${showArtifact(data)} (batch)`, { help: "use `mode = batch` for batch data" });
    need("topic", '"scores"');
    not(["schedule", "output"], "applies to batch deployments");
    // Scores keep the events' time, so a window downstream of the scored stream has one to use.
    if (isData(data) && m) {
      const eventTime = data.kind !== "Table" && data.eventTime !== "prediction" ? data.eventTime : undefined;
      out = eventTime ? { kind: "Stream", schema: scored(data.schema, m), eventTime } : { kind: "Stream", schema: scored(data.schema, m) };
    }
  }
  const inst = c.config.instances;
  if (inst && typeof inst === "object" && !Array.isArray(inst) && (inst.min as number) > (inst.max as number))
    c.report("MLP0310", c.attr("instances")!.value.span, `instance range ${inst.min}..${inst.max} runs backwards`);
  if (m && data && mode !== "endpoint") checkModelColumns(c, m, data, "data", false);
  if (m && !m.gated) {
    c.report("MLP0601", c.step.decl.name.span, `\`${c.step.name}\` deploys \`${inputName(c, "model")}\`, which no evaluate step gates`, {
      help: `add \`evaluate gate(${inputName(c, "model")}, holdout) { require ... }\` and deploy the gate`,
    });
  }
  return out;
};

/** Scored rows: the input columns plus `prediction` (the label's type). */
function scored(schema: Schema, m: Model): Schema {
  return new Schema([...schema.columns.filter((x) => x.name !== "prediction"), { name: "prediction", type: m.labelType }]);
}

const notebook: KindRules = () => ({ kind: "Report" });

export const ML_STEPS = { train, tune, evaluate, register, deploy, notebook } satisfies Record<string, KindRules>;
