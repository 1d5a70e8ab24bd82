// End-to-end, in Debian's chromium: the editor at scale (issue 13, performance). Level of
// detail when zoomed out (simplified nodes and edges; a large graph drawn on one canvas),
// full nodes back when zooming in, and a large file's graph drawn from the parse before
// its check finishes. The figures themselves are `npm run bench:editor`'s business.
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// @ts-expect-error plain ESM helper without types
import { launch } from "../../editor/scripts/browser.mjs";
import { haveChromium } from "../chromium";
// @ts-expect-error plain ESM helper without types
import { serve } from "../../editor/scripts/serve.mjs";
import { generatePipeline } from "../bench/generate";
import { builtEditor } from "../editor-build";

const STORAGE_KEY = "mlp-editor:workspace:v1";
/** Large enough that its check takes well over a second, small enough for a test. */
const LARGE = 1500;

let out: string;
let server: { url: string; close(): Promise<void> };
let browser: { context: import("playwright-core").BrowserContext; close(): Promise<void> };

type Editor = { mlpEditor?: { checked(): boolean } };

const zoomOf = (page: Page) =>
  page.evaluate(() => Number(/scale\(([\d.]+)\)/.exec((document.querySelector(".react-flow__viewport") as HTMLElement).style.transform)?.[1]));

/** Clicks the zoom buttons until the zoom is past `target` (below it zooming out, above it zooming in). */
async function zoomTo(page: Page, target: number, direction: "in" | "out"): Promise<void> {
  for (let i = 0; i < 40; i++) {
    const z = await zoomOf(page);
    if (direction === "out" ? z < target : z > target) break;
    await page.locator(`.react-flow__controls-zoom${direction}`).click();
    await page.waitForTimeout(250);
  }
  await page.waitForTimeout(300);
}

/** A page whose autosaved workspace is one generated file (as the benchmark opens it). */
async function openLarge(steps: number): Promise<Page> {
  const page = await browser.context.newPage();
  const text = generatePipeline(steps);
  await page.addInitScript(
    ([key, value]) => {
      if (!sessionStorage.getItem("seeded")) {
        localStorage.setItem(key!, value!);
        sessionStorage.setItem("seeded", "1");
      }
    },
    [STORAGE_KEY, JSON.stringify({ paths: ["large.mlp"], active: "large.mlp", texts: { "large.mlp": text }, saved: { "large.mlp": text } })],
  );
  await page.goto(server.url);
  return page;
}

