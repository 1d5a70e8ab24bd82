// `mlp edit` acceptance defects of issue 13, end to end in Debian's chromium: looking at the
// disk's version of a conflicted file never loses the user's text; a run's states belong to
// the file that ran; the toolbar fits on one line at 1600 px and narrower, every action
// still there under its accessible name.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// @ts-expect-error plain ESM helper without types
import { serve } from "../../editor/scripts/serve.mjs";
import { closeStudio, editText, haveChromium, openStudio, settled, type Editor, type Studio } from "./page";
import { SHOP } from "./project";

let studio: Studio;
let page: Page;

const text = () => page.evaluate(() => (window as unknown as Editor).mlpEditor.text());
const stored = () => page.evaluate(() => Object.values(localStorage).join("\n"));
const count = (testid: string) => page.getByTestId(testid).count();

/** Where each of the toolbar's children is: one line means they all share a row. */
async function toolbarRows(p: Page): Promise<{ height: number; rows: number; overflow: boolean }> {
  return p.evaluate(() => {
    const bar = document.querySelector<HTMLElement>(".toolbar")!;
    const tops = new Set(Array.from(bar.children).map((c) => Math.round(c.getBoundingClientRect().top / 10)));
    return { height: bar.getBoundingClientRect().height, rows: tops.size, overflow: bar.scrollWidth > bar.clientWidth + 1 };
  });
}

/** Every toolbar action is reachable by its accessible name, those in the ⋯ menu once it is open. */
async function expectToolbarActions(p: Page, names: string[], inMenu: string[]): Promise<void> {
  const bar = p.locator(".toolbar");
  for (const name of names) expect(await bar.getByRole("button", { name, exact: true }).count(), name).toBe(1);
  expect(await bar.getByRole("combobox", { name: "Layout direction" }).count()).toBe(1);
  expect(await bar.getByRole("combobox", { name: "Find a step by name, kind or column" }).count()).toBe(1);
  await bar.getByRole("button", { name: "More actions" }).click();
  const menu = p.getByRole("menu", { name: "More actions" });
  for (const name of inMenu) expect(await menu.getByRole("menuitem", { name, exact: true }).count(), name).toBe(1);
  await p.keyboard.press("Escape");
  expect(await p.getByRole("menu").count()).toBe(0);
}

