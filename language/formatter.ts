// The canonical layout of a .mlp file. Output depends only on the AST, never on the
// original whitespace, so formatting is idempotent. Within a block, adjacent
// statements of the same shape form a "run" whose columns are aligned; comments sit
// between rows of a run without breaking it, so commenting a line never reflows its
// neighbours. Pure (no `node:` imports): the editor runs it in the browser.
import type * as A from "./ast";

const IND = "  ";

/** `out.push(...xs)` passes xs as arguments and overflows the stack on a huge block. */
function append<T>(out: T[], xs: readonly T[]): void {
  for (const x of xs) out.push(x);
}

// ---------- expressions ----------

// Binding strength, low to high, mirroring the parser's rule nesting.
const OR = 1, AND = 2, NOT = 3, CMP = 4, RANGE = 5, ADD = 6, MUL = 7, NEG = 8, ATOM = 9;

const BINARY: Record<A.BinaryOp, number> = {
  or: OR, and: AND,
  "==": CMP, "!=": CMP, "<": CMP, "<=": CMP, ">": CMP, ">=": CMP,
  "+": ADD, "-": ADD, "*": MUL, "/": MUL, "%": MUL,
};

function precedence(e: A.Expr): number {
  switch (e.kind) {
    case "binary":
      return BINARY[e.op];
    case "unary":
      return e.op === "not" ? NOT : NEG;
    case "isnull":
      return CMP;
    case "range":
      return RANGE;
    default:
      return ATOM;
  }
}

/** `e` printed so that it parses back as an operand needing at least binding `min`. */
function operand(e: A.Expr, min: number): string {
  const s = formatExpr(e);
  return precedence(e) < min ? `(${s})` : s;
}

export function formatExpr(e: A.Expr): string {
  switch (e.kind) {
    case "ref":
      return e.name;
    case "number":
    case "duration":
    case "size":
      return e.raw;
    case "string":
      return quote(e.value);
    case "bool":
      return String(e.value);
    case "null":
      return "null";
    case "range":
      return `${operand(e.lo, ADD)}..${operand(e.hi, ADD)}`;
    case "list":
      return `[${e.items.map(formatExpr).join(", ")}]`;
    case "object":
      return e.entries.length ? `{ ${e.entries.map(entry).join(", ")} }` : "{}";
    case "call":
      return `${id(e.callee)}(${e.args.map((a) => (a.name ? `${id(a.name)}: ` : "") + formatExpr(a.value)).join(", ")})`;
    case "binary": {
      const p = BINARY[e.op];
      // Comparisons do not chain; the other operators are left-associative.
      return `${operand(e.left, p === CMP ? RANGE : p)} ${e.op} ${operand(e.right, p + 1)}`;
    }
    case "unary": {
      if (e.op === "not") return `not ${operand(e.operand, NOT)}`;
      const s = operand(e.operand, NEG);
      // A minus glued to a number is part of the literal, so a minus applied to a number
      // prints `-(1)`: the printed text must parse back to the same tree. A minus before
      // another minus is set apart by a space (`- -(1)`, `- -1`), not parentheses, so a long
      // run of minuses stays within the bracket nesting limit.
      if (s.startsWith("-")) return `- ${s}`;
      return e.operand.kind === "number" ? `-(${s})` : `-${s}`;
    }
    case "isnull":
      return `${operand(e.operand, RANGE)} is ${e.negated ? "not " : ""}null`;
    case "error":
      return "_";
  }
}

const entry = (x: A.ObjectEntry): string => `${id(x.key)}: ${formatExpr(x.value)}`;

function quote(s: string): string {
  return `"${s.replace(/[\\"\n\t]/g, (c) => ({ "\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t" })[c]!)}"`;
}

/** Names are empty only when error recovery invented the token. */
const id = (i: A.Ident): string => i.name || "_";
const ids = (list: A.Ident[]): string => list.map(id).join(", ");

function formatType(t: A.TypeRef): string {
  return id(t.name) + (t.args ? `(${t.args.map(formatExpr).join(", ")})` : "") + (t.nullable ? "?" : "");
}

function formatInput(r: A.InputRef): string {
  return (r.port ? `${id(r.port)}: ` : "") + id(r.step) + (r.output ? `.${id(r.output)}` : "");
}

// ---------- lines and runs ----------

const comment = (text: string): string => "//" + text;
const after = (text: string | undefined): string => (text === undefined ? "" : " " + comment(text));

function statement(indent: string, node: A.Comments, text: string): string[] {
  return [...(node.leading ?? []).map((c) => indent + comment(c)), indent + text + after(node.trailing)];
}

interface Row {
  node: A.Comments;
  /** Every cell but the last is padded to the widest in its column across the run. */
  cells: string[];
  /** The attribute's value when it is an object: printed one entry per line when the row is too long. */
  object?: Extract<A.Expr, { kind: "object" }>;
}

/** Lines longer than this print an object attribute one entry per line. */
const MAX_LINE = 100;

function run(indent: string, rows: Row[]): string[] {
  const widths: number[] = [];
  for (const r of rows) r.cells.slice(0, -1).forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return rows.flatMap((r) => {
    const head = r.cells.slice(0, -1).map((c, i) => c.padEnd(widths[i]!));
    const line = [...head, r.cells.at(-1)!].join(" ");
    if (!r.object || (indent + line).length <= MAX_LINE) return statement(indent, r.node, line);
    // `name = {`, the entries with their values aligned, then `}` with the row's comment.
    const keys = r.object.entries.map((e) => id(e.key) + ":");
    const width = Math.max(...keys.map((k) => k.length));
    const entries = r.object.entries.map((e, i) => `${indent}${IND}${keys[i]!.padEnd(width)} ${formatExpr(e.value)}${i < keys.length - 1 ? "," : ""}`);
    return [...(r.node.leading ?? []).map((c) => indent + comment(c)), `${indent}${[...head, "= {"].join(" ")}`, ...entries, `${indent}}${after(r.node.trailing)}`];
  });
}

