// Profiles the built editor on a generated pipeline of N steps (test/bench/generate.ts), in
// chromium through the DevTools protocol: the page load, then a pan after Fit view (NEAR=1:
// at the opening zoom), or (PHASES=fit) Fit view itself from the opening zoom. Prints the functions with the most self time (Profiler) and the
// browser's own metrics, or with TRACE=1 the main- and raster-thread work of the pan by
// trace event (Tracing). What bench:editor's figures come from, to see where they go.
//
//   DIST=dir-of-a-build N=5000 PHASES=load,pan|fit [NEAR=1] [TRACE=1] [SHOT=file.png] node editor/scripts/profile.mjs
//
// CPU profiles are written to the system's temporary folder (open them in DevTools).
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
const ROOT = new URL("../../", import.meta.url).pathname;
const { launch } = await import(ROOT + "editor/scripts/browser.mjs");
const { serve } = await import(ROOT + "editor/scripts/serve.mjs");
const N = Number(process.env.N ?? 5000);
const DIST = process.env.DIST;
const PHASES = (process.env.PHASES ?? "load,pan").split(",");
const r = await build({ entryPoints: [join(ROOT, "test/bench/generate.ts")], bundle: true, format: "esm", platform: "neutral", write: false, logLevel: "warning" });
const { generatePipeline } = await import(`data:text/javascript;base64,${Buffer.from(r.outputFiles[0].text).toString("base64")}`);
const text = generatePipeline(N);
console.log("text bytes", text.length, "lines", text.split("\n").length);
const server = await serve(DIST);
const browser = await launch();
const page = await browser.context.newPage();
await page.addInitScript(([key, value]) => { if (!sessionStorage.getItem("seeded")) { localStorage.setItem(key, value); sessionStorage.setItem("seeded", "1"); } },
  ["mlp-editor:workspace:v1", JSON.stringify({ paths: ["bench.mlp"], active: "bench.mlp", texts: { "bench.mlp": text }, saved: { "bench.mlp": text } })]);
