// Step inputs: binding `(a, b.port, name: c)` to the kind's input ports, then cycles
// and a dependency order. Kahn's algorithm keeps this linear and free of recursion,
// so a 10,000-step chain neither slows down nor overflows the stack.
import type * as A from "../ast";
import { stepKind, type StepKind } from "../catalog";
import { didYouMean } from "../diagnostics/diagnostic";
import { UNKNOWN } from "../types";
import type { Report, ResolvedInput, StepInfo } from "./model";

/** Output port names of a step, from its kind (single-output kinds have `out`). */
export function outputPorts(s: StepInfo): string[] {
  const k = s.kind ? stepKind(s.kind) : undefined;
  return k ? k.outputs.map((o) => o.name) : ["out"];
}

export interface Scope {
  step(name: string): StepInfo | undefined;
  stepNames(): Iterable<string>;
  isSchema(name: string): boolean;
  /** Declared, but broken in a way already reported (e.g. an import that failed): stay quiet about it. */
  isPoisoned(name: string): boolean;
}

export function bindInputs(step: StepInfo, refs: readonly A.InputRef[], kind: StepKind | undefined, scope: Scope, report: Report): ResolvedInput[] {
  const bound: ResolvedInput[] = [];
  const ports = kind?.inputs ?? [];
  const variadic = ports.find((p) => p.variadic);
  const taken = new Set<string>();
  let positional = 0;
  // A misnamed or repeated input already explains why a port ends up empty.
  let bindingError = false;
  for (const ref of refs) {
    let port: string;
    if (!kind) port = `in${bound.length}`;
    else if (ref.port) {
      const p = ports.find((x) => x.name === ref.port!.name);
      if (!p) {
        bindingError = true;
        report("MLP0208", ref.port.span, `\`${kind.kind}\` has no input \`${ref.port.name}\``, {
          help: didYouMean(ref.port.name, ports.map((x) => x.name)) ?? `its inputs are ${ports.map((x) => x.name).join(", ") || "none"}`,
        });
        continue;
      }
      port = p.name;
    } else if (variadic) port = variadic.name;
    else {
      while (positional < ports.length && taken.has(ports[positional]!.name)) positional++;
      const p = ports[positional++];
      if (!p) {
        report("MLP0213", ref.span, `\`${kind.kind}\` takes ${ports.length === 0 ? "no inputs" : `${countWord(ports.length)} (${ports.map((x) => x.name).join(", ")})`}, this is one too many`);
        continue;
      }
      port = p.name;
    }
    if (taken.has(port) && !variadic) {
      bindingError = true;
      report("MLP0213", ref.span, `input \`${port}\` of \`${step.name}\` is given twice`);
      continue;
    }
    taken.add(port);
    bound.push(resolveRef(ref, port, scope, report));
  }
  if (kind) {
    const missing = ports.filter((p) => !p.optional && !p.variadic && !taken.has(p.name));
    if (missing.length > 0 && kind.kind !== "source" && !bindingError) {
      report("MLP0213", step.decl.name.span, `\`${kind.kind}\` step \`${step.name}\` is missing its ${missing.map((p) => `\`${p.name}\``).join(" and ")} input${missing.length > 1 ? "s" : ""}`, {
        help: `\`${kind.kind}\` takes (${ports.map((p) => p.name + (p.optional ? "?" : "")).join(", ")})`,
      });
    }
  }
  return bound;
}

const countWord = (n: number) => ["no inputs", "one input", "two inputs", "three inputs"][n] ?? `${n} inputs`;

