// `mlp graph --format mermaid` read by Mermaid itself (npm `mermaid`, the build GitHub's
// renderer uses, loaded into Debian's chromium): every sample's picture parses as a
// flowchart and renders with every step and edge; text that is not Mermaid is refused, so
// the check can fail.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lower } from "../../compiler/lower";
import { mermaid } from "../../compiler/tooling/picture";
import { checkProgram } from "../../language/checker/program";
// @ts-expect-error plain ESM helper without types
import { CHROMIUM, launch } from "../../editor/scripts/browser.mjs";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const MERMAID = createRequire(import.meta.url).resolve("mermaid/dist/mermaid.min.js");
const disk = { read: (p: string) => readFileSync(p, "utf8") };
const samples = readdirSync(join(ROOT, "samples"), { withFileTypes: true }).filter((f) => f.isFile() && f.name.endsWith(".mlp")).map((f) => f.name);

let browser: { context: import("playwright-core").BrowserContext; close(): Promise<void> } | undefined;
let page: Page;
beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`Debian's chromium is needed at ${CHROMIUM} (apt-get install chromium)`);
  browser = await launch();
  page = await browser!.context.newPage();
  await page.setContent("<!doctype html><html><body></body></html>");
  await page.addScriptTag({ path: MERMAID });
  await page.evaluate(() => (window as unknown as { mermaid: { initialize(o: object): void } }).mermaid.initialize({ startOnLoad: false, securityLevel: "strict" }));
}, 60_000);
afterAll(async () => browser?.close());

/** Mermaid's verdict on a text: its diagram type and, rendered, how many nodes and edges it drew. */
async function read(text: string): Promise<{ type?: string; nodes?: number; edges?: number; error?: string }> {
  return page.evaluate(async (t) => {
    const m = (window as unknown as { mermaid: { parse(t: string): Promise<{ diagramType: string }>; render(id: string, t: string): Promise<{ svg: string }> } }).mermaid;
    try {
      const { diagramType } = await m.parse(t);
      const { svg } = await m.render(`g${Math.random().toString(36).slice(2)}`, t);
      const doc = new DOMParser().parseFromString(svg, "image/svg+xml");
      return { type: diagramType, nodes: doc.querySelectorAll("g.node").length, edges: doc.querySelectorAll("path.flowchart-link").length };
    } catch (e) {
      return { error: String((e as Error).message ?? e) };
    }
  }, text);
}

describe("mlp graph --format mermaid, read by Mermaid", { timeout: 60_000 }, () => {
  for (const f of samples) {
    it(f, async () => {
      const ir = lower(checkProgram(join(ROOT, "samples", f), disk));
      const r = await read(mermaid(ir, new Set([ir.nodes[0]!.id])));
      expect(r.error).toBeUndefined();
      expect(r.type).toBe("flowchart-v2");
      expect(r.nodes).toBe(ir.nodes.length);
      expect(r.edges).toBe(ir.edges.length);
    });
  }

  it("refuses text that is not Mermaid (the check can fail)", async () => {
    expect((await read('flowchart LR\n  a["x"] -->|"y| b\n')).error).toBeDefined();
  });

  it("reads steps named like Mermaid keywords and labels with markup", async () => {
    const text = `pipeline p {}\nschema S { a: int }\nsource end: Table<S> {\n  uri    = "s3://b/x/"\n  format = parquet\n}\ncleanse graph(end) {\n  filter a > 0\n}\ncleanse subgraph(graph) {\n  filter a < 10\n}\n`;
    const ir = lower(checkProgram("p.mlp", { read: () => undefined }, text));
    const r = await read(mermaid(ir, new Set(["graph"])));
    expect(r.error).toBeUndefined();
    expect([r.nodes, r.edges]).toEqual([3, 2]);
  });
});
