// Planning: which Slurm jobs a pipeline becomes, what each one waits for, and where every
// artifact lives at run time. The scripts (the other files here) only format this plan.
import type { IrDocument, IrNode, NodeOf, ValidNode } from "../../compiler/ir";
import { MinHeap } from "../../compiler/min-heap";
import { deploymentNameOf, graphOf, type IrGraph, isBatchData, isData, isDeploy, isStreamData, type Input } from "../../compiler/query";
import { fnv, slugOf } from "./quote";
import { topicOf } from "../flink/index";

/**
 * Where something lives at run time: `path` alone is a literal location (a source's
 * uri); with `env` it is `$env/path`, under one of the directories the jobs export.
 */
export interface Loc {
  env?: "MLP_TABLES_DIR" | "MLP_RUN_DIR" | "MLP_LATEST_DIR" | "MLP_PROJECT_DIR";
  path: string;
}

interface JobBase {
  /** Unique key, also the script's base name. */
  key: string;
  script: string;
  /** Jobs this one waits for: their success (afterok), or their end whatever its state (afterany). */
  deps: string[];
  after?: "afterok" | "afterany";
  /** Submitted by submit.sh; false for scheduled batch deployments (they run from schedule.scrontab). */
  inDag: boolean;
}

/** A job with the step it runs, typed by its role. */
export type Job = JobBase &
  (
    | { role: "data" | "flink"; node: ValidNode }
    | { role: "train"; node: NodeOf<"train"> }
    | { role: "tune" | "tune-select"; node: NodeOf<"tune"> }
    | { role: "evaluate"; node: NodeOf<"evaluate"> }
    | { role: "register"; node: NodeOf<"register"> }
    | { role: "endpoint" | "batch" | "stream-deploy"; node: NodeOf<"deploy"> }
    | { role: "notebook"; node: NodeOf<"notebook"> }
  );
export type JobRole = Job["role"];
/** A job as planned, before its script name and place in the DAG are settled (per role, so `node` stays typed). */
type NewJob = Job extends infer J ? (J extends Job ? Omit<J, "script" | "inDag"> & { inDag?: boolean } : never) : never;

export interface Channel {
  name: string;
  loc: Loc;
}

/** The onprem settings the scripts use, as lowering resolved them (no defaults here). */
export interface Settings {
  partition?: string;
  /** The partition of data jobs (Spark, Flink submissions), when not `partition`. */
  dataPartition?: string;
  account?: string;
  sparkMaster?: string;
  /** Shared folder for models and the registry (`model_dir`). */
  modelDir: string;
  /** Where the Spark jobs' tables live: the warehouse, as a path. */
  dataDir: string;
  /** Trials of a tune that must succeed (`min_trials`). */
  minTrials: number;
  /** How long before its time limit a training, tuning or serving job is signalled (`preempt_signal`, a duration). */
  preemptSignal: string;
  /** Time limit of a serving job whose resources name none (`serving_time`, a duration). */
  servingTime: string;
}

/** File names the generated folder uses for itself; no step may take them. */
const RESERVED = ["submit", "schedule", "mlp_runtime", "mlp_serving", "latest"];

/**
 * The job that ends a successful run: it points `<warehouse>/latest` at the run's tables once
 * every job of the run that ends has succeeded (afterok on those nothing else waits for).
 */
export interface LatestJob {
  key: "latest";
  script: "latest.sbatch";
  deps: string[];
}

/**
 * Each step's slug, computed once per document: the slurm plan names every job with it and the
 * flink target asks for every stream deployment's model path.
 */
const slugCache = new WeakMap<IrDocument, ReadonlyMap<string, string>>();
export function slugsOf(ir: IrDocument): ReadonlyMap<string, string> {
  let slugs = slugCache.get(ir);
  if (!slugs) slugCache.set(ir, (slugs = stepSlugs(graphOf(ir).nodes)));
  return slugs;
}

