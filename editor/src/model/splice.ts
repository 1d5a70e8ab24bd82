// Printing a graph edit back without reformatting the rest of the file: declarations
// the edit did not change keep their original text (spacing, alignment, comments);
// only changed or new declarations are printed by the formatter. When the file is
// already formatted this is exactly `print(ir)`.
import type { Decl } from "../../../language/ast";
import { format } from "../../../language/formatter";
import { parse } from "../../../language/parser";
import type { Span } from "../../../language/span";
import type { IrDeclRef, IrDocument } from "../../../compiler/ir";
import { print, raise } from "../../../compiler/print";

interface Placed {
  key: string;
  decl: Decl;
  span: Span | undefined;
  kind: Decl["kind"];
}

function spanOf(ir: IrDocument, ref: IrDeclRef): Span | undefined {
  switch (ref.kind) {
    case "import": return ir.imports[ref.index]?.span;
    case "pipeline": return ir.pipeline?.span;
    case "schema": return ir.schemas[ref.index]?.span;
    case "node": return ir.nodes.find((n) => n.id === ref.id)?.span;
    case "variant": return ir.variants[ref.index]?.span;
    case "target": return ir.targets[ref.index]?.span;
    case "layout": return ir.layout?.span;
  }
}

function emits(ir: IrDocument, ref: IrDeclRef): boolean {
  switch (ref.kind) {
    case "import": return !!ir.imports[ref.index];
    case "pipeline": return !!ir.pipeline;
    case "schema": return !!ir.schemas[ref.index] && !ir.schemas[ref.index]!.origin;
    case "node": {
      const n = ir.nodes.find((x) => x.id === ref.id);
      return !!n && !n.origin;
    }
    case "variant": return !!ir.variants[ref.index];
    case "target": return !!ir.targets[ref.index];
    case "layout": return !!ir.layout;
  }
}

/** The declarations `raise` produces, each with the reference it came from (same order, same rules). */
function placed(ir: IrDocument): Placed[] | undefined {
  const decls = raise(ir).decls;
  const refs: IrDeclRef[] = [];
  const seen = new Set<string>();
  const visit = (ref: IrDeclRef) => {
    const key = JSON.stringify(ref);
    if (seen.has(key)) return;
    seen.add(key);
    if (emits(ir, ref)) refs.push(ref);
  };
  for (const r of ir.order) visit(r);
  ir.imports.forEach((_, index) => visit({ kind: "import", index }));
  visit({ kind: "pipeline" });
  ir.schemas.forEach((_, index) => visit({ kind: "schema", index }));
  for (const n of ir.nodes) visit({ kind: "node", id: n.id });
  ir.variants.forEach((_, index) => visit({ kind: "variant", index }));
  ir.targets.forEach((_, index) => visit({ kind: "target", index }));
  visit({ kind: "layout" });
  if (refs.length !== decls.length) return undefined;
  return refs.map((ref, i) => ({ key: JSON.stringify(ref), decl: decls[i]!, span: spanOf(ir, ref), kind: decls[i]!.kind }));
}

const one = (d: Decl) => format({ path: "", decls: [d] });

/** The new text for `after`, keeping the original text of every declaration it shares with `before`. */
export function printPreserving(before: IrDocument, text: string, after: IrDocument): string {
  const printed = print(after);
  if (print(before) === text) return printed;
  const olds = placed(before);
  const news = placed(after);
  if (!olds || !news || olds.some((o) => !o.span)) return printed;

  // Each old declaration's chunk: its leading comment lines, itself, its trailing comment.
  const lineEnd = (pos: number) => {
    const i = text.indexOf("\n", pos);
    return i < 0 ? text.length : i;
  };
  const chunks: { start: number; end: number; formatted: string }[] = [];
  let cursor = 0;
  for (const o of olds) {
    let start = cursor;
    // Skip blank lines between declarations.
    for (;;) {
      const e = lineEnd(start);
      if (text.slice(start, e).trim() !== "" || e >= text.length) break;
      start = e + 1;
    }
    const end = lineEnd(Math.max(o.span!.end - 1, start));
    chunks.push({ start, end, formatted: one(o.decl) });
    cursor = Math.min(end + 1, text.length);
  }
  const oldIndex = new Map(olds.map((o, i) => [o.key, i]));

  let out = "";
  let prev: { kept: number | undefined; kind: Decl["kind"] } | undefined;
  for (const n of news) {
    const i = oldIndex.get(n.key);
    const formatted = one(n.decl);
    const kept = i !== undefined && chunks[i]!.formatted === formatted ? i : undefined;
    if (!prev) out += kept === 0 ? text.slice(0, chunks[0]!.start) : "";
    else if (kept !== undefined && prev.kept !== undefined && kept === prev.kept + 1) out += text.slice(chunks[prev.kept]!.end, chunks[kept]!.start);
    else out += n.kind === "import" && prev.kind === "import" ? "\n" : "\n\n";
    out += kept !== undefined ? text.slice(chunks[kept]!.start, chunks[kept]!.end) : formatted.replace(/\n$/, "");
    prev = { kept, kind: n.kind };
  }
  const lastOld = chunks.length - 1;
  if (prev && prev.kept === lastOld) out += text.slice(chunks[lastOld]!.end);
  else {
    const trailing = after.trailing?.length ? `\n\n${after.trailing.map((c) => `//${c}`).join("\n")}` : "";
    out += `${trailing}\n`;
  }
  // Safety net: the spliced text must mean exactly what the printed one does.
  return format(parse(out, after.file).ast) === printed ? out : printed;
}