function resolveRef(ref: A.InputRef, port: string, scope: Scope, report: Report): ResolvedInput {
  const name = ref.step.name;
  const up = scope.step(name);
  if (!up) {
    if (name !== "" && !scope.isPoisoned(name)) {
      report("MLP0202", ref.step.span, scope.isSchema(name) ? `\`${name}\` is a schema, not a step` : `unknown step \`${name}\``, {
        label: "no step of this name",
        help: didYouMean(name, scope.stepNames()),
      });
    }
    return { port, ref, output: ref.output?.name ?? "out", artifact: UNKNOWN };
  }
  const outs = outputPorts(up);
  let output = outs[0]!;
  if (ref.output) {
    if (!outs.includes(ref.output.name)) {
      report("MLP0208", ref.output.span, outs.length === 1 ? `\`${name}\` has a single output; write \`${name}\`` : `\`${name}\` has no output \`${ref.output.name}\``, {
        help: outs.length > 1 ? (didYouMean(ref.output.name, outs) ?? `its outputs are ${outs.join(", ")}`) : undefined,
      });
      return { port, ref, step: up, output: ref.output.name, artifact: UNKNOWN };
    }
    output = ref.output.name;
  } else if (outs.length > 1) {
    report("MLP0208", ref.step.span, `\`${name}\` has several outputs; choose one of ${outs.map((o) => `\`${name}.${o}\``).join(", ")}`);
    return { port, ref, step: up, output, artifact: UNKNOWN };
  }
  up.consumers++;
  return { port, ref, step: up, output, artifact: UNKNOWN };
}

/**
 * Orders `steps` so every step comes after the steps it depends on (`deps`).
 * Steps on a cycle are reported once per cycle and returned in `cyclic`.
 */
export function orderSteps(steps: StepInfo[], deps: (s: StepInfo) => StepInfo[], report: Report): { order: StepInfo[]; cyclic: Set<StepInfo> } {
  const local = new Set(steps);
  const indegree = new Map<StepInfo, number>();
  const users = new Map<StepInfo, StepInfo[]>();
  for (const s of steps) indegree.set(s, 0);
  for (const s of steps) {
    for (const d of deps(s)) {
      if (!local.has(d)) continue;
      indegree.set(s, indegree.get(s)! + 1);
      let u = users.get(d);
      if (!u) users.set(d, (u = []));
      u.push(s);
    }
  }
  const order: StepInfo[] = [];
  const ready = steps.filter((s) => indegree.get(s) === 0);
  for (let i = 0; i < ready.length; i++) {
    const s = ready[i]!;
    order.push(s);
    for (const u of users.get(s) ?? []) {
      const n = indegree.get(u)! - 1;
      indegree.set(u, n);
      if (n === 0) ready.push(u);
    }
  }
  const cyclic = new Set(steps.filter((s) => indegree.get(s)! > 0));
  reportCycles(steps, cyclic, deps, report);
  return { order, cyclic };
}

/** One diagnostic per cycle, at its first step in source order, naming the loop. */
function reportCycles(steps: StepInfo[], cyclic: Set<StepInfo>, deps: (s: StepInfo) => StepInfo[], report: Report): void {
  const done = new Set<StepInfo>();
  for (const start of steps) {
    if (!cyclic.has(start) || done.has(start)) continue;
    // Walk dependencies inside the cyclic set until a step repeats: that stretch is a loop.
    const path: StepInfo[] = [];
    const at = new Map<StepInfo, number>();
    let cur: StepInfo | undefined = start;
    while (cur && !at.has(cur)) {
      at.set(cur, path.length);
      path.push(cur);
      cur = deps(cur).find((d) => cyclic.has(d));
    }
    if (!cur) continue;
    const loop = path.slice(at.get(cur));
    // Everything that only depends on the loop is stuck too; mark the whole cyclic set done once
    // its loops are reported, so a step downstream of a cycle gets no error of its own.
    if (loop.some((s) => done.has(s))) continue;
    for (const s of loop) done.add(s);
    const first = loop.reduce((a, b) => (a.decl.span.start <= b.decl.span.start ? a : b));
    const i = loop.indexOf(first);
    const names = [...loop.slice(i), ...loop.slice(0, i), first].map((s) => s.name);
    // deps point upstream; print the loop in data-flow order.
    names.reverse();
    const members = names.slice(0, -1).map((n) => `\`${n}\``);
    const who = members.length === 1 ? `\`${first.name}\` reads its own output` : `steps ${members.slice(0, -1).join(", ")} and ${members.at(-1)} depend on each other: ${names.join(" -> ")}`;
    report("MLP0211", first.decl.name.span, who, {
      help: "a pipeline is a directed acyclic graph; break the loop by changing one of these inputs",
    });
  }
}
