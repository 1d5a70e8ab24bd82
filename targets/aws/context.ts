// What planning one stack accumulates, shared by the planning functions (glue.ts, streams.ts,
// training.ts, ...): the graph, the program's sections as they fill, the variable names taken
// and the cross-references one step's resources leave for another's (a Glue job's variable
// for the state machine that starts it, a Kinesis stream for the Flink job that reads it).
// The planning functions are free functions over this context, as in pulumi-awsx; the context
// holds no planning decision of its own, only naming and bookkeeping.
import type { IrDocument, IrNode, ValidNode } from "../../compiler/ir";
import { graphOf, type IrGraph } from "../../compiler/query";
import { ranksOf } from "../order";
import type { ResolvedAws } from "../../language/catalog/settings";
import { TargetError } from "../../compiler/target-api";
import { Iam } from "./iam";
import { ph, type Placeholder } from "./asl";
import { lit, name, obj, ref, tpl, type Asset, type Code, type FlinkZip, type Group, type Lookup, type Output, type Resource } from "./model";
import { camel, commentText, hash8, slug } from "./quote";
import type { FlinkJob } from "./sql";

/** How long the program's log groups keep their events. */
export const LOG_RETENTION_DAYS = 30;

/** The model package group a register step (or an implicit one, for a deployed unregistered model) stands for. */
export interface Registry {
  v: string;
  node: ValidNode;
  implicit: boolean;
}

export class PlanContext {
  readonly g: IrGraph;
  readonly pipe: string;
  readonly settings: ResolvedAws;
  /** The variant the stack holds (null: the file's own values). */
  readonly variant: string | null;
  /** Every valid step in dependency order: the order resources are declared in. */
  readonly order: readonly ValidNode[];
  readonly iam = new Iam(this);

  // The program's sections, in the order index.ts prints them.
  readonly head: Group[] = [];
  readonly steps: Group[] = [];
  readonly machines: Group[] = [];
  readonly starters: Group[] = [];
  readonly deploys: Group[] = [];
  readonly lookups: Lookup[] = [];
  readonly assets: Asset[] = [];
  readonly outputs: Output[] = [];
  /** Stack config keys the program reads with `config.get*`: key -> what it is. */
  readonly optionalConfig: [string, string][] = [];
  readonly flinkZips: FlinkZip[] = [];
  /** The state-machine templates as rendered (tests validate them). */
  readonly machineFiles: { path: string; definition: unknown }[] = [];

  // Cross-references, by step id.
  /** Kinesis stream variable of a step (stream source, Flink job, stream deploy). */
  readonly streams = new Map<string, string>();
  readonly glueJobs = new Map<string, string>();
  readonly registries = new Map<string, Registry>();
  /** Stack outputs, by kind: [key, value]. */
  readonly onlineOutputs: [string, Code][] = [];
  readonly streamOutputs: [string, Code][] = [];
  /** The step whose stream each `streams` output key (a topic) names. */
  private readonly topicSteps = new Map<string, ValidNode>();
  readonly endpointOutputs: [string, Code][] = [];
  /** Container image lookup variable, by `repository:tag`. */
  readonly images = new Map<string, string>();
  /** EventBridge Scheduler crons by .mlp cron (schedules.ts). */
  readonly crons = new Map<string, string>();
  /** Values of the state machines' `${Name}` placeholders. */
  readonly placeholders = new Map<string, Code>();
  /** The group of the scripts several steps share (storage.ts), once there is one. */
  sharedScripts: Group | undefined;
  /** The metrics Lambda the gates share (gates.ts), once declared. */
  metricsFunction: string | undefined;
  /** The alert topic failed runs publish to (failures.ts), once declared. */
  alertTopic: string | undefined;
  alertKey: string | undefined;
  usesUpload = false;

