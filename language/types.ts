// Column types, schemas and the artifact types that flow along edges.

export type ScalarKind = "int" | "float" | "string" | "bool" | "timestamp" | "date";

export type ColumnType =
  | { kind: ScalarKind; nullable: boolean }
  | { kind: "enum"; members: string[]; nullable: boolean }
  | { kind: "vector"; size: number; nullable: boolean }
  /** Only inside expressions: `now() - 7d`. */
  | { kind: "duration"; nullable: boolean }
  /** The `null` literal: fits any nullable type. */
  | { kind: "null"; nullable: true }
  /** Poison: the type of something already reported as an error. Fits everything, so it never cascades. */
  | { kind: "unknown"; nullable: boolean };

export const SCALAR_KINDS: readonly ScalarKind[] = ["int", "float", "string", "bool", "timestamp", "date"];
export const TYPE_NAMES: readonly string[] = [...SCALAR_KINDS, "enum", "vector"];

export interface Column {
  name: string;
  type: ColumnType;
}

/** An ordered list of columns with lookup by name. Treated as immutable once built. */
export class Schema {
  private index: Map<string, number> | undefined;
  constructor(
    readonly columns: readonly Column[],
    /** The schema's name when it is a declared `schema`, for messages. */
    readonly name?: string,
  ) {}
  get(name: string): Column | undefined {
    if (!this.index) {
      this.index = new Map();
      this.columns.forEach((c, i) => this.index!.set(c.name, i));
    }
    const i = this.index.get(name);
    return i === undefined ? undefined : this.columns[i];
  }
  has(name: string): boolean {
    return this.get(name) !== undefined;
  }
  names(): string[] {
    return this.columns.map((c) => c.name);
  }
}

export type Task = "classification" | "regression";

export type Artifact =
  /**
   * `unique`: column sets that each identify a row (what a `dedupe by`, an aggregate's `by` and
   * window prove), so an as-of join can require one match per key and time. `history`: on
   * rows that are a history (a hopping aggregate's windows), the column saying when each row's
   * values became known (`window_end`): an online store keeps the newest row per key by it.
   */
  | { kind: "Table"; schema: Schema; unique?: string[][]; history?: string }
  | { kind: "Stream"; schema: Schema; eventTime?: string }
  | { kind: "Features"; schema: Schema; keys: string[]; streaming: boolean; eventTime?: string; unique?: string[][]; history?: string }
  | {
      kind: "Model";
      /** Columns the model reads: the training data without its label. */
      input: Schema;
      label: string;
      labelType: ColumnType;
      task: Task;
      hyperparams: string[];
      /** An evaluate step gates this model (directly or upstream). */
      gated: boolean;
    }
  | { kind: "Endpoint" }
  | { kind: "Report" }
  /** Poison: an upstream error already explains why this is not known. */
  | { kind: "Unknown" };

export type ArtifactKind = Artifact["kind"];
export const ARTIFACT_KINDS: readonly ArtifactKind[] = ["Table", "Stream", "Features", "Model", "Endpoint", "Report"];

export const UNKNOWN: Artifact = { kind: "Unknown" };
export const unknownType = (nullable = false): ColumnType => ({ kind: "unknown", nullable });

export function isStreaming(a: Artifact): boolean {
  return a.kind === "Stream" || (a.kind === "Features" && a.streaming);
}

export function schemaOf(a: Artifact): Schema | undefined {
  return a.kind === "Table" || a.kind === "Stream" || a.kind === "Features" ? a.schema : undefined;
}

export function showType(t: ColumnType): string {
  const q = t.nullable && t.kind !== "null" ? "?" : "";
  switch (t.kind) {
    case "enum":
      return `enum(${t.members.join(", ")})${q}`;
    case "vector":
      return `vector(${t.size})${q}`;
    default:
      return t.kind + q;
  }
}

export function showArtifact(a: Artifact): string {
  switch (a.kind) {
    case "Table":
    case "Stream":
    case "Features":
      return a.schema.name ? `${a.kind}<${a.schema.name}>` : a.kind === "Features" && a.streaming ? "streaming Features" : a.kind;
    default:
      return a.kind;
  }
}

export const withNullable = (t: ColumnType, nullable: boolean): ColumnType =>
  t.kind === "null" ? t : t.nullable === nullable ? t : ({ ...t, nullable } as ColumnType);

export const isNumeric = (t: ColumnType): boolean => t.kind === "int" || t.kind === "float" || t.kind === "unknown";

/** Can a value of type `from` be stored in a column of type `to`, ignoring nullability? int widens to float. */
export function fits(from: ColumnType, to: ColumnType): boolean {
  if (from.kind === "unknown" || to.kind === "unknown" || from.kind === "null") return true;
  if (from.kind === to.kind) {
    if (from.kind === "enum" && to.kind === "enum") return from.members.every((m) => to.members.includes(m));
    if (from.kind === "vector" && to.kind === "vector") return from.size === to.size;
    return true;
  }
  return from.kind === "int" && to.kind === "float";
}

/** The type two branches (`if`, `coalesce`) agree on, or undefined when they do not. */
export function unify(a: ColumnType, b: ColumnType): ColumnType | undefined {
  const nullable = a.nullable || b.nullable;
  if (a.kind === "null") return withNullable(b, true);
  if (b.kind === "null") return withNullable(a, true);
  if (a.kind === "unknown") return withNullable(b, nullable);
  if (b.kind === "unknown") return withNullable(a, nullable);
  if (fits(a, b)) return withNullable(b, nullable);
  if (fits(b, a)) return withNullable(a, nullable);
  return undefined;
}

export function sameType(a: ColumnType, b: ColumnType): boolean {
  return fits(a, b) && fits(b, a) && a.nullable === b.nullable;
}
