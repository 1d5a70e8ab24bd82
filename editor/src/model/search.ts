// Finding steps in a big graph: by name, by kind, or by a column they produce. Pure, so the
// ranking is tested without a browser; the search box (search/NodeSearch.tsx) shows it.
import { writtenKind, type IrDocument } from "../../../compiler/ir";

export interface StepMatch {
  id: string;
  name: string;
  kind: string;
  /** The file of a step from an imported file. */
  file?: string;
  /** What matched, shown beside the name: "name", "kind", "column spend_30d". */
  why: string;
}

/** Lower is better: a name beats a kind, which beats a column; exact beats prefix beats substring. */
function rank(text: string, q: string, base: number): number | undefined {
  const t = text.toLowerCase();
  if (t === q) return base;
  if (t.startsWith(q)) return base + 1;
  if (t.includes(q)) return base + 2;
  return undefined;
}

export function searchSteps(ir: IrDocument, query: string, limit = 50): StepMatch[] {
  const q = query.trim().toLowerCase();
  if (!q) return [];
  const found: { m: StepMatch; score: number }[] = [];
  for (const n of ir.nodes) {
    const kind = n.use !== undefined ? writtenKind(n) || "use" : writtenKind(n);
    const m: StepMatch = { id: n.id, name: n.name, kind, why: "name" };
    if (n.origin) m.file = n.origin.file;
    let score = rank(n.name, q, 0);
    if (score === undefined && (score = rank(kind, q, 10)) !== undefined) m.why = "kind";
    if (score === undefined) {
      for (const out of n.ports.outputs) {
        for (const c of out.artifact?.columns ?? []) {
          const s = rank(c.name, q, 20);
          if (s !== undefined && (score === undefined || s < score)) (score = s), (m.why = `column ${c.name}`);
        }
      }
    }
    if (score !== undefined) found.push({ m, score });
  }
  found.sort((a, b) => a.score - b.score || a.m.name.localeCompare(b.m.name));
  return found.slice(0, limit).map((f) => f.m);
}