  /**
   * A `streams` stack output: topic -> the Kinesis stream behind it. A topic names one stream:
   * two keys would be a TypeScript error (TS1117) or one stream hidden behind the other, and a
   * deployment that publishes its scores to the topic it reads would, on Kafka, score its own
   * output forever.
   */
  streamOutput(topic: string, n: ValidNode, stream: Code): void {
    const other = this.topicSteps.get(topic);
    if (other) {
      const role = (x: ValidNode) => (x.kind === "deploy" ? `stream deploy \`${x.id}\` publishes its scores to it` : `\`${x.id}\` reads it`);
      const [src, dep] = n.kind === "deploy" ? [other, n] : [n, other];
      const loop = dep.kind === "deploy" && this.g.input(dep, "data")?.from.id === src.id ? " (on Kafka the deployment would score its own output)" : "";
      throw new TargetError(
        `topic ${JSON.stringify(topic)} is used twice: ${role(other)} and ${role(n)}${loop}; on AWS each is a Kinesis stream of its own and the stack output \`streams\` maps a topic to one stream: give each its own topic`,
      );
    }
    this.topicSteps.set(topic, n);
    this.streamOutputs.push([topic, stream]);
  }

  private flinkById: Map<string, FlinkJob> | undefined;

  /** The Flink job that writes step `id`'s stream (the first, should two name it), if any. */
  flinkJob(id: string): FlinkJob | undefined {
    if (!this.flinkById) {
      this.flinkById = new Map();
      for (const j of this.flink) if (!this.flinkById.has(j.id)) this.flinkById.set(j.id, j);
    }
    return this.flinkById.get(id);
  }

  private readonly vars = new Set<string>(["config", "stack", "partition", "region", "account", "projectDir", "definition", "upload"]);
  private readonly assetPaths = new Set<string>();
  private readonly stepVar = new Map<string, string>();

  constructor(
    readonly ir: IrDocument,
    readonly spark: ReadonlyMap<string, string>,
    readonly flink: readonly FlinkJob[],
  ) {
    this.g = graphOf(ir);
    this.pipe = this.g.pipelineName;
    this.settings = ir.settings.aws;
    this.variant = ir.variant;
    this.order = this.g.inOrder;
  }

  /** `nodes` (valid steps of the stack) in the stack's dependency order, `order`. */
  inOrderOf(nodes: readonly ValidNode[]): readonly ValidNode[] {
    const ranks = ranksOf(this.g);
    const rank = (n: ValidNode) => ranks.get(n.id) ?? -1;
    for (let i = 1; i < nodes.length; i++) if (rank(nodes[i - 1]!) >= rank(nodes[i]!)) return [...nodes].sort((a, b) => rank(a) - rank(b));
    return nodes;
  }

  // ---------- names ----------

  /** A fresh TypeScript variable from name parts (`churn_model`, `job` -> `churnModelJob`, then `churnModelJob2`). */
  v(...parts: string[]): string {
    const base = camel(...parts);
    let v = base;
    for (let i = 2; this.vars.has(v); i++) v = `${base}${i}`;
    this.vars.add(v);
    return v;
  }

  /** Marks a variable name as taken without numbering it (fixed names: `artifacts`, `training`). */
  take(v: string): void {
    this.vars.add(v);
  }

  taken(v: string): boolean {
    return this.vars.has(v);
  }

  /** The variable-name stem of a step. */
  stem(n: IrNode): string {
    let s = this.stepVar.get(n.id);
    if (!s) {
      s = camel(/^[A-Za-z_][A-Za-z0-9_]*$/.test(n.id) ? n.id : `step_${hash8(n.id)}`);
      this.stepVar.set(n.id, s);
    }
    return s;
  }

  /** Pulumi's logical name: the pipeline, the step, and what the resource is for. */
  lname(n: IrNode | undefined, what?: string): string {
    // (Slugs are never empty; a step's is made once, for the several resources named after it.)
    let s = (this.pipeSlug ??= slug(this.pipe, 24));
    if (n) {
      let step = this.stepSlugs.get(n.id);
      if (step === undefined) this.stepSlugs.set(n.id, (step = slug(n.id)));
      s += "-" + step;
    }
    return what ? s + "-" + what : s;
  }

  private pipeSlug: string | undefined;
  private readonly stepSlugs = new Map<string, string>();

