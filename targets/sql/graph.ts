// Reading the graph IR for the SQL targets: which nodes are batch or streaming data
// steps, what feeds each one, the body a `use` re-applies, dependency order, the
// on-premise settings with their defaults, and generated-file headers.
// Pure (no node: imports): the targets also run in the editor.
import type { IrArtifact, IrColumn, IrDocument, IrNode, IrStmt } from "../../compiler/ir";
import { dirname, normalize } from "../../language/paths";

/** Kinds whose rows the SQL targets compute. */
export const DATA_KINDS = new Set(["source", "cleanse", "aggregate", "join", "features", "split"]);

export interface Input {
  /** The consuming node's port (`data`, `left`, `right`). */
  port: string;
  from: IrNode;
  /** The producing node's output port (`out`, `train`, `test`). */
  fromPort: string;
  artifact: IrArtifact;
}

/** Raised when the IR asks for something a target cannot express safely. */
export class TargetError extends Error {
  override name = "TargetError";
}

export class Graph {
  readonly nodes: IrNode[];
  private readonly byId = new Map<string, IrNode>();
  private readonly inputsOf = new Map<string, Input[]>();
  private readonly consumersOf = new Map<string, { node: IrNode; port: string; fromPort: string }[]>();

  constructor(readonly ir: IrDocument) {
    // Shadow nodes of repeated declarations (ids with `~`) only exist in erroneous programs.
    this.nodes = ir.nodes.filter((n) => !n.id.includes("~") && n.kind !== "");
    for (const n of this.nodes) this.byId.set(n.id, n);
    for (const e of ir.edges) {
      const from = this.byId.get(e.from.node);
      const to = this.byId.get(e.to.node);
      if (!from || !to) continue;
      const artifact = to.ports.inputs.find((p) => p.port === e.to.port)?.artifact ?? e.artifact ?? { type: "Unknown" };
      const list = this.inputsOf.get(to.id) ?? [];
      list.push({ port: e.to.port, from, fromPort: e.from.port, artifact });
      this.inputsOf.set(to.id, list);
      const cons = this.consumersOf.get(from.id) ?? [];
      cons.push({ node: to, port: e.to.port, fromPort: e.from.port });
      this.consumersOf.set(from.id, cons);
    }
    // Inputs in the order of the kind's ports (left before right).
    for (const n of this.nodes) {
      const order = n.ports.inputs.map((p) => p.port);
      this.inputsOf.get(n.id)?.sort((a, b) => order.indexOf(a.port) - order.indexOf(b.port));
    }
  }

  node(id: string): IrNode | undefined {
    return this.byId.get(id);
  }

  inputs(n: IrNode): Input[] {
    return this.inputsOf.get(n.id) ?? [];
  }

  input(n: IrNode, port: string): Input | undefined {
    return this.inputs(n).find((i) => i.port === port);
  }

  consumers(n: IrNode): { node: IrNode; port: string; fromPort: string }[] {
    return this.consumersOf.get(n.id) ?? [];
  }

  /** The statements a node runs: its own, or for `use X = S(...)` the body of S (followed through chains). */
  body(n: IrNode): IrStmt[] {
    let cur = n;
    const seen = new Set<IrNode>();
    while (cur.use !== undefined && !seen.has(cur)) {
      seen.add(cur);
      const file = cur.origin?.file ?? this.ir.file;
      const next =
        this.nodes.find((m) => m.name === cur.use && (m.origin?.file ?? this.ir.file) === file) ??
        this.nodes.find((m) => m.name === cur.use && (!m.origin || m.origin.import !== undefined));
      if (!next) return [];
      cur = next;
    }
    return cur.body;
  }

  output(n: IrNode, port = "out"): IrArtifact {
    return n.ports.outputs.find((p) => p.port === port)?.artifact ?? { type: "Unknown" };
  }