/** Each step's file-safe name (script and job names), unique in the document. */
function stepSlugs(nodes: readonly IrNode[]): Map<string, string> {
  const taken = new Set<string>(RESERVED);
  const out = new Map<string, string>();
  for (const n of nodes) {
    let s = slugOf(n.id);
    for (let k = 2; taken.has(s); k++) s = `${slugOf(n.id)}_${k}`;
    taken.add(s);
    out.set(n.id, s);
  }
  return out;
}

export function settingsOf(ir: IrDocument): Settings {
  const o = ir.settings.onprem;
  return {
    partition: o.slurm_partition,
    dataPartition: o.data_partition,
    account: o.slurm_account,
    sparkMaster: o.spark_master,
    modelDir: o.model_dir,
    dataDir: o.warehouse.startsWith("file://") ? o.warehouse.slice("file://".length) : o.warehouse,
    minTrials: o.min_trials,
    preemptSignal: o.preempt_signal,
    servingTime: o.serving_time,
  };
}

export class Plan {
  readonly graph: IrGraph;
  readonly pipeline: string;
  /** What every job name starts with: the pipeline, and its variant (a variant's serving job must not replace the pipeline's). */
  readonly jobPrefix: string;
  readonly settings: Settings;
  readonly jobs: Job[] = [];
  /** Moves the warehouse's `latest` to the run; none when the pipeline stores no batch tables. */
  readonly latest: LatestJob | undefined;
  private readonly slug: ReadonlyMap<string, string>;
  /** The job whose success makes a node's output available to later jobs ("" for none to wait for). */
  private readonly finalJob = new Map<string, string>();
  private readonly channelMemo = new Map<string, ReturnType<Plan["computeChannels"]>>();

  constructor(readonly ir: IrDocument) {
    this.graph = graphOf(ir);
    this.pipeline = this.graph.pipelineName;
    this.jobPrefix = deploymentNameOf(ir);
    this.settings = settingsOf(ir);
    this.slug = slugsOf(ir);
    this.build();
    this.latest = this.latestJob();
  }

  slugOf(n: IrNode): string {
    return this.slug.get(n.id)!;
  }

  /** The train step whose configuration a model-producing step trains with. */
  trainOf(n: ValidNode): NodeOf<"train"> | undefined {
    return this.graph.lineage(n)?.train;
  }

  /** The step whose run directory holds a model's `model/` and `output/` (a gate passes its input through). */
  modelHome(n: ValidNode): ValidNode | undefined {
    const seen = new Set<string>();
    let m: ValidNode | undefined = n;
    while (m?.kind === "evaluate" && !seen.has(m.id)) {
      seen.add(m.id);
      m = this.graph.modelInput(m);
    }
    return m && (m.kind === "train" || m.kind === "tune" || m.kind === "register") ? m : undefined;
  }

  /** A train step that only feeds tune steps runs as the tune's trials, not on its own. */
  trainRunsAlone(n: ValidNode): boolean {
    const cs = this.graph.consumers(n);
    return cs.length === 0 || cs.some((c) => c.node.kind !== "tune");
  }

  /** A batch deployment whose scores a step reads runs in the run's DAG too (not only on its schedule). */
  batchInDag(n: NodeOf<"deploy">): boolean {
    return n.config.mode === "batch" && this.graph.consumers(n).length > 0;
  }

  /** Where the output on `port` of `n` lives at run time, for channels, scoring and notebooks. */
  location(n: ValidNode, port = "out"): Loc {
    // Every batch data step, sources included (a typed snapshot of the uri), is stored by its
    // Spark job in the run's folder of the warehouse: <id>/, or <id>/<port>/ for a split
    // (targets/spark). A job reads its own run's tables, a scheduled scoring `latest`'s.
    if (isBatchData(n)) return { env: "MLP_TABLES_DIR", path: n.kind === "split" ? `${n.id}/${port}` : n.id };
    // Streams are Kafka topics: a source's own, or the one the flink target publishes a step to.
    if (n.kind === "source" && n.config.topic !== undefined) return { path: n.config.topic };
    if (isData(n)) return { path: topicOf(this.ir, n.id) };
    if (this.graph.output(n, port).type === "Model") {
      const home = this.modelHome(n);
      return { env: "MLP_RUN_DIR", path: `${this.slugOf(home ?? n)}/model` };
    }
    if (isDeploy(n, "batch") && n.config.output !== undefined) return projectPath(n.config.output);
    if (isDeploy(n, "stream") && n.config.topic !== undefined) return { path: n.config.topic };
    if (n.kind === "deploy") return { env: "MLP_RUN_DIR", path: `${this.slugOf(n)}/endpoints` };
    if (n.kind === "notebook") return { env: "MLP_RUN_DIR", path: `${this.slugOf(n)}/${notebookName(n.config.path)}` };
    return { env: "MLP_RUN_DIR", path: this.slugOf(n) };
  }

