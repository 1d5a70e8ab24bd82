// End-to-end: the built editor in Debian's chromium, driven by playwright-core. Builds
// the editor once into a temporary folder and serves it on a free localhost port.
// Screenshots of the main states go to test/.tmp/editor-screenshots/, or with
// MLP_SCREENSHOTS=1 to editor/screenshots/ (the README's pictures).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { TARGETS } from "../../compiler/targets";
import { builtEditor } from "../editor-build";
// @ts-expect-error plain ESM helper without types
import { CHROMIUM, launch } from "../../editor/scripts/browser.mjs";
import { haveChromium } from "../chromium";
// @ts-expect-error plain ESM helper without types
import { serve } from "../../editor/scripts/serve.mjs";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const SHOTS = join(ROOT, process.env.MLP_SCREENSHOTS === "1" ? "editor/screenshots" : "test/.tmp/editor-screenshots");
if (!haveChromium) console.warn(`editor e2e skipped: ${CHROMIUM} is missing (apt-get install -y chromium)`);

/** The shared editor build: only read. */
let out: string;
/** Where a test saves a download. */
let scratch: string;
let server: { url: string; close(): Promise<void> };
let browser: { context: import("playwright-core").BrowserContext; close(): Promise<void> };
let page: Page;

const text = () => page.evaluate(() => (window as unknown as { mlpEditor: { text(): string } }).mlpEditor.text());
const node = (name: string) => page.locator(`[data-testid="node-${name}"]`);
const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`) });

async function settled(): Promise<void> {
  await page.waitForFunction(() => (window as unknown as { mlpEditor?: { checked(): boolean } }).mlpEditor?.checked());
  await page.waitForTimeout(150);
}

async function fit(): Promise<void> {
  await page.getByTestId("fit-view").click();
  await page.waitForTimeout(400);
}

async function center(sel: string): Promise<{ x: number; y: number }> {
  const b = await page.locator(sel).first().boundingBox();
  if (!b) throw new Error(`not on screen: ${sel}`);
  return { x: b.x + b.width / 2, y: b.y + b.height / 2 };
}

async function dragLine(from: string, to: string): Promise<void> {
  const a = await center(from);
  const b = await center(to);
  await page.mouse.move(a.x, a.y);
  await page.mouse.down();
  for (let i = 1; i <= 12; i++) await page.mouse.move(a.x + ((b.x - a.x) * i) / 12, a.y + ((b.y - a.y) * i) / 12);
  await page.mouse.up();
}

/** Replaces `find` with `replace` in the text pane, by typing as a person would. */
async function editText(find: string, replace: string): Promise<void> {
  const t = await text();
  const at = t.indexOf(find);
  expect(at).toBeGreaterThanOrEqual(0);
  await page.evaluate(([from, to]) => (window as unknown as { mlpEditor: { selectText(a: number, b: number): void } }).mlpEditor.selectText(from!, to!), [at, at + find.length]);
  await page.keyboard.insertText(replace);
}

/**
 * Every node's box and every drawn edge's path (sampled every 3px along it) in graph
 * coordinates, read from the DOM; an edge's ends are the steps its id names (flow.ts edgeId).
 */
async function drawnGraph() {
  return page.evaluate(() => {
    const boxes = Array.from(document.querySelectorAll<HTMLElement>(".react-flow__node")).map((el) => {
      const m = /translate\(([-\d.]+)px, *([-\d.]+)px\)/.exec(el.style.transform)!;
      return { id: el.dataset.id!, x: Number(m[1]), y: Number(m[2]), width: el.offsetWidth, height: el.offsetHeight };
    });
    const edges = Array.from(document.querySelectorAll<SVGGElement>(".react-flow__edge")).map((g) => {
      const path = g.querySelector("path.react-flow__edge-path") as SVGPathElement;
      const points: { x: number; y: number }[] = [];
      const len = path.getTotalLength();
      for (let l = 0; l < len + 3; l += 3) {
        const p = path.getPointAtLength(Math.min(l, len));
        points.push({ x: p.x, y: p.y });
      }
      const id = g.dataset.id!;
      const [from, to] = id.split(">");
      return { id, source: from!.split(":")[0]!, target: to!.split(":")[0]!, points };
    });
    return { boxes, edges };
  });
}

describe.skipIf(!haveChromium)("editor in a browser", () => {
  beforeAll(async () => {
    out = await builtEditor();
    scratch = mkdtempSync(join(tmpdir(), "mlp-editor-"));
    server = await serve(out);
    browser = await launch();
    mkdirSync(SHOTS, { recursive: true });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  beforeEach(async () => {
    page = await browser.context.newPage();
    page.on("pageerror", (e) => {
      throw e;
    });
    await page.goto(`${server.url}?fresh`);
    await node("churn_api").waitFor();
    await settled();
  }, 60_000);

  it("opens a sample and shows every step", async () => {
    const names = ["customers", "orders", "customers_clean", "order_stats", "enriched", "customer_features", "churn_split", "churn_model", "churn_tuned", "churn_gate", "churn_registry", "churn_api", "churn_nightly", "churn_report"];
    for (const n of names) await expect(node(n).count()).resolves.toBe(1);
    await expect(page.locator(".react-flow__node").count()).resolves.toBe(names.length);
    await expect(page.getByTestId("status").textContent()).resolves.toContain("checks clean");
    await shot("01-open-sample");
    await page.close();
  }, 60_000);

  it("drags a new step from the palette and connects it; the text follows, comments intact", async () => {
    const before = await text();
    const pane = await page.locator(".react-flow__pane").boundingBox();
    await page.dragAndDrop('[data-testid="palette-notebook"]', ".react-flow__pane", { targetPosition: { x: pane!.width * 0.5, y: pane!.height * 0.75 } });
    await node("notebook_1").waitFor();
    expect(await text()).toContain('notebook notebook_1() {\n  path = "notebooks/notebook_1.ipynb"\n}');
    await settled();
    await fit();
    await dragLine('[data-testid="node-churn_gate"] .react-flow__handle.source', '[data-testid="node-notebook_1"] .react-flow__handle.target');
    await page.waitForFunction(() => (window as unknown as { mlpEditor: { text(): string } }).mlpEditor.text().includes("notebook notebook_1(churn_gate)"));
    await settled();
    await expect(page.locator('.react-flow__edge[data-id^="churn_gate:out>notebook_1"]').count()).resolves.toBe(1);
    const after = await text();
    const comments = (t: string) => t.split("\n").filter((l) => l.trim().startsWith("//"));
    expect(comments(after)).toEqual(comments(before));
    await node("notebook_1").click();
    await page.evaluate(() => (window as unknown as { mlpEditor: { reveal(id: string): void } }).mlpEditor.reveal("notebook_1"));
    await page.waitForTimeout(500);
    await shot("02-palette-drop-connect");
    await page.close();
  }, 60_000);

  it("refuses a connection the types forbid and says why", async () => {
    const before = await text();
    await fit();
    await dragLine('[data-testid="node-customers"] .react-flow__handle.source', '[data-testid="node-churn_tuned"] .react-flow__handle.target');
    const toast = page.getByTestId("toast");
    await toast.waitFor();
    expect(await toast.textContent()).toContain("Cannot connect: tune `churn_tuned` takes Model on `model`, but `customers` produces Table<Customer>");
    expect(await text()).toBe(before);
    await shot("03-refused-connection");
    await page.close();
  }, 60_000);

  it("dropping onto an occupied input asks first, and shows the column errors the new input would cause (issue 13, defect 4)", async () => {
    const before = await text();
    await fit();
    const asked: string[] = [];
    const answers = [true, false];
    const onDialog = (d: import("playwright-core").Dialog) => {
      asked.push(d.message());
      void (answers.shift() ? d.accept() : d.dismiss());
    };
    page.on("dialog", onDialog);
    await dragLine('[data-testid="node-customers"] .react-flow__handle.source', '[data-testid="node-order_stats"] .react-flow__handle.target');
    await page.getByTestId("toast").waitFor();
    expect(asked[0]).toBe("`data` of order_stats already reads orders. Replace it with customers?");
    expect(asked[1]).toMatch(/^Connecting customers to order_stats gives \d+ errors?:\n- /);
    // A message is listed once, with how many places have it.
    const listed = asked[1]!.split("\n").filter((l) => l.startsWith("- "));
    expect(new Set(listed).size).toBe(listed.length);
    expect(await page.getByTestId("toast").textContent()).toContain("not connected: ");
    expect(await text()).toBe(before);
    // Declining the replacement leaves it as it was too.
    asked.length = 0;
    answers.push(false);
    await dragLine('[data-testid="node-customers"] .react-flow__handle.source', '[data-testid="node-order_stats"] .react-flow__handle.target');
    await page.waitForFunction(() => document.querySelector('[data-testid="toast"]')?.textContent?.includes("the input keeps what it reads"));
    expect(asked).toHaveLength(1);
    expect(await text()).toBe(before);
    // Saying yes twice connects it, errors and all.
    answers.push(true, true);
    await dragLine('[data-testid="node-customers"] .react-flow__handle.source', '[data-testid="node-order_stats"] .react-flow__handle.target');
    await page.waitForFunction(() => (window as unknown as { mlpEditor: { text(): string } }).mlpEditor.text().includes("order_stats(customers)"));
    page.off("dialog", onDialog);
    await page.close();
  }, 60_000);

  it("edits the text and the graph follows", async () => {
    await editText("notebook churn_report(churn_gate, churn_split.test)", "notebook churn_summary(churn_gate, churn_split.test)");
    await node("churn_summary").waitFor();
    await expect(node("churn_report").count()).resolves.toBe(0);
    await editText('  name = "churn"\n}', '  name = "churn"\n}\n\ndeploy churn_canary(churn_registry) {\n  mode = endpoint\n}');
    await node("churn_canary").waitFor();
    await page.close();
  }, 60_000);

  it("edits the graph and the text follows, comments and formatting intact", async () => {
    const before = await text();
    // Move a step: its layout entry changes, nothing else.
    const box = (await node("orders").boundingBox())!;
    await page.mouse.move(box.x + 60, box.y + 12);
    await page.mouse.down();
    await page.mouse.move(box.x + 100, box.y + 60, { steps: 8 });
    await page.mouse.up();
    await page.waitForFunction((t) => (window as unknown as { mlpEditor: { text(): string } }).mlpEditor.text() !== t, before);
    const moved = await text();
    const changed = moved.split("\n").filter((l) => !before.split("\n").includes(l));
    expect(changed).toHaveLength(1);
    expect(changed[0]).toMatch(/^ {2}orders +=\s*\{ x: \d+, +y: \d+ \}$/);
    // Change a setting in the inspector.
    await fit();
    await node("churn_registry").click();
    await page.getByTestId("inspector").waitFor();
    await page.locator("#field-stage").selectOption("production");
    await page.waitForFunction(() => (window as unknown as { mlpEditor: { text(): string } }).mlpEditor.text().includes("stage = production"));
    // Delete a step with the keyboard.
    await node("churn_report").click();
    await page.keyboard.press("Delete");
    await page.waitForFunction(() => !(window as unknown as { mlpEditor: { text(): string } }).mlpEditor.text().includes("notebook churn_report"));
    const after = await text();
    const comments = (t: string) => t.split("\n").filter((l) => l.trim().startsWith("//"));
    expect(comments(after)).toEqual(comments(before));
    // The variant block keeps its hand alignment (not the formatter's).
    expect(after).toContain('  customers.uri         = "s3://acme-raw-eu/customers/"');
    await settled();
    await expect(node("churn_report").count()).resolves.toBe(0);
    await page.close();
  }, 60_000);

  it("shows a type error on the node", async () => {
    await editText("filter monthly_spend >= 0.0", 'filter monthly_spend >= "zero"');
    const n = node("customers_clean");
    await page.waitForSelector('[data-testid="node-customers_clean"].has-errors');
    expect(await n.locator(".step-problem").textContent()).toMatch(/float|string/);
    await expect(page.getByTestId("status").textContent()).resolves.toContain("1 error");
    // Clicking the problem selects the step and its text.
    await page.getByTestId("tab-problems").click();
    await page.getByTestId("problems").getByRole("button").first().click();
    await page.waitForFunction(() => (window as unknown as { mlpEditor: { selection(): string[] } }).mlpEditor.selection()[0] === "customers_clean");
    await page.waitForTimeout(400);
    await shot("04-type-error");
    await page.close();
  }, 60_000);

  it("compiles to aws", async () => {
    await page.getByTestId("tab-compile").click();
    await page.getByTestId("compile-target").selectOption("aws");
    await page.getByTestId("compile-run").click();
    const aws = TARGETS.find((t) => t.name === "aws")!;
    if (aws.emit) {
      await page.getByTestId("compile-files").waitFor();
      expect(await page.getByTestId("compile-files").textContent()).toContain("index.ts");
    } else {
      // TODO(aws target): once compiler/targets.ts gives aws an `emit`, the branch above runs;
      // then drop this one and assert on index.ts only.
      await page.getByTestId("not-built").waitFor();
      expect(await page.getByTestId("not-built").textContent()).toContain("aws target is not built yet");
    }
    await shot("05-compile-aws");
    await page.close();
  }, 60_000);

  it("keeps the work across a reload", async () => {
    await editText('owner    = "ml-platform@acme.example"', 'owner    = "someone@acme.example"');
    await page.waitForTimeout(800);
    await page.goto(server.url);
    await node("churn_api").waitFor();
    expect(await text()).toContain('owner    = "someone@acme.example"');
    await page.close();
  }, 60_000);

  it("autosave keeps a 2.6 MB file and the edits beside it, and says so when storage is full (issue 13, defect 1)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mlp-big-"));
    // Large but cheap to check: a library file that is mostly one long comment.
    const big = (name: string) => `// ${name}\n${`// ${"x".repeat(76)}\n`.repeat(32_500)}schema ${name} {\n  id: int\n}\n`;
    for (const n of ["big_a", "big_b", "big_c"]) writeFileSync(join(dir, `${n}.mlp`), big(n));
    await page.setInputFiles("#open-files", join(dir, "big_a.mlp"));
    await page.getByTestId("tab-big_a.mlp").waitFor();
    await page.getByTestId("tab-churn.mlp").click();
    await node("churn_api").waitFor();
    await editText('owner    = "ml-platform@acme.example"', 'owner    = "beside-big@acme.example"');
    await page.waitForTimeout(800);
    expect(await page.getByTestId("autosave-failed").count()).toBe(0);
    await page.reload();
    await node("churn_api").waitFor();
    expect(await text()).toContain('owner    = "beside-big@acme.example"');
    await page.getByTestId("tab-big_a.mlp").waitFor();
    // Three of them do not fit in the browser's storage: the failure is on screen, not swallowed...
    await page.setInputFiles("#open-files", [join(dir, "big_b.mlp"), join(dir, "big_c.mlp")]);
    await page.getByTestId("autosave-failed").waitFor();
    expect(await page.getByTestId("autosave-failed").textContent()).toContain("browser storage is full");
    // ...and closing them makes autosave work again.
    await page.getByRole("button", { name: "Close big_c.mlp" }).click();
    await page.getByRole("button", { name: "Close big_b.mlp" }).click();
    await page.getByTestId("autosave-failed").waitFor({ state: "detached" });
    rmSync(dir, { recursive: true, force: true });
    await page.close();
  }, 90_000);

  it("moving a node with the arrow keys writes the layout block, and the move sticks (issue 13, defect 5)", async () => {
    const xOf = async () => Number(/\n {2}customers_clean *= \{ x: (-?\d+)/.exec(await text())?.[1]);
    expect(await xOf()).toBe(260);
    await fit();
    await node("customers_clean").click();
    for (let i = 0; i < 4; i++) await page.keyboard.press("ArrowRight");
    await page.waitForFunction(() => /\n {2}customers_clean *= \{ x: 2[7-9]\d/.test((window as unknown as { mlpEditor: { text(): string } }).mlpEditor.text()));
    const moved = await xOf();
    expect(moved).toBeGreaterThan(260);
    // After the re-check the node stays where the keys put it, on screen and in the text.
    await settled();
    await page.waitForTimeout(300);
    expect(await xOf()).toBe(moved);
    const box = async () => (await node("customers_clean").boundingBox())!.x - (await node("customers").boundingBox())!.x;
    const before = await box();
    await page.waitForTimeout(500);
    expect(await box()).toBe(before);
    await page.close();
  }, 60_000);

  it("auto-layout of ticket_triage fills the canvas's shape instead of one long row, edges into their own ports (issue 13, defect 7)", async () => {
    await page.setInputFiles("#open-folder", join(ROOT, "samples"));
    await page.getByTestId("tab-ticket_triage.mlp").click();
    await node("triage_api").waitFor();
    await settled();
    await page.getByTestId("auto-layout").click();
    await page.waitForFunction(() => {
      const t = (window as unknown as { mlpEditor: { text(): string } }).mlpEditor.text();
      return t.includes("\nlayout {") && /\n {2}triage_api +=/.test(t.slice(t.indexOf("\nlayout {")));
    });
    await settled();
    const t = await text();
    const layout = t.slice(t.indexOf("\nlayout {"));
    const at = [...layout.matchAll(/\n {2}(\w+) *= \{ x: (-?\d+), +y: (-?\d+) \}/g)].map((m) => ({ name: m[1]!, x: Number(m[2]), y: Number(m[3]) }));
    expect(at.length).toBeGreaterThanOrEqual(10);
    const span = (k: "x" | "y") => Math.max(...at.map((p) => p[k])) - Math.min(...at.map((p) => p[k]));
    const pane = (await page.locator(".react-flow__pane").boundingBox())!;
    // Positions are top-left corners: add a node's size to compare shapes.
    const ratio = (span("x") + 240) / (span("y") + 120);
    expect(ratio, JSON.stringify(at)).toBeLessThan((pane.width / pane.height) * 2);
    // Each step still reads left to right: every edge runs from an earlier column or row.
    await fit();
    const zoom = await page.evaluate(() => Number(/scale\(([\d.]+)\)/.exec(document.querySelector(".react-flow__viewport")?.getAttribute("style") ?? "")?.[1]));
    expect(zoom).toBeGreaterThan(0.35);
    await shot("10-auto-layout-ticket-triage");
    await page.close();
  }, 90_000);

  it("lays the graph out top-down on request: inputs on top, every edge downwards, no overlaps, remembered per file (issue 13, defect 7)", async () => {
    await page.setInputFiles("#open-folder", join(ROOT, "samples"));
    await page.getByTestId("tab-ticket_triage.mlp").click();
    await node("triage_api").waitFor();
    await settled();
    await page.getByTestId("layout-direction").selectOption("down");
    await page.getByTestId("auto-layout").click();
    await page.waitForFunction(() => /\n {2}triage_api +=/.test((window as unknown as { mlpEditor: { text(): string } }).mlpEditor.text()));
    await settled();
    await page.waitForTimeout(400);
    const { boxes, edges } = await drawnGraph();
    expect(edges.length).toBeGreaterThanOrEqual(10);
    const at = new Map(boxes.map((b) => [b.id, b]));
    for (const e of edges) {
      const s = at.get(e.source)!, t = at.get(e.target)!;
      expect(s.y + s.height, `${e.id} goes downwards`).toBeLessThanOrEqual(t.y);
      // Drawn from the source's bottom edge into the target's top edge.
      expect(Math.abs(e.points[0]!.y - (s.y + s.height)), `${e.id} leaves ${e.source} at its bottom`).toBeLessThan(8);
      expect(Math.abs(e.points[e.points.length - 1]!.y - t.y), `${e.id} enters ${e.target} at its top`).toBeLessThan(8);
    }
    for (const a of boxes)
      for (const b of boxes)
        if (a.id < b.id) expect(a.x + a.width <= b.x || b.x + b.width <= a.x || a.y + a.height <= b.y || b.y + b.height <= a.y, `${a.id} overlaps ${b.id}`).toBe(true);
    expect(await page.locator('[data-testid="node-triage_api"] .react-flow__handle-top').count()).toBeGreaterThan(0);
    await fit();
    await shot("15-top-down-layout");
    // The choice is the file's: another file reads left to right, and a reload keeps both.
    await page.getByTestId("tab-ad_click_through.mlp").click();
    await expect(page.getByTestId("layout-direction").inputValue()).resolves.toBe("right");
    await page.waitForTimeout(500);
    await page.reload();
    await page.getByTestId("tab-ticket_triage.mlp").click();
    await expect(page.getByTestId("layout-direction").inputValue()).resolves.toBe("down");
    await page.close();
  }, 90_000);

  for (const sample of ["ticket_triage", "ad_click_through"]) {
    it(`routes every edge of ${sample} around the other nodes after auto-layout (issue 13, defect 7)`, async () => {
      await page.setInputFiles("#open-folder", join(ROOT, "samples"));
      await page.getByTestId(`tab-${sample}.mlp`).click();
      await page.locator(".react-flow__node").first().waitFor();
      await settled();
      const before = await text();
      await page.getByTestId("auto-layout").click();
      await page.waitForFunction((t) => (window as unknown as { mlpEditor: { text(): string } }).mlpEditor.text() !== t, before);
      await settled();
      await page.waitForTimeout(400);
      const { boxes, edges } = await drawnGraph();
      expect(edges.length).toBeGreaterThanOrEqual(8);
      const through: string[] = [];
      for (const e of edges)
        for (const b of boxes) {
          if (b.id === e.source || b.id === e.target) continue;
          // 2px inside the box: a route that keeps its clearance never gets there.
          if (e.points.some((p) => p.x > b.x + 2 && p.x < b.x + b.width - 2 && p.y > b.y + 2 && p.y < b.y + b.height - 2)) through.push(`${e.id} through ${b.id}`);
        }
      expect(through).toEqual([]);
      await page.close();
    }, 90_000);
  }

  it("has no serious or critical accessibility violations (axe-core) in the main views", async () => {
    await page.addScriptTag({ path: join(ROOT, "node_modules/axe-core/axe.min.js") });
    type Violation = { id: string; impact: string; help: string; nodes: { target: string[] }[] };
    const audit = async (view: string) => {
      const found = await page.evaluate(async () => (await (window as unknown as { axe: { run(): Promise<{ violations: Violation[] }> } }).axe.run()).violations);
      return found.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => `${view}: ${v.id} (${v.impact}) ${v.help}: ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")}`);
    };
    const problems = [...(await audit("graph"))];
    // As the other tests do before they click a node: the view fitted and still (on a loaded
    // machine the first fit's animation can still be moving the nodes).
    await fit();
    await node("churn_model").click();
    await page.getByTestId("inspector").waitFor();
    problems.push(...(await audit("inspector")));
    // A selected cleanse step: its kind chip on the tinted background, the Operations editor.
    await node("customers_clean").click();
    await page.getByTestId("ops-editor").waitFor();
    problems.push(...(await audit("cleanse inspector")));
    // A word selected in the text: its matches, one of them in a comment, are highlighted.
    const t = await text();
    const at = t.indexOf("source orders") + "source ".length;
    await page.evaluate((a) => (window as unknown as { mlpEditor: { selectText(a: number, b: number): void } }).mlpEditor.selectText(a, a + "orders".length), at);
    await page.locator(".cm-comment .cm-selectionMatch, .cm-selectionMatch").first().waitFor();
    problems.push(...(await audit("selection matches")));
    await page.getByTestId("tab-compile").click();
    problems.push(...(await audit("compile")));
    // The compiled files, in a viewer that scrolls.
    await page.getByTestId("compile-target").selectOption("aws");
    await page.getByTestId("compile-run").click();
    await page.getByTestId("compile-view").waitFor();
    problems.push(...(await audit("compiled aws")));
    // The step search with its list open, and the Connect to… dialog.
    await page.keyboard.press("Control+k");
    await page.keyboard.type("churn");
    await page.getByTestId("node-search-list").waitFor();
    problems.push(...(await audit("search")));
    await page.keyboard.press("Escape");
    await page.getByTestId("connect-to").click();
    await page.getByTestId("connect-dialog").waitFor();
    problems.push(...(await audit("connect")));
    await page.keyboard.press("Escape");
    // Stream edges and their labels.
    await page.setInputFiles("#open-folder", join(ROOT, "samples"));
    await page.getByTestId("tab-ad_click_through.mlp").click();
    await page.locator(".edge-label.art-stream:not(.tight) .edge-type").first().waitFor();
    await settled();
    problems.push(...(await audit("stream edges")));
    expect(problems).toEqual([]);
    await page.close();
  }, 120_000);

  it("a selected edge's column list lets a click through to the node under it once the pointer has left it (issue 13)", async () => {
    await page.setInputFiles("#open-folder", join(ROOT, "samples"));
    await page.getByTestId("tab-machine_failure.mlp").click();
    await node("machine_history").waitFor();
    await settled();
    await page.evaluate(() => (window as unknown as { mlpEditor: { reveal(id: string): void } }).mlpEditor.reveal("machine_history"));
    await page.waitForTimeout(500);
    const label = page.locator('[data-testid^="edge-machine_history:"][data-testid*=">labelled:"]');
    await label.locator(".edge-type").click();
    const list = page.locator(".edge-label.pinned .edge-schema");
    await list.waitFor();
    await page.mouse.move(5, 5);
    await page.waitForTimeout(200);
    // The middle of the part of a node that the (still open) list covers most.
    const under = await page.evaluate(() => {
      const l = document.querySelector(".edge-label.pinned .edge-schema")!.getBoundingClientRect();
      let best = { id: "", area: 0, x: 0, y: 0 };
      for (const el of Array.from(document.querySelectorAll<HTMLElement>(".react-flow__node"))) {
        const r = el.getBoundingClientRect();
        const x0 = Math.max(l.left, r.left), x1 = Math.min(l.right, r.right), y0 = Math.max(l.top, r.top), y1 = Math.min(l.bottom, r.bottom);
        const area = Math.max(0, x1 - x0) * Math.max(0, y1 - y0);
        if (area > best.area) best = { id: el.dataset.id!, area, x: (x0 + x1) / 2, y: (y0 + y1) / 2 };
      }
      return best;
    });
    expect(under.area, "the list covers part of a node").toBeGreaterThan(400);
    expect(await list.isVisible()).toBe(true);
    const hit = await page.evaluate(([px, py]) => document.elementFromPoint(px!, py!)?.closest(".react-flow__node")?.getAttribute("data-id") ?? null, [under.x, under.y]);
    expect(hit).toBe(under.id);
    await page.mouse.click(under.x, under.y);
    await page.waitForFunction((id) => (window as unknown as { mlpEditor: { selection(): string[] } }).mlpEditor.selection().join() === id, under.id);
    await page.close();
  }, 60_000);

  it("the static build says next to Run that running needs `mlp edit`, and the keyboard reaches Run and its reason (issue 13)", async () => {
    const note = page.getByTestId("run-needs-server");
    expect(await note.isVisible()).toBe(true);
    expect(await note.textContent()).toContain("mlp edit");
    const run = page.getByTestId("run");
    await run.focus();
    expect(await page.evaluate(() => document.activeElement?.getAttribute("data-testid"))).toBe("run");
    expect(await run.getAttribute("aria-disabled")).toBe("true");
    await page.keyboard.press("Enter");
    await page.getByTestId("toast").waitFor();
    expect(await page.getByTestId("toast").textContent()).toContain("mlp edit");
    await page.close();
  }, 60_000);

  it("steps the layout block leaves out are placed clear of the steps it positions: no two nodes of ad_click_through overlap (issue 13)", async () => {
    await page.setInputFiles("#open-folder", join(ROOT, "samples"));
    await page.getByTestId("tab-ad_click_through.mlp").click();
    await node("ctr_api").waitFor();
    await settled();
    await fit();
    const { boxes } = await drawnGraph();
    expect(boxes.length).toBe(17);
    const overlaps: string[] = [];
    for (const a of boxes)
      for (const b of boxes)
        if (a.id < b.id && !(a.x + a.width <= b.x || b.x + b.width <= a.x || a.y + a.height <= b.y || b.y + b.height <= a.y)) overlaps.push(`${a.id} overlaps ${b.id}`);
    expect(overlaps).toEqual([]);
    await page.close();
  }, 60_000);

  it("reloading the address opened with ?fresh keeps what was autosaved since (issue 13, defect 2)", async () => {
    expect(new URL(page.url()).searchParams.has("fresh")).toBe(false);
    await editText('owner    = "ml-platform@acme.example"', 'owner    = "after-fresh@acme.example"');
    await page.waitForTimeout(800);
    await page.reload();
    await node("churn_api").waitFor();
    expect(await text()).toContain('owner    = "after-fresh@acme.example"');
    await page.close();
  }, 60_000);

  it("opening a file whose name is open shows the file, and asks before replacing unsaved edits (issue 13, defect 3)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mlp-open-"));
    const disk = (await text()).replace('owner    = "ml-platform@acme.example"', 'owner    = "from-disk@acme.example"');
    writeFileSync(join(dir, "churn.mlp"), disk);
    // No unsaved edits: the open file now shows what is on disk, and one undo goes back.
    await page.setInputFiles("#open-files", join(dir, "churn.mlp"));
    await page.waitForFunction((t) => (window as unknown as { mlpEditor: { text(): string } }).mlpEditor.text() === t, disk);
    // Unsaved edits: declining keeps them...
    await editText('owner    = "from-disk@acme.example"', 'owner    = "mine@acme.example"');
    const asked: string[] = [];
    page.once("dialog", (d) => {
      asked.push(d.message());
      void d.dismiss();
    });
    await page.setInputFiles("#open-files", join(dir, "churn.mlp"));
    await page.waitForTimeout(300);
    expect(asked).toEqual(["churn.mlp has unsaved changes. Replace them with the file you opened?"]);
    expect(await text()).toContain('owner    = "mine@acme.example"');
    // ...accepting replaces them, and undo brings them back.
    page.once("dialog", (d) => void d.accept());
    await page.setInputFiles("#open-files", join(dir, "churn.mlp"));
    await page.waitForFunction((t) => (window as unknown as { mlpEditor: { text(): string } }).mlpEditor.text() === t, disk);
    await page.keyboard.press("Control+z");
    await page.waitForFunction(() => (window as unknown as { mlpEditor: { text(): string } }).mlpEditor.text().includes('owner    = "mine@acme.example"'));
    rmSync(dir, { recursive: true, force: true });
    await page.close();
  }, 60_000);

  it("undoes and redoes graph edits", async () => {
    const before = await text();
    await fit();
    await node("churn_report").click();
    await page.keyboard.press("Delete");
    await page.waitForFunction(() => !(window as unknown as { mlpEditor: { text(): string } }).mlpEditor.text().includes("notebook churn_report"));
    await page.keyboard.press("Control+z");
    await page.waitForFunction((t) => (window as unknown as { mlpEditor: { text(): string } }).mlpEditor.text() === t, before);
    await node("churn_report").waitFor();
    await page.keyboard.press("Control+Shift+z");
    await page.waitForFunction(() => !(window as unknown as { mlpEditor: { text(): string } }).mlpEditor.text().includes("notebook churn_report"));
    await settled();
    await expect(node("churn_report").count()).resolves.toBe(0);
    await page.close();
  }, 60_000);

  it("copies and pastes steps with fresh names, and lays the graph out with elk", async () => {
    await fit();
    await node("churn_report").click();
    await page.keyboard.press("Control+c");
    await page.keyboard.press("Control+v");
    await page.waitForFunction(() => (window as unknown as { mlpEditor: { text(): string } }).mlpEditor.text().includes("notebook churn_report_copy(churn_gate, churn_split.test) {"));
    await node("churn_report_copy").waitFor();
    await page.getByTestId("auto-layout").click();
    await page.waitForFunction(() => {
      const t = (window as unknown as { mlpEditor: { text(): string } }).mlpEditor.text();
      const layout = t.slice(t.indexOf("layout {"));
      return ["churn_api", "churn_report_copy", "churn_split", "customers"].every((n) => new RegExp(`\\n  ${n} +=`).test(layout));
    });
    await settled();
    await page.close();
  }, 60_000);

  it("opens a folder of files with imports and saves the active one", async () => {
    await page.setInputFiles("#open-folder", join(ROOT, "editor/samples"));
    await page.getByTestId("tab-lib/customer.mlp").waitFor();
    await page.getByTestId("tab-imports.mlp").click();
    await node("retention_model").waitFor();
    await settled();
    expect(await node("customer_features").textContent()).toContain("from lib/customer.mlp");
    const download = page.waitForEvent("download");
    await page.keyboard.press("Control+s");
    const d = await download;
    expect(d.suggestedFilename()).toBe("imports.mlp");
    const saved = join(scratch, "saved.mlp");
    await d.saveAs(saved);
    const { readFileSync } = await import("node:fs");
    expect(readFileSync(saved, "utf8")).toBe(await text());
    await shot("08-imports");
    await page.close();
  }, 60_000);

  it("shows how a step treats time: the as-of join and the hopping window, on the node and in the inspector", async () => {
    await page.getByTestId("samples").selectOption("demand_forecast.mlp");
    await node("labelled").waitFor();
    await settled();
    await fit();
    expect(await node("labelled").locator(".step-time").textContent()).toBe("asof week_start ≥ window_end · within 7d");
    expect(await node("sales_history").locator(".step-time").textContent()).toBe("window 28d every 7d");
    // The as-of-now aggregate the forecast scores has no time line.
    await expect(node("sales_28d").locator(".step-time").count()).resolves.toBe(0);
    await node("labelled").click();
    await page.getByTestId("inspector").waitFor();
    expect(await page.locator("#field-asof").inputValue()).toBe("week_start >= window_end");
    expect(await page.locator("#field-within").inputValue()).toBe("7d");
    // Edited in the inspector: the text and the node follow.
    await page.locator("#field-within").fill("14d");
    await page.locator("#field-within").press("Enter");
    await page.waitForFunction(() => /\n {2}within = 14d\n/.test((window as unknown as { mlpEditor: { text(): string } }).mlpEditor.text()));
    await settled();
    expect(await node("labelled").locator(".step-time").textContent()).toBe("asof week_start ≥ window_end · within 14d");
    // What is not a comparison of two columns is refused before anything is written.
    const before = await text();
    await page.locator("#field-asof").fill("week_start");
    await page.locator("#field-asof").press("Enter");
    expect(await page.getByTestId("field-asof").textContent()).toContain("expected two columns compared");
    expect(await text()).toBe(before);
    await page.evaluate(() => (window as unknown as { mlpEditor: { reveal(id: string): void } }).mlpEditor.reveal("labelled"));
    await page.waitForTimeout(500);
    await shot("09-point-in-time");
    await page.close();
  }, 60_000);

  it("shows the inspector form and the columns on an edge", async () => {
    await fit();
    await node("churn_model").click();
    await page.getByTestId("inspector").waitFor();
    expect(await page.locator("#field-framework").inputValue()).toBe("pytorch");
    expect(await page.locator("#field-resources-gpus").inputValue()).toBe("4");
    await page.locator("#field-resources-gpus").fill("-2");
    await page.locator("#field-resources-gpus").press("Enter");
    expect(await page.getByTestId("field-resources-gpus").textContent()).toContain("expected at least 0");
    await page.evaluate(() => (window as unknown as { mlpEditor: { reveal(id: string): void } }).mlpEditor.reveal("churn_model"));
    await page.waitForTimeout(500);
    await page.locator('[data-testid^="edge-churn_split:train>churn_model"]').hover({ force: true });
    await page.locator(".edge-label.open").waitFor();
    expect(await page.locator(".edge-label.open").textContent()).toContain("tenure_days");
    await shot("06-inspector-and-edge-columns");
    await page.close();
  }, 60_000);

  it("an edge's column list lets clicks through to what is beneath, and does not outlive the edge (issue 13, defect 6)", async () => {
    await page.evaluate(() => (window as unknown as { mlpEditor: { reveal(id: string): void } }).mlpEditor.reveal("churn_model"));
    await page.waitForTimeout(500);
    const label = page.locator('[data-testid^="edge-churn_split:train>churn_model"]');
    await label.hover({ force: true });
    const list = page.locator(".edge-label.open .edge-schema");
    await list.waitFor();
    // What a click in the middle of the list would hit: not the list (the canvas or a node beneath).
    const b = (await list.boundingBox())!;
    const hit = await page.evaluate(([x, y]) => document.elementFromPoint(x!, y!)?.closest(".edge-schema") !== null, [b.x + b.width / 2, b.y + b.height / 2]);
    expect(hit).toBe(false);
    // Selected, delete it, undo: the edge is back, without its list stuck open.
    await label.click({ force: true });
    await page.keyboard.press("Delete");
    await page.waitForFunction(() => !(window as unknown as { mlpEditor: { text(): string } }).mlpEditor.text().includes("train churn_model(churn_split.train"));
    await page.mouse.move(5, 5);
    await page.keyboard.press("Control+z");
    await page.waitForFunction(() => (window as unknown as { mlpEditor: { text(): string } }).mlpEditor.text().includes("train churn_model(churn_split.train"));
    await settled();
    await label.waitFor();
    expect(await page.locator(".edge-label.open").count()).toBe(0);
    await page.close();
  }, 60_000);

  it("room to work: the side and text panes resize and collapse from keyboard splitters, the bottom panel resizes, the compile viewer fills it, sizes survive a reload (issue 13)", async () => {
    const width = async (sel: string) => (await page.locator(sel).boundingBox())?.width ?? 0;
    const value = async (name: string) => Number(await page.getByRole("separator", { name }).getAttribute("aria-valuenow"));
    const w0 = await width('[data-testid="canvas"]');
    // The text pane's splitter: a labelled, focusable separator whose value is the pane's width.
    const text = page.getByRole("separator", { name: "Resize the text pane" });
    expect(await text.getAttribute("aria-orientation")).toBe("vertical");
    expect(await text.getAttribute("aria-controls")).toBe("text-pane");
    const t0 = await value("Resize the text pane");
    expect(t0).toBeGreaterThanOrEqual(Number(await text.getAttribute("aria-valuemin")));
    expect(t0).toBeLessThanOrEqual(Number(await text.getAttribute("aria-valuemax")));
    expect(Math.round(await width("#text-pane"))).toBe(t0);
    await text.focus();
    await page.keyboard.press("ArrowLeft");
    await page.keyboard.press("ArrowLeft");
    expect(await value("Resize the text pane")).toBe(t0 + 32);
    expect(Math.round(await width("#text-pane"))).toBe(t0 + 32);
    for (let i = 0; i < 4; i++) await page.keyboard.press("ArrowRight");
    expect(Math.round(await width("#text-pane"))).toBe(t0 - 32);
    // Enter collapses it: the canvas takes the room.
    await page.keyboard.press("Enter");
    await expect(page.locator("#text-pane").isVisible()).resolves.toBe(false);
    expect(await page.getByRole("button", { name: "Expand the text pane" }).getAttribute("aria-expanded")).toBe("false");
    expect(await width('[data-testid="canvas"]')).toBeGreaterThan(w0 + t0 - 40);
    // The side panel: its button collapses it, Enter on its splitter brings it back, arrows resize it.
    await page.getByRole("button", { name: "Collapse the side panel" }).click();
    await expect(page.getByTestId("side-panel").isVisible()).resolves.toBe(false);
    expect(await width('[data-testid="canvas"]')).toBeGreaterThan(1500);
    const side = page.getByRole("separator", { name: "Resize the side panel" });
    await side.focus();
    await page.keyboard.press("Enter");
    await expect(page.getByTestId("side-panel").isVisible()).resolves.toBe(true);
    const s0 = await value("Resize the side panel");
    // Dragged with the mouse...
    const grip = (await side.boundingBox())!;
    await page.mouse.move(grip.x + grip.width / 2, grip.y + 300);
    await page.mouse.down();
    await page.mouse.move(grip.x + grip.width / 2 + 60, grip.y + 300, { steps: 6 });
    await page.mouse.up();
    expect(Math.round(await width('[data-testid="side-panel"]'))).toBe(s0 + 60);
    // ...and with the arrow keys.
    await side.focus();
    for (let i = 0; i < 3; i++) await page.keyboard.press("ArrowLeft");
    expect(Math.round(await width('[data-testid="side-panel"]'))).toBe(s0 + 12);
    // The bottom panel resizes too, and the compile viewer is as tall as the panel.
    await page.getByTestId("tab-compile").click();
    await page.getByTestId("compile-target").selectOption("aws");
    await page.getByTestId("compile-run").click();
    await page.getByTestId("compile-view").waitFor();
    const bottom = page.getByRole("separator", { name: "Resize the bottom panel" });
    expect(await bottom.getAttribute("aria-orientation")).toBe("horizontal");
    const panel = async () => (await page.getByTestId("bottom-panel").boundingBox())!;
    const h0 = (await panel()).height;
    await bottom.focus();
    for (let i = 0; i < 4; i++) await page.keyboard.press("ArrowUp");
    const p = await panel();
    expect(Math.round(p.height)).toBe(Math.round(h0) + 64);
    const view = (await page.getByTestId("compile-view").boundingBox())!;
    expect(p.y + p.height - (view.y + view.height)).toBeLessThan(16);
    expect(view.height).toBeGreaterThan(p.height - 120);
    await shot("11-room-to-work");
    // Saved with the workspace: a reload keeps the frame as it was left.
    await page.waitForTimeout(700);
    await page.reload();
    await node("churn_api").waitFor();
    await expect(page.locator("#text-pane").isVisible()).resolves.toBe(false);
    expect(Math.round(await width('[data-testid="side-panel"]'))).toBe(s0 + 12);
    expect(Math.round((await panel()).height)).toBe(Math.round(h0) + 64);
    // Asking for a step's text opens the collapsed text pane, with the keyboard there.
    await node("customers").dblclick();
    await page.locator("#text-pane").waitFor();
    await page.waitForFunction(() => !!document.activeElement?.closest(".cm-editor"));
    await page.close();
  }, 90_000);

  it("node text is at least 12 px at the opening zoom, which fits the graph when it stays readable and otherwise says how much is off screen; F fits (issue 13)", async () => {
    const zoom = () => page.evaluate(() => Number(/scale\(([\d.]+)\)/.exec(document.querySelector(".react-flow__viewport")?.getAttribute("style") ?? "")?.[1]));
    // The smallest text of any node, and of the edge labels, as drawn on screen.
    const smallest = async (sel: string) =>
      page.evaluate(
        ([sel, z]) => {
          const sizes = Array.from(document.querySelectorAll<HTMLElement>(sel))
            .filter((el) => Array.from(el.childNodes).some((c) => c.nodeType === Node.TEXT_NODE && c.textContent!.trim()) && el.getClientRects().length > 0)
            .map((el) => parseFloat(getComputedStyle(el).fontSize) * z);
          return sizes.length ? Math.min(...sizes) : 0;
        },
        [sel, await zoom()] as const,
      );
    expect(await smallest(".react-flow__node *")).toBeGreaterThanOrEqual(12);
    expect(await smallest(".edge-label:not(.tight) *")).toBeGreaterThanOrEqual(12);
    // churn is one long row: too long to read whole, so the note counts what shows.
    const shown = await page.evaluate(() => {
      const pane = document.querySelector(".react-flow__pane")!.getBoundingClientRect();
      return Array.from(document.querySelectorAll(".react-flow__node")).filter((n) => {
        const b = n.getBoundingClientRect();
        const x = b.x + b.width / 2, y = b.y + b.height / 2;
        return x >= pane.left && x <= pane.right && y >= pane.top && y <= pane.bottom;
      }).length;
    });
    expect(shown).toBeLessThan(14);
    expect(shown).toBeGreaterThan(2);
    expect(await page.getByTestId("offscreen-note").textContent()).toContain(`showing ${shown} of 14 steps — press F to fit`);
    await page.keyboard.press("f");
    await page.getByTestId("offscreen-note").waitFor({ state: "detached" });
    expect(await zoom()).toBeLessThan(1);
    // A graph that fits at a readable zoom opens whole, with no note.
    const dir = mkdtempSync(join(tmpdir(), "mlp-small-"));
    writeFileSync(
      join(dir, "small.mlp"),
      'pipeline small {\n  version = "1"\n}\n\nschema S {\n  id: int\n}\n\nsource a: Table<S> {\n  uri    = "s3://b/a/"\n  format = parquet\n}\n\ncleanse b(a) {\n  filter id > 0\n}\n',
    );
    await page.setInputFiles("#open-files", join(dir, "small.mlp"));
    await node("b").waitFor();
    await page.waitForTimeout(500);
    expect(await zoom()).toBeGreaterThanOrEqual(1);
    expect(await smallest(".react-flow__node *")).toBeGreaterThanOrEqual(12);
    const pane = (await page.locator(".react-flow__pane").boundingBox())!;
    for (const n of ["a", "b"]) {
      const b = (await node(n).boundingBox())!;
      expect(b.x >= pane.x && b.x + b.width <= pane.x + pane.width && b.y >= pane.y && b.y + b.height <= pane.y + pane.height).toBe(true);
    }
    await expect(page.getByTestId("offscreen-note").count()).resolves.toBe(0);
    rmSync(dir, { recursive: true, force: true });
    await page.close();
  }, 60_000);

  it("finds a step by name, kind or column (Ctrl+K or /); choosing one selects it and centres the view on it (issue 13)", async () => {
    const box = page.getByTestId("node-search");
    await page.keyboard.press("Control+k");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("node-search");
    await page.keyboard.type("spend_30d");
    const list = page.getByTestId("node-search-list");
    await list.waitFor();
    const options = async () => (await list.getByRole("option").allTextContents()).map((t) => t.replace(/\s+/g, " ").trim());
    // Every step the column flows through, the one that makes it among them.
    const found = await options();
    expect(found).toContain("aggregate order_stats · column spend_30d");
    expect(found.every((o) => o.endsWith(" · column spend_30d"))).toBe(true);
    await box.fill("evaluate");
    expect((await options())[0]).toBe("evaluate churn_gate · kind");
    // Escape empties the box, and again leaves it; / comes back to it.
    await page.keyboard.press("Escape");
    expect(await box.inputValue()).toBe("");
    await page.keyboard.press("Escape");
    expect(await page.evaluate(() => document.activeElement?.id)).not.toBe("node-search");
    await page.keyboard.press("/");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("node-search");
    // churn_registry is off screen at the opening zoom: choosing it brings it to the middle.
    await page.keyboard.type("registry");
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("ArrowUp");
    await page.keyboard.press("Enter");
    await page.waitForFunction(() => (window as unknown as { mlpEditor: { selection(): string[] } }).mlpEditor.selection().join() === "churn_registry");
    await page.waitForTimeout(700);
    const pane = (await page.locator(".react-flow__pane").boundingBox())!;
    const c = await center('[data-testid="node-churn_registry"]');
    expect(Math.abs(c.x - (pane.x + pane.width / 2))).toBeLessThan(40);
    expect(Math.abs(c.y - (pane.y + pane.height / 2))).toBeLessThan(40);
    expect(await page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.id)).toBe("churn_registry");
    await expect(node("churn_registry").getAttribute("class")).resolves.toContain("is-selected");
    await page.keyboard.press("Control+k");
    await page.keyboard.type("cust");
    await list.waitFor();
    await shot("12-node-search");
    await page.close();
  }, 60_000);

  it("Tab reaches the steps before the connections, and handles and nodes are labelled (issue 13)", async () => {
    // From the last stop before the canvas (the side panel's collapse button).
    await page.evaluate(() => {
      const canvas = document.querySelector(".react-flow")!;
      const before = Array.from(document.querySelectorAll<HTMLElement>("a[href], button, input, select, textarea, summary, [tabindex]")).filter(
        (el) => el.tabIndex >= 0 && el.getClientRects().length > 0 && !!(canvas.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_PRECEDING),
      );
      before[before.length - 1]!.focus();
    });
    const seen: string[] = [];
    for (let i = 0; i < 17; i++) {
      await page.keyboard.press("Tab");
      seen.push(await page.evaluate(() => {
        const el = document.activeElement;
        return el?.classList.contains("react-flow__node") ? "node" : el?.classList.contains("react-flow__edge") ? "edge" : `other ${el?.tagName}`;
      }));
    }
    expect(seen).toEqual([...Array(14).fill("node"), "edge", "edge", "edge"]);
    // Shift+Tab from the first edge goes back to the last node.
    for (let i = 0; i < 3; i++) await page.keyboard.press("Shift+Tab");
    expect(await page.evaluate(() => document.activeElement?.classList.contains("react-flow__node"))).toBe(true);
    // Every handle and node has a name.
    expect(await node("order_stats").locator(".react-flow__handle.target").getAttribute("aria-label")).toBe("input data of order_stats: Table | Stream");
    expect(await node("order_stats").locator(".react-flow__handle.source").getAttribute("aria-label")).toMatch(/^output out of order_stats: /);
    await expect(page.locator(".react-flow__handle:not([aria-label])").count()).resolves.toBe(0);
    expect(await page.locator('.react-flow__node[data-id="order_stats"]').getAttribute("aria-label")).toBe("aggregate step order_stats");
    await page.close();
  }, 60_000);

  it("connects two steps from the keyboard: C on a selected step lists targets; refused ones say why, like a drag; the vetting is the drag's (issue 13)", async () => {
    const before = await text();
    const toast = page.getByTestId("toast");
    await page.locator('.react-flow__node[data-id="customers"]').focus();
    await page.keyboard.press("Enter");
    await page.waitForFunction(() => (window as unknown as { mlpEditor: { selection(): string[] } }).mlpEditor.selection().join() === "customers");
    await page.keyboard.press("c");
    const dialog = page.getByTestId("connect-dialog");
    await dialog.waitFor();
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("connect-target");
    // A target the types forbid: the same words as dropping on its handle.
    await page.keyboard.type("churn_tuned");
    await page.keyboard.press("Enter");
    await toast.waitFor();
    expect(await toast.textContent()).toContain("Cannot connect: tune `churn_tuned` takes Model on `model`, but `customers` produces Table<Customer>");
    expect(await text()).toBe(before);
    await shot("13-connect-to");
    // An occupied input asks first, as a drag does; declining leaves the text as it was.
    const asked: string[] = [];
    page.once("dialog", (d) => {
      asked.push(d.message());
      void d.dismiss();
    });
    await page.getByTestId("connect-target").fill("order_stats");
    await page.keyboard.press("Enter");
    await page.waitForFunction(() => document.querySelector('[data-testid="toast"]')?.textContent?.includes("the input keeps what it reads"));
    expect(asked).toEqual(["`data` of order_stats already reads orders. Replace it with customers?"]);
    expect(await text()).toBe(before);
    // An allowed one is written; the keyboard goes back to the step.
    await page.locator('.react-flow__node[data-id="customers"]').focus();
    await page.keyboard.press("c");
    await page.keyboard.type("churn_report");
    await page.keyboard.press("Enter");
    await page.waitForFunction(() => /notebook churn_report\(churn_gate, churn_split\.test, customers\)/.test((window as unknown as { mlpEditor: { text(): string } }).mlpEditor.text()));
    await expect(dialog.count()).resolves.toBe(0);
    // From the inspector too, and Escape closes it.
    await node("churn_model").click();
    await page.getByTestId("connect-to").click();
    await dialog.waitFor();
    // A modal: Tab stays inside it.
    for (let i = 0; i < 3; i++) await page.keyboard.press("Tab");
    expect(await page.evaluate(() => !!document.activeElement?.closest('[data-testid="connect-dialog"]'))).toBe(true);
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "detached" });
    await page.close();
  }, 60_000);

  it("says in the text pane how to leave the text editor with the keyboard, and Esc then Tab does (issue 13)", async () => {
    await expect(page.getByTestId("text-hint").count()).resolves.toBe(0);
    await page.locator(".cm-content").click();
    const hint = page.getByTestId("text-hint");
    await hint.waitFor();
    expect((await hint.textContent())?.replace(/\s+/g, " ")).toContain("Esc then Tab leaves the text editor");
    // Tab alone indents (stays in the text)...
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => !!document.activeElement?.closest(".cm-editor"))).toBe(true);
    await page.keyboard.press("Control+z");
    // ...Escape then Tab moves on, and the hint goes with the focus.
    await page.keyboard.press("Escape");
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => !!document.activeElement?.closest(".cm-editor"))).toBe(false);
    await hint.waitFor({ state: "detached" });
    await page.close();
  }, 60_000);
  it("groups selected steps under a `// group:` line (Ctrl+G, one undo), collapses the group into one node with its edges, keeps that over a reload, and search expands it (issue 13)", async () => {
    const steps = () => page.locator(".react-flow__node").count();
    const edgeEnds = () =>
      page.evaluate(() => Array.from(document.querySelectorAll<SVGElement>(".react-flow__edge")).map((e) => e.dataset.id ?? e.getAttribute("data-testid") ?? ""));
    expect(await steps()).toBe(14);
    await node("customers").click();
    await node("orders").click({ modifiers: ["Shift"] });
    await page.waitForFunction(() => (window as unknown as { mlpEditor: { selection(): string[] } }).mlpEditor.selection().length === 2);
    page.once("dialog", (d) => void d.accept("raw inputs"));
    await page.keyboard.press("Control+g");
    await page.waitForFunction(() => (window as unknown as { mlpEditor: { text(): string } }).mlpEditor.text().includes("// group: raw inputs"));
    await settled();
    const layout = (await text()).slice((await text()).indexOf("\nlayout {"));
    expect(layout).toMatch(/\n {2}\/\/ group: raw inputs\n {2}customers +=[^\n]*\n {2}orders +=[^\n]*\n\}/);
    // One text edit: one undo takes it back, redo brings it again.
    await page.keyboard.press("Control+z");
    await page.waitForFunction(() => !(window as unknown as { mlpEditor: { text(): string } }).mlpEditor.text().includes("// group:"));
    await page.keyboard.press("Control+Shift+z");
    await page.waitForFunction(() => (window as unknown as { mlpEditor: { text(): string } }).mlpEditor.text().includes("// group: raw inputs"));
    await settled();

    // Expanded: a frame with the name around the two steps.
    const frame = page.getByTestId("frame-raw inputs");
    await frame.waitFor();
    expect((await frame.textContent())?.replace(/\s+/g, " ")).toContain("raw inputs2 steps");
    await page.getByTestId("collapse-raw inputs").click();
    const group = page.getByTestId("group-raw inputs");
    await group.waitFor();
    expect(await steps()).toBe(13);
    await expect(node("customers").count()).resolves.toBe(0);
    await expect(node("orders").count()).resolves.toBe(0);
    expect((await group.textContent())?.replace(/\s+/g, " ")).toContain("2 steps");
    // What left the two steps now leaves the group node, labelled with the artifact; nothing is drawn to the hidden steps.
    await page.waitForTimeout(300);
    const ids = await edgeEnds();
    expect(ids.length).toBeGreaterThan(5);
    expect(ids.filter((id) => /(^|>)(customers|orders):/.test(id.replace(/^grouped:/, "")))).toEqual([]);
    const fromGroup = ids.filter((id) => id.startsWith("grouped:group:raw inputs:out>"));
    expect(fromGroup.sort()).toEqual(["grouped:group:raw inputs:out>customers_clean:data", "grouped:group:raw inputs:out>order_stats:data"]);
    const label = await page.locator(`[data-testid="edge-grouped:group:raw inputs:out>customers_clean:data"]`).textContent();
    expect(label).toContain("Table<Customer>");
    await page.evaluate(() => (window as unknown as { mlpEditor: { reveal(id: string): void } }).mlpEditor.reveal("group:raw inputs"));
    await page.waitForTimeout(500);
    await shot("15-collapsed-group");
    await group.getByRole("button", { name: "expand group raw inputs" }).click();
    await node("customers").waitFor();
    await page.getByTestId("collapse-raw inputs").click();
    await group.waitFor();
    // No serious or critical accessibility violations on the canvas with a collapsed group and a frame on it.
    await page.addScriptTag({ path: join(ROOT, "node_modules/axe-core/axe.min.js") });
    type Violation = { id: string; impact: string; help: string; nodes: { target: string[] }[] };
    const found = await page.evaluate(
      async () => (await (window as unknown as { axe: { run(c: Element): Promise<{ violations: Violation[] }> } }).axe.run(document.querySelector('[data-testid="canvas"]')!)).violations,
    );
    expect(found.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => `${v.id}: ${v.help}: ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")}`)).toEqual([]);

    // A view setting: not in the text, kept over a reload.
    expect(await text()).not.toContain("collapsed");
    await page.waitForTimeout(500);
    await page.reload();
    await node("churn_api").waitFor();
    await settled();
    await group.waitFor();
    expect(await steps()).toBe(13);
    await fit();

    // Expand, collapse again, then a search for a step inside opens the group.
    await group.dblclick();
    await node("customers").waitFor();
    expect(await steps()).toBe(14);
    await page.getByTestId("collapse-raw inputs").click();
    await group.waitFor();
    await page.keyboard.press("Control+k");
    await page.keyboard.type("orders");
    await page.getByTestId("node-search-list").waitFor();
    await page.keyboard.press("Enter");
    await node("orders").waitFor();
    await expect(group.count()).resolves.toBe(0);
    await page.waitForFunction(() => (window as unknown as { mlpEditor: { selection(): string[] } }).mlpEditor.selection().join() === "orders");

    // Ungroup (in the toolbar's ⋯ menu) takes the line out of the text; the frame goes.
    await page.getByTestId("more").click();
    await page.getByTestId("ungroup").click();
    await page.waitForFunction(() => !(window as unknown as { mlpEditor: { text(): string } }).mlpEditor.text().includes("// group:"));
    await settled();
    await frame.waitFor({ state: "detached" });
    await page.close();
  }, 120_000);

  /** Groups `customers` and `orders` as `raw inputs` (Ctrl+G) and collapses the group; the group node's locator. */
  async function collapsedRawInputs() {
    await node("customers").click();
    await node("orders").click({ modifiers: ["Shift"] });
    await page.waitForFunction(() => (window as unknown as { mlpEditor: { selection(): string[] } }).mlpEditor.selection().length === 2);
    page.once("dialog", (d) => void d.accept("raw inputs"));
    await page.keyboard.press("Control+g");
    await page.waitForFunction(() => (window as unknown as { mlpEditor: { text(): string } }).mlpEditor.text().includes("// group: raw inputs"));
    await settled();
    await page.getByTestId("collapse-raw inputs").click();
    const group = page.getByTestId("group-raw inputs");
    await group.waitFor();
    await page.waitForTimeout(300);
    return group;
  }

  /** The layout block's positions, by step name. */
  const entries = async () => {
    const t = await text();
    return new Map([...t.slice(t.indexOf("\nlayout {")).matchAll(/\n {2}(\w+) *= \{ x: (-?\d+), +y: (-?\d+) \}/g)].map((m) => [m[1]!, { x: Number(m[2]), y: Number(m[3]) }]));
  };

  it("drags a collapsed group with the mouse: every step of it moves by the same delta in the layout block, in its group section, as one undoable edit (issue 13)", async () => {
    const group = await collapsedRawInputs();
    const before = await text();
    const at = await entries();
    const start = await center('[data-testid="group-raw inputs"] .step-head');
    const box0 = (await group.boundingBox())!;
    await page.mouse.move(start.x, start.y);
    await page.mouse.down();
    for (let i = 1; i <= 10; i++) await page.mouse.move(start.x + 12 * i, start.y + 20 * i);
    // While dragging, the group node follows the pointer and nothing is written yet.
    const mid = (await group.boundingBox())!;
    expect(mid.x - box0.x).toBeGreaterThan(90);
    expect(mid.y - box0.y).toBeGreaterThan(150);
    expect(await text()).toBe(before);
    await page.mouse.up();
    await page.waitForFunction((t) => (window as unknown as { mlpEditor: { text(): string } }).mlpEditor.text() !== t, before);
    await settled();
    const moved = await entries();
    const delta = (name: string) => ({ x: moved.get(name)!.x - at.get(name)!.x, y: moved.get(name)!.y - at.get(name)!.y });
    expect(delta("customers").x).toBeGreaterThan(50);
    expect(delta("customers").y).toBeGreaterThan(100);
    expect(delta("orders")).toEqual(delta("customers"));
    for (const other of ["customers_clean", "order_stats"]) expect(moved.get(other)).toEqual(at.get(other));
    const layout = (await text()).slice((await text()).indexOf("\nlayout {"));
    expect(layout).toMatch(/\n {2}\/\/ group: raw inputs\n {2}customers +=[^\n]*\n {2}orders +=[^\n]*\n\}/);
    // The group node stays where it was dropped after the re-check.
    await page.waitForTimeout(300);
    const after = (await group.boundingBox())!;
    expect(Math.abs(after.x - mid.x)).toBeLessThan(3);
    expect(Math.abs(after.y - mid.y)).toBeLessThan(3);
    // Expanded, the steps stand where the group was moved.
    await group.getByRole("button", { name: "expand group raw inputs" }).click();
    await node("customers").waitFor();
    await page.waitForTimeout(200);
    const { boxes } = await drawnGraph();
    for (const name of ["customers", "orders"]) {
      const b = boxes.find((x) => x.id === name)!;
      expect({ x: Math.round(b.x), y: Math.round(b.y) }, name).toEqual(moved.get(name));
    }
    // One undo takes the whole move back.
    await page.getByTestId("collapse-raw inputs").click();
    await group.waitFor();
    await page.keyboard.press("Control+z");
    await page.waitForFunction((t) => (window as unknown as { mlpEditor: { text(): string } }).mlpEditor.text() === t, before);
    await settled();
    await page.waitForTimeout(300);
    const back = (await group.boundingBox())!;
    expect(Math.abs(back.x - box0.x)).toBeLessThan(2);
    expect(Math.abs(back.y - box0.y)).toBeLessThan(2);
    await page.close();
  }, 120_000);

  it("arrow keys move a selected collapsed group: each of its steps moves in the layout block (issue 13)", async () => {
    const group = await collapsedRawInputs();
    const at = await entries();
    await group.locator(".step-head").click();
    await page.waitForFunction(() => document.querySelector('.react-flow__node-stepGroup')?.classList.contains("selected"));
    for (let i = 0; i < 4; i++) await page.keyboard.press("ArrowRight");
    await page.keyboard.press("ArrowDown");
    await page.waitForFunction((x) => /\n {2}customers *= \{ x: (-?\d+)/.exec((window as unknown as { mlpEditor: { text(): string } }).mlpEditor.text())?.[1] !== String(x), at.get("customers")!.x);
    await settled();
    const moved = await entries();
    for (const name of ["customers", "orders"]) expect(moved.get(name), name).toEqual({ x: at.get(name)!.x + 20, y: at.get(name)!.y + 5 });
    for (const other of ["customers_clean", "order_stats"]) expect(moved.get(other)).toEqual(at.get(other));
    expect(await text()).toContain("// group: raw inputs");
    await page.close();
  }, 120_000);

  it("auto-layout keeps each group's steps together: no other step lies inside a group's frame (issue 13)", async () => {
    // Two groups of steps far apart in the pipeline: laid out without regard to groups, their frames would span the graph.
    const t = await text();
    const block = t.slice(t.indexOf("\nlayout {"));
    await editText(
      block.slice(0, block.indexOf("\n}") + 2),
      "\nlayout {\n  // group: ends\n  customers = { x: 0, y: 0 }\n  churn_report = { x: 300, y: 0 }\n  // group: middle\n  enriched = { x: 600, y: 0 }\n  churn_model = { x: 900, y: 0 }\n}",
    );
    await settled();
    await page.getByTestId("frame-ends").waitFor();
    const before = await text();
    await page.getByTestId("auto-layout").click();
    await page.waitForFunction((b) => (window as unknown as { mlpEditor: { text(): string } }).mlpEditor.text() !== b, before);
    await settled();
    await page.waitForTimeout(400);
    const { boxes } = await drawnGraph();
    const frames = await page.evaluate(() =>
      Array.from(document.querySelectorAll<HTMLElement>(".group-frame")).map((el) => {
        const m = /translate\(([-\d.]+)px, *([-\d.]+)px\)/.exec(el.style.transform)!;
        return { name: el.dataset.testid!.replace(/^frame-/, ""), x: Number(m[1]), y: Number(m[2]), width: el.offsetWidth, height: el.offsetHeight };
      }),
    );
    const members: Record<string, string[]> = { ends: ["customers", "churn_report"], middle: ["enriched", "churn_model"] };
    expect(frames.map((f) => f.name).sort()).toEqual(["ends", "middle"]);
    expect(boxes.length).toBe(14);
    const inside: string[] = [];
    for (const f of frames)
      for (const b of boxes) {
        if (members[f.name]!.includes(b.id)) continue;
        const apart = b.x + b.width <= f.x || f.x + f.width <= b.x || b.y + b.height <= f.y || f.y + f.height <= b.y;
        if (!apart) inside.push(`${b.id} in ${f.name}`);
      }
    expect(inside).toEqual([]);
    // The groups are still the text's: both sections, with their steps.
    const layout = (await text()).slice((await text()).indexOf("\nlayout {"));
    expect(layout).toMatch(/\/\/ group: ends\n {2}customers +=[^\n]*\n {2}churn_report +=/);
    expect(layout).toMatch(/\/\/ group: middle\n {2}enriched +=[^\n]*\n {2}churn_model +=/);
    expect(await page.locator(".react-flow__node.outside-group").count()).toBe(0);
    await fit();
    await shot("17-auto-layout-groups");
    // A step put inside a frame by hand is marked as not in that group.
    const ends = frames.find((f) => f.name === "ends")!;
    const line = /\n {2}orders *= \{[^\n]*\}/.exec(await text())![0];
    await editText(line, `\n  orders = { x: ${Math.round(ends.x + ends.width / 2 - 120)}, y: ${Math.round(ends.y + ends.height / 2 - 40)} }`);
    await settled();
    const marked = page.locator('.react-flow__node.outside-group[data-id="orders"]');
    await marked.waitFor();
    expect(await marked.getAttribute("data-outside")).toBe("ends");
    expect(await page.locator(".react-flow__node.outside-group").count()).toBe(1);
    await page.close();
  }, 120_000);

  it("steps imported from another file form a group named after it, which collapses like any group (issue 13)", async () => {
    await page.setInputFiles("#open-folder", join(ROOT, "samples"));
    await page.getByTestId("tab-demand_forecast.mlp").click();
    await node("weekly_forecast").waitFor();
    await settled();
    const frame = page.getByTestId("frame-lib/catalog.mlp");
    await frame.waitFor();
    expect(await frame.getByRole("button", { name: /ungroup/ }).count()).toBe(0);
    await page.evaluate(() => (window as unknown as { mlpEditor: { reveal(id: string): void } }).mlpEditor.reveal("products"));
    await page.waitForTimeout(500);
    await shot("16-group-frame");
    const before = await page.locator(".react-flow__node").count();
    await page.getByTestId("collapse-lib/catalog.mlp").click();
    const group = page.getByTestId("group-lib/catalog.mlp");
    await group.waitFor();
    expect((await group.textContent())?.replace(/\s+/g, " ")).toContain("3 steps");
    for (const n of ["stores", "products", "products_raw"]) await expect(node(n).count()).resolves.toBe(0);
    expect(await page.locator(".react-flow__node").count()).toBe(before - 2);
    // Enter on the group node, when it has the keyboard, expands it.
    await page.locator('.react-flow__node[data-id="file:lib/catalog.mlp"]').focus();
    await page.keyboard.press("Enter");
    await node("stores").waitFor();
    expect(await page.locator(".react-flow__node").count()).toBe(before);
    await page.close();
  }, 60_000);
});
