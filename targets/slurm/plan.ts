// Planning: which Slurm jobs a pipeline becomes, what each one waits for, and where
// every artifact lives at run time. Rendering (index.ts) only formats this plan.
import type { IrArtifact, IrDocument, IrEdge, IrExpr, IrNode, IrStmt } from "../../compiler/ir";
import { dirname, normalize } from "../../language/paths";
import { fnv, RawNumber, slugOf, type JsonValue } from "./quote";

/** Kinds whose batch outputs the spark target computes (one `spark/<id>.sql` each). */
export const DATA_KINDS = ["source", "cleanse", "aggregate", "join", "features", "split"] as const;

const isData = (n: IrNode) => (DATA_KINDS as readonly string[]).includes(n.kind);
const isStreamingArtifact = (a: IrArtifact | undefined) => !!a && (a.type === "Stream" || (a.type === "Features" && a.streaming === true));
const isBatchArtifact = (a: IrArtifact | undefined) => !!a && (a.type === "Table" || (a.type === "Features" && a.streaming !== true));

/** A node is a spark data job iff it is a data kind whose output is a Table or batch Features. */
export function isBatchDataStep(n: IrNode): boolean {
  return isData(n) && isBatchArtifact(n.ports.outputs[0]?.artifact);
}

/** A node belongs to a flink job iff it is a data kind whose output is a Stream or streaming Features. */
export function isStreamingDataStep(n: IrNode): boolean {
  return isData(n) && isStreamingArtifact(n.ports.outputs[0]?.artifact);
}

/**
 * Where something lives at run time: `path` alone is a literal location (a source's
 * uri); with `env` it is `$env/path`, under one of the directories the jobs export.
 */
export interface Loc {
  env?: "MLP_DATA_DIR" | "MLP_RUN_DIR" | "MLP_LATEST_DIR" | "MLP_PROJECT_DIR";
  path: string;
}

export type JobRole =
  | "data"
  | "flink"
  | "train"
  | "tune"
  | "tune-select"
  | "evaluate"
  | "register"
  | "endpoint"
  | "batch"
  | "stream-deploy"
  | "notebook";

export interface Job {
  /** Unique key, also the script's base name. */
  key: string;
  role: JobRole;
  node: IrNode;
  script: string;
  /** Jobs this one waits for (afterok). */
  deps: string[];
  /** Submitted by submit.sh; false for scheduled batch deployments (they run from schedule.scrontab). */
  inDag: boolean;
}

export interface Channel {
  name: string;
  loc: Loc;
}

export interface Settings {
  partition?: string;
  account?: string;
  sparkMaster?: string;
  /** Shared folder for models and the registry (`model_dir`). */
  modelDir: string;
  /** Where the Spark jobs' tables live (the warehouse). */
  dataDir: string;
}

export class Plan {
  readonly nodes: IrNode[];
  readonly byId = new Map<string, IrNode>();
  readonly slug = new Map<string, string>();
  readonly index = new Map<string, number>();
  readonly inputs = new Map<string, IrEdge[]>();
  readonly outputs = new Map<string, IrEdge[]>();
  readonly jobs: Job[] = [];
  /** The job whose success makes a node's output available to later jobs. */
  private readonly finalJob = new Map<string, string>();
  readonly pipeline: string;
  readonly settings: Settings;