  /** Where what flows into `n` on `port` lives. */
  inputLocation(n: ValidNode, port: string): Loc | undefined {
    const i = this.graph.input(n, port);
    return i ? this.location(i.from, i.fromPort) : undefined;
  }

  /** The evaluate steps that gate a model trained by `train`, in IR order. */
  gatesOf(train: NodeOf<"train">): NodeOf<"evaluate">[] {
    const onModelPath = (m: ValidNode) => m.kind === "tune" || m.kind === "evaluate" || m.kind === "register";
    return this.below(train, onModelPath)
      .filter((m): m is NodeOf<"evaluate"> => m.kind === "evaluate")
      .sort((a, b) => this.graph.position(a) - this.graph.position(b));
  }

  /**
   * The steps that read `n`, transitively, through steps `keep` accepts (`n` first): the set of
   * g.downstream without its dependency order, which every caller here replaces or ignores.
   */
  private below(n: ValidNode, keep: (m: ValidNode) => boolean = () => true): ValidNode[] {
    const seen = new Set([n.id]);
    const found = [n];
    for (let i = 0; i < found.length; i++)
      for (const c of this.graph.consumers(found[i]!))
        if (!seen.has(c.node.id) && keep(c.node)) {
          seen.add(c.node.id);
          found.push(c.node);
        }
    return found;
  }

  /**
   * The data channels of a training: `train` (its input), then the held-out data of the
   * evaluate steps that gate it: the first distinct location is `test`, further ones
   * are named after their evaluate step. Data computed from the model itself is left out.
   */
  channels(train: NodeOf<"train">): { channels: Channel[]; gateChannel: Map<string, string>; producers: ValidNode[] } {
    let c = this.channelMemo.get(train.id);
    if (!c) this.channelMemo.set(train.id, (c = this.computeChannels(train)));
    return c;
  }

  private computeChannels(train: NodeOf<"train">) {
    const channels: Channel[] = [];
    const gateChannel = new Map<string, string>();
    const producers: ValidNode[] = [];
    const data = this.graph.input(train, "data");
    if (data) channels.push({ name: "train", loc: this.location(data.from, data.fromPort) });
    const below = new Set(this.below(train).map((m) => m.id));
    for (const g of this.gatesOf(train)) {
      const e = this.graph.input(g, "data");
      if (!e || below.has(e.from.id)) continue;
      const loc = this.location(e.from, e.fromPort);
      const existing = channels.find((ch) => ch.name !== "train" && ch.loc.env === loc.env && ch.loc.path === loc.path);
      if (existing) {
        gateChannel.set(g.id, existing.name);
        continue;
      }
      const name = channels.some((ch) => ch.name === "test") ? channelName(g.id, channels) : "test";
      channels.push({ name, loc });
      gateChannel.set(g.id, name);
      producers.push(e.from);
    }
    return { channels, gateChannel, producers };
  }

  /** Jobs that must have succeeded before the output of `n` can be read. */
  private ready(n: ValidNode, seen = new Set<string>()): string[] {
    const f = this.finalJob.get(n.id);
    if (f !== undefined) return f === "" ? [] : [f];
    if (seen.has(n.id)) return [];
    seen.add(n.id);
    const out = new Set<string>();
    for (const i of this.graph.inputs(n)) for (const j of this.ready(i.from, seen)) out.add(j);
    return [...out];
  }

