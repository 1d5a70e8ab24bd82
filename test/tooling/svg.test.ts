// `mlp graph --format svg` for every sample: drawn in Debian's chromium (valid SVG, every
// step and edge there, screenshots in test/.tmp/graph-svg/), no two boxes overlapping, every
// box inside the picture, and the same bytes every time.
import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lower } from "../../compiler/lower";
import { svg } from "../../compiler/tooling/svg";
import { checkProgram } from "../../language/checker/program";
// @ts-expect-error plain ESM helper without types
import { CHROMIUM, launch } from "../../editor/scripts/browser.mjs";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const SHOTS = join(ROOT, "test/.tmp/graph-svg");
const disk = { read: (p: string) => readFileSync(p, "utf8") };
const samples = readdirSync(join(ROOT, "samples"), { withFileTypes: true }).filter((f) => f.isFile() && f.name.endsWith(".mlp")).map((f) => f.name);

let browser: { context: import("playwright-core").BrowserContext; close(): Promise<void> } | undefined;
beforeAll(async () => {
  if (existsSync(CHROMIUM)) browser = await launch();
  mkdirSync(SHOTS, { recursive: true });
}, 60_000);
afterAll(async () => browser?.close());

describe("mlp graph --format svg", { timeout: 60_000 }, () => {
  for (const f of samples) {
    it(f, async () => {
      const ir = lower(checkProgram(join(ROOT, "samples", f), disk));
      const text = await svg(ir);
      expect(await svg(lower(checkProgram(join(ROOT, "samples", f), disk)))).toBe(text);
      const [, W, H] = /width="(\d+)" height="(\d+)"/.exec(text)!.map(Number) as [number, number, number];
      // Boxes from the markup: each node group's position and its first rect's size.
      const boxes = [...text.matchAll(/<g class="node" data-step="([^"]+)" transform="translate\(([\d.]+) ([\d.]+)\)">\n<rect width="([\d.]+)" height="([\d.]+)"/g)].map((m) => ({ id: m[1]!, x: +m[2]!, y: +m[3]!, w: +m[4]!, h: +m[5]! }));
      expect(boxes.map((b) => b.id).sort()).toEqual(ir.nodes.map((n) => n.id).sort());
      for (const b of boxes) expect(b.x >= 0 && b.y >= 0 && b.x + b.w <= W && b.y + b.h <= H, `${b.id} inside`).toBe(true);
      for (const [i, a] of boxes.entries())
        for (const b of boxes.slice(i + 1)) expect(a.x + a.w <= b.x || b.x + b.w <= a.x || a.y + a.h <= b.y || b.y + b.h <= a.y, `${a.id} and ${b.id} overlap`).toBe(true);
      expect([...text.matchAll(/<path class="edge"/g)].length).toBe(ir.edges.length);
      // Each edge ends on an input port of its step, a port of its own (a notebook's repeated
      // `inputs` are one port each).
      const inputs = new Map(boxes.map((b) => [b.id, new Set([...text.slice(text.indexOf(`data-step="${b.id}"`)).split("</g>")[0]!.matchAll(/<circle cx="0" cy="([\d.]+)"/g)].map((m) => +m[1]! + b.y))]));
      const ends = new Map<string, number[]>();
      for (const m of text.matchAll(/<path class="edge" data-from="[^"]+" data-to="([^"]+)" d="[^"]*?([\d.]+) ([\d.]+)"/g)) ends.set(m[1]!, [...(ends.get(m[1]!) ?? []), +m[3]!]);
      for (const [step, ys] of ends) {
        expect(new Set(ys).size, `edges into ${step} share a port`).toBe(ys.length);
        for (const y of ys) expect(inputs.get(step)!.has(y), `an edge into ${step} ends at y=${y}, on no port`).toBe(true);
      }
      // Every edge says what flows along it, and no label covers another.
      const labels = [...text.matchAll(/<g class="edge-label"><rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)"/g)].map((m) => ({ x: +m[1]!, y: +m[2]!, w: +m[3]!, h: +m[4]! }));
      expect(labels.length).toBe(ir.edges.length);
      for (const [i, a] of labels.entries())
        for (const b of labels.slice(i + 1)) expect(a.x + a.w <= b.x || b.x + b.w <= a.x || a.y + a.h <= b.y || b.y + b.h <= a.y, `labels at ${a.x},${a.y} and ${b.x},${b.y} overlap`).toBe(true);
      if (!browser) return;
      const page = await browser.context.newPage();
      try {
        await page.setViewportSize({ width: Math.min(W, 2400), height: Math.min(H, 1600) });
        await page.setContent(`<!doctype html><html><body style="margin:0">${text}</body></html>`);
        expect(await page.locator("svg g.node").count()).toBe(ir.nodes.length);
        expect(await page.locator("svg path.edge").count()).toBe(ir.edges.length);
        // Drawn: every edge has a length, every node a box of its size.
        const drawn = await page.evaluate(() => Array.from(document.querySelectorAll("svg path.edge")).every((p) => (p as SVGPathElement).getTotalLength() > 0));
        expect(drawn).toBe(true);
        await page.screenshot({ path: join(SHOTS, f.replace(/\.mlp$/, ".png")) });
      } finally {
        await page.close();
      }
    });
  }
});
