// What the checker hands to the next phase: the files it read, every step with its
// resolved inputs, decoded configuration and output artifacts, in dependency order.
import type * as A from "../ast";
import type { Value } from "../catalog/values";
import type { Diagnostic, DiagnosticExtras } from "../diagnostics/diagnostic";
import type { Code } from "../diagnostics/catalog";
import type { LineIndex, Span } from "../span";
import type { Artifact, ColumnType, Schema } from "../types";

/** Supplies file contents by path; the CLI reads the disk, the editor its open buffers. */
export interface FileLoader {
  read(path: string): string | undefined;
}

export interface FileUnit {
  path: string;
  text: string;
  ast: A.SourceFileAst;
  lines: LineIndex;
}

export interface ResolvedInput {
  /** The kind's input port this feeds. */
  port: string;
  ref: A.InputRef;
  step?: StepInfo;
  /** The upstream step's output port. */
  output: string;
  artifact: Artifact;
}

export type Config = Record<string, Value>;

export interface StepInfo {
  /** Unique within the program: the name, prefixed with the file stem for clashing imported steps. */
  id: string;
  name: string;
  /** Catalog kind; undefined when the kind is unknown (already reported). */
  kind: string | undefined;
  decl: A.StepDecl | A.UseDecl;
  /** The declaration whose body defines the step (the reused step's, for `use`). */
  body: A.StepDecl | undefined;
  file: string;
  inputs: ResolvedInput[];
  config: Config;
  /** The config passed its kind's schema whole (it is that schema's output, defaults applied). */
  configOk: boolean;
  /** aggregate: the column its window is measured on, when it has one. */
  windowTime?: string;
  outputs: Map<string, Artifact>;
  /** Steps reading this step's outputs (within the checked program). */
  consumers: number;
  /** The type of each column expression of the body as checked for this step (a `use` has its own). */
  types: Map<A.Expr, ColumnType>;
}

export interface SchemaInfo {
  name: string;
  decl: A.SchemaDecl;
  file: string;
  schema: Schema;
}

export interface CheckedFile extends FileUnit {
  /** By name, in declaration order. */
  steps: ReadonlyMap<string, StepInfo>;
  schemas: Map<string, SchemaInfo>;
  /** Names imported into this file, by the name they have here. */
  imports: Map<string, { from: string; step?: StepInfo; schema?: SchemaInfo }>;
  pipeline?: A.PipelineDecl;
  pipelineConfig: Config;
  targets: Map<string, Config>;
}

export interface CheckedProgram {
  entry: CheckedFile;
  /** Every file read, entry first. */
  files: CheckedFile[];
  /** Every step the entry's graph contains (imported ones included), upstream before downstream. */
  order: StepInfo[];
  diagnostics: Diagnostic[];
  /** Each variant (by name, first declaration), checked again with its overrides applied. */
  variants: Map<string, CheckedVariant>;
}

/** A variant's whole program: the entry file with the variant's values written in, checked. */
export interface CheckedVariant {
  entry: CheckedFile;
  files: CheckedFile[];
  order: StepInfo[];
}

export type Report = (code: Code, span: Span, message: string, extras?: DiagnosticExtras) => void;
