// Questions targets and the editor ask of a graph IR: what feeds a node and what it feeds,
// dependency order, batch or streaming, the model lineage of a deploy, the pipeline's name.
// Indexes are built once per document in linear time (the edges on first use); every query
// after that is a lookup.
import { DATA_KINDS } from "../language/catalog";
import { dirname, normalize } from "../language/paths";
import type { DataResources } from "../language/catalog/values";
import type { IrArtifact, IrColumn, IrDocument, IrKind, IrNode, NodeOf, ValidNode } from "./ir";
import { MinHeap } from "./min-heap";

export interface Input {
  /** The consuming node's port (`data`, `left`, `right`). */
  port: string;
  from: ValidNode;
  /** The producing node's output port (`out`, `train`, `test`). */
  fromPort: string;
  artifact: IrArtifact;
}

export interface Consumer {
  node: ValidNode;
  port: string;
  fromPort: string;
}

/** The steps behind a model, from the one that trains it to the one that registers it. */
export interface Lineage {
  train: NodeOf<"train">;
  /** The tuning that repeats the training, when there is one. */
  tune?: NodeOf<"tune">;
  /** Evaluation gates on the way, upstream first. */
  gates: NodeOf<"evaluate">[];
  register?: NodeOf<"register">;
}

const UNKNOWN: IrArtifact = { type: "Unknown" };

export const is = <K extends IrKind>(n: IrNode, kind: K): n is NodeOf<K> => n.kind === kind;

export class IrGraph {
  /** The valid nodes (invalid ones exist only in erroneous programs), in IR order. */
  readonly nodes: ValidNode[];
  /**
   * Built on the first question about ids, positions or edges: a target that reads nodes only
   * (the Cassandra schema: features and their outputs) never pays for them.
   */
  private ids: { byId: Map<string, ValidNode>; index: Map<string, number> } | undefined;
  private edgeIndex: { inputsOf: Map<string, Input[]>; consumersOf: Map<string, Consumer[]> } | undefined;

  constructor(readonly ir: IrDocument) {
    this.nodes = ir.nodes.filter((n): n is ValidNode => n.kind !== "invalid");
  }

  private get byId(): Map<string, ValidNode> {
    return (this.ids ??= this.indexIds()).byId;
  }

  private get index(): Map<string, number> {
    return (this.ids ??= this.indexIds()).index;
  }

  private indexIds(): { byId: Map<string, ValidNode>; index: Map<string, number> } {
    const byId = new Map<string, ValidNode>();
    const index = new Map<string, number>();
    this.nodes.forEach((n, i) => {
      byId.set(n.id, n);
      index.set(n.id, i);
    });
    return { byId, index };
  }

  private get edges(): { inputsOf: Map<string, Input[]>; consumersOf: Map<string, Consumer[]> } {
    if (this.edgeIndex) return this.edgeIndex;
    const inputsOf = new Map<string, Input[]>();
    const consumersOf = new Map<string, Consumer[]>();
    for (const e of this.ir.edges) {
      const from = this.byId.get(e.from.node);
      const to = this.byId.get(e.to.node);
      if (!from || !to) continue;
      const artifact = to.ports.inputs.find((p) => p.port === e.to.port)?.artifact ?? e.artifact ?? UNKNOWN;
      push(inputsOf, to.id, { port: e.to.port, from, fromPort: e.from.port, artifact });
      push(consumersOf, from.id, { node: to, port: e.to.port, fromPort: e.from.port });
    }
    // Inputs in the order of the kind's ports (left before right).
    for (const [id, list] of inputsOf) {
      if (list.length < 2) continue;
      const order = new Map(this.byId.get(id)!.ports.inputs.map((p, i) => [p.port, i]));
      list.sort((a, b) => (order.get(a.port) ?? 0) - (order.get(b.port) ?? 0));
    }
    return (this.edgeIndex = { inputsOf, consumersOf });
  }

  node(id: string): ValidNode | undefined {
    return this.byId.get(id);
  }

  /** The valid nodes of one kind, in IR order. */
  ofKind<K extends IrKind>(kind: K): NodeOf<K>[] {
    return this.nodes.filter((n): n is NodeOf<K> & ValidNode => n.kind === kind);
  }

  inputs(n: IrNode): readonly Input[] {
    return this.edges.inputsOf.get(n.id) ?? [];
  }

  input(n: IrNode, port: string): Input | undefined {
    return this.inputs(n).find((i) => i.port === port);
  }

  consumers(n: IrNode): readonly Consumer[] {
    return this.edges.consumersOf.get(n.id) ?? [];
  }

  output(n: IrNode, port = "out"): IrArtifact {
    return n.ports.outputs.find((p) => p.port === port)?.artifact ?? UNKNOWN;
  }

