// Pictures of a pipeline for places that draw text: Mermaid (GitHub renders it in markdown)
// and Graphviz DOT. One node per step (its kind and name), one edge per input with the
// artifact that flows along it; nodes and edges in the IR's order, so the same pipeline
// gives the same bytes. `highlight` marks steps (a diff's changed ones).
import { stepKind } from "../../language/catalog";
import { writtenKind, type IrArtifact, type IrDocument, type IrEdge } from "../ir";

/** Short text for what flows along an edge: `Table<Customer>`, `Model`. */
export function artifactLabel(a: IrArtifact | undefined): string {
  if (!a || a.type === "Unknown") return "?";
  return a.schema && (a.type === "Table" || a.type === "Stream" || a.type === "Features") ? `${a.type}<${a.schema}>` : a.type;
}

/** The edge's label: the artifact, and the ports when they are not the plain `out` → `data`. */
function edgeLabel(e: IrEdge): string {
  const ports = [e.from.port !== "out" ? e.from.port : "", e.named || e.to.port !== "data" ? `→ ${e.to.port}` : ""].filter(Boolean).join(" ");
  return ports ? `${ports} · ${artifactLabel(e.artifact)}` : artifactLabel(e.artifact);
}

/** What a kind does, as the pictures colour it: its catalog category, with features apart from the other data steps. */
export function categoryOf(kind: string): string | undefined {
  return kind === "features" ? "features" : stepKind(kind)?.category;
}

// ---------- Mermaid ----------

/** Mermaid ids are the step ids behind a prefix: a step named `end` or `graph` would otherwise be a keyword. */
const mid = (id: string) => `s_${id}`;
/** Text inside Mermaid's `"..."`: quotes and the characters Mermaid reads as markup become entities. */
const mtext = (s: string) => s.replace(/[&"<>#]/g, (c) => `#${c.charCodeAt(0)};`);

export function mermaid(ir: IrDocument, highlight: ReadonlySet<string> = new Set()): string {
  const lines = ["flowchart LR"];
  for (const n of ir.nodes) lines.push(`  ${mid(n.id)}["${mtext(writtenKind(n))} <b>${mtext(n.id)}</b>"]`);
  for (const e of ir.edges) lines.push(`  ${mid(e.from.node)} -->|"${mtext(edgeLabel(e))}"| ${mid(e.to.node)}`);
  lines.push(
    "  classDef data fill:#eff6ff,stroke:#2563eb,color:#1f2328",
    "  classDef features fill:#f5f3ff,stroke:#7c3aed,color:#1f2328",
    "  classDef model fill:#fff7ed,stroke:#c2410c,color:#1f2328",
    "  classDef serve fill:#f0fdf4,stroke:#15803d,color:#1f2328",
    "  classDef report fill:#fefce8,stroke:#a16207,color:#1f2328",
    "  classDef changed stroke:#d1242f,stroke-width:3px",
  );
  const byClass = new Map<string, string[]>();
  for (const n of ir.nodes) {
    const c = categoryOf(n.kind);
    if (c) byClass.set(c, [...(byClass.get(c) ?? []), mid(n.id)]);
  }
  for (const [c, ids] of byClass) lines.push(`  class ${ids.join(",")} ${c}`);
  const changed = ir.nodes.filter((n) => highlight.has(n.id)).map((n) => mid(n.id));
  if (changed.length) lines.push(`  class ${changed.join(",")} changed`);
  return lines.join("\n") + "\n";
}

// ---------- Graphviz DOT ----------

/** A DOT double-quoted string: backslashes and quotes escaped, line breaks as DOT's `\n`. */
const dq = (s: string) => `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\r?\n/g, "\\n")}"`;

const FILL: Record<string, [string, string]> = {
  data: ["#eff6ff", "#2563eb"],
  features: ["#f5f3ff", "#7c3aed"],
  model: ["#fff7ed", "#c2410c"],
  serve: ["#f0fdf4", "#15803d"],
  report: ["#fefce8", "#a16207"],
};

export function dot(ir: IrDocument, highlight: ReadonlySet<string> = new Set()): string {
  const lines = [
    `digraph ${dq(ir.pipeline?.name ?? "pipeline")} {`,
    "  rankdir=LR;",
    '  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=11];',
    '  edge [fontname="Helvetica", fontsize=9, color="#667085"];',
  ];
  for (const n of ir.nodes) {
    const [fill, line] = FILL[categoryOf(n.kind) ?? ""] ?? ["#f6f7f9", "#98a2b3"];
    const mark = highlight.has(n.id) ? ', penwidth=3, color="#d1242f"' : `, color="${line}"`;
    lines.push(`  ${dq(n.id)} [label=${dq(`${writtenKind(n)}\n${n.id}`)}, fillcolor="${fill}"${mark}];`);
  }
  for (const e of ir.edges) lines.push(`  ${dq(e.from.node)} -> ${dq(e.to.node)} [label=${dq(edgeLabel(e))}];`);
  lines.push("}");
  return lines.join("\n") + "\n";
}
