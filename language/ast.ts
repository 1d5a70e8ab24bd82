// The syntax tree of one .mlp file. Plain data: every node has a `kind` and a `span`;
// statements also carry the comments that belong to them so the formatter and the
// graph IR keep them.
import type { Span } from "./span";

export interface Comments {
  /** Whole-line comments directly above the node, text without the leading `//`. */
  leading?: string[];
  /** A comment after the node on its last line. */
  trailing?: string;
  /** A comment after the opening brace of a block-shaped node. */
  head?: string;
}

export interface Ident {
  kind: "ident";
  name: string;
  span: Span;
}

// ---------- expressions (also attribute values) ----------

export type BinaryOp = "or" | "and" | "==" | "!=" | "<" | "<=" | ">" | ">=" | "+" | "-" | "*" | "/" | "%";

export type Expr =
  | { kind: "ref"; name: string; span: Span }
  | { kind: "number"; value: number; raw: string; span: Span }
  | { kind: "string"; value: string; span: Span }
  | { kind: "bool"; value: boolean; span: Span }
  | { kind: "null"; span: Span }
  | { kind: "duration"; raw: string; span: Span }
  | { kind: "size"; raw: string; span: Span }
  | { kind: "range"; lo: Expr; hi: Expr; span: Span }
  | { kind: "list"; items: Expr[]; span: Span }
  | { kind: "object"; entries: ObjectEntry[]; span: Span }
  | { kind: "call"; callee: Ident; args: Arg[]; span: Span }
  | { kind: "binary"; op: BinaryOp; left: Expr; right: Expr; span: Span }
  | { kind: "unary"; op: "not" | "-"; operand: Expr; span: Span }
  | { kind: "isnull"; operand: Expr; negated: boolean; span: Span }
  | { kind: "error"; span: Span };

export interface ObjectEntry {
  key: Ident;
  value: Expr;
}

export interface Arg {
  name?: Ident;
  value: Expr;
}

// ---------- types ----------

export interface TypeRef {
  kind: "type";
  name: Ident;
  /** `enum(a, b)` members or `vector(N)` size. */
  args?: Expr[];
  nullable: boolean;
  span: Span;
}

export interface ArtifactTypeRef {
  kind: "artifact";
  name: Ident;
  schema?: Ident;
  span: Span;
}

// ---------- step bodies ----------

export interface Attr extends Comments {
  kind: "attr";
  name: Ident;
  value: Expr;
  span: Span;
}

export interface ColumnDef extends Comments {
  kind: "column";
  name: Ident;
  type: TypeRef;
  value: Expr;
  span: Span;
}

export interface Block extends Comments {
  kind: "block";
  name: Ident;
  body: BodyStmt[];
  /** Comments before the closing brace. */
  inner?: string[];
  span: Span;
}

export type CompareOp = "==" | "!=" | "<" | "<=" | ">" | ">=";

export type Op = Comments & { span: Span; keyword: Span } & (
    | { kind: "filter"; cond: Expr }
    | { kind: "fill"; column: Ident; value: Expr }
    | { kind: "derive"; column: Ident; value: Expr }
    | { kind: "drop"; columns: Ident[] }
    | { kind: "rename"; from: Ident; to: Ident }
    | { kind: "cast"; column: Ident; type: TypeRef }
    /** `keep latest COL` / `keep earliest COL`: at most one of the two. */
    | { kind: "dedupe"; by: Ident[]; latest?: Ident; earliest?: Ident }
    | { kind: "by"; columns: Ident[] }
    | { kind: "key"; columns: Ident[] }
    | { kind: "keep"; columns: Ident[] }
    | { kind: "require"; metric: Ident; op: CompareOp; value: Expr }
  );

export type OpKind = Op["kind"];
export type BodyStmt = Attr | ColumnDef | Block | Op;

// ---------- declarations ----------

export interface InputRef {
  /** `evaluate gate(model: tuned, data: holdout)` names the port. */
  port?: Ident;
  step: Ident;
  /** `split.train` selects an output port. */
  output?: Ident;
  span: Span;
}

interface DeclBase extends Comments {
  span: Span;
}

export interface ImportDecl extends DeclBase {
  kind: "import";
  names: Ident[];
  from: { value: string; span: Span };
}

export interface PipelineDecl extends DeclBase {
  kind: "pipeline";
  name: Ident;
  body: Attr[];
  inner?: string[];
}

export interface SchemaField extends Comments {
  name: Ident;
  type: TypeRef;
  span: Span;
}

export interface SchemaDecl extends DeclBase {
  kind: "schema";
  name: Ident;
  fields: SchemaField[];
  inner?: string[];
}

export interface StepDecl extends DeclBase {
  kind: "step";
  stepKind: Ident;
  name: Ident;
  /** undefined when written without parentheses (sources). */
  inputs?: InputRef[];
  output?: ArtifactTypeRef;
  body: BodyStmt[];
  inner?: string[];
}

export interface UseDecl extends DeclBase {
  kind: "use";
  name: Ident;
  of: Ident;
  inputs: InputRef[];
}

export interface Override extends Comments {
  path: Ident[];
  value: Expr;
  span: Span;
}

export interface VariantDecl extends DeclBase {
  kind: "variant";
  name: Ident;
  overrides: Override[];
  inner?: string[];
}

export interface TargetDecl extends DeclBase {
  kind: "target";
  name: Ident;
  body: Attr[];
  inner?: string[];
}

export interface LayoutDecl extends DeclBase {
  kind: "layout";
  entries: Attr[];
  inner?: string[];
}

export type Decl = ImportDecl | PipelineDecl | SchemaDecl | StepDecl | UseDecl | VariantDecl | TargetDecl | LayoutDecl;

export interface SourceFileAst {
  path: string;
  decls: Decl[];
  /** Comments after the last declaration. */
  trailing?: string[];
}
