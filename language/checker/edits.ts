// What an edit of a file's text changed for its check, when it changed little: the
// declarations it replaced, and the diagnostics of the last check that still stand where
// they were (or moved with the text after the edit).
//
// The session checks again from the last check (program.ts, `CheckSession.quick`) only when
// the edit replaced step declarations by steps of the same names, kinds and inputs: the
// graph's shape, the names in scope and every file-level rule's outcome are then the last
// check's, and only the replaced steps and what they feed are checked again.
import type * as A from "../ast";
import type { Diagnostic, Note } from "../diagnostics/diagnostic";
import type { Moved } from "../reparse";
import type { Span } from "../span";
import type { StepInfo } from "./model";

/**
 * The step declarations `after` holds in place of `before`'s (old -> new), or undefined when
 * the edit did more than rewrite steps' bodies: a declaration added, removed or of another
 * kind, a step renamed, its kind or inputs changed, or a step that was not the one its name
 * stands for (a duplicate). Unchanged declarations are the same objects (incremental parsing).
 */
export function replacedSteps(before: readonly A.Decl[], after: readonly A.Decl[], steps: ReadonlyMap<string, StepInfo>): Map<A.StepDecl, A.StepDecl> | undefined {
  if (before.length !== after.length) return undefined;
  let p = 0;
  while (p < before.length && before[p] === after[p]) p++;
  let q = before.length;
  while (q > p && before[q - 1] === after[q - 1]) q--;
  const out = new Map<A.StepDecl, A.StepDecl>();
  for (let k = p; k < q; k++) {
    const a = before[k]!;
    const b = after[k]!;
    if (a.kind !== "step" || b.kind !== "step" || steps.get(a.name.name)?.decl !== a || !sameShape(a, b)) return undefined;
    out.set(a, b);
  }
  return out;
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
 * points into the replaced text (it belonged to a declaration that is gone) or carries
 * fixes (edits are not carried over). The copy shares no span with the tree, which moves
 * its spans in place on the next edit.
 */
export function carry(d: Diagnostic, file: string, moved: Moved | undefined): Diagnostic | undefined {
  if (d.fixes) return undefined;
  const span = d.file === file ? place(d.span, moved) : { ...d.span };
  if (!span) return undefined;
  const out: Diagnostic = { ...d, span };
  if (d.notes) {
    const notes: Note[] = [];
    for (const n of d.notes) {
      const at = n.file === file ? place(n.span, moved) : { ...n.span };
      if (!at) return undefined;
      notes.push({ ...n, span: at });
    }
    out.notes = notes;
  }
  return out;
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
