// What a step's output could be connected to, for the keyboard's Connect to… list: every
// input port of every other step, each with the reason it is refused (the same check a drag
// onto a handle makes) or what it would replace.
import { writtenKind, type IrDocument } from "../../../compiler/ir";
import { stepKind } from "../../../language/catalog";
import { connectionProblem, type PortRef } from "./edits";

export interface ConnectTarget {
  to: PortRef;
  /** The step's name, and its kind. */
  name: string;
  kind: string;
  port: string;
  /** The kinds of artifact the port takes. */
  accepts: string;
  /** Why it is refused; undefined when the types and the graph allow it. */
  problem?: string;
  /** The steps the port reads now, which the connection would replace (a port taking one). */
  replaces?: string[];
}

/** The output ports of a step: the catalog's for its kind, else what it produced. */
export function outputsOf(ir: IrDocument, id: string): string[] {
  const n = ir.nodes.find((m) => m.id === id);
  if (!n) return [];
  const k = stepKind(writtenKind(n));
  return k ? k.outputs.map((o) => o.name) : n.ports.outputs.map((o) => o.port);
}

/** Allowed targets first (in graph order), then the refused ones. */
export function connectTargets(ir: IrDocument, from: PortRef): ConnectTarget[] {
  const name = (id: string) => ir.nodes.find((n) => n.id === id)?.name ?? id;
  const all: ConnectTarget[] = [];
  for (const n of ir.nodes) {
    if (n.id === from.node) continue;
    const k = stepKind(writtenKind(n));
    for (const p of k?.inputs ?? []) {
      const to = { node: n.id, port: p.name };
      const t: ConnectTarget = { to, name: n.name, kind: writtenKind(n), port: p.name, accepts: p.accepts.join(" | ") };
      const problem = connectionProblem(ir, from, to);
      if (problem) t.problem = problem;
      const reads = p.variadic ? [] : ir.edges.filter((e) => e.to.node === n.id && e.to.port === p.name).map((e) => name(e.from.node));
      if (reads.length) t.replaces = reads;
      all.push(t);
    }
  }
  return [...all.filter((t) => !t.problem), ...all.filter((t) => t.problem)];
}
