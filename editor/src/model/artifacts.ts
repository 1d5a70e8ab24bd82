// How artifacts and column types read on the canvas: `Table<Customer>`, `Features · 8 cols`.
import type { IrArtifact, IrColumn } from "../../../compiler/ir";

export type ArtifactType = IrArtifact["type"];

export function showColumnType(t: IrColumn["type"]): string {
  const base = t.kind === "enum" ? `enum(${t.members.join(", ")})` : t.kind === "vector" ? `vector(${t.size})` : t.kind;
  return t.nullable ? `${base}?` : base;
}

/** The artifact as a type: `Table<Customer>`, `Stream<Txn>`, `Features`, `Model`. */
export function showArtifact(a: IrArtifact | undefined): string {
  if (!a || a.type === "Unknown") return "?";
  if (a.schema && (a.type === "Table" || a.type === "Stream" || a.type === "Features")) return `${a.type}<${a.schema}>`;
  return a.type;
}

/** A one-line description for a node's footer. */
export function describeArtifact(a: IrArtifact | undefined): string {
  if (!a || a.type === "Unknown") return "type unknown";
  const cols = a.columns?.length;
  switch (a.type) {
    case "Table":
    case "Stream":
      return a.schema ? showArtifact(a) : `${a.type} · ${cols ?? 0} cols`;
    case "Features":
      return `${a.streaming ? "streaming " : ""}Features · ${cols ?? 0} cols${a.keys?.length ? ` · key ${a.keys.join(", ")}` : ""}`;
    case "Model":
      return a.model ? `Model · ${a.model.task} of ${a.model.label}${a.model.gated ? " · gated" : ""}` : "Model";
    default:
      return a.type;
  }
}

export function isStreamingArtifact(a: IrArtifact | undefined): boolean {
  return !!a && (a.type === "Stream" || (a.type === "Features" && !!a.streaming));
}

/** CSS colour token per artifact type; keeps edges, handles and legend in one palette. */
export function artifactClass(type: string | undefined): string {
  switch (type) {
    case "Table":
    case "Stream":
    case "Features":
    case "Model":
    case "Endpoint":
    case "Report":
      return `art-${type.toLowerCase()}`;
    default:
      return "art-unknown";
  }
}