function block(indent: string, header: string, node: A.Comments & { inner?: string[] }, inside: string[]): string[] {
  const leading = (node.leading ?? []).map((c) => indent + comment(c));
  const inner = (node.inner ?? []).map((c) => indent + IND + comment(c));
  if (!inside.length && !inner.length && node.head === undefined) return [...leading, `${indent}${header} {}${after(node.trailing)}`];
  return [...leading, `${indent}${header} {${after(node.head)}`, ...inside, ...inner, `${indent}}${after(node.trailing)}`];
}

const attrRow = (a: A.Attr): Row => ({ node: a, cells: [id(a.name), "= " + formatExpr(a.value)], ...(a.value.kind === "object" && a.value.entries.length ? { object: a.value } : {}) });

function opText(op: A.Op): string {
  switch (op.kind) {
    case "filter":
      return formatExpr(op.cond);
    case "fill":
    case "derive":
      return `${id(op.column)} = ${formatExpr(op.value)}`;
    case "drop":
    case "by":
    case "key":
    case "keep":
      return ids(op.columns);
    case "rename":
      return `${id(op.from)} -> ${id(op.to)}`;
    case "cast":
      return `${id(op.column)} as ${formatType(op.type)}`;
    case "dedupe":
      return `by ${ids(op.by)}` + (op.latest ? ` keep latest ${id(op.latest)}` : op.earliest ? ` keep earliest ${id(op.earliest)}` : "");
    case "require":
      return `${id(op.metric)} ${op.op} ${formatExpr(op.value)}`;
  }
}

/** Step bodies: attributes and keyword operations share one run, column definitions another, blocks stand alone. */
function body(indent: string, stmts: A.BodyStmt[]): string[] {
  const out: string[] = [];
  let rows: Row[] = [];
  let shape: "line" | "column" | undefined;
  const flush = () => {
    append(out, run(indent, rows));
    rows = [];
  };
  for (const s of stmts) {
    if (s.kind === "block") {
      flush();
      shape = undefined;
      out.push(...block(indent, id(s.name), s, body(indent + IND, s.body)));
      continue;
    }
    const next = s.kind === "column" ? "column" : "line";
    if (next !== shape) flush();
    shape = next;
    if (s.kind === "attr") rows.push(attrRow(s));
    else if (s.kind === "column") rows.push({ node: s, cells: [id(s.name) + ":", formatType(s.type), "= " + formatExpr(s.value)] });
    else rows.push({ node: s, cells: [s.kind, opText(s)] });
  }
  flush();
  return out;
}

/** Layout positions also align inside their objects, among entries with the same keys in the same order. */
function layoutRows(entries: A.Attr[]): Row[] {
  const objects = entries.map((e) => (e.value.kind === "object" && e.value.entries.length ? e.value.entries : undefined));
  const shape = (o: A.ObjectEntry[]) => o.map((x) => x.key.name).join(",");
  const widths = new Map<string, number[]>();
  for (const o of objects) {
    if (!o) continue;
    const w = widths.get(shape(o)) ?? [];
    o.forEach((x, i) => (w[i] = Math.max(w[i] ?? 0, entry(x).length + 1)));
    widths.set(shape(o), w);
  }
  return entries.map((e, k) => {
    const o = objects[k];
    if (!o) return attrRow(e);
    const w = widths.get(shape(o))!;
    const inner = o.map((x, i) => (i < o.length - 1 ? (entry(x) + ",").padEnd(w[i]!) : entry(x))).join(" ");
    return { node: e, cells: [id(e.name), `= { ${inner} }`] };
  });
}

// ---------- declarations ----------

function decl(d: A.Decl): string[] {
  switch (d.kind) {
    case "import":
      return statement("", d, `import { ${ids(d.names)} } from ${quote(d.from.value)}`);
    case "pipeline":
    case "target":
      return block("", `${d.kind} ${id(d.name)}`, d, run(IND, d.body.map(attrRow)));
    case "schema":
      return block("", `schema ${id(d.name)}`, d, run(IND, d.fields.map((f) => ({ node: f, cells: [id(f.name) + ":", formatType(f.type)] }))));
    case "step": {
      const inputs = d.inputs ? `(${d.inputs.map(formatInput).join(", ")})` : "";
      const output = d.output ? `: ${id(d.output.name)}${d.output.schema ? `<${id(d.output.schema)}>` : ""}` : "";
      return block("", `${id(d.stepKind)} ${id(d.name)}${inputs}${output}`, d, body(IND, d.body));
    }
    case "use":
      return statement("", d, `use ${id(d.name)} = ${id(d.of)}(${d.inputs.map(formatInput).join(", ")})`);
    case "variant":
      return block("", `variant ${id(d.name)}`, d, run(IND, d.overrides.map((o) => ({ node: o, cells: [o.path.map(id).join("."), "= " + formatExpr(o.value)] }))));
    case "layout":
      return block("", "layout", d, run(IND, layoutRows(d.entries)));
  }
}

export function format(ast: A.SourceFileAst): string {
  const out: string[] = [];
  ast.decls.forEach((d, i) => {
    if (i > 0 && !(d.kind === "import" && ast.decls[i - 1]!.kind === "import")) out.push("");
    append(out, decl(d));
  });
  if (ast.trailing?.length) {
    if (out.length) out.push("");
    append(out, ast.trailing.map(comment));
  }
  return out.length ? out.join("\n") + "\n" : "";
}