  constructor(readonly ir: IrDocument) {
    // Shadow nodes (repeated declarations, an error) never reach a target; keep real ones.
    this.nodes = ir.nodes.filter((n) => n.kind !== "" && !n.id.includes("~"));
    this.pipeline = ir.pipeline?.name ?? (baseName(ir.file).replace(/\.mlp$/, "").replace(/[^A-Za-z0-9_]/g, "_") || "pipeline");
    const onprem = ir.targets.find((t) => t.name === "onprem")?.settings as Record<string, unknown> | undefined;
    const str = (k: string) => (typeof onprem?.[k] === "string" ? (onprem[k] as string) : undefined);
    const trim = (p: string) => (p.length > 1 ? p.replace(/\/+$/, "") : p);
    // Defaults shared with the SQL targets (targets/sql/graph.ts onpremSettings).
    const warehouse = trim(str("warehouse") ?? `/srv/mlp/${this.pipeline}/warehouse`);
    this.settings = {
      partition: str("slurm_partition"),
      account: str("slurm_account"),
      sparkMaster: str("spark_master"),
      modelDir: trim(str("model_dir") ?? `/srv/mlp/${this.pipeline}/models`),
      dataDir: warehouse.startsWith("file://") ? warehouse.slice("file://".length) : warehouse,
    };

    const taken = new Set<string>(["submit", "schedule", "mlp_runtime"]);
    this.nodes.forEach((n, i) => {
      this.byId.set(n.id, n);
      this.index.set(n.id, i);
      let s = slugOf(n.id);
      for (let k = 2; taken.has(s); k++) s = `${slugOf(n.id)}_${k}`;
      taken.add(s);
      this.slug.set(n.id, s);
      this.inputs.set(n.id, []);
      this.outputs.set(n.id, []);
    });
    for (const e of ir.edges) {
      if (!this.byId.has(e.from.node) || !this.byId.has(e.to.node)) continue;
      this.inputs.get(e.to.node)!.push(e);
      this.outputs.get(e.from.node)!.push(e);
    }
    this.build();
  }

  slugOf(n: IrNode): string {
    return this.slug.get(n.id)!;
  }

  input(n: IrNode, port: string): IrNode | undefined {
    const e = this.inputs.get(n.id)!.find((x) => x.to.port === port);
    return e ? this.byId.get(e.from.node) : undefined;
  }

  inputEdge(n: IrNode, port: string): IrEdge | undefined {
    return this.inputs.get(n.id)!.find((x) => x.to.port === port);
  }

  consumers(n: IrNode): IrNode[] {
    return this.outputs.get(n.id)!.map((e) => this.byId.get(e.to.node)!);
  }

  /** The train step whose configuration a model-producing step trains with. */
  baseTrain(n: IrNode, seen = new Set<string>()): IrNode | undefined {
    if (seen.has(n.id)) return undefined;
    seen.add(n.id);
    if (n.kind === "train") return n;
    if (n.kind === "tune" || n.kind === "evaluate" || n.kind === "register") {
      const m = this.input(n, "model");
      return m ? this.baseTrain(m, seen) : undefined;
    }
    return undefined;
  }

  /** The step whose run directory holds a model's `model/` and `output/` (evaluate passes its input through). */
  modelHome(n: IrNode, seen = new Set<string>()): IrNode | undefined {
    if (seen.has(n.id)) return undefined;
    seen.add(n.id);
    if (n.kind === "train" || n.kind === "tune" || n.kind === "register") return n;
    if (n.kind === "evaluate") {
      const m = this.input(n, "model");
      return m ? this.modelHome(m, seen) : undefined;
    }
    return undefined;
  }

  /** A train step that only feeds tune steps runs as the tune's trials, not on its own. */
  trainRunsAlone(n: IrNode): boolean {
    const cs = this.consumers(n);
    return cs.length === 0 || cs.some((c) => c.kind !== "tune");
  }