  /** A job-name prefix for SageMaker (lowercase, as its ARNs are), short enough for `-<8 hex run id>`. */
  jobPrefix(n: IrNode, limit: number): string {
    return slug(`${this.pipe}_${n.id}`, limit - 9);
  }

  /** The comment above a step's group: kind, step, where it is written, what the group is. */
  title(n: ValidNode, what: string): string[] {
    const where = `${commentText(this.g.sourceFile(n))}${n.span ? ` line ${n.span.line}` : ""}`;
    return [`${n.kind}${n.kind === "deploy" ? ` (${n.config.mode})` : ""} ${commentText(n.id)} - ${where}: ${what}`];
  }

  /** A step's key in state-machine paths (`$.models.<key>`) and environment names. */
  key(n: IrNode): string {
    return /^[A-Za-z_][A-Za-z0-9_]*$/.test(n.id) ? n.id : `s${hash8(n.id)}`;
  }

  /** `mlp <pipeline>: <kind> <step> from <file>`: the description of a step's resource. */
  describe(n: ValidNode): string {
    return `mlp ${this.pipe}: ${n.kind} ${n.id} from ${this.g.sourceFile(n)}`;
  }

  // ---------- building blocks ----------

  res(group: Group, r: Resource): string {
    group.resources.push(r);
    return r.v;
  }

  /** A file of the project under assets/ (written once, however many steps ask for it). */
  asset(path: string, contents: string): string {
    if (!this.assetPaths.has(path)) this.assets.push({ path, contents });
    this.assetPaths.add(path);
    return path;
  }

  /** A value a state machine reads as `${name}`, filled by the program with `value`. */
  placeholder(nameOf: string, value: Code): Placeholder {
    this.placeholders.set(nameOf, value);
    return ph(nameOf);
  }

  lookup(l: Lookup): void {
    this.lookups.push(l);
  }

  arn(service: string, resource: string | Code, regional = true): Code {
    return tpl(`arn:`, name("partition"), `:${service}:`, ...(regional ? [name("region"), ":", name("account")] : [":"]), ":", resource);
  }

  bucketArn(suffix: string): Code {
    return tpl(ref("artifacts", "arn"), suffix);
  }

  s3(key: string | Code): Code {
    return tpl("s3://", ref("artifacts", "bucket"), "/", key);
  }

  logGroup(group: Group, v: string, nameOf: string): string {
    return this.res(group, { v, type: "aws.cloudwatch.LogGroup", name: nameOf, args: obj({ retentionInDays: lit(LOG_RETENTION_DAYS) }) });
  }
}

// ---------- names of files and states ----------

/** The first character upper-cased (as `s.replace(/^./, upper)`: not a line break, which `.` does not match). */
export const cap = (s: string): string => (s === "" || /^[\n\r\u2028\u2029]/.test(s) ? s : s[0]!.toUpperCase() + s.slice(1));

/** A file name from a step id (ids are identifiers, except file-prefixed imported clashes). */
export function fileName(id: string): string {
  return /^[A-Za-z0-9_]+$/.test(id) ? id : `${id.replace(/[^A-Za-z0-9_]+/g, "_").slice(0, 40)}_${hash8(id)}`;
}

/** A SageMaker channel name for a gate's data. */
export function channelName(id: string): string {
  return /^[A-Za-z0-9_.-]+$/.test(id) ? id : `gate-${hash8(id)}`;
}

/** A string for inside an intrinsic function's quoted text: only [A-Za-z0-9_ -] kept. */
export function intrinsicText(s: string): string {
  return s.replace(/[^A-Za-z0-9_ -]/g, "_");
}

export function freshName(base: string, taken: readonly string[]): string {
  let n = base;
  for (let i = 2; taken.includes(n); i++) n = `${base}_${i}`;
  return n;
}

/** Where a batch step's output (or a split's part) lives under the warehouse. */
export function warehousePath(from: IrNode, fromPort: string): string {
  return from.kind === "split" ? `${from.id}/${fromPort}` : from.id;
}
