// Pictures of pipelines: Mermaid and DOT for every sample, with every step and edge, the same
// bytes each time, and names that would be markup or keywords written safely.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { lower } from "../../compiler/lower";
import { dot, mermaid } from "../../compiler/tooling/picture";
import { checkProgram } from "../../language/checker/program";

const SAMPLES = fileURLToPath(new URL("../../samples/", import.meta.url));
const disk = { read: (p: string) => readFileSync(p, "utf8") };

describe("mlp graph pictures", () => {
  for (const f of readdirSync(SAMPLES, { withFileTypes: true }).filter((x) => x.isFile() && x.name.endsWith(".mlp")).map((x) => x.name)) {
    it(f, () => {
      const ir = lower(checkProgram(join(SAMPLES, f), disk));
      const m = mermaid(ir);
      expect(m.startsWith("flowchart LR\n")).toBe(true);
      for (const n of ir.nodes) expect(m).toContain(`  s_${n.id}["`);
      expect(m.split("\n").filter((l) => l.includes(" -->|")).length).toBe(ir.edges.length);
      // Labels hold no raw quotes or angle brackets but the <b> Mermaid renders.
      for (const l of m.split("\n").filter((x) => x.includes('["'))) expect(l.replace(/<\/?b>/g, "").slice(l.indexOf('["') + 2, -2)).not.toMatch(/["<>]/);
      const d = dot(ir);
      expect(d.startsWith(`digraph "${ir.pipeline!.name}" {\n`)).toBe(true);
      expect(d.endsWith("}\n")).toBe(true);
      expect(d.split("\n").filter((l) => l.includes(" -> ")).length).toBe(ir.edges.length);
      // Quotes balance on every line (escaped ones aside).
      for (const l of d.split("\n")) expect(l.replace(/\\"/g, "").split('"').length % 2, l).toBe(1);
      expect(mermaid(lower(checkProgram(join(SAMPLES, f), disk)))).toBe(m);
    });
  }

  it("keeps a step named like a Mermaid keyword apart, and escapes what it shows", () => {
    const text = `pipeline p {}\nschema S { a: int }\nsource end: Table<S> {\n  uri    = "s3://b/x/"\n  format = parquet\n}\ncleanse graph(end) {\n  filter a > 0\n}\n`;
    const ir = lower(checkProgram("p.mlp", { read: () => undefined }, text));
    const m = mermaid(ir, new Set(["graph"]));
    expect(m).toContain('  s_end["source <b>end</b>"]');
    expect(m).toContain('  s_end -->|"Table#60;S#62;"| s_graph');
    expect(m).toContain("  class s_graph changed");
    expect(dot(ir)).toContain('  "end" -> "graph" [label="Table<S>"];');
  });
});