  /** Position in the IR: the tie-breaker that keeps every order stable. */
  position(n: IrNode): number {
    return this.index.get(n.id) ?? Number.MAX_SAFE_INTEGER;
  }

  private ordered: ValidNode[] | undefined;

  /** Every valid node in dependency order: `order(nodes)`, computed once. */
  get inOrder(): readonly ValidNode[] {
    return (this.ordered ??= this.order(this.nodes));
  }

  /**
   * Stable dependency order of `subset` (Kahn's algorithm, ties broken by IR order); linear in
   * the subset's edges. Every target orders the whole graph once per document: counts and
   * positions are read into plain numbers, and no set or closure is made per node.
   */
  order(subset: readonly ValidNode[]): ValidNode[] {
    const inSet = new Set<string>();
    for (const n of subset) inSet.add(n.id);
    // Each node waits for its distinct inputs in the subset.
    const pending = new Map<string, number>();
    for (const n of subset) {
      const inputs = this.inputs(n);
      let waits = 0;
      for (let i = 0; i < inputs.length; i++) {
        const from = inputs[i]!.from.id;
        if (inSet.has(from) && !seenBefore(inputs, i, fromId, from)) waits++;
      }
      pending.set(n.id, waits);
    }
    const ready = new MinHeap<ValidNode>();
    for (const n of subset) if (pending.get(n.id) === 0) ready.push(n, this.position(n));
    const out: ValidNode[] = [];
    const done = new Set<string>();
    while (ready.size) {
      const n = ready.pop()!;
      out.push(n);
      done.add(n.id);
      const consumers = this.consumers(n);
      for (let i = 0; i < consumers.length; i++) {
        const c = consumers[i]!.node;
        // A node read twice (two ports) is released once.
        if (!inSet.has(c.id) || seenBefore(consumers, i, consumerId, c.id)) continue;
        const left = pending.get(c.id)! - 1;
        pending.set(c.id, left);
        if (left === 0) ready.push(c, this.position(c));
      }
    }
    // A cycle (only in erroneous programs) leaves nodes out: append them in IR order.
    for (const n of subset) if (!done.has(n.id)) out.push(n);
    return out;
  }

  /** Every node `n` reads from, transitively, through nodes `keep` accepts, in dependency order (`n` last). */
  upstream(n: ValidNode, keep: (m: ValidNode) => boolean = () => true): ValidNode[] {
    return this.order(this.reach(n, keep, (m) => this.inputs(m).map((i) => i.from)));
  }

  /** Every node that reads `n`, transitively, through nodes `keep` accepts, in dependency order (`n` first). */
  downstream(n: ValidNode, keep: (m: ValidNode) => boolean = () => true): ValidNode[] {
    return this.order(this.reach(n, keep, (m) => this.consumers(m).map((c) => c.node)));
  }

  private reach(n: ValidNode, keep: (m: ValidNode) => boolean, next: (m: ValidNode) => ValidNode[]): ValidNode[] {
    const seen = new Set<string>([n.id]);
    const found = [n];
    for (let i = 0; i < found.length; i++)
      for (const m of next(found[i]!))
        if (!seen.has(m.id) && keep(m)) {
          seen.add(m.id);
          found.push(m);
        }
    return found;
  }

  /** The model a step reads (its `model` input), if any. */
  modelInput(n: ValidNode): ValidNode | undefined {
    return (this.input(n, "model") ?? this.inputs(n).find((i) => i.artifact.type === "Model"))?.from;
  }

  /** train -> tune -> gates -> register behind a model-producing step (or a deploy's model). */
  lineage(n: ValidNode): Lineage | undefined {
    const gates: NodeOf<"evaluate">[] = [];
    let tune: NodeOf<"tune"> | undefined;
    let register: NodeOf<"register"> | undefined;
    let cur: ValidNode | undefined = n.kind === "deploy" || n.kind === "notebook" ? this.modelInput(n) : n;
    const seen = new Set<string>();
    while (cur && !seen.has(cur.id)) {
      seen.add(cur.id);
      switch (cur.kind) {
        case "train":
          return { train: cur, ...(tune ? { tune } : {}), gates: gates.reverse(), ...(register ? { register } : {}) };
        case "tune":
          tune ??= cur;
          break;
        case "evaluate":
          gates.push(cur);
          break;
        case "register":
          register ??= cur;
          break;
        default:
          return undefined;
      }
      cur = this.modelInput(cur);
    }
    return undefined;
  }

  get pipelineName(): string {
    return pipelineNameOf(this.ir);
  }

  /** The source file a node was written in, relative to the compiled file's folder. */
  sourceFile(n?: IrNode): string {
    return sourceFileOf(this.ir, n);
  }
}

const graphs = new WeakMap<IrDocument, IrGraph>();

/**
 * The graph of a document, built once: every target of a compilation (and planning functions
 * called per step) asks the same questions of it, and an IR document is not changed once lowered.
 */
