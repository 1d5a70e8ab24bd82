// Shared by the editor's component tests: the bundled samples, analysed as the editor does.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { analyze, type Analysis } from "../../editor/src/model/analyze";
import type { Edit } from "../../editor/src/model/edits";
import { printPreserving } from "../../editor/src/model/splice";

const SAMPLES = fileURLToPath(new URL("../../editor/samples", import.meta.url));

function walk(dir: string, out: Record<string, string>): Record<string, string> {
  for (const f of readdirSync(dir)) {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (f.endsWith(".mlp")) out[relative(SAMPLES, p)] = readFileSync(p, "utf8");
  }
  return out;
}

export const FILES: Record<string, string> = walk(SAMPLES, {});

export function sample(path: string, texts: Record<string, string> = {}): Analysis {
  return analyze(path, { ...FILES, ...texts });
}

export function errors(a: Analysis): string[] {
  return a.diagnostics.filter((d) => d.severity === "error").map((d) => `${d.code} ${d.message}`);
}

/** Applies an edit that must succeed, prints it as the editor does and re-analyses the text. */
export function edited(a: Analysis, r: Edit): { text: string; after: Analysis } {
  if (!r.ok) throw new Error(`edit refused: ${r.reason}`);
  const text = printPreserving(a.ir, a.texts[a.entry]!, r.ir);
  return { text, after: analyze(a.entry, { ...FILES, [a.entry]: text }) };
}

/** Every comment line of a text, to prove an edit kept them. */
export function comments(text: string): string[] {
  return text.split("\n").map((l) => l.trim()).filter((l) => l.startsWith("//"));
}

/** Point-in-time training rows: a hopping aggregate and an as-of join (not among the editor's samples). */
export const POINT_IN_TIME = `pipeline p {
  version = "1"
}

schema Sale {
  store_sku: string
  units:     int
  sold_at:   timestamp
}

schema Label {
  store_sku:  string
  week_start: timestamp
  units_next: int
}

source sales: Table<Sale> {
  uri    = "s3://b/sales/"
  format = parquet
}

source labels: Table<Label> {
  uri    = "s3://b/labels/"
  format = parquet
}

aggregate sales_28d(sales) {
  by     store_sku
  window = 28d
  every  = 7d
  units_28d: int = sum(units)
}

join rows(labels, sales_28d) {
  on     = store_sku
  asof   = week_start >= window_end
  within = 35d
  type   = left
}
`;
