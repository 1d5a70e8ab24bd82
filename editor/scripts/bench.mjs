// npm run bench:editor: the editor in headless chromium with generated pipelines of
// 100, 1,000 and 5,000 steps (test/bench/generate.ts, the benchmark's own generator, with
// a full layout block), the same method at every size. Measures the time to the first
// interactive render, then frame times while dragging a node and while panning the view,
// first at the zoom the editor opens with and again after Fit view (zoomed out, every
// node on screen), and how long Fit view takes to zoom out (from the click to the last
// frame that moved the view, and the longest frame on the way). Each figure is reported
// as a ratio to 100 steps (goals: first interactive within 3x, drag and pan frame p95 and
// the fit's duration within 2x, at every zoom).
// Figures go to stdout and to test/.tmp/editor-bench.json. A benchmark, not a test:
// it exits 0 whether or not the goals are met (1 only when it cannot run).
//
//   MLP_BENCH_SIZES=100,5000  run a subset of the sizes (the ratios need 100)
//   MLP_BENCH_RUNS=3          page loads per size; each figure is the median over runs
//   MLP_BENCH_DIST=DIR        measure an editor already built into DIR (e.g. an older
//                             commit's build, to compare before and after in one period)
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { launch } from "./browser.mjs";
import { buildEditor } from "./build.mjs";
import { serve } from "./serve.mjs";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const SIZES = (process.env.MLP_BENCH_SIZES ?? "100,1000,5000").split(",").map(Number).filter((n) => n > 0);
const RUNS = Number(process.env.MLP_BENCH_RUNS ?? 3);
const MOVES = 90;
const STORAGE_KEY = "mlp-editor:workspace:v1";
/** The figures compared across sizes, with their goal as a ratio to 100 steps. */
const GOALS = {
  firstInteractiveMs: 3,
  dragP95Ms: 2,
  panP95Ms: 2,
  fitDragP95Ms: 2,
  fitPanP95Ms: 2,
  fitMs: 2,
};

async function generator() {
  const r = await build({ entryPoints: [join(ROOT, "test/bench/generate.ts")], bundle: true, format: "esm", platform: "neutral", write: false, logLevel: "warning" });
  const mod = await import(`data:text/javascript;base64,${Buffer.from(r.outputFiles[0].text).toString("base64")}`);
  return mod.generatePipeline;
}

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] : NaN;
};
const median = (xs) => pct(xs.filter((x) => !Number.isNaN(x)), 50);

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
  await page.waitForFunction(() => performance.getEntriesByName("mlp:first-graph").length > 0, null, { timeout: 180_000 });
  const tti = await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => setTimeout(() => r(performance.now())))));
  const graph = await page.evaluate(() => performance.getEntriesByName("mlp:first-graph")[0].startTime);
  // Frame times are measured on the checked graph (what the user works with), after the
  // opening fit and the first check.
  await page.waitForFunction(() => window.mlpEditor?.checked(), null, { timeout: 180_000 });
  const checked = await page.evaluate(() => performance.now());
  await page.waitForTimeout(600);
  return { page, tti, graph, checked };
}