  /** Where the output on `port` of `n` lives at run time, for channels, scoring and notebooks. */
  location(n: IrNode, port = "out"): Loc {
    const out = n.ports.outputs.find((o) => o.port === port)?.artifact ?? n.ports.outputs[0]?.artifact;
    // Every batch data step, sources included (a typed snapshot of the uri), is stored by its
    // Spark job under the warehouse: <id>/, or <id>/<port>/ for a split (targets/spark).
    if (isBatchDataStep(n)) return { env: "MLP_DATA_DIR", path: n.kind === "split" ? `${n.id}/${port}` : n.id };
    // Streams are Kafka topics: a source's own, or the one the flink target publishes a step to.
    if (n.kind === "source" && typeof n.config.topic === "string") return { path: n.config.topic };
    if (isData(n)) return { path: `mlp-${this.pipeline}-${n.id}` };
    if (out?.type === "Model") {
      const home = this.modelHome(n);
      return { env: "MLP_RUN_DIR", path: `${home ? this.slugOf(home) : this.slugOf(n)}/model` };
    }
    if (n.kind === "deploy" && n.config.mode === "batch" && typeof n.config.output === "string") return projectPath(n.config.output);
    if (n.kind === "deploy" && n.config.mode === "stream" && typeof n.config.topic === "string") return { path: n.config.topic };
    if (n.kind === "deploy") return { env: "MLP_RUN_DIR", path: `${this.slugOf(n)}/endpoints` };
    if (n.kind === "notebook") return { env: "MLP_RUN_DIR", path: `${this.slugOf(n)}/${basename(String(n.config.path ?? "report.ipynb"))}` };
    return { env: "MLP_RUN_DIR", path: this.slugOf(n) };
  }

  /** The node's own body, or for `use X = Y(...)` the body of Y (what is re-applied). */
  body(n: IrNode, seen = new Set<string>()): IrStmt[] {
    if (n.body.length || !n.use || seen.has(n.id)) return n.body;
    seen.add(n.id);
    const of = this.nodes.find((m) => m.name === n.use && !m.use) ?? this.nodes.find((m) => m.name === n.use);
    return of && of !== n ? this.body(of, seen) : n.body;
  }

  attr(n: IrNode, name: string): IrExpr | undefined {
    const s = this.body(n).find((x) => x.kind === "attr" && x.name === name);
    return s && s.kind === "attr" ? s.value : undefined;
  }

  /** Hyperparameters as written (numbers keep their spelling: `0.0` stays a float). */
  hyperparams(train: IrNode): { [k: string]: JsonValue } {
    const e = this.attr(train, "hyperparams");
    const fromConfig = (train.config.hyperparams ?? {}) as { [k: string]: JsonValue };
    if (!e || e.kind !== "object") return { ...fromConfig };
    const out: { [k: string]: JsonValue } = {};
    for (const en of e.entries) out[en.key] = literal(en.value) ?? fromConfig[en.key] ?? null;
    // A variant may have changed config without the body (defensive): config wins on mismatch.
    for (const [k, v] of Object.entries(fromConfig)) if (!(k in out) || !same(out[k]!, v)) out[k] = v;
    return out;
  }

  /** tune's `search { hp = fn(...) }`, in order, as `{ fn: args }`. */
  search(tune: IrNode): [string, { [fn: string]: JsonValue[] }][] {
    const block = this.body(tune).find((s) => s.kind === "block" && s.name === "search");
    if (!block || block.kind !== "block") return [];
    const out: [string, { [fn: string]: JsonValue[] }][] = [];
    for (const s of block.body) {
      if (s.kind !== "attr" || s.value.kind !== "call") continue;
      const args = s.value.args.map((a) => literal(a.value));
      if (args.some((a) => a === undefined)) continue;
      out.push([s.name, { [s.value.callee]: args as JsonValue[] }]);
    }
    return out;
  }

  /** The evaluate steps that gate a model trained by `train`, in node order. */
  gatesOf(train: IrNode): IrNode[] {
    const out: IrNode[] = [];
    const seen = new Set<string>();
    const walk = (n: IrNode) => {
      for (const c of this.consumers(n)) {
        if (seen.has(c.id)) continue;
        const e = this.inputs.get(c.id)!.find((x) => x.from.node === n.id);
        if (e?.to.port !== "model") continue;
        if (!["tune", "evaluate", "register"].includes(c.kind)) continue;
        seen.add(c.id);
        if (c.kind === "evaluate") out.push(c);
        walk(c);
      }
    };
    walk(train);
    return out.sort((a, b) => this.index.get(a.id)! - this.index.get(b.id)!);
  }

