// The language service's answers over a checked program, as plain data with spans: hover
// text, definitions, references, renames, document symbols. The language server turns them
// into LSP messages; nothing here knows about LSP or files on disk.
import type * as A from "../ast";
import { stepKind } from "../catalog";
import type { CheckedFile, CheckedProgram, StepInfo } from "../checker/model";
import { fn } from "../functions";
import type { Span } from "../span";
import { schemaOf, showType, type Artifact, type ColumnType } from "../types";
import { locate, schemaNamed, stepNamed, type Target } from "./locate";
import { settingDocs } from "./settings";

export interface Place {
  file: string;
  span: Span;
}

export function fileOf(program: CheckedProgram, path: string): CheckedFile | undefined {
  return program.files.find((f) => f.path === path);
}

export function showArtifact(a: Artifact | undefined): string {
  if (!a) return "?";
  switch (a.kind) {
    case "Table":
    case "Stream":
      return `${a.kind}<${a.schema.name ?? "…"}>`;
    case "Features":
      return `Features (key ${a.keys.join(", ")})`;
    case "Model":
      return `Model (${a.task}, label ${a.label}: ${showType(a.labelType)})`;
    default:
      return a.kind;
  }
}

function columnsOf(a: Artifact | undefined): string[] {
  const s = a && schemaOf(a);
  return s ? s.columns.map((c) => `  ${c.name}: ${showType(c.type)}`) : [];
}

/** A column's type where a step reads or defines it: as checked in that expression, else its input's or output's column. */
export function columnType(step: StepInfo, name: string, expr?: A.Expr): ColumnType | undefined {
  const typed = expr && step.types.get(expr);
  if (typed) return typed;
  for (const i of step.inputs) {
    const c = schemaOf(i.artifact)?.get(name);
    if (c) return c.type;
  }
  for (const o of step.outputs.values()) {
    const c = schemaOf(o)?.get(name);
    if (c) return c.type;
  }
  return undefined;
}

const block = (lines: string[]) => ["```mlp", ...lines, "```"].join("\n");

export function hover(program: CheckedProgram, path: string, at: number): { text: string; span: Span } | undefined {
  const file = fileOf(program, path);
  const t = file && locate(file, at);
  if (!t) return undefined;
  return { text: hoverText(t), span: t.span };
}

function hoverText(t: Target): string {
  switch (t.kind) {
    case "step": {
      const s = t.step;
      const outs = [...s.outputs];
      const lines = outs.length === 1 && outs[0]![0] === "out" ? [`${s.kind ?? "step"} ${s.name}: ${showArtifact(outs[0]![1])}`, ...columnsOf(outs[0]![1])] : [`${s.kind ?? "step"} ${s.name}`, ...outs.flatMap(([p, a]) => [`${p}: ${showArtifact(a)}`, ...columnsOf(a)])];
      const inputs = s.inputs.map((i) => `${i.port} ← ${i.ref.step.name}${i.output !== "out" ? `.${i.output}` : ""}`);
      return [block(lines), inputs.length ? `reads ${inputs.join(", ")}` : "", s.file !== t.step.file ? "" : `declared in ${s.file}`].filter(Boolean).join("\n\n");
    }
    case "schema":
      return block([`schema ${t.schema.name}`, ...t.schema.schema.columns.map((c) => `  ${c.name}: ${showType(c.type)}`)]);
    case "field": {
      const c = t.schema.schema.get(t.name);
      return block([`${t.schema.name}.${t.name}: ${c ? showType(c.type) : "?"}`]);
    }
    case "column": {
      const type = columnType(t.step, t.name, t.expr);
      if (!type) return `\`${t.name}\`: not a column of \`${t.step.name}\`'s input`;
      return `${block([`${t.name}: ${showType(type)}`])}\n\n${t.defines ? "defined" : "read"} in \`${t.step.name}\`${type.nullable ? " (nullable: may be null)" : ""}`;
    }
    case "function": {
      const f = fn(t.name);
      return f ? `${block([f.shape])}\n\n${f.doc}${f.aggregate ? "\n\nAn aggregate: used in `aggregate` steps." : ""}` : `\`${t.name}\` is not a function of the language`;
    }
    case "stepKind": {
      const k = stepKind(t.name);
      if (!k) return `\`${t.name}\` is not a step kind`;
      const ports = (xs: readonly { name: string }[]) => xs.map((p) => p.name).join(", ") || "none";
      return `**${k.kind}** (${k.category} step): ${k.doc}\n\ninputs: ${ports(k.inputs)} · outputs: ${ports(k.outputs)}`;
    }
    case "setting": {
      const doc = settingDocs(t.owner, t.of).get(t.name);
      return doc ? `**${t.name}**: ${doc}` : `\`${t.name}\` is not a setting of ${t.owner === "pipeline" ? "the pipeline" : (t.of ?? t.owner)}`;
    }
  }
}