  /** Stable dependency order of `subset`: Kahn's algorithm, ties broken by IR order. */
  order(subset: IrNode[]): IrNode[] {
    const inSet = new Set(subset.map((n) => n.id));
    const index = new Map(this.nodes.map((n, i) => [n.id, i]));
    const pending = new Map<string, number>();
    for (const n of subset) pending.set(n.id, new Set(this.inputs(n).filter((i) => inSet.has(i.from.id)).map((i) => i.from.id)).size);
    const ready = subset.filter((n) => pending.get(n.id) === 0);
    const out: IrNode[] = [];
    const done = new Set<string>();
    while (ready.length) {
      ready.sort((a, b) => index.get(a.id)! - index.get(b.id)!);
      const n = ready.shift()!;
      out.push(n);
      done.add(n.id);
      for (const c of this.consumers(n)) {
        if (!inSet.has(c.node.id) || done.has(c.node.id) || ready.includes(c.node)) continue;
        const left = new Set(this.inputs(c.node).filter((i) => inSet.has(i.from.id) && !done.has(i.from.id)).map((i) => i.from.id)).size;
        pending.set(c.node.id, left);
        if (left === 0) ready.push(c.node);
      }
    }
    // A cycle (only in erroneous programs) leaves nodes out: append them in IR order.
    for (const n of subset) if (!done.has(n.id)) out.push(n);
    return out;
  }

  /** Every node `n` reads from, transitively, restricted by `keep`, in dependency order (n last). */
  upstream(n: IrNode, keep: (m: IrNode) => boolean): IrNode[] {
    const seen = new Set<string>();
    const stack = [n];
    const found: IrNode[] = [];
    while (stack.length) {
      const cur = stack.pop()!;
      if (seen.has(cur.id)) continue;
      seen.add(cur.id);
      found.push(cur);
      for (const i of this.inputs(cur)) if (keep(i.from)) stack.push(i.from);
    }
    return this.order(found);
  }

  get pipelineName(): string {
    return this.ir.pipeline?.name ?? stemOf(this.ir.file);
  }

  /** The source file a node was written in, relative to the compiled file's folder. */
  sourceFile(n?: IrNode): string {
    const entry = this.ir.file;
    if (!n?.origin) return baseName(entry);
    return relativeTo(dirname(entry), n.origin.file);
  }
}

// ---------- node classification ----------

export const isBatchArtifact = (a: IrArtifact) => a.type === "Table" || (a.type === "Features" && a.streaming !== true);
export const isStreamArtifact = (a: IrArtifact) => a.type === "Stream" || (a.type === "Features" && a.streaming === true);

/** Output ports of a data step (`out`, or `train` and `test` for split). */
export function dataPorts(n: IrNode): string[] {
  return n.ports.outputs.map((p) => p.port);
}

export function isBatchData(g: Graph, n: IrNode): boolean {
  if (!DATA_KINDS.has(n.kind)) return false;
  const outs = n.ports.outputs;
  return outs.length > 0 && outs.every((o) => isBatchArtifact(o.artifact));
}

export function isStreamData(g: Graph, n: IrNode): boolean {
  if (!DATA_KINDS.has(n.kind)) return false;
  const outs = n.ports.outputs;
  return outs.length > 0 && outs.every((o) => isStreamArtifact(o.artifact));
}

export const isDeploy = (n: IrNode, mode: string) => n.kind === "deploy" && (n.config as { mode?: string }).mode === mode;

export function columnsOf(a: IrArtifact): IrColumn[] {
  return a.columns ?? [];
}

// ---------- features store ----------

export type Store = { kind: "offline" } | { kind: "online"; ttl: string };

export function storeOf(n: IrNode): Store | undefined {
  if (n.kind !== "features") return undefined;
  const s = (n.config as { store?: unknown }).store;
  if (s && typeof s === "object" && "online" in s) {
    const ttl = (s as { online: { ttl?: unknown } }).online.ttl;
    return { kind: "online", ttl: typeof ttl === "string" ? ttl : "0s" };
  }
  return { kind: "offline" };
}

// ---------- settings ----------

export interface OnpremSettings {
  kafka: string;
  keyspace: string;
  cassandraHosts: string[];
  warehouse: string;
  modelDir: string;
}

