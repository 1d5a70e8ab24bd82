// npm run bench:editor: the editor in headless chromium with generated pipelines of
// 100 and 1,000 steps (test/bench/generate.ts, the benchmark's own generator, with a
// full layout block). Reports time to the first interactive render, and frame times
// while dragging a node, 1,000 steps against 100 (goal: p95 within 2x).
// Figures go to stdout and to test/.tmp/editor-bench.json. A benchmark, not a test:
// it exits 0 whether or not the goal is met (1 only when it cannot run).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { launch } from "./browser.mjs";
import { buildEditor } from "./build.mjs";
import { serve } from "./serve.mjs";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const SIZES = [100, 1000];
const RUNS = Number(process.env.MLP_BENCH_RUNS ?? 3);
const DRAG_MOVES = 90;
const STORAGE_KEY = "mlp-editor:workspace:v1";

async function generator() {
  const r = await build({ entryPoints: [join(ROOT, "test/bench/generate.ts")], bundle: true, format: "esm", platform: "neutral", write: false, logLevel: "warning" });
  const mod = await import(`data:text/javascript;base64,${Buffer.from(r.outputFiles[0].text).toString("base64")}`);
  return mod.generatePipeline;
}

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] : NaN;
};
const median = (xs) => pct(xs, 50);

async function openWith(context, url, text) {
  const page = await context.newPage();
  await page.addInitScript(
    ([key, value]) => {
      if (!sessionStorage.getItem("seeded")) {
        localStorage.setItem(key, value);
        sessionStorage.setItem("seeded", "1");
      }
    },
    [STORAGE_KEY, JSON.stringify({ paths: ["bench.mlp"], active: "bench.mlp", texts: { "bench.mlp": text }, saved: { "bench.mlp": text } })],
  );
  await page.goto(url);
  // Interactive: the graph is drawn and the page answers the next frame and task.
  await page.waitForFunction(() => performance.getEntriesByName("mlp:first-graph").length > 0, null, { timeout: 120_000 });
  const tti = await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => setTimeout(() => r(performance.now())))));
  const graph = await page.evaluate(() => performance.getEntriesByName("mlp:first-graph")[0].startTime);
  return { page, tti, graph };
}

async function dragFrames(page) {
  // A node fully inside the canvas, away from the minimap and controls.
  const canvas = await page.locator(".react-flow").boundingBox();
  const handle = await page.evaluate((c) => {
    for (const el of document.querySelectorAll(".react-flow__node")) {
      const b = el.getBoundingClientRect();
      if (b.left > c.x + 40 && b.top > c.y + 40 && b.right < c.x + c.width * 0.6 && b.bottom < c.y + c.height * 0.6) return { x: b.left + b.width / 2, y: b.top + 10 };
    }
    return null;
  }, canvas);
  if (!handle) throw new Error("no node on screen to drag");
  await page.evaluate(() => {
    const w = window;
    w.__frames = [];
    w.__lat = [];
    let pending = [];
    addEventListener("pointermove", (e) => pending.push(e.timeStamp), { capture: true });
    addEventListener("pointerdown", (e) => (w.__down = e.timeStamp), { capture: true });
    addEventListener("pointerup", (e) => (w.__up = e.timeStamp), { capture: true });
    const tick = (t) => {
      w.__frames.push(t);
      for (const p of pending) w.__lat.push(t - p);
      pending = [];
      if (!w.__stop) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
  await page.mouse.move(handle.x, handle.y);
  await page.mouse.down();
  for (let i = 1; i <= DRAG_MOVES; i++) await page.mouse.move(handle.x + i * 3, handle.y + Math.sin(i / 8) * 40);
  await page.mouse.up();
  await page.waitForTimeout(100);
  const { frames, lat, down, up } = await page.evaluate(() => {
    window.__stop = true;
    return { frames: window.__frames, lat: window.__lat, down: window.__down, up: window.__up };
  });
  // Frames from pressing the mouse on the node to letting go; what the drop then does
  // (the text edit and its re-check) is not part of dragging.
  const during = frames.filter((t) => t >= down && t <= up + 17);
  const gaps = during.slice(1).map((t, i) => t - during[i]);
  return { gaps, lat };
}

async function main() {
  const generatePipeline = await generator();
  const out = mkdtempSync(join(tmpdir(), "mlp-editor-bench-"));
  process.stdout.write("building the editor... ");
  await buildEditor(out);
  console.log("done");
  const server = await serve(out);
  const browser = await launch({ viewport: { width: 1600, height: 1000 } });
  const results = {};
  try {
    for (const n of SIZES) {
      const text = generatePipeline(n);
      const r = { tti: [], graph: [], p95: [], mean: [], lat95: [] };
      for (let run = 0; run < RUNS; run++) {
        const { page, tti, graph } = await openWith(browser.context, server.url, text);
        const nodes = await page.locator(".react-flow__node").count();
        const { gaps, lat } = await dragFrames(page);
        r.tti.push(tti);
        r.graph.push(graph);
        r.p95.push(pct(gaps, 95));
        r.mean.push(gaps.reduce((a, b) => a + b, 0) / gaps.length);
        r.lat95.push(pct(lat, 95));
        r.rendered = nodes;
        await page.close();
      }
      results[n] = { steps: n, renderedNodes: r.rendered, firstInteractiveMs: median(r.tti), firstGraphMs: median(r.graph), dragFrameP95Ms: median(r.p95), dragFrameMeanMs: median(r.mean), dragInputToFrameP95Ms: median(r.lat95) };
      console.log(
        `${String(n).padStart(5)} steps: first interactive render ${results[n].firstInteractiveMs.toFixed(0)} ms (graph drawn at ${results[n].firstGraphMs.toFixed(0)} ms), ` +
          `drag frame p95 ${results[n].dragFrameP95Ms.toFixed(1)} ms (mean ${results[n].dragFrameMeanMs.toFixed(1)} ms, input->frame p95 ${results[n].dragInputToFrameP95Ms.toFixed(1)} ms), ${r.rendered} nodes in the DOM`,
      );
    }
  } finally {
    await browser.close();
    await server.close();
    rmSync(out, { recursive: true, force: true });
  }
  const ratio = results[1000].dragFrameP95Ms / results[100].dragFrameP95Ms;
  const verdict = ratio <= 2 ? "PASS" : "FAIL";
  console.log(`drag frame p95, 1,000 vs 100 steps: ${ratio.toFixed(2)}x (goal <= 2x) ${verdict}`);
  mkdirSync(join(ROOT, "test/.tmp"), { recursive: true });
  writeFileSync(join(ROOT, "test/.tmp/editor-bench.json"), JSON.stringify({ date: new Date().toISOString(), runs: RUNS, results, dragP95Ratio: ratio, verdict }, null, 2) + "\n");
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
