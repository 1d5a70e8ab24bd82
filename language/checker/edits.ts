// What an edit of a file's text changed for its check, when it changed little: the
// declarations it replaced, and the diagnostics of the last check that still stand where
// they were (or moved with the text after the edit).
//
// The session checks again from the last check (program.ts, `CheckSession.quick`) only when
// the edit replaced step declarations by steps of the same names, kinds and inputs: the
// graph's shape, the names in scope and every file-level rule's outcome are then the last
// check's, and only the replaced steps and what they feed are checked again.
import type * as A from "../ast";
import type { Diagnostic, Fix, Note } from "../diagnostics/diagnostic";
import type { Moved } from "../reparse";
import type { Span } from "../span";
import type { StepInfo } from "./model";
import { same } from "./reuse";

/**
 * The step declarations `after` holds in place of `before`'s (old -> new), or undefined when
 * the edit did more than rewrite steps' bodies: a declaration added, removed or of another
 * kind, a step renamed, its kind or inputs changed, or a step that was not the one its name
 * stands for (a duplicate). Unchanged declarations are the same objects (incremental parsing).
 */
export function replacedSteps(before: readonly A.Decl[], after: readonly A.Decl[], steps: ReadonlyMap<string, StepInfo>): Map<A.StepDecl, A.StepDecl> | undefined {
  const { first, before: end, after: endAfter } = changedDecls(before, after);
  if (end !== endAfter) return undefined;
  const out = new Map<A.StepDecl, A.StepDecl>();
  for (let k = first; k < end; k++) {
    const a = before[k]!;
    const b = after[k]!;
    if (a.kind !== "step" || b.kind !== "step" || steps.get(a.name.name)?.decl !== a || !sameShape(a, b)) return undefined;
    out.set(a, b);
  }
  return out;
}

/**
 * Where two lists of a file's declarations differ: `before[first, before)` became
 * `after[first, after)`; a common prefix and suffix are the same objects (a tree reparsed from
 * the other shares the declarations an edit did not touch).
 */
export function changedDecls(before: readonly A.Decl[], after: readonly A.Decl[]): { first: number; before: number; after: number } {
  let first = 0;
  while (first < before.length && first < after.length && before[first] === after[first]) first++;
  let b = before.length;
  let a = after.length;
  while (b > first && a > first && before[b - 1] === after[a - 1]) {
    b--;
    a--;
  }
  return { first, before: b, after: a };
}

/** Same name, kind and inputs: what the step's place in the graph depends on. */
function sameShape(a: A.StepDecl, b: A.StepDecl): boolean {
  if (a.name.name !== b.name.name || a.stepKind.name !== b.stepKind.name) return false;
  if (a.inputs === undefined || b.inputs === undefined) return a.inputs === b.inputs;
  if (a.inputs.length !== b.inputs.length) return false;
  for (let i = 0; i < a.inputs.length; i++) {
    const x = a.inputs[i]!;
    const y = b.inputs[i]!;
    if (x.step.name !== y.step.name || x.port?.name !== y.port?.name || x.output?.name !== y.output?.name) return false;
  }
  return true;
}

/**
 * A copy of `d` where it now sits after the edit `moved` of `file`, or undefined when it
 * points into the replaced text (it belonged to a declaration that is gone). The copy shares
 * no span with the tree, which moves its spans in place on the next edit.
 */
export function carry(d: Diagnostic, file: string, moved: Moved | undefined): Diagnostic | undefined {
  const at = (f: string, s: Span) => (f === file ? place(s, moved) : { ...s });
  const span = at(d.file, d.span);
  if (!span) return undefined;
  const out: Diagnostic = { ...d, span };
  if (d.notes) {
    const notes: Note[] = [];
    for (const n of d.notes) {
      const sp = at(n.file, n.span);
      if (!sp) return undefined;
      notes.push({ ...n, span: sp });
    }
    out.notes = notes;
  }
  if (d.fixes) {
    const fixes: Fix[] = [];
    for (const f of d.fixes) {
      const edits: Fix["edits"] = [];
      for (const e of f.edits) {
        const sp = at(e.file, e.span);
        if (!sp) return undefined;
        edits.push({ ...e, span: sp });
      }
      fixes.push({ ...f, edits });
    }
    out.fixes = fixes;
  }
  return out;
}

/** Each of `ds` carried (see carry), or undefined when one points into the replaced text. */
export function carryAll(ds: readonly Diagnostic[], file: string, moved: Moved | undefined): Diagnostic[] | undefined {
  const out: Diagnostic[] = [];
  for (const d of ds) {
    const c = carry(d, file, moved);
    if (!c) return undefined;
    out.push(c);
  }
  return out;
}

/**
 * Whether each step made again came out as it was: kind, config and output artifacts (a
 * number in a filter, a comment, a column's expression of the same type). What the
 * whole-graph rules (leakage, reach) and the variants read of a step is then unchanged.
 */
export function sameResults(again: ReadonlyMap<StepInfo, StepInfo>): boolean {
  for (const [old, fresh] of again) {
    if (old.kind !== fresh.kind || old.configOk !== fresh.configOk || old.windowTime !== fresh.windowTime || !same(old.config, fresh.config)) return false;
    if (old.outputs.size !== fresh.outputs.size) return false;
    for (const [port, a] of old.outputs) if (!same(a, fresh.outputs.get(port))) return false;
  }
  return true;
}

function place(s: Span, m: Moved | undefined): Span | undefined {
  if (!m || s.end < m.from || (s.end === m.from && s.start < m.from)) return { ...s };
  if (s.start < m.to) return undefined;
  return { start: s.start + m.delta, line: s.line + m.lines, col: s.col, end: s.end + m.delta, endLine: s.endLine + m.lines, endCol: s.endCol };
}

/**
 * A file's steps as a graph: where each sits in the program's order, and which of the
 * file's steps read each one (an input, or `use ... of` re-applying it). A quick check keeps
 * names, kinds and inputs, so the shape holds from one check to the next.
 */
export interface Shape {
  position: Map<string, number>;
  users: Map<string, string[]>;
}

export function shapeOf(order: readonly StepInfo[], file: string): Shape {
  const position = new Map<string, number>();
  const users = new Map<string, string[]>();
  const use = (from: string, by: string) => {
    const list = users.get(from);
    if (list) list.push(by);
    else users.set(from, [by]);
  };
  order.forEach((s, k) => {
    if (s.file !== file) return;
    position.set(s.name, k);
    for (const i of s.inputs) if (i.step && i.step.file === file) use(i.step.name, s.name);
    if (s.decl.kind === "use") use(s.decl.of.name, s.name);
  });
  return { position, users };
}

/** The steps named and every step downstream of them in the file, upstream first. */
export function downstream(shape: Shape, names: Iterable<string>): string[] {
  const seen = new Set<string>();
  const stack = [...names];
  while (stack.length) {
    const n = stack.pop()!;
    if (seen.has(n)) continue;
    seen.add(n);
    for (const u of shape.users.get(n) ?? []) stack.push(u);
  }
  return [...seen].sort((a, b) => shape.position.get(a)! - shape.position.get(b)!);
}