/** Starts recording animation frames and pointer events on the page. */
async function record(page) {
  await page.evaluate(() => {
    const w = window;
    w.__frames = [];
    w.__stop = false;
    addEventListener("pointerdown", (e) => (w.__down = e.timeStamp), { capture: true });
    addEventListener("pointerup", (e) => (w.__up = e.timeStamp), { capture: true });
    const tick = (t) => {
      w.__frames.push(t);
      if (!w.__stop) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
}

/**
 * Clicks Fit view and times it: from the click to the last frame that changed the view's
 * transform (the zoom animation's end), and the longest frame in between. Resolves once the
 * view has not moved for a second.
 */
async function timedFit(page) {
  await page.evaluate(() => {
    const vp = document.querySelector(".react-flow__viewport");
    const rec = { click: NaN, frames: [], last: vp.style.transform, moved: NaN, done: false };
    window.__fit = rec;
    document.querySelector('[data-testid="fit-view"]').addEventListener("click", (e) => (rec.click = e.timeStamp), { capture: true, once: true });
    const tick = (t) => {
      rec.frames.push(t);
      const now = vp.style.transform;
      if (now !== rec.last) {
        rec.last = now;
        rec.moved = t;
      }
      if (Number.isNaN(rec.click) || t - (Number.isNaN(rec.moved) ? rec.click : rec.moved) < 1000) requestAnimationFrame(tick);
      else rec.done = true;
    };
    requestAnimationFrame(tick);
  });
  await page.getByTestId("fit-view").click();
  await page.waitForFunction(() => window.__fit.done, null, { timeout: 30_000 });
  const { click, frames, moved } = await page.evaluate(() => window.__fit);
  const during = frames.filter((t) => t >= click && t <= moved);
  const gaps = [during[0] - click, ...during.slice(1).map((t, i) => t - during[i])].filter((g) => !Number.isNaN(g));
  return { fitMs: moved - click, fitLongestFrameMs: Math.max(...gaps) };
}

/** Frame gaps from pressing the mouse to letting go (what a drop then does is not part of it). */
async function gapsSinceRecord(page) {
  await page.waitForTimeout(100);
  const { frames, down, up } = await page.evaluate(() => {
    window.__stop = true;
    return { frames: window.__frames, down: window.__down, up: window.__up };
  });
  const during = frames.filter((t) => t >= down && t <= up + 17);
  return during.slice(1).map((t, i) => t - during[i]);
}

async function gesture(page, from, step) {
  await record(page);
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  for (let i = 1; i <= MOVES; i++) {
    const d = step(i);
    await page.mouse.move(from.x + d.x, from.y + d.y);
  }
  await page.mouse.up();
  return gapsSinceRecord(page);
}

/**
 * A node fully on the canvas, away from the minimap and controls: the point to grab it by.
 * Of those, one with few connections (its name written least often in the text): a hub such
 * as the generator's shared `countries` source has an edge per block, so dragging it costs
 * with the graph's size; every size drags a step of the same kind of degree.
 */
async function nodeToGrab(page) {
  const canvas = await page.locator(".react-flow").boundingBox();
  return page.evaluate((c) => {
    const text = window.mlpEditor?.text?.() ?? "";
    const uses = (id) => text.split(new RegExp(`\\b${id}\\b`)).length - 1;
    let best;
    for (const el of document.querySelectorAll(".react-flow__node")) {
      const b = el.getBoundingClientRect();
      if (b.width < 4 || b.height < 4) continue;
      // Inside the canvas, clear of its edges, the controls (bottom left) and the minimap (bottom right).
      if (b.left >= c.x + 20 && b.top >= c.y + 20 && b.right <= c.x + c.width - 60 && b.bottom <= c.y + c.height - 180) {
        const p = { x: b.left + b.width / 2, y: b.top + Math.min(10, b.height / 2) };
        if (!el.contains(document.elementFromPoint(p.x, p.y))) continue;
        const n = uses(el.getAttribute("data-id") ?? "");
        if (!best || n < best.n) best = { p, n };
      }
    }
    if (best) return best.p;
    // Zoomed out, a large graph is drawn on a canvas: its steps' boxes come from the page.
    for (const b of window.mlpEditor?.nodesOnScreen?.() ?? []) {
      if (b.width < 4 || b.height < 4) continue;
      if (b.x >= c.x + 20 && b.y >= c.y + 20 && b.x + b.width <= c.x + c.width - 60 && b.y + b.height <= c.y + c.height - 180) {
        const p = { x: b.x + b.width / 2, y: b.y + b.height / 2 };
        if (document.elementFromPoint(p.x, p.y)?.closest(".react-flow__pane")) return p;
      }
    }
    return null;
  }, canvas);
}

/** A point of the empty pane (no node, no edge) to pan by. */
async function paneToGrab(page) {
  const canvas = await page.locator(".react-flow").boundingBox();
  return page.evaluate((c) => {
    for (let fy = 0.3; fy < 0.7; fy += 0.02)
      for (let fx = 0.2; fx < 0.6; fx += 0.01) {
        const p = { x: c.x + c.width * fx, y: c.y + c.height * fy };
        if (document.elementFromPoint(p.x, p.y)?.classList.contains("react-flow__pane")) return p;
      }
    return null;
  }, canvas);
}

const dragStep = (i) => ({ x: i * 3, y: Math.sin(i / 8) * 40 });
const panStep = (i) => ({ x: -i * 4, y: Math.sin(i / 10) * 60 });

async function framesAt(page) {
  const n = await nodeToGrab(page);
  const drag = n ? await gesture(page, n, dragStep) : [];
  // Let the drop's re-check pass before panning.
  await page.waitForFunction(() => window.mlpEditor?.checked(), null, { timeout: 180_000 });
  await page.waitForTimeout(400);
  const p = await paneToGrab(page);
  const pan = p ? await gesture(page, p, panStep) : [];
  return { drag, pan, found: { node: !!n, pane: !!p } };
}

async function main() {
  const generatePipeline = await generator();
  const given = process.env.MLP_BENCH_DIST;
  const out = given ?? mkdtempSync(join(tmpdir(), "mlp-editor-bench-"));
  if (!given) {
    process.stdout.write("building the editor... ");
    await buildEditor(out);
    console.log("done");
  }
  const server = await serve(out);
  const browser = await launch({ viewport: { width: 1600, height: 1000 } });
  const results = {};
  try {
    for (const n of SIZES) {
      const text = generatePipeline(n);
      const r = { tti: [], graph: [], checked: [], drag: [], pan: [], fitDrag: [], fitPan: [], zoom: [], fitZoom: [], fit: [], fitFrame: [], missing: new Set() };
      for (let run = 0; run < RUNS; run++) {
        const { page, tti, graph, checked } = await openWith(browser.context, server.url, text);
        r.tti.push(tti);
        r.graph.push(graph);
        r.checked.push(checked);
        r.zoom.push(await page.evaluate(() => Number(/scale\(([\d.]+)\)/.exec(document.querySelector(".react-flow__viewport").style.transform)?.[1])));
        const near = await framesAt(page);
        r.drag.push(pct(near.drag, 95));
        r.pan.push(pct(near.pan, 95));
        // Frames after the fit are measured once its zoom animation has ended (the view still
        // for a second), not after a fixed wait: a slow animation would be measured half-way.
        const fit = await timedFit(page);
        r.fit.push(fit.fitMs);
        r.fitFrame.push(fit.fitLongestFrameMs);
        const zoomNow = () => page.evaluate(() => Number(/scale\(([\d.]+)\)/.exec(document.querySelector(".react-flow__viewport").style.transform)?.[1]));
        r.fitZoom.push(await zoomNow());
        const far = await framesAt(page);
        r.fitDrag.push(pct(far.drag, 95));
        r.fitPan.push(pct(far.pan, 95));
        for (const [k, ok] of Object.entries(near.found)) if (!ok) r.missing.add(`${k} at the opening zoom`);
        for (const [k, ok] of Object.entries(far.found)) if (!ok) r.missing.add(`${k} after fit view`);
        r.rendered = await page.locator(".react-flow__node").count();
        await page.close();
      }
      const res = {
        steps: n,
        renderedNodesAfterFit: r.rendered,
        openingZoom: median(r.zoom),
        fitZoom: median(r.fitZoom),
        firstInteractiveMs: median(r.tti),
        firstGraphMs: median(r.graph),
        checkedMs: median(r.checked),
        dragP95Ms: median(r.drag),
        panP95Ms: median(r.pan),
        fitDragP95Ms: median(r.fitDrag),
        fitPanP95Ms: median(r.fitPan),
        fitMs: median(r.fit),
        fitLongestFrameMs: median(r.fitFrame),
        runs: { firstInteractiveMs: r.tti, dragP95Ms: r.drag, panP95Ms: r.pan, fitDragP95Ms: r.fitDrag, fitPanP95Ms: r.fitPan, fitMs: r.fit, fitLongestFrameMs: r.fitFrame },
      };
      if (r.missing.size) res.notMeasured = [...r.missing];
      results[n] = res;
      const f = (x) => (Number.isNaN(x) ? "n/a" : x.toFixed(1));
      console.log(
        `${String(n).padStart(5)} steps: first interactive ${res.firstInteractiveMs.toFixed(0)} ms (graph drawn at ${res.firstGraphMs.toFixed(0)} ms, checked at ${res.checkedMs.toFixed(0)} ms); ` +
          `zoom ${f(res.openingZoom)}: drag p95 ${f(res.dragP95Ms)} ms, pan p95 ${f(res.panP95Ms)} ms; ` +
          `fit view ${f(res.fitMs)} ms (longest frame ${f(res.fitLongestFrameMs)} ms) to zoom ${res.fitZoom.toFixed(2)}: drag p95 ${f(res.fitDragP95Ms)} ms, pan p95 ${f(res.fitPanP95Ms)} ms; ${r.rendered} nodes in the DOM` +
          (res.notMeasured ? ` (not measured: ${res.notMeasured.join(", ")})` : ""),
      );
    }
  } finally {
    await browser.close();
    await server.close();
    if (!given) rmSync(out, { recursive: true, force: true });
  }
  const ratios = {};
  let verdict = "PASS";
  const base = results[100];
  if (base) {
    for (const n of SIZES.filter((s) => s !== 100)) {
      ratios[n] = {};
      for (const [k, goal] of Object.entries(GOALS)) {
        const ratio = results[n][k] / base[k];
        ratios[n][k] = Number(ratio.toFixed(2));
        const ok = ratio <= goal;
        if (!ok) verdict = "FAIL";
        console.log(`${String(n).padStart(5)}/100 ${k.padEnd(20)} ${Number.isNaN(ratio) ? "n/a" : ratio.toFixed(2) + "x"} (goal <= ${goal}x) ${ok ? "PASS" : "FAIL"}`);
      }
    }
  } else verdict = "NO-BASELINE";
  mkdirSync(join(ROOT, "test/.tmp"), { recursive: true });
  writeFileSync(join(ROOT, "test/.tmp/editor-bench.json"), JSON.stringify({ date: new Date().toISOString(), runs: RUNS, sizes: SIZES, goals: GOALS, results, ratios, verdict }, null, 2) + "\n");
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
