// Graph IR -> React Flow nodes and edges. Pure: the canvas only renders what this
// returns. Data objects are reused when nothing about a node changed, so memoized
// node components skip re-rendering after an edit elsewhere in a 1,000-step graph.
import type { Edge, Node } from "@xyflow/react";
import { writtenKind, type IrArtifact, type IrColumn, type IrDocument, type IrNode } from "../../../compiler/ir";
import { stepKind } from "../../../language/catalog";
import type { Diagnostic } from "../../../language/diagnostics/diagnostic";
import type { Analysis } from "./analyze";
import { artifactClass, describeArtifact, showArtifact } from "./artifacts";
import { detailOf, timeOf } from "./detail";
import type { XY } from "./positions";

export interface PortView {
  id: string;
  label: string;
  /** Accepted (inputs) or produced (outputs) artifact types, for the tooltip. */
  types: string;
  /** Colour class of the artifact type flowing here (outputs) or the first accepted one (inputs). */
  cls: string;
  optional?: boolean;
}

export interface StepData extends Record<string, unknown> {
  name: string;
  kind: string;
  /** False when the kind is not in the catalog. */
  known: boolean;
  /** The file a step comes from when it is not the open one. */
  imported?: string;
  use?: string;
  inputs: PortView[];
  outputs: PortView[];
  detail: string;
  /** A join's as-of condition, an aggregate's hopping window: a line of its own. */
  time?: string;
  footer: string;
  errors: number;
  warnings: number;
  /** The first problem, shown on the node. */
  problem?: string;
}

export interface EdgeData extends Record<string, unknown> {
  type: string;
  label: string;
  columns: IrColumn[];
  /** Extra facts (keys, model label) shown with the columns. */
  facts: string[];
  problem?: string;
  severity?: "error" | "warning";
}

export type StepNode = Node<StepData, "step">;
export type TypedEdge = Edge<EdgeData, "typed">;

export function edgeId(e: IrDocument["edges"][number], dup = 0): string {
  return `${e.from.node}:${e.from.port}>${e.to.node}:${e.to.port}${dup ? `#${dup}` : ""}`;
}

function inputPorts(n: IrNode, edgesIn: IrDocument["edges"]): PortView[] {
  const k = stepKind(writtenKind(n));
  if (!k) {
    const ports = [...new Set(edgesIn.map((e) => e.to.port))];
    return ports.map((p) => ({ id: p, label: p, types: "?", cls: "art-unknown" }));
  }
  return k.inputs.map((p) => ({
    id: p.name,
    label: p.name,
    types: `${p.accepts.join(" | ")}${p.batchOnly ? " (batch only)" : ""}${p.variadic ? ", any number" : ""}`,
    cls: artifactClass(p.accepts.length === 1 ? p.accepts[0] : undefined),
    ...(p.optional ? { optional: true } : {}),
  }));
}

function outputPorts(n: IrNode): PortView[] {
  const k = stepKind(writtenKind(n));
  const produced = new Map(n.ports.outputs.map((o) => [o.port, o.artifact]));
  const names = k ? k.outputs.map((o) => o.name) : n.ports.outputs.length ? n.ports.outputs.map((o) => o.port) : ["out"];
  return names.map((name) => {
    const a = produced.get(name);
    const known = a && a.type !== "Unknown";
    return {
      id: name,
      label: name,
      types: known ? showArtifact(a) : (k?.outputs.find((o) => o.name === name)?.produces.join(" | ") ?? "?"),
      cls: artifactClass(known ? a.type : undefined),
    };
  });
}

/** Diagnostics attributed to the declaration whose span holds their start. */
export function diagnosticsByNode(analysis: Pick<Analysis, "nodes" | "diagnostics">): Map<string, Diagnostic[]> {
  const byFile = new Map<string, { id: string; start: number; end: number }[]>();
  for (const [id, s] of Object.entries(analysis.nodes)) {
    const l = byFile.get(s.file) ?? [];
    l.push({ id, start: s.decl.start, end: s.decl.end });
    byFile.set(s.file, l);
  }
  for (const l of byFile.values()) l.sort((a, b) => a.start - b.start);
  const out = new Map<string, Diagnostic[]>();
  for (const d of analysis.diagnostics) {
    const l = byFile.get(d.file);
    if (!l) continue;
    // Last declaration starting at or before the diagnostic.
    let lo = 0, hi = l.length - 1, at = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (l[mid]!.start <= d.span.start) (at = mid), (lo = mid + 1);
      else hi = mid - 1;
    }
    const hit = l[at];
    if (!hit || d.span.start >= hit.end) continue;
    const list = out.get(hit.id) ?? [];
    list.push(d);
    out.set(hit.id, list);
  }
  return out;
}