/**
 * The `target onprem { ... }` settings with the defaults the on-premise targets share.
 * `warehouse` is not (yet) a setting of the language: it is read when present so the
 * targets keep working when it is added, and defaults under /srv/mlp otherwise.
 */
export function onpremSettings(g: Graph): OnpremSettings {
  const s = (g.ir.targets.find((t) => t.name === "onprem")?.settings ?? {}) as {
    kafka?: unknown;
    feature_store?: { cassandra?: { hosts?: unknown; keyspace?: unknown } };
    model_dir?: unknown;
    warehouse?: unknown;
  };
  const name = g.pipelineName;
  const cass = s.feature_store?.cassandra;
  return {
    kafka: typeof s.kafka === "string" ? s.kafka : "localhost:9092",
    keyspace: typeof cass?.keyspace === "string" ? cass.keyspace : `mlp_${name}`,
    cassandraHosts: Array.isArray(cass?.hosts) ? cass.hosts.filter((h): h is string => typeof h === "string") : ["localhost:9042"],
    warehouse: trimSlash(typeof s.warehouse === "string" ? s.warehouse : `file:///srv/mlp/${name}/warehouse`),
    modelDir: trimSlash(typeof s.model_dir === "string" ? s.model_dir : `/srv/mlp/${name}/models`),
  };
}

const trimSlash = (p: string) => (p.length > 1 ? p.replace(/\/+$/, "") : p);

// ---------- names ----------

/**
 * Names of the views and tables in one generated file. A node's own relation is named after
 * its id (ids are unique); helper relations get `fresh` names that collide neither with a node
 * id of the document nor with each other.
 */
export class Names {
  private readonly taken: Set<string>;
  constructor(reserved: Iterable<string>) {
    this.taken = new Set(reserved);
  }
  fresh(base: string): string {
    let name = base;
    for (let n = 2; this.taken.has(name); n++) name = `${base}_${n}`;
    this.taken.add(name);
    return name;
  }
}

/** A column name not in `columns`: `base`, else `base_2`, ... */
export function freshColumn(base: string, columns: readonly { name: string }[]): string {
  const names = new Set(columns.map((c) => c.name));
  let name = base;
  for (let n = 2; names.has(name); n++) name = `${base}_${n}`;
  return name;
}

// ---------- text helpers ----------

/**
 * Text safe inside a `--` comment of any of the generated languages: letters, digits and
 * `._/+@=,:~ -`; everything else (quotes, semicolons, newlines, `$`, backticks) is
 * percent-encoded as UTF-8, so a hostile file name can neither end the comment nor a statement.
 */
export function commentText(s: string): string {
  let out = "";
  for (const ch of s) {
    if (/^[A-Za-z0-9._/+@=,:~ -]$/.test(ch)) out += ch;
    else for (const b of new TextEncoder().encode(ch)) out += `%${b.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

export function baseName(p: string): string {
  return p.slice(p.lastIndexOf("/") + 1);
}

function stemOf(p: string): string {
  return baseName(p).replace(/\.mlp$/, "").replace(/[^A-Za-z0-9_]/g, "_") || "pipeline";
}

function relativeTo(fromDir: string, to: string): string {
  const a = normalize(fromDir).split("/").filter((x) => x && x !== ".");
  const b = normalize(to).split("/").filter((x) => x && x !== ".");
  if (normalize(fromDir).startsWith("/") !== normalize(to).startsWith("/")) return baseName(to);
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return [...a.slice(i).map(() => ".."), ...b.slice(i)].join("/") || baseName(to);
}

/** Milliseconds of a duration literal (`30s`, `10m`, `500ms`, `7d`). */
export function durationMs(d: string): number {
  const m = /^(\d+)(ms|s|m|h|d)$/.exec(d);
  if (!m) throw new TargetError(`not a duration: ${JSON.stringify(d)}`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as "ms" | "s" | "m" | "h" | "d"];
  return Number(m[1]) * unit;
}
