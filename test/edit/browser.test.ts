// `mlp edit` end to end: the real CLI serving a folder, the built editor in Debian's
// chromium. Files open from disk and save to it, changes made on disk show up (and never
// silently replace unsaved edits), and Run executes the pipeline with each step's state and
// rows on the graph and a preview of a step's rows in the inspector.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// @ts-expect-error plain ESM helper without types
import { serve } from "../../editor/scripts/serve.mjs";
import { ROOT } from "../run-helpers";
import { closeStudio, editText, haveChromium, openStudio, settled, type Editor, type Studio } from "./page";
import { SHOP } from "./project";

const SHOTS = join(ROOT, process.env.MLP_SCREENSHOTS === "1" ? "editor/screenshots" : "test/.tmp/editor-screenshots");

let studio: Studio;
let page: Page;

const text = () => page.evaluate(() => (window as unknown as Editor).mlpEditor.text());

describe.skipIf(!haveChromium)("mlp edit in a browser", { timeout: 180_000 }, () => {
  beforeAll(async () => {
    studio = await openStudio((dir) => join(dir, "shop.mlp"));
    mkdirSync(SHOTS, { recursive: true });
    page = await studio.browser.context.newPage();
    page.on("pageerror", (e) => {
      throw e;
    });
  }, 240_000);

  afterAll(() => closeStudio(studio));

  it("opens the folder's files from disk, with the token out of the address", async () => {
    await page.goto(studio.url);
    await page.locator('[data-testid="node-per_store"]').waitFor();
    await settled(page);
    expect(await text()).toBe(SHOP);
    expect(page.url()).not.toContain("token=");
    await expect.poll(() => page.getByTestId("server-root").textContent()).toContain("mlp-edit-");
    // The library the pipeline imports is open too, so its schema resolves: no errors.
    expect(await page.getByTestId("status").textContent()).toContain("✓ checks clean");
  });

  it("saves to the file on disk", async () => {
    await editText(page, "window = 30d", "window = 14d");
    await settled(page);
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await expect.poll(studio.onDisk).toContain("window = 14d");
  });

  it("shows a file changed on disk, and asks before replacing unsaved edits", async () => {
    writeFileSync(join(studio.dir, "shop.mlp"), `// edited in another editor\n${studio.onDisk()}`);
    await expect.poll(text, { timeout: 10_000 }).toContain("// edited in another editor");
    // Now with unsaved edits here: the disk's change waits for the user.
    await editText(page, "fill   amount = 0.0", "fill   amount = 1.0");
    writeFileSync(join(studio.dir, "shop.mlp"), `// edited again elsewhere\n${studio.onDisk()}`);
    await page.getByTestId("conflict").waitFor({ timeout: 10_000 });
    expect(await text()).toContain("amount = 1.0");
    expect(await text()).not.toContain("edited again elsewhere");
    // Saving over it is refused until the user chooses.
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await page.waitForTimeout(500);
    expect(studio.onDisk()).not.toContain("amount = 1.0");
    await page.getByTestId("conflict-use-disk").click();
    await expect.poll(text).toContain("// edited again elsewhere");
    expect(await text()).toContain("amount = 0.0");
    await expect(page.getByTestId("conflict").count()).resolves.toBe(0);
    // The text here was set aside, not lost (studio.test.ts goes back to it); this one lets it go.
    await page.getByTestId("forget-mine").click();
    await expect(page.getByTestId("set-aside").count()).resolves.toBe(0);
  });

  it("runs the pipeline from the graph: each step's state and rows, and a preview of a step's rows", async () => {
    await settled(page);
    await page.getByTestId("run").click();
    await expect.poll(() => page.getByTestId("run-status").textContent(), { timeout: 120_000 }).toContain("succeeded");
    expect(await page.getByTestId("run-clean").textContent()).toMatch(/✓ done.*5 rows/);
    // The window was cut to 14 days above: store c's only sale (Nov 1) falls out of it.
    expect(await page.getByTestId("run-per_store").textContent()).toContain("2 rows");
    expect(await page.getByTestId("edge-rows-clean-out").first().textContent()).toBe("5 rows");
    await page.locator('[data-testid="node-per_store"]').click();
    await page.getByTestId("preview-rows").click();
    const preview = page.getByTestId("rows-preview");
    await preview.waitFor();
    expect(await preview.locator("th").allTextContents()).toEqual(expect.arrayContaining(["store", "total", "n"]));
    expect(await preview.locator("tbody tr").count()).toBe(2);
    expect((await preview.locator("tbody tr td:first-child").allTextContents()).sort()).toEqual(["a", "b"]);
    // It scrolls when long: the keyboard must be able to get into it (axe scrollable-region-focusable).
    await preview.focus();
    expect(await page.evaluate(() => document.activeElement?.getAttribute("data-testid"))).toBe("rows-preview");
    await page.screenshot({ path: join(SHOTS, "14-mlp-edit-run.png") });
  });

  it("a reload keeps working on the folder (the token stays with the tab)", async () => {
    await page.reload();
    await page.locator('[data-testid="node-per_store"]').waitFor();
    await expect.poll(() => page.getByTestId("server-root").count()).toBe(1);
    expect(await text()).toBe(studio.onDisk());
  });

  it("the static build says that running needs mlp edit", async () => {
    const stat = await serve(studio.out);
    const p = await studio.browser.context.newPage();
    try {
      await p.goto(`${stat.url}?fresh`);
      await p.locator('[data-testid="node-churn_api"]').waitFor();
      const run = p.getByTestId("run");
      // Unavailable, but focusable (aria-disabled) so the keyboard reaches it; the reason is on screen beside it.
      expect(await run.getAttribute("aria-disabled")).toBe("true");
      expect(await run.getAttribute("title")).toMatch(/mlp edit/);
      expect(await p.getByTestId("run-needs-server").textContent()).toContain("mlp edit");
    } finally {
      await p.close();
      await stat.close();
    }
  });
});