  private depsOf(n: ValidNode): string[] {
    return uniq(this.graph.inputs(n).flatMap((i: Input) => this.ready(i.from)));
  }

  /**
   * Flink jobs of streaming data steps, as the flink target makes them (one per streaming
   * sink): every streaming `features` step, and every other non-source streaming step that
   * nothing or some non-streaming step consumes. Stream deployments are flink jobs too, with
   * a job of their own here (they wait for their model).
   */
  flinkSinks(): ValidNode[] {
    return this.graph.nodes.filter((n) => {
      if (!isStreamData(n)) return false;
      if (n.kind === "features") return true;
      if (n.kind === "source") return false;
      const cs = this.graph.consumers(n);
      return cs.length === 0 || cs.some((c) => !isStreamData(c.node) && !isDeploy(c.node, "stream"));
    });
  }

  private build(): void {
    const jobs: Job[] = [];
    const add = (j: NewJob) => jobs.push({ ...j, script: `${j.key}.sbatch`, inDag: j.inDag ?? true });
    const nodes = this.graph.nodes;
    // Streaming steps: nothing waits on them (they run continuously), so no final job.
    for (const n of nodes) if (isStreamData(n)) this.finalJob.set(n.id, "");
    for (const n of this.flinkSinks()) add({ key: this.slugOf(n), role: "flink", node: n, deps: [] });
    // Final jobs first (dependencies are resolved lazily through `ready`).
    for (const n of nodes) {
      const s = this.slugOf(n);
      if (isBatchData(n)) this.finalJob.set(n.id, s);
      else if (n.kind === "train" && this.trainRunsAlone(n)) this.finalJob.set(n.id, s);
      else if (n.kind === "tune") this.finalJob.set(n.id, `${s}.select`);
      else if (n.kind === "evaluate" || n.kind === "register" || n.kind === "notebook") this.finalJob.set(n.id, s);
      else if (n.kind === "deploy") this.finalJob.set(n.id, n.config.mode === "batch" && !this.batchInDag(n) ? "" : s);
    }
    const channelDeps = (train: NodeOf<"train"> | undefined) => (train ? this.channels(train).producers.flatMap((p) => this.ready(p)) : []);
    for (const n of nodes) {
      const key = this.slugOf(n);
      if (isBatchData(n)) add({ key, role: "data", node: n, deps: this.depsOf(n) });
      else if (n.kind === "train") {
        if (this.trainRunsAlone(n)) add({ key, role: "train", node: n, deps: uniq([...this.depsOf(n), ...channelDeps(n)]) });
      } else if (n.kind === "tune") {
        const model = this.graph.modelInput(n);
        add({ key, role: "tune", node: n, deps: uniq([...(model ? this.ready(model) : []), ...channelDeps(this.trainOf(n))]) });
        // A trial may fail: the selection runs when the array has ended (afterany) and checks
        // itself that at least `min_trials` trials succeeded.
        add({ key: `${key}.select`, role: "tune-select", node: n, deps: [key], after: "afterany" });
      } else if (n.kind === "evaluate") add({ key, role: "evaluate", node: n, deps: this.depsOf(n) });
      else if (n.kind === "register") add({ key, role: "register", node: n, deps: this.depsOf(n) });
      else if (n.kind === "notebook") add({ key, role: "notebook", node: n, deps: this.depsOf(n) });
      else if (n.kind === "deploy") {
        // A scheduled scoring runs from the schedule; when a step of the run reads its scores,
        // it also runs in the run, after its model and data, so what reads them waits for it.
        if (n.config.mode === "batch") add({ key, role: "batch", node: n, deps: this.batchInDag(n) ? this.depsOf(n) : [], inDag: this.batchInDag(n) });
        else if (n.config.mode === "stream") add({ key, role: "stream-deploy", node: n, deps: this.depsOf(n) });
        else add({ key, role: "endpoint", node: n, deps: this.depsOf(n) });
      }
    }
    this.jobs.push(...dependencyOrder(jobs));
  }