/** Where the thing at `at` is declared. */
export function definition(program: CheckedProgram, path: string, at: number): Place | undefined {
  const file = fileOf(program, path);
  const t = file && locate(file, at);
  if (!t) return undefined;
  switch (t.kind) {
    case "step":
      return { file: t.step.file, span: t.step.decl.name.span };
    case "schema":
      return { file: t.schema.file, span: t.schema.decl.name.span };
    case "column":
      return columnOrigin(program, t.step, t.name, t.defines ? t.span : undefined);
    default:
      return undefined;
  }
}

/**
 * Where a column a step reads comes from: the nearest step upstream that defines it (a column
 * definition, `derive`, the new name of a `rename`), or the field of the schema a source reads.
 */
export function columnOrigin(program: CheckedProgram, step: StepInfo, name: string, own?: Span): Place | undefined {
  if (own) return { file: step.file, span: own };
  const seen = new Set<StepInfo>();
  const queue = step.inputs.map((i) => ({ step: i.step, name }));
  while (queue.length) {
    const { step: s, name: n } = queue.shift()!;
    if (!s || seen.has(s)) continue;
    seen.add(s);
    let renamedFrom: string | undefined;
    for (const st of s.body?.body ?? []) {
      if (st.kind === "column" && st.name.name === n) return { file: s.file, span: st.name.span };
      if (st.kind === "derive" && st.column.name === n) return { file: s.file, span: st.column.span };
      if (st.kind === "rename" && st.to.name === n) {
        renamedFrom = st.from.name;
        if (!s.inputs.length) return { file: s.file, span: st.to.span };
      }
    }
    if (s.decl.kind === "step" && s.decl.output?.schema && !s.inputs.length) {
      const file = program.files.find((f) => f.path === s.file);
      const schema = file && schemaNamed(file, s.decl.output.schema.name);
      const field = schema?.decl.fields.find((f) => f.name.name === n);
      if (schema && field) return { file: schema.file, span: field.name.span };
    }
    for (const i of s.inputs) queue.push({ step: i.step, name: renamedFrom ?? n });
  }
  return undefined;
}

const byPlace = (a: Place, b: Place) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.span.start - b.span.start);

/**
 * Every mention of the step or schema at `at` (the declaration included), each place once, in the
 * files of `programs`: the program of the file `path`, and those of other files that import it,
 * so that a library's declaration reaches the files that use it.
 */
export function references(programs: CheckedProgram | CheckedProgram[], path: string, at: number): Place[] {
  const out = new Map<string, Place>();
  for (const program of ([] as CheckedProgram[]).concat(programs)) {
    // Each program checked its own copy of the file: the declaration is located in each.
    const file = fileOf(program, path);
    const t = file && locate(file, at);
    if (!t || (t.kind !== "step" && t.kind !== "schema")) continue;
    for (const f of program.files) {
      for (const { span, name } of mentions(f)) {
        const hit = t.kind === "step" ? stepNamed(f, name) === t.step : schemaNamed(f, name) === t.schema;
        if (hit) out.set(`${f.path}\u0000${span.start}`, { file: f.path, span });
      }
    }
  }
  return [...out.values()].sort(byPlace);
}