function edgeFacts(a: IrArtifact | undefined): string[] {
  if (!a) return [];
  const f: string[] = [];
  if (a.keys?.length) f.push(`key ${a.keys.join(", ")}`);
  if (a.streaming) f.push("streaming");
  if (a.eventTime) f.push(`event time ${a.eventTime}`);
  if (a.model) f.push(`${a.model.task} of ${a.model.label}`, `${a.model.input.length} input columns`, ...(a.model.gated ? ["gated by evaluate"] : []));
  return f;
}

/** What a screen reader says for a node: its kind, name and how many problems it has. */
function stepLabel(d: StepData): string {
  const problems = [d.errors ? `${d.errors} error${d.errors > 1 ? "s" : ""}` : "", d.warnings ? `${d.warnings} warning${d.warnings > 1 ? "s" : ""}` : ""].filter(Boolean);
  return `${d.kind} step ${d.name}${d.imported ? ` from ${d.imported}` : ""}${problems.length ? `, ${problems.join(", ")}` : ""}`;
}

export interface FlowResult {
  nodes: StepNode[];
  edges: TypedEdge[];
}

/** Keeps the previous result so unchanged nodes and edges keep their identity. */
export class FlowBuilder {
  private nodeData = new Map<string, { key: string; data: StepData }>();
  private edgeData = new Map<string, { key: string; data: EdgeData }>();

  build(analysis: Pick<Analysis, "ir" | "nodes" | "edges" | "diagnostics" | "entry">, positions: ReadonlyMap<string, XY>): FlowResult {
    const { ir } = analysis;
    const diags = diagnosticsByNode(analysis);
    const edgesIn = new Map<string, IrDocument["edges"]>();
    for (const e of ir.edges) {
      const l = edgesIn.get(e.to.node) ?? [];
      l.push(e);
      edgesIn.set(e.to.node, l);
    }
    const nextNodeData = new Map<string, { key: string; data: StepData }>();
    const nodes: StepNode[] = ir.nodes.map((n) => {
      const ds = diags.get(n.id) ?? [];
      const errors = ds.filter((d) => d.severity === "error");
      const first = errors[0] ?? ds[0];
      const out = n.ports.outputs[0]?.artifact;
      const data: StepData = {
        name: n.name,
        kind: n.use !== undefined ? writtenKind(n) || "use" : writtenKind(n),
        known: !!stepKind(writtenKind(n)),
        inputs: inputPorts(n, edgesIn.get(n.id) ?? []),
        outputs: outputPorts(n),
        detail: n.use !== undefined ? `use ${n.use}(…)` : detailOf(n),
        footer: n.ports.outputs.length > 1 ? n.ports.outputs.map((o) => `${o.port}: ${showArtifact(o.artifact)}`).join(" · ") : describeArtifact(out),
        errors: errors.length,
        warnings: ds.length - errors.length,
      };
      if (n.origin) data.imported = n.origin.file;
      if (n.use !== undefined) data.use = n.use;
      const time = timeOf(n);
      if (time) data.time = time;
      if (first) data.problem = first.message;
      const key = JSON.stringify(data);
      const prev = this.nodeData.get(n.id);
      const entry = prev && prev.key === key ? prev : { key, data };
      nextNodeData.set(n.id, entry);
      const node: StepNode = { id: n.id, type: "step", position: positions.get(n.id) ?? { x: 0, y: 0 }, data: entry.data, ariaLabel: stepLabel(entry.data) };
      if (n.origin) node.className = "imported";
      return node;
    });
    this.nodeData = nextNodeData;

    const seen = new Map<string, number>();
    const nextEdgeData = new Map<string, { key: string; data: EdgeData }>();
    const edges: TypedEdge[] = ir.edges.map((e, i) => {
      const base = edgeId(e);
      const dup = seen.get(base) ?? 0;
      seen.set(base, dup + 1);
      const id = edgeId(e, dup);
      const src = analysis.edges[i];
      const problem = src ? analysis.diagnostics.find((d) => d.file === src.file && d.span.start >= src.span.start && d.span.start < src.span.end) : undefined;
      const data: EdgeData = {
        type: e.artifact?.type ?? "Unknown",
        label: showArtifact(e.artifact),
        columns: e.artifact?.columns ?? [],
        facts: edgeFacts(e.artifact),
      };
      if (problem) (data.problem = problem.message), (data.severity = problem.severity);
      const key = JSON.stringify(data);
      const prev = this.edgeData.get(id);
      const entry = prev && prev.key === key ? prev : { key, data };
      nextEdgeData.set(id, entry);
      const ariaLabel = `${entry.data.label} from ${e.from.node}.${e.from.port} to ${e.to.node}.${e.to.port}`;
      return { id, type: "typed", source: e.from.node, sourceHandle: e.from.port, target: e.to.node, targetHandle: e.to.port, data: entry.data, ariaLabel };
    });
    this.edgeData = nextEdgeData;
    return { nodes, edges };
  }
}