describe.skipIf(!haveChromium)("mlp edit: conflicts, runs per file, the toolbar", { timeout: 240_000 }, () => {
  beforeAll(async () => {
    studio = await openStudio(
      (dir) => join(dir, "shop.mlp"),
      // A second pipeline with the same step names: a run of shop.mlp must not show on it.
      (dir) => writeFileSync(join(dir, "twin.mlp"), SHOP.replace("pipeline shop", "pipeline twin")),
    );
    page = await studio.browser.context.newPage();
    page.on("pageerror", (e) => {
      throw e;
    });
    await page.goto(studio.url);
    await page.locator('[data-testid="node-per_store"]').waitFor();
    await settled(page);
  }, 240_000);

  afterAll(() => closeStudio(studio));

  it("a run's states, rows and verdict stay with the file that ran", async () => {
    await settled(page);
    await page.getByTestId("run").click();
    await expect.poll(() => page.getByTestId("run-status").textContent(), { timeout: 120_000 }).toContain("succeeded");
    await page.getByTestId("run-clean").waitFor();
    expect(await page.getByTestId("toast").textContent()).toContain("succeeded");

    // twin.mlp has the same step names, and never ran.
    await page.getByTestId("tab-twin.mlp").click();
    await page.waitForFunction(() => (window as unknown as Editor).mlpEditor.active() === "twin.mlp");
    await settled(page);
    await page.locator('[data-testid="node-per_store"]').waitFor();
    expect(await count("run-clean")).toBe(0);
    expect(await count("run-per_store")).toBe(0);
    expect(await page.locator('[data-testid^="edge-rows-"]').count()).toBe(0);
    expect(await count("run-status")).toBe(0);
    expect(await count("toast")).toBe(0);
    await page.locator('[data-testid="node-per_store"]').click();
    await page.getByTestId("step-run").waitFor();
    expect(await page.getByTestId("step-run").textContent()).toContain("not run");

    // Back on the file that ran: its run is still there.
    await page.getByTestId("tab-shop.mlp").click();
    await page.getByTestId("run-clean").waitFor();
    expect(await page.getByTestId("run-status").textContent()).toContain("succeeded");
  });

  it("showing the disk version of a conflicted file compares it and keeps the user's text; taking it sets the text aside, offered back", async () => {
    await editText(page, "fill   amount = 0.0", "fill   amount = 9.0");
    writeFileSync(join(studio.dir, "shop.mlp"), `// edited in another editor\n${studio.onDisk()}`);
    await page.getByTestId("conflict").waitFor({ timeout: 10_000 });

    // A look only: the text here is untouched, the lines that differ are beside it.
    await page.getByTestId("conflict-disk").click();
    await page.waitForTimeout(300);
    expect(await text()).toContain("amount = 9.0");
    expect(await page.getByTestId("conflict").textContent()).toMatch(/your text stays/);
    const compare = page.getByTestId("conflict-compare");
    await compare.waitFor();
    expect(await text()).not.toContain("edited in another editor");
    const lines = await compare.locator("pre > div").allTextContents();
    expect(lines).toContain("+ // edited in another editor");
    expect(lines.some((l) => l.startsWith("− ") && l.includes("amount = 9.0"))).toBe(true);
    expect(lines.some((l) => l.startsWith("+ ") && l.includes("amount = 0.0"))).toBe(true);
    expect(await count("conflict")).toBe(1);

    // Taking the disk's version sets the user's text aside, in the recovery copy too.
    await page.getByTestId("conflict-use-disk").click();
    await expect.poll(text).toContain("edited in another editor");
    expect(await count("conflict")).toBe(0);
    expect(await page.getByTestId("set-aside").textContent()).toMatch(/your edits are set aside/);
    await expect.poll(stored).toContain("amount = 9.0");
    // It survives a reload, and comes back on request.
    await page.reload();
    await page.getByTestId("set-aside").waitFor({ timeout: 10_000 });
    await settled(page);
    expect(await text()).toBe(studio.onDisk());
    await page.getByTestId("back-to-mine").click();
    await expect.poll(text).toContain("amount = 9.0");
    expect(await count("set-aside")).toBe(0);
    // Unsaved again, over the disk version the user has now seen: Save writes it.
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await expect.poll(studio.onDisk).toContain("amount = 9.0");
    expect(await count("conflict")).toBe(0);
  });

  it("the toolbar is one line at 1600x1000 and narrower, after a run too, with every action named", async () => {
    for (const width of [1600, 1280, 1100]) {
      await page.setViewportSize({ width, height: 1000 });
      await page.waitForTimeout(200);
      const r = await toolbarRows(page);
      expect({ width, ...r }).toEqual({ width, height: r.height, rows: 1, overflow: false });
      expect(r.height).toBeLessThan(50);
    }
    await page.setViewportSize({ width: 1600, height: 1000 });
    await expectToolbarActions(page, ["New", "Save", "Undo", "Redo", "Auto-layout", "Fit view", "Run"], ["Save as…", "Group…", "Ungroup"]);
  });

  it("the static build's toolbar is one line too", async () => {
    const stat = await serve(studio.out);
    const p = await studio.browser.context.newPage();
    try {
      await p.goto(`${stat.url}?fresh`);
      await p.locator('[data-testid="node-churn_api"]').waitFor();
      for (const width of [1600, 1280, 1100]) {
        await p.setViewportSize({ width, height: 1000 });
        await p.waitForTimeout(200);
        const r = await toolbarRows(p);
        expect({ width, rows: r.rows, overflow: r.overflow }).toEqual({ width, rows: 1, overflow: false });
      }
      await p.setViewportSize({ width: 1600, height: 1000 });
      await expectToolbarActions(p, ["New", "Open…", "Save", "Undo", "Redo", "Auto-layout", "Fit view", "Run"], ["Save as…", "Open folder…", "Group…", "Ungroup"]);
    } finally {
      await p.close();
      await stat.close();
    }
  });
});
