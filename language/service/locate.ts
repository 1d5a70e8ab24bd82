// What is at an offset of a checked file: a step or schema name (declared or referred to),
// a column (written in a step body or an operation), a function, a step kind or a setting.
// Hover, go-to-definition, references and rename of the language server all start here.
import type * as A from "../ast";
import type { CheckedFile, SchemaInfo, StepInfo } from "../checker/model";
import type { Span } from "../span";

export type Target =
  | { kind: "step"; step: StepInfo; span: Span; declaration: boolean }
  | { kind: "schema"; schema: SchemaInfo; span: Span; declaration: boolean }
  | { kind: "column"; name: string; step: StepInfo; span: Span; expr?: A.Expr; defines?: boolean }
  | { kind: "field"; schema: SchemaInfo; name: string; span: Span }
  | { kind: "function"; name: string; span: Span }
  | { kind: "stepKind"; name: string; span: Span }
  /** `of`: the step's kind, or the target's name. */
  | { kind: "setting"; step: StepInfo | undefined; owner: "step" | "pipeline" | "target"; of?: string; name: string; span: Span };

const inside = (s: Span, at: number) => at >= s.start && at <= s.end;

export function stepNamed(file: CheckedFile, name: string): StepInfo | undefined {
  return file.steps.get(name) ?? file.imports.get(name)?.step;
}

export function schemaNamed(file: CheckedFile, name: string): SchemaInfo | undefined {
  return file.schemas.get(name) ?? file.imports.get(name)?.schema;
}

export function locate(file: CheckedFile, at: number): Target | undefined {
  for (const d of file.ast.decls) {
    if (!inside(d.span, at)) continue;
    switch (d.kind) {
      case "import":
        for (const n of d.names) {
          if (!inside(n.span, at)) continue;
          const step = stepNamed(file, n.name);
          if (step) return { kind: "step", step, span: n.span, declaration: false };
          const schema = schemaNamed(file, n.name);
          if (schema) return { kind: "schema", schema, span: n.span, declaration: false };
        }
        return undefined;
      case "schema": {
        const schema = schemaNamed(file, d.name.name);
        if (!schema) return undefined;
        if (inside(d.name.span, at)) return { kind: "schema", schema, span: d.name.span, declaration: true };
        for (const f of d.fields) if (inside(f.name.span, at)) return { kind: "field", schema, name: f.name.name, span: f.name.span };
        return undefined;
      }
      case "use": {
        const step = stepNamed(file, d.name.name);
        if (step && inside(d.name.span, at)) return { kind: "step", step, span: d.name.span, declaration: true };
        const of = stepNamed(file, d.of.name);
        if (of && inside(d.of.span, at)) return { kind: "step", step: of, span: d.of.span, declaration: false };
        return inputsAt(file, d.inputs, at);
      }
      case "step": {
        const step = file.steps.get(d.name.name);
        if (inside(d.stepKind.span, at)) return { kind: "stepKind", name: d.stepKind.name, span: d.stepKind.span };
        if (step && inside(d.name.span, at)) return { kind: "step", step, span: d.name.span, declaration: true };
        const input = inputsAt(file, d.inputs ?? [], at);
        if (input) return input;
        if (d.output?.schema && inside(d.output.schema.span, at)) {
          const schema = schemaNamed(file, d.output.schema.name);
          return schema ? { kind: "schema", schema, span: d.output.schema.span, declaration: false } : undefined;
        }
        return step ? inBody(d.body, step, at) : undefined;
      }
      case "pipeline":
      case "target":
        for (const a of d.body) if (inside(a.name.span, at)) return { kind: "setting", step: undefined, owner: d.kind, of: d.name.name, name: a.name.name, span: a.name.span };
        return undefined;
      case "variant":
        for (const o of d.overrides) {
          const first = o.path[0];
          if (first && inside(first.span, at)) {
            const step = stepNamed(file, first.name);
            if (step) return { kind: "step", step, span: first.span, declaration: false };
          }
        }
        return undefined;
      default:
        return undefined;
    }
  }
  return undefined;
}

function inputsAt(file: CheckedFile, inputs: readonly A.InputRef[], at: number): Target | undefined {
  for (const r of inputs) {
    if (!inside(r.step.span, at)) continue;
    const step = stepNamed(file, r.step.name);
    return step ? { kind: "step", step, span: r.step.span, declaration: false } : undefined;
  }
  return undefined;
}

function inBody(body: readonly A.BodyStmt[], step: StepInfo, at: number): Target | undefined {
  const column = (id: A.Ident, defines = false): Target => ({ kind: "column", name: id.name, step, span: id.span, defines });
  for (const s of body) {
    if (!inside(s.span, at)) continue;
    switch (s.kind) {
      case "attr":
        if (inside(s.name.span, at)) {
          const t: Target = { kind: "setting", step, owner: "step", name: s.name.name, span: s.name.span };
          if (step.kind) t.of = step.kind;
          return t;
        }
        return inExpr(s.value, step, at);
      case "column":
        if (inside(s.name.span, at)) return column(s.name, true);
        return inExpr(s.value, step, at);
      case "block":
        return inBody(s.body, step, at);
      case "filter":
        return inExpr(s.cond, step, at);
      case "fill":
      case "derive":
        if (inside(s.column.span, at)) return column(s.column, s.kind === "derive");
        return inExpr(s.value, step, at);
      case "rename":
        if (inside(s.from.span, at)) return column(s.from);
        if (inside(s.to.span, at)) return column(s.to, true);
        return undefined;
      case "cast":
        return inside(s.column.span, at) ? column(s.column) : undefined;
      case "drop":
      case "by":
      case "key":
      case "keep":
        for (const c of s.columns) if (inside(c.span, at)) return column(c);
        return undefined;
      case "dedupe":
        for (const c of [...s.by, ...(s.latest ? [s.latest] : []), ...(s.earliest ? [s.earliest] : [])]) if (inside(c.span, at)) return column(c);
        return undefined;
      case "require":
        return inExpr(s.value, step, at);
    }
  }
  return undefined;
}

function inExpr(e: A.Expr, step: StepInfo, at: number): Target | undefined {
  // A loop down the tree: expressions can be deep (a long `a + b + ...` is left-nested).
  for (let cur: A.Expr | undefined = e; cur && inside(cur.span, at); ) {
    switch (cur.kind) {
      case "ref":
        return { kind: "column", name: cur.name, step, span: cur.span, expr: cur };
      case "call": {
        if (inside(cur.callee.span, at)) return { kind: "function", name: cur.callee.name, span: cur.callee.span };
        const arg: A.Arg | undefined = cur.args.find((a) => inside(a.value.span, at));
        cur = arg?.value;
        break;
      }
      case "binary":
        cur = inside(cur.left.span, at) ? cur.left : cur.right;
        break;
      case "unary":
      case "isnull":
        cur = cur.operand;
        break;
      case "range":
        cur = inside(cur.lo.span, at) ? cur.lo : cur.hi;
        break;
      case "list":
        cur = cur.items.find((x) => inside(x.span, at));
        break;
      case "object":
        cur = cur.entries.find((x) => inside(x.value.span, at))?.value;
        break;
      default:
        return undefined;
    }
  }
  return undefined;
}