  /** Nodes reachable downstream of `n`. */
  downstream(n: IrNode): Set<string> {
    const seen = new Set<string>();
    const stack = [n];
    while (stack.length) {
      const x = stack.pop()!;
      for (const c of this.consumers(x)) if (!seen.has(c.id)) (seen.add(c.id), stack.push(c));
    }
    return seen;
  }

  /**
   * The data channels of a training: `train` (its input), then the held-out data of the
   * evaluate steps that gate it: the first distinct location is `test`, further ones
   * are named after their evaluate step. Data computed from the model itself is left out.
   */
  channels(train: IrNode): { channels: Channel[]; gateChannel: Map<string, string>; producers: IrNode[] } {
    const channels: Channel[] = [];
    const gateChannel = new Map<string, string>();
    const producers: IrNode[] = [];
    const dataEdge = this.inputEdge(train, "data");
    if (dataEdge) {
      const from = this.byId.get(dataEdge.from.node)!;
      channels.push({ name: "train", loc: this.location(from, dataEdge.from.port) });
    }
    const below = this.downstream(train);
    for (const g of this.gatesOf(train)) {
      const e = this.inputEdge(g, "data");
      if (!e) continue;
      const from = this.byId.get(e.from.node)!;
      if (below.has(from.id)) continue;
      const loc = this.location(from, e.from.port);
      const existing = channels.find((c) => c.name !== "train" && c.loc.env === loc.env && c.loc.path === loc.path);
      if (existing) {
        gateChannel.set(g.id, existing.name);
        continue;
      }
      const name = channels.some((c) => c.name === "test") ? channelName(g.id, channels) : "test";
      channels.push({ name, loc });
      gateChannel.set(g.id, name);
      producers.push(from);
    }
    return { channels, gateChannel, producers };
  }

  /** Jobs that must have succeeded before the output of `n` can be read. */
  private ready(n: IrNode, seen = new Set<string>()): string[] {
    const f = this.finalJob.get(n.id);
    if (f !== undefined) return f === "" ? [] : [f];
    if (seen.has(n.id)) return [];
    seen.add(n.id);
    const out = new Set<string>();
    for (const e of this.inputs.get(n.id)!) for (const j of this.ready(this.byId.get(e.from.node)!, seen)) out.add(j);
    return [...out];
  }

  private depsOf(nodes: IrNode[], exclude: string[] = []): string[] {
    const out = new Set<string>();
    for (const n of nodes) for (const e of this.inputs.get(n.id)!) for (const j of this.ready(this.byId.get(e.from.node)!)) out.add(j);
    for (const x of exclude) out.delete(x);
    return [...out];
  }

  /**
   * Flink jobs of streaming data steps, as the flink target makes them (one per streaming
   * sink): every streaming `features` step, and every other non-source streaming step that
   * nothing or some non-streaming step consumes. Stream deployments are flink jobs too, with
   * a job of their own here (they wait for their model).
   */
  flinkSinks(): IrNode[] {
    return this.nodes.filter((n) => {
      if (!isStreamingDataStep(n)) return false;
      if (n.kind === "features") return true;
      if (n.kind === "source") return false;
      const cs = this.consumers(n);
      return cs.length === 0 || cs.some((c) => !isStreamingDataStep(c) && !(c.kind === "deploy" && c.config.mode === "stream"));
    });
  }