export function graphOf(ir: IrDocument): IrGraph {
  let g = graphs.get(ir);
  if (!g) graphs.set(ir, (g = new IrGraph(ir)));
  return g;
}

/** The source file a node was written in (without one: the compiled file), relative to the compiled file's folder. */
export function sourceFileOf(ir: Pick<IrDocument, "file">, n?: IrNode): string {
  const entry = ir.file;
  if (!n?.origin) return baseName(entry);
  return relativeTo(dirname(entry), n.origin.file);
}

// ---------- classification ----------

export const isData = (n: IrNode): boolean => DATA_KINDS.has(n.kind);
export const isBatchArtifact = (a: IrArtifact) => a.type === "Table" || (a.type === "Features" && a.streaming !== true);
export const isStreamArtifact = (a: IrArtifact) => a.type === "Stream" || (a.type === "Features" && a.streaming === true);

/** A data step whose outputs are all batch tables or offline features. */
export function isBatchData(n: IrNode): boolean {
  return isData(n) && n.ports.outputs.length > 0 && n.ports.outputs.every((o) => isBatchArtifact(o.artifact));
}

/** A data step whose outputs are all streams or streaming features. */
export function isStreamData(n: IrNode): boolean {
  return isData(n) && n.ports.outputs.length > 0 && n.ports.outputs.every((o) => isStreamArtifact(o.artifact));
}

/** Does any step of the document produce a stream? */
export const hasStreams = (ir: IrDocument): boolean => ir.nodes.some((n) => n.ports.outputs.some((o) => isStreamArtifact(o.artifact)));

export const isDeploy = (n: IrNode, mode: "endpoint" | "batch" | "stream"): n is NodeOf<"deploy"> => n.kind === "deploy" && n.config.mode === mode;

export function columnsOf(a: IrArtifact): IrColumn[] {
  return a.columns ?? [];
}

/** The online or offline store of a features step (undefined for intermediate features and other kinds). */
export function storeOf(n: IrNode): { kind: "offline" } | { kind: "online"; ttl: string } | undefined {
  if (n.kind !== "features" || n.config.store === undefined) return n.kind === "features" ? { kind: "offline" } : undefined;
  const s = n.config.store;
  return s === "offline" ? { kind: "offline" } : { kind: "online", ttl: s.online.ttl };
}

// ---------- names and paths ----------

export function pipelineNameOf(ir: Pick<IrDocument, "pipeline" | "file">): string {
  return pipelineName(ir.pipeline?.name, ir.file);
}

/**
 * What one deployment of the program is named after: the pipeline, and its variant
 * (`<pipeline>-<variant>`). Names shared by everything deployed side by side on one platform
 * (Slurm job names, Kafka topics and consumer groups, Flink job and connector names) use it,
 * so a variant never reads, writes or replaces the default's. Identifiers hold no `-`, so no
 * variant's name is another deployment's.
 */
export function deploymentNameOf(ir: Pick<IrDocument, "pipeline" | "file" | "variant">): string {
  const p = pipelineNameOf(ir);
  return ir.variant === null ? p : `${p}-${ir.variant}`;
}

/** The pipeline's name, or for a library the file's stem: what settings' defaults and generated names are named after. */
export function pipelineName(declared: string | undefined, file: string): string {
  return declared || baseName(file).replace(/\.mlp$/, "").replace(/[^A-Za-z0-9_]/g, "_") || "pipeline";
}

export function baseName(p: string): string {
  return p.slice(p.lastIndexOf("/") + 1);
}

function relativeTo(fromDir: string, to: string): string {
  const a = normalize(fromDir).split("/").filter((x) => x && x !== ".");
  const b = normalize(to).split("/").filter((x) => x && x !== ".");
  if (normalize(fromDir).startsWith("/") !== normalize(to).startsWith("/")) return baseName(to);
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return [...a.slice(i).map(() => ".."), ...b.slice(i)].join("/") || baseName(to);
}

function push<V>(m: Map<string, V[]>, k: string, v: V): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}

const fromId = (i: Input) => i.from.id;
const consumerId = (c: Consumer) => c.node.id;

/** Whether `list[0..i)` holds an item with `key`: lists of a node's edges are short (a handful of ports). */
function seenBefore<T>(list: readonly T[], i: number, keyOf: (x: T) => string, key: string): boolean {
  for (let j = 0; j < i; j++) if (keyOf(list[j]!) === key) return true;
  return false;
}

/** A batch data step's `resources` (the checker refuses them on streaming steps). */
export function dataResourcesOf(n: ValidNode): DataResources | undefined {
  switch (n.kind) {
    case "source":
    case "cleanse":
    case "aggregate":
    case "join":
    case "features":
    case "split":
      return n.config.resources;
    default:
      return undefined;
  }
}
