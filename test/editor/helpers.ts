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
