// What the checker hands to the next phase: the files it read, every step with its
// resolved inputs, decoded configuration and output artifacts, in dependency order.
import type * as A from "../ast";
import type { Value } from "../catalog/values";
import type { Diagnostic, DiagnosticExtras } from "../diagnostics/diagnostic";
import type { Code } from "../diagnostics/catalog";
import type { LineIndex, Span } from "../span";
import type { Artifact, Schema } from "../types";

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
  outputs: Map<string, Artifact>;
  /** Steps reading this step's outputs (within the checked program). */
  consumers: number;
}

export interface SchemaInfo {
  name: string;
  decl: A.SchemaDecl;
  file: string;
  schema: Schema;
}

export interface CheckedFile extends FileUnit {
  steps: Map<string, StepInfo>;
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
}

export type Report = (code: Code, span: Span, message: string, extras?: DiagnosticExtras) => void;
