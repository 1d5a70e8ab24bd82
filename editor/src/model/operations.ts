// A step's operations, column definitions and blocks (`filter ...`, `spend: float = ...`,
// `search { ... }`) as editable text: printed by the formatter, parsed back by the parser.
// Attributes are not part of this text; the form edits them.
import { IR_VERSION, writtenKind, type IrNode, type IrStmt, type IrWrittenDocument } from "../../../compiler/ir";
import { stmt as lowerStmt } from "../../../compiler/lower";
import { print } from "../../../compiler/print";
import { stepKind } from "../../../language/catalog";
import { parse } from "../../../language/parser";

/** Does the inspector offer an operations editor for this kind? */
export function hasOperations(kind: string): boolean {
  const k = stepKind(kind);
  return !!k && (k.ops.length > 0 || k.columns || k.blocks.length > 0);
}

export function operationsText(n: IrNode): string {
  const body = n.body.filter((s) => s.kind !== "attr");
  if (body.length === 0) return "";
  const doc: IrWrittenDocument = {
    version: IR_VERSION,
    file: "<ops>",
    pipeline: null,
    imports: [],
    schemas: [],
    nodes: [{ id: "x", name: "x", kind: writtenKind(n) || "cleanse", bare: true, body }],
    edges: [],
    variants: [],
    targets: [],
    layout: null,
    order: [{ kind: "node", id: "x" }],
  };
  const lines = print(doc).split("\n");
  const open = lines.findIndex((l) => l.endsWith("{"));
  let close = lines.length - 1;
  while (close > 0 && lines[close] !== "}") close--;
  return lines
    .slice(open + 1, close)
    .map((l) => (l.startsWith("  ") ? l.slice(2) : l))
    .join("\n");
}

export interface OpsProblem {
  line: number;
  col: number;
  message: string;
}

export type ParsedOps = { ok: true; stmts: IrStmt[] } | { ok: false; problems: OpsProblem[] };

/** Parses operations text as the body of a `kind` step. Attributes are refused: they belong to the form. */
export function parseOperations(kind: string, text: string): ParsedOps {
  const src = `${kind} x(y) {\n${text}\n}\n`;
  const r = parse(src, "<ops>");
  const errors = r.diagnostics.filter((d) => d.severity === "error");
  if (errors.length) return { ok: false, problems: errors.map((d) => ({ line: d.span.line - 1, col: d.span.col, message: d.message })) };
  const d = r.ast.decls[0];
  if (!d || d.kind !== "step" || r.ast.decls.length !== 1) return { ok: false, problems: [{ line: 1, col: 1, message: "expected operations only (an unbalanced `}`?)" }] };
  const attrs = d.body.filter((s) => s.kind === "attr");
  if (attrs.length)
    return {
      ok: false,
      problems: attrs.map((a) => ({ line: a.span.line - 1, col: a.span.col, message: `\`${a.kind === "attr" ? a.name.name : ""} = ...\` is a setting; set it in the form above` })),
    };
  return { ok: true, stmts: d.body.map(lowerStmt) };
}