  private build(): void {
    const jobs: Job[] = [];
    const add = (j: Omit<Job, "script" | "inDag"> & { inDag?: boolean }) => {
      const job: Job = { ...j, script: `${j.key}.sbatch`, inDag: j.inDag ?? true };
      jobs.push(job);
      return job;
    };
    // Streaming steps: nothing waits on them (they run continuously), so no final job.
    for (const n of this.nodes) if (isStreamingDataStep(n)) this.finalJob.set(n.id, "");
    for (const n of this.flinkSinks()) add({ key: this.slugOf(n), role: "flink", node: n, deps: [] });
    // Final jobs first (dependencies are resolved lazily through `ready`).
    for (const n of this.nodes) {
      const s = this.slugOf(n);
      if (isBatchDataStep(n)) this.finalJob.set(n.id, s);
      else if (n.kind === "train" && this.trainRunsAlone(n)) this.finalJob.set(n.id, s);
      else if (n.kind === "tune") this.finalJob.set(n.id, `${s}.select`);
      else if (["evaluate", "register", "notebook"].includes(n.kind)) this.finalJob.set(n.id, s);
      else if (n.kind === "deploy") this.finalJob.set(n.id, n.config.mode === "batch" ? "" : s);
    }
    for (const n of this.nodes) {
      const s = this.slugOf(n);
      if (isBatchDataStep(n)) add({ key: s, role: "data", node: n, deps: this.depsOf([n]) });
      else if (n.kind === "train" && this.trainRunsAlone(n)) {
        const extra = this.channels(n).producers.flatMap((p) => this.ready(p));
        add({ key: s, role: "train", node: n, deps: uniq([...this.depsOf([n]), ...extra]) });
      } else if (n.kind === "tune") {
        const train = this.baseTrain(n);
        const model = this.input(n, "model");
        const fromModel = model ? this.ready(model) : [];
        const extra = train ? this.channels(train).producers.flatMap((p) => this.ready(p)) : [];
        add({ key: s, role: "tune", node: n, deps: uniq([...fromModel, ...extra]) });
        add({ key: `${s}.select`, role: "tune-select", node: n, deps: [s] });
      } else if (n.kind === "evaluate") add({ key: s, role: "evaluate", node: n, deps: this.depsOf([n]) });
      else if (n.kind === "register") add({ key: s, role: "register", node: n, deps: this.depsOf([n]) });
      else if (n.kind === "notebook") add({ key: s, role: "notebook", node: n, deps: this.depsOf([n]) });
      else if (n.kind === "deploy") {
        const mode = n.config.mode;
        if (mode === "batch") add({ key: s, role: "batch", node: n, deps: [], inDag: false });
        else if (mode === "stream") add({ key: s, role: "stream-deploy", node: n, deps: this.depsOf([n]) });
        else add({ key: s, role: "endpoint", node: n, deps: this.depsOf([n]) });
      }
    }
    // Dependency order (Kahn), ties broken by the order the steps are written in.
    const byKey = new Map(jobs.map((j, i) => [j.key, i]));
    for (const j of jobs) j.deps = j.deps.filter((d) => byKey.has(d) && d !== j.key).sort((a, b) => byKey.get(a)! - byKey.get(b)!);
    const waiting = jobs.map((j) => j.deps.length);
    const dependents = jobs.map(() => [] as number[]);
    jobs.forEach((j, i) => j.deps.forEach((d) => dependents[byKey.get(d)!]!.push(i)));
    const ready = new MinHeap();
    waiting.forEach((w, i) => w === 0 && ready.push(i));
    const placed = new Set<number>();
    while (placed.size < jobs.length) {
      // A cycle cannot come from a checked program; should one appear, break it rather than loop.
      let i = ready.pop();
      if (i === undefined) {
        i = jobs.findIndex((_, k) => !placed.has(k));
        jobs[i]!.deps = jobs[i]!.deps.filter((d) => placed.has(byKey.get(d)!));
      }
      if (placed.has(i)) continue;
      placed.add(i);
      this.jobs.push(jobs[i]!);
      for (const k of dependents[i]!) if (--waiting[k]! === 0) ready.push(k);
    }
  }
}