const cdp = await browser.context.newCDPSession(page);
await cdp.send("Performance.enable");
await cdp.send("Profiler.enable");
await cdp.send("Profiler.setSamplingInterval", { interval: 500 });
const metrics = async () => Object.fromEntries((await cdp.send("Performance.getMetrics")).metrics.map((m) => [m.name, m.value]));
function summarize(profile, label) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  const dt = profile.timeDeltas;
  for (let i = 0; i < profile.samples.length; i++) {
    const n = byId.get(profile.samples[i]);
    const cf = n.callFrame;
    const key = `${cf.functionName || "(anon)"} ${cf.url.split("/").pop()}:${cf.lineNumber}:${cf.columnNumber}`;
    self.set(key, (self.get(key) ?? 0) + (dt[i] ?? 0) / 1000);
  }
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  console.log(`--- ${label}: ${total.toFixed(0)} ms sampled`);
  for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 30)) console.log(v.toFixed(1).padStart(8), k);
  writeFileSync(join(tmpdir(), `mlp-editor-${label}.cpuprofile`), JSON.stringify(profile));
}
const diff = (a, b) => Object.fromEntries(["TaskDuration", "ScriptDuration", "RecalcStyleDuration", "LayoutDuration", "Nodes", "JSHeapUsedSize"].map((k) => [k, +(b[k] - (k.endsWith("Duration") ? a[k] : 0)).toFixed(3)]));
let m0 = await metrics();
if (PHASES.includes("load")) await cdp.send("Profiler.start");
await page.goto(server.url);
await page.waitForFunction(() => performance.getEntriesByName("mlp:first-graph").length > 0, null, { timeout: 180000 });
const t1 = await page.evaluate(() => performance.getEntriesByName("mlp:first-graph")[0].startTime);
await page.waitForFunction(() => window.mlpEditor?.checked(), null, { timeout: 180000 });
await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => setTimeout(r))));
const tc = await page.evaluate(() => performance.now());
console.log("first graph", t1.toFixed(0), "checked+idle", tc.toFixed(0), performance.getEntriesByType ? "" : "");
console.log("marks", await page.evaluate(() => performance.getEntriesByType("mark").map((m) => `${m.name}@${m.startTime.toFixed(0)}`).join(" ")));
let m1 = await metrics();
console.log("load metrics", diff(m0, m1));
if (PHASES.includes("load")) summarize((await cdp.send("Profiler.stop")).profile, `load-${N}`);
await page.waitForTimeout(1000);
if (PHASES.includes("fit")) {
  // From the opening zoom to the whole graph: the click to the view's last move.
  await page.evaluate(() => {
    const vp = document.querySelector(".react-flow__viewport");
    window.__fit = { last: vp.style.transform, moved: 0 };
    const tick = (t) => {
      if (vp.style.transform !== window.__fit.last) Object.assign(window.__fit, { last: vp.style.transform, moved: t });
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
  m0 = await metrics();
  await cdp.send("Profiler.start");
  const start = await page.evaluate(() => performance.now());
  await page.getByTestId("fit-view").click();
  await page.waitForFunction(() => window.__fit.moved && performance.now() - window.__fit.moved > 1000, null, { timeout: 60000, polling: 100 });
  console.log("fit view took", (await page.evaluate(() => window.__fit.moved)) - start, "ms to its last frame");
  summarize((await cdp.send("Profiler.stop")).profile, `fit-${N}`);
  console.log("fit metrics", diff(m0, await metrics()));
}
if (PHASES.includes("pan")) {
  if (!process.env.NEAR) await page.getByTestId("fit-view").click();
  await page.waitForTimeout(1500);
  const c = await page.locator(".react-flow").boundingBox();
  const p = await page.evaluate((c) => { for (let fy = 0.3; fy < 0.7; fy += 0.02) for (let fx = 0.2; fx < 0.6; fx += 0.01) { const p = { x: c.x + c.width * fx, y: c.y + c.height * fy }; if (document.elementFromPoint(p.x, p.y)?.classList.contains("react-flow__pane")) return p; } return null; }, c);
  if (process.env.SHOT) await page.screenshot({ path: process.env.SHOT });
  console.log("pane point", p, "DOM nodes", await page.locator(".react-flow__node").count(), "edges", await page.locator(".react-flow__edge").count());
  m0 = await metrics();
  const events = [];
  if (process.env.TRACE) {
    cdp.on("Tracing.dataCollected", (d) => events.push(...d.value));
    await cdp.send("Tracing.start", { categories: "devtools.timeline,disabled-by-default-devtools.timeline,blink,cc", transferMode: "ReportEvents" });
  } else await cdp.send("Profiler.start");
  const t0 = Date.now();
  await page.mouse.move(p.x, p.y); await page.mouse.down();
  for (let i = 1; i <= 20; i++) await page.mouse.move(p.x - i * 4, p.y + Math.sin(i / 10) * 60);
  await page.mouse.up();
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => setTimeout(r))));
  console.log("pan of 20 moves took", Date.now() - t0, "ms");
  if (process.env.TRACE) {
    const done = new Promise((r) => cdp.once("Tracing.tracingComplete", r));
    await cdp.send("Tracing.end");
    await done;
    const threads = new Map(events.filter((e) => e.name === "thread_name").map((e) => [`${e.pid}:${e.tid}`, e.args.name]));
    const agg = new Map();
    for (const e of events) {
      if (e.ph !== "X" || !e.dur) continue;
      const k = `${threads.get(`${e.pid}:${e.tid}`) ?? "?"} | ${e.name}`;
      agg.set(k, (agg.get(k) ?? 0) + e.dur / 1000);
    }
    for (const [k, v] of [...agg].sort((a, b) => b[1] - a[1]).slice(0, 40)) console.log(v.toFixed(0).padStart(8), k);
  } else summarize((await cdp.send("Profiler.stop")).profile, `pan-${N}`);
  m1 = await metrics();
  console.log("pan metrics", diff(m0, m1));
}
await browser.close(); await server.close();
