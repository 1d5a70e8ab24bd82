// The graph as the parser alone sees it: steps, their ports from the catalog, the
// connections as written and the positions of the layout block. Drawn while the first
// full check runs (at 5,000 steps parsing takes a fraction of a second, checking several
// seconds), then replaced by the checked graph, whose node ids are the same step names.
// Pure and small: computed in the analysis worker, posted before the check starts.
import type * as A from "../../../language/ast";
import { stepKind } from "../../../language/catalog";
import { parse } from "../../../language/parser";
import type { IrExpr } from "../../../compiler/ir";
import { artifactClass } from "./artifacts";
import type { PortView, StepData } from "./flow";
import { positionsOf, type Direction, type XY } from "./positions";

export interface PreviewNode {
  id: string;
  position: XY;
  data: StepData;
}

export interface PreviewEdge {
  id: string;
  source: string;
  sourceHandle: string;
  target: string;
  targetHandle: string;
  type: string;
}

export interface Preview {
  /** The file it previews and its exact text, so a preview of an older text is never drawn. */
  entry: string;
  text: string;
  nodes: PreviewNode[];
  edges: PreviewEdge[];
}

/** Shown on each node until the check says what flows out of it. */
export const PREVIEW_FOOTER = "checking…";

function ports(kind: string): { inputs: PortView[]; outputs: PortView[] } {
  const k = stepKind(kind);
  if (!k) return { inputs: [], outputs: [{ id: "out", label: "out", types: "?", cls: "art-unknown" }] };
  return {
    inputs: k.inputs.map((p) => ({
      id: p.name,
      label: p.name,
      types: p.accepts.join(" | "),
      cls: artifactClass(p.accepts.length === 1 ? p.accepts[0] : undefined),
      ...(p.optional ? { optional: true } : {}),
    })),
    outputs: k.outputs.map((o) => ({ id: o.name, label: o.name, types: o.produces.join(" | "), cls: artifactClass(o.produces.length === 1 ? o.produces[0] : undefined) })),
  };
}

/** The input port each reference binds to, as the checker binds them (language/checker/graph.ts bindInputs). */
function boundPorts(refs: readonly A.InputRef[], kind: string): (string | undefined)[] {
  const k = stepKind(kind);
  if (!k) return refs.map(() => undefined);
  const variadic = k.inputs.find((p) => p.variadic);
  const taken = new Set<string>();
  let positional = 0;
  return refs.map((r) => {
    let port: string | undefined;
    if (r.port) port = k.inputs.find((p) => p.name === r.port!.name)?.name;
    else if (variadic) port = variadic.name;
    else {
      while (positional < k.inputs.length && taken.has(k.inputs[positional]!.name)) positional++;
      port = k.inputs[positional++]?.name;
    }
    if (port) taken.add(port);
    return port;
  });
}

/** The layout block's values in the shape `positionsOf` reads (numbers and negated numbers). */
function layoutExpr(e: A.Expr): IrExpr {
  if (e.kind === "object") return { kind: "object", entries: e.entries.map((en) => ({ key: en.key.name, value: layoutExpr(en.value) })) } as IrExpr;
  if (e.kind === "unary") return { kind: "unary", op: e.op, operand: layoutExpr(e.operand) } as IrExpr;
  if (e.kind === "number") return { kind: "number", value: e.value } as IrExpr;
  return { kind: "null" } as IrExpr;
}

export function previewOf(entry: string, text: string, direction: Direction = "right"): Preview {
  const { ast } = parse(text, entry);
  const decls = new Map<string, A.StepDecl | A.UseDecl>();
  for (const d of ast.decls) if ((d.kind === "step" || d.kind === "use") && !decls.has(d.name.name)) decls.set(d.name.name, d);
  const kindOf = (d: A.StepDecl | A.UseDecl): string => {
    if (d.kind === "step") return d.stepKind.name;
    const of = decls.get(d.of.name);
    return of?.kind === "step" ? of.stepKind.name : "use";
  };
  const nodes: PreviewNode[] = [];
  const edges: PreviewEdge[] = [];
  const seen = new Map<string, number>();
  for (const [name, d] of decls) {
    const kind = kindOf(d);
    const refs = d.kind === "use" ? d.inputs : (d.inputs ?? []);
    const { inputs, outputs } = ports(kind);
    const data: StepData = { name, kind, known: !!stepKind(kind), inputs, outputs, detail: d.kind === "use" ? `use ${d.of.name}(…)` : "", footer: PREVIEW_FOOTER, errors: 0, warnings: 0 };
    if (d.kind === "use") data.use = d.of.name;
    nodes.push({ id: name, position: { x: 0, y: 0 }, data });
    boundPorts(refs, kind).forEach((port, i) => {
      const r = refs[i]!;
      const from = decls.get(r.step.name);
      if (!port || !from) return;
      const sourceHandle = r.output?.name ?? ports(kindOf(from)).outputs[0]?.id ?? "out";
      // Same ids as the checked graph's edges (flow.ts edgeId), so they are kept when it arrives.
      const base = `${r.step.name}:${sourceHandle}>${name}:${port}`;
      const dup = seen.get(base) ?? 0;
      seen.set(base, dup + 1);
      edges.push({ id: dup ? `${base}#${dup}` : base, source: r.step.name, sourceHandle, target: name, targetHandle: port, type: "default" });
    });
  }
  const layout = ast.decls.find((d): d is A.LayoutDecl => d.kind === "layout");
  const positions = positionsOf({
    nodes: nodes.map((n) => ({ id: n.id, name: n.id })),
    edges: edges.map((e) => ({ from: { node: e.source }, to: { node: e.target } })),
    layout: layout ? { entries: layout.entries.map((e) => ({ name: e.name.name, value: layoutExpr(e.value) })) } : null,
  }, new Map(), direction);
  for (const n of nodes) n.position = positions.get(n.id) ?? n.position;
  return { entry, text, nodes, edges };
}