/** The names a file writes that may name a step or schema. */
function mentions(f: CheckedFile): { span: Span; name: string }[] {
  const out: { span: Span; name: string }[] = [];
  const id = (i: A.Ident) => out.push({ span: i.span, name: i.name });
  for (const d of f.ast.decls) {
    switch (d.kind) {
      case "import":
        d.names.forEach(id);
        break;
      case "schema":
        id(d.name);
        break;
      case "use":
        id(d.name);
        id(d.of);
        d.inputs.forEach((r) => id(r.step));
        break;
      case "step":
        id(d.name);
        (d.inputs ?? []).forEach((r) => id(r.step));
        if (d.output?.schema) id(d.output.schema);
        break;
      case "variant":
        for (const o of d.overrides) if (o.path[0] && o.path.length > 1) id(o.path[0]);
        break;
      default:
        break;
    }
  }
  return out;
}

export const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Renames the step or schema at `at` where `programs` (as for `references`) mention it; refused when the new name is taken in a file it would be written in. */
export function rename(programs: CheckedProgram | CheckedProgram[], path: string, at: number, to: string): { edits: (Place & { text: string })[] } | { refused: string } {
  const all = ([] as CheckedProgram[]).concat(programs);
  const file = all[0] && fileOf(all[0], path);
  const t = file && locate(file, at);
  if (!t || (t.kind !== "step" && t.kind !== "schema")) return { refused: "only steps and schemas can be renamed" };
  if (!IDENT.test(to)) return { refused: `\`${to}\` is not a name (letters, digits and _, not starting with a digit)` };
  const edits = references(all, path, at);
  const touched = new Set(edits.map((e) => e.file));
  // The declaring file first, then the files importing it: an importer's own names clash too.
  const home = t.kind === "step" ? t.step.file : t.schema.file;
  const files = all.flatMap((p) => p.files).filter((f) => f.path === home || touched.has(f.path));
  files.sort((a, b) => Number(b.path === home) - Number(a.path === home));
  const taken = files.find((f) => f.steps.has(to) || f.schemas.has(to) || f.imports.has(to));
  if (taken) return { refused: `\`${to}\` is already declared in ${taken.path}` };
  return { edits: edits.map((p) => ({ ...p, text: to })) };
}

export interface DocSymbol {
  name: string;
  detail: string;
  kind: "pipeline" | "schema" | "field" | "step" | "target" | "variant" | "import" | "layout";
  span: Span;
  selection: Span;
  children: DocSymbol[];
}

export function symbols(ast: A.SourceFileAst): DocSymbol[] {
  const out: DocSymbol[] = [];
  for (const d of ast.decls) {
    switch (d.kind) {
      case "pipeline":
      case "target":
        out.push({ name: d.name.name, detail: d.kind, kind: d.kind, span: d.span, selection: d.name.span, children: [] });
        break;
      case "schema":
        out.push({
          name: d.name.name,
          detail: "schema",
          kind: "schema",
          span: d.span,
          selection: d.name.span,
          children: d.fields.map((f) => ({ name: f.name.name, detail: f.type.name.name + (f.type.nullable ? "?" : ""), kind: "field" as const, span: f.span, selection: f.name.span, children: [] })),
        });
        break;
      case "step":
        out.push({ name: d.name.name, detail: d.stepKind.name, kind: "step", span: d.span, selection: d.name.span, children: [] });
        break;
      case "use":
        out.push({ name: d.name.name, detail: `use ${d.of.name}`, kind: "step", span: d.span, selection: d.name.span, children: [] });
        break;
      case "variant":
        out.push({ name: d.name.name, detail: "variant", kind: "variant", span: d.span, selection: d.name.span, children: [] });
        break;
      case "import":
        for (const n of d.names) out.push({ name: n.name, detail: `from ${d.from.value}`, kind: "import", span: d.span, selection: n.span, children: [] });
        break;
      case "layout":
        out.push({ name: "layout", detail: "positions on the canvas", kind: "layout", span: d.span, selection: d.span, children: [] });
        break;
    }
  }
  return out;
}