/** Paths written in the .mlp file are relative to the project folder; URIs and absolute paths stay as they are. */
export function projectPath(p: string): Loc {
  return isRelativePath(p) ? { env: "MLP_PROJECT_DIR", path: p } : { path: p };
}

export function isRelativePath(p: string): boolean {
  return p !== "" && !p.startsWith("/") && !/^[A-Za-z][A-Za-z0-9+.-]*:/.test(p);
}

/** A binary min-heap of indices. */
class MinHeap {
  private readonly a: number[] = [];
  push(x: number): void {
    const a = this.a;
    a.push(x);
    for (let i = a.length - 1; i > 0; ) {
      const p = (i - 1) >> 1;
      if (a[p]! <= a[i]!) break;
      [a[p], a[i]] = [a[i]!, a[p]!];
      i = p;
    }
  }
  pop(): number | undefined {
    const a = this.a;
    if (a.length === 0) return undefined;
    const top = a[0]!;
    const last = a.pop()!;
    if (a.length > 0) {
      a[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1, r = l + 1;
        let m = i;
        if (l < a.length && a[l]! < a[m]!) m = l;
        if (r < a.length && a[r]! < a[m]!) m = r;
        if (m === i) break;
        [a[m], a[i]] = [a[i]!, a[m]!];
        i = m;
      }
    }
    return top;
  }
}

function uniq(xs: string[]): string[] {
  return [...new Set(xs)];
}

function same(a: JsonValue, b: unknown): boolean {
  if (a instanceof RawNumber) return a.value === b;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => same(x, b[i]));
  return a === b;
}

/** A further gate's channel: its step id (or, for an id that is no identifier, a hash of it). */
function channelName(id: string, existing: { name: string }[]): string {
  const base = /^[A-Za-z0-9_]+$/.test(id) ? id : `gate_${fnv(id)}`;
  let name = base;
  for (let k = 2; existing.some((c) => c.name === name); k++) name = `${base}_${k}`;
  return name;
}

/** The file a node was written in, as the headers name it: relative to the compiled file's folder. */
export function sourceFile(ir: IrDocument, n?: IrNode): string {
  if (!n?.origin) return baseName(ir.file);
  const from = normalize(dirname(ir.file));
  const to = normalize(n.origin.file);
  if (from.startsWith("/") !== to.startsWith("/")) return baseName(to);
  const a = from.split("/").filter((x) => x && x !== ".");
  const b = to.split("/").filter((x) => x && x !== ".");
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return [...a.slice(i).map(() => ".."), ...b.slice(i)].join("/") || baseName(to);
}

export function baseName(p: string): string {
  return p.slice(p.lastIndexOf("/") + 1);
}

export function basename(p: string): string {
  return p.slice(p.lastIndexOf("/") + 1) || "report.ipynb";
}

/** A literal expression as JSON data; undefined for anything that is not a literal. */
export function literal(e: IrExpr): JsonValue | undefined {
  switch (e.kind) {
    case "number":
      return new RawNumber(e.value, e.raw);
    case "string":
      return e.value;
    case "bool":
      return e.value;
    case "null":
      return null;
    case "ref":
      return e.name;
    case "duration":
    case "size":
      return e.raw;
    case "unary": {
      if (e.op !== "-") return undefined;
      const v = literal(e.operand);
      if (!(v instanceof RawNumber)) return undefined;
      const raw = v.raw ?? String(v.value);
      return new RawNumber(-v.value, raw.startsWith("-") ? raw.slice(1) : `-${raw}`);
    }
    case "list": {
      const items = e.items.map(literal);
      return items.some((x) => x === undefined) ? undefined : (items as JsonValue[]);
    }
    case "object": {
      const o: { [k: string]: JsonValue } = {};
      for (const en of e.entries) {
        const v = literal(en.value);
        if (v === undefined) return undefined;
        o[en.key] = v;
      }
      return o;
    }
    default:
      return undefined;
  }
}
