// One analysis of the open files: parse, check and lower the active file, plus the
// source spans the editor needs to point from the graph back into the text. Pure, so
// it runs in the analysis worker and, when a graph edit needs a fresh graph at once,
// on the main thread.
import type * as A from "../../../language/ast";
import { checkProgram, type CheckSession } from "../../../language/checker/program";
import type { CheckedProgram } from "../../../language/checker/model";
import type { Diagnostic } from "../../../language/diagnostics/diagnostic";
import type { Span } from "../../../language/span";
import type { IrDocument } from "../../../compiler/ir";
import { lower, type LoweredNodes } from "../../../compiler/lower";

export interface NodeSpans {
  file: string;
  /** The whole declaration. */
  decl: Span;
  /** The step's name in the header. */
  name: Span;
  /** Each attribute (`name = value`) of the body. */
  attrs: Record<string, Span>;
}

export interface SourceSpan {
  file: string;
  span: Span;
}

export interface Analysis {
  /** The file whose program this is. */
  entry: string;
  /** The exact texts analysed, by path, so callers can tell a stale analysis. */
  texts: Record<string, string>;
  /** Every file that was open (sorted, one per line): opening a file can satisfy an import. */
  openPaths: string;
  ir: IrDocument;
  diagnostics: Diagnostic[];
  nodes: Record<string, NodeSpans>;
  /** Where each IR edge is written (its input reference), aligned with `ir.edges`. */
  edges: (SourceSpan | null)[];
  /** Syntax errors in the entry file: printing the graph would drop what failed to parse. */
  syntaxErrors: Diagnostic[];
  /** Milliseconds spent, for the status bar. */
  ms: number;
}

/** The IR nodes of steps a session kept from one check to the next: lowered once (the analysis is posted, a copy). */
const lowered: LoweredNodes = new WeakMap();

/**
 * `session`: where the worker keeps what earlier checks found, so a keystroke re-checks only
 * what it changed. A session moves the spans of the trees it keeps, so an analysis made
 * through one is for posting (copied), not for keeping on the thread that made it.
 */
export function analyze(entry: string, files: Readonly<Record<string, string>>, session?: CheckSession): Analysis {
  const t0 = performance.now();
  const loader = { read: (p: string) => files[p] };
  const program = session ? session.check(entry, loader) : checkProgram(entry, loader);
  const ir = lower(program, undefined, session ? lowered : undefined);
  const texts: Record<string, string> = {};
  for (const f of program.files) texts[f.path] = f.text;
  const { nodes, edges } = spansOf(program, ir);
  return {
    entry,
    texts,
    openPaths: Object.keys(files).sort().join("\n"),
    ir,
    diagnostics: program.diagnostics,
    nodes,
    edges,
    syntaxErrors: program.diagnostics.filter((d) => d.file === entry && d.severity === "error" && d.code.startsWith("MLP01")),
    ms: performance.now() - t0,
  };
}

function attrSpans(d: A.StepDecl | A.UseDecl): Record<string, Span> {
  const out: Record<string, Span> = {};
  if (d.kind === "step") for (const s of d.body) if (s.kind === "attr") out[s.name.name] = s.span;
  return out;
}

// Mirrors the order in which `lower` emits nodes and edges, so edge i gets the span of
// the input reference it was lowered from.
function spansOf(p: CheckedProgram, ir: IrDocument): { nodes: Record<string, NodeSpans>; edges: (SourceSpan | null)[] } {
  const nodes: Record<string, NodeSpans> = {};
  const edges: (SourceSpan | null)[] = [];
  const entry = p.entry;
  const steps = [...entry.steps.values(), ...p.order.filter((s) => s.file !== entry.path)];
  for (const s of steps) {
    nodes[s.id] = { file: s.file, decl: s.decl.span, name: s.decl.name.span, attrs: attrSpans(s.decl) };
    for (const i of s.inputs) edges.push({ file: s.file, span: i.ref.span });
  }
  let shadows = 0;
  for (const d of entry.ast.decls) {
    if ((d.kind !== "step" && d.kind !== "use") || entry.steps.get(d.name.name)?.decl === d) continue;
    const id = `${d.name.name}~${++shadows}`;
    nodes[id] = { file: entry.path, decl: d.span, name: d.name.span, attrs: attrSpans(d) };
    for (const r of d.kind === "use" ? d.inputs : (d.inputs ?? [])) edges.push({ file: entry.path, span: r.span });
  }
  // Should lowering ever order edges differently, point nowhere rather than at the wrong input.
  if (edges.length !== ir.edges.length) return { nodes, edges: ir.edges.map(() => null) };
  return { nodes, edges };
}