describe.skipIf(!haveChromium)("editor at scale, in a browser", () => {
  beforeAll(async () => {
    out = await builtEditor();
    server = await serve(out);
    browser = await launch();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("zoomed out, nodes are simplified to their name and edges lose their labels; zooming in restores full nodes", async () => {
    const page = await browser.context.newPage();
    await page.goto(`${server.url}?fresh`);
    const churnApi = page.locator('[data-testid="node-churn_api"]');
    await churnApi.waitFor();
    await page.waitForFunction(() => (window as unknown as Editor).mlpEditor?.checked());
    // Opened at a readable zoom.
    await page.waitForTimeout(400);
    const nameSize = () => churnApi.locator(".step-name").evaluate((el) => getComputedStyle(el).fontSize);
    expect(await zoomOf(page)).toBeGreaterThan(0.45);
    expect(await churnApi.locator(".step-footer").isVisible()).toBe(true);
    expect(await nameSize()).toBe("14px");
    expect(await page.locator(".edge-label").count()).toBeGreaterThan(5);

    await zoomTo(page, 0.4, "out");
    // The name in large type, the rest hidden; every edge still drawn, without its label.
    expect(await churnApi.locator(".step-footer").isVisible()).toBe(false);
    expect(await churnApi.locator(".step-kind").isVisible()).toBe(false);
    expect(await nameSize()).toBe("26px");
    expect(await page.locator(".react-flow__edge").count()).toBeGreaterThan(5);
    expect(await page.locator(".edge-label").count()).toBe(0);

    await zoomTo(page, 0.5, "in");
    expect(await churnApi.locator(".step-footer").isVisible()).toBe(true);
    expect(await nameSize()).toBe("14px");
    expect(await page.locator(".edge-label").count()).toBeGreaterThan(5);
    await page.close();
  }, 60_000);

  it(`draws a ${LARGE}-step graph from the parse before its check finishes, then zoomed out as one drawing`, async () => {
    const page = await openLarge(LARGE);
    // Nodes on screen while the check is still running: the parse-only first paint.
    await page.waitForFunction(() => document.querySelectorAll(".react-flow__node").length > 0 && !(window as unknown as Editor).mlpEditor?.checked(), null, { timeout: 60_000, polling: 50 });
    await page.waitForFunction(() => (window as unknown as Editor).mlpEditor?.checked(), null, { timeout: 120_000 });
    const [graph, checked] = await page.evaluate(() => ["mlp:first-graph", "mlp:checked"].map((m) => performance.getEntriesByName(m)[0]?.startTime ?? NaN));
    expect(graph).toBeLessThan(checked!);
    // Only what is visible is in the DOM, not the whole graph.
    expect(await page.locator(".react-flow__node").count()).toBeLessThan(LARGE / 4);

    // Fit view zooms far out: the whole graph is one canvas, no DOM node per step, from the
    // animation's first frame (at the near zooms it passes through, each frame used to put
    // the steps coming into view in the DOM and route their edges: seconds at 5,000 steps).
    const frames = await framesOfFit(page);
    expect(frames.length).toBeGreaterThan(0);
    expect(frames.filter((f) => f.nodes > 0 || f.edges > 0 || !f.drawing)).toEqual([]);
    expect(await zoomOf(page)).toBeLessThan(0.45);
    await page.getByTestId("far-view").waitFor();
    expect(await page.locator(".react-flow__node").count()).toBe(0);
    // ...and a step on it can still be selected with a click.
    const box = await page.evaluate(() => {
      const c = (document.querySelector(".react-flow") as HTMLElement).getBoundingClientRect();
      const all = (window as unknown as { mlpEditor: { nodesOnScreen(): { id: string; x: number; y: number; width: number; height: number }[] } }).mlpEditor.nodesOnScreen();
      return all.find((b) => b.x > c.left + 50 && b.y > c.top + 50 && b.x + b.width < c.left + c.width / 2 && b.y + b.height < c.top + c.height / 2);
    });
    expect(box).toBeDefined();
    await page.mouse.click(box!.x + box!.width / 2, box!.y + box!.height / 2);
    await page.waitForFunction((id) => (window as unknown as { mlpEditor: { selection(): string[] } }).mlpEditor.selection().includes(id), box!.id);

    // Zooming in brings the DOM nodes back.
    await zoomTo(page, 0.5, "in");
    expect(await page.getByTestId("far-view").count()).toBe(0);
    expect(await page.locator(".react-flow__node").count()).toBeGreaterThan(0);
    expect(await page.locator(".react-flow__node .step-footer").count()).toBeGreaterThan(0);
    await page.close();
  }, 240_000);

  it("at 1,000 steps, before and after auto-layout, no closed edge label covers a node", async () => {
    const page = await openLarge(1000);
    await page.waitForFunction(() => (window as unknown as Editor).mlpEditor?.checked(), null, { timeout: 120_000 });
    await expect.poll(() => labelsOverNodes(page), { timeout: 15_000 }).toEqual([]);
    await page.getByTestId("auto-layout").click();
    await page.waitForFunction(() => !(document.querySelector('[data-testid="auto-layout"]') as HTMLButtonElement).disabled && (window as unknown as Editor).mlpEditor?.checked(), null, { timeout: 120_000 });
    // Places where many edges meet: the joins, gates and registrations of the generated pipeline.
    const text = generatePipeline(1000);
    const steps = [...text.matchAll(/^(?:join|evaluate|register) (\w+)/gm)].map((m) => m[1]!);
    expect(steps.length).toBeGreaterThan(20);
    let labels = 0;
    for (let i = 0; i < steps.length; i += Math.floor(steps.length / 8)) {
      await page.evaluate((id) => (window as unknown as { mlpEditor: { reveal(id: string): void } }).mlpEditor.reveal(id), steps[i]!);
      await page.waitForTimeout(600);
      await expect.poll(() => labelsOverNodes(page), { timeout: 5_000 }).toEqual([]);
      labels += await page.locator(".edge-label:not(.tight)").count();
    }
    // The labels are still there, only out of the nodes' way.
    expect(labels).toBeGreaterThan(50);
    await page.close();
  }, 240_000);
});

/** Clicks Fit view and reports, for every frame that moved the view, what was in the DOM. */
async function framesOfFit(page: Page): Promise<{ zoom: string; nodes: number; edges: number; drawing: boolean }[]> {
  await page.evaluate(() => {
    const vp = document.querySelector(".react-flow__viewport") as HTMLElement;
    const rec = { last: vp.style.transform, still: 0, frames: [] as unknown[], done: false };
    (window as unknown as { __fit: typeof rec }).__fit = rec;
    const tick = (t: number) => {
      if (vp.style.transform !== rec.last) {
        rec.last = vp.style.transform;
        rec.still = t;
        rec.frames.push({ zoom: rec.last, nodes: document.querySelectorAll(".react-flow__node").length, edges: document.querySelectorAll(".react-flow__edge").length, drawing: !!document.querySelector('[data-testid="far-view"]') });
      }
      if (!rec.still || t - rec.still < 800) requestAnimationFrame(tick);
      else rec.done = true;
    };
    requestAnimationFrame(tick);
  });
  await page.getByTestId("fit-view").click();
  await page.waitForFunction(() => (window as unknown as { __fit: { done: boolean } }).__fit.done, null, { timeout: 60_000 });
  return page.evaluate(() => (window as unknown as { __fit: { frames: { zoom: string; nodes: number; edges: number; drawing: boolean }[] } }).__fit.frames);
}

/** The closed edge labels on screen whose box overlaps a node's, with both boxes (an open label may cover nodes: the user asked for it). */
function labelsOverNodes(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const nodes = Array.from(document.querySelectorAll(".react-flow__node")).map((n) => ({ id: (n as HTMLElement).dataset.id, r: n.getBoundingClientRect() }));
    const hit = (a: DOMRect, b: DOMRect) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
    const out: string[] = [];
    for (const l of Array.from(document.querySelectorAll(".edge-label:not(.open)"))) {
      const r = l.getBoundingClientRect();
      const n = nodes.find((x) => hit(r, x.r));
      if (n && r.width > 0) out.push(`${l.textContent} over ${n.id}`);
    }
    return out;
  });
}