  /**
   * The run succeeded when every job of it that ends has: streaming jobs and endpoints run on,
   * so they are not waited for. Waiting (afterok) on the jobs nothing else waits for suffices:
   * each of them ran only after its own dependencies succeeded (a tuning array's selection
   * decides itself whether enough trials did).
   */
  private latestJob(): LatestJob | undefined {
    if (!this.graph.nodes.some(isBatchData)) return undefined;
    const ends = this.jobs.filter((j) => j.inDag && j.role !== "flink" && j.role !== "stream-deploy" && j.role !== "endpoint");
    const waitedFor = new Set(ends.flatMap((j) => j.deps));
    return { key: "latest", script: "latest.sbatch", deps: ends.filter((j) => !waitedFor.has(j.key)).map((j) => j.key) };
  }
}

/** Dependency order (Kahn), ties broken by the order the steps are written in. */
function dependencyOrder(jobs: Job[]): Job[] {
  const byKey = new Map<string, number>();
  for (let i = 0; i < jobs.length; i++) byKey.set(jobs[i]!.key, i);
  for (const j of jobs) j.deps = plannedDeps(j, byKey);
  const waiting = new Int32Array(jobs.length);
  const dependents: (number[] | undefined)[] = new Array(jobs.length);
  for (let i = 0; i < jobs.length; i++) {
    const deps = jobs[i]!.deps;
    waiting[i] = deps.length;
    for (const d of deps) (dependents[byKey.get(d)!] ??= []).push(i);
  }
  const ready = new MinHeap<number>();
  for (let i = 0; i < jobs.length; i++) if (waiting[i] === 0) ready.push(i, i);
  const placed = new Uint8Array(jobs.length);
  const out: Job[] = [];
  while (out.length < jobs.length) {
    // A cycle cannot come from a checked program; should one appear, break it rather than loop.
    let i = ready.pop();
    if (i === undefined) {
      i = placed.indexOf(0);
      jobs[i]!.deps = jobs[i]!.deps.filter((d) => placed[byKey.get(d)!] === 1);
    }
    if (placed[i] === 1) continue;
    placed[i] = 1;
    out.push(jobs[i]!);
    for (const k of dependents[i] ?? []) if (--waiting[k]! === 0) ready.push(k, k);
  }
  return out;
}

/**
 * A job's dependencies on jobs of the plan other than itself, in plan order: its own list when
 * it is that already (most are), else a filtered, sorted copy.
 */
function plannedDeps(j: Job, byKey: ReadonlyMap<string, number>): string[] {
  let prev = -1;
  for (const d of j.deps) {
    const k = byKey.get(d);
    if (k === undefined || d === j.key || k < prev) return j.deps.filter((x) => byKey.has(x) && x !== j.key).sort((a, b) => byKey.get(a)! - byKey.get(b)!);
    prev = k;
  }
  return j.deps;
}

/** Paths written in the .mlp file are relative to the project folder; URIs and absolute paths stay as they are. */
export function projectPath(p: string): Loc {
  return isRelativePath(p) ? { env: "MLP_PROJECT_DIR", path: p } : { path: p };
}

export function isRelativePath(p: string): boolean {
  return p !== "" && !p.startsWith("/") && !/^[A-Za-z][A-Za-z0-9+.-]*:/.test(p);
}

/** The executed notebook keeps the notebook's file name. */
function notebookName(p: string): string {
  return p.slice(p.lastIndexOf("/") + 1) || "report.ipynb";
}

function uniq(xs: string[]): string[] {
  return [...new Set(xs)];
}

/** A further gate's channel: its step id (or, for an id that is no identifier, a hash of it). */
function channelName(id: string, existing: { name: string }[]): string {
  const base = /^[A-Za-z0-9_]+$/.test(id) ? id : `gate_${fnv(id)}`;
  let name = base;
  for (let k = 2; existing.some((c) => c.name === name); k++) name = `${base}_${k}`;
  return name;
}
