// `mlp edit` crash recovery end to end (issue 13, "nothing ever lost"): unsaved edits survive a
// reload or a closed tab, also when the file changed on disk meanwhile (then the same conflict
// banner as a live change, and Save refused until the user chooses); browser storage holds only
// files with unsaved edits, so a large file that was never edited cannot fill it.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeStudio, editText, haveChromium, openStudio, settled, type Editor, type Studio } from "./page";
import { SHOP } from "./project";

/** A never-edited file bigger than half of what browser storage holds. */
const BIG = `// a large generated file nobody edits\n${"// ........................................................................\n".repeat(80_000)}`;

let studio: Studio;
let page: Page;

const text = () => page.evaluate(() => (window as unknown as Editor).mlpEditor.text());
const active = () => page.evaluate(() => (window as unknown as Editor).mlpEditor.active());
const conflicts = () => page.getByTestId("conflict").count();
/** Everything this origin keeps in browser storage, as one string. */
const stored = () => page.evaluate(() => Object.values(localStorage).join("\n"));
/** The texts the folder's recovery copy holds, by file. */
const storedTexts = () =>
  page.evaluate(() => {
    const k = Object.keys(localStorage).find((x) => x.startsWith("mlp-editor:folder:"));
    return k ? Object.keys((JSON.parse(localStorage.getItem(k)!) as { texts: Record<string, string> }).texts) : [];
  });

/** Opens the printed address in a new tab, as a user coming back after closing it. */
async function openAgain(): Promise<void> {
  await page?.close();
  page = await studio.browser.context.newPage();
  page.on("pageerror", (e) => {
    throw e;
  });
  await page.goto(studio.url);
  await page.getByTestId("tab-shop.mlp").waitFor();
  await settled(page);
}

describe.skipIf(!haveChromium)("mlp edit crash recovery", { timeout: 180_000 }, () => {
  beforeAll(async () => {
    studio = await openStudio((dir) => dir);
  }, 240_000);

  afterAll(() => closeStudio(studio));

  it("keeps unsaved edits over a file changed on disk while the tab was closed, as a conflict", async () => {
    await openAgain();
    expect(await text()).toBe(SHOP);
    await editText(page, "fill   amount = 0.0", "fill   amount = 2.0");
    await expect.poll(stored).toContain("amount = 2.0");
    await page.close();
    writeFileSync(join(studio.dir, "shop.mlp"), `// changed while closed\n${studio.onDisk()}`);
    await openAgain();
    expect(await text()).toContain("amount = 2.0");
    expect(await text()).not.toContain("changed while closed");
    await expect.poll(conflicts).toBe(1);
    // Save is refused until the user chooses, and the copy stays.
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await page.waitForTimeout(800);
    expect(studio.onDisk()).not.toContain("amount = 2.0");
    expect(await stored()).toContain("amount = 2.0");
    await expect.poll(conflicts).toBe(1);
    await page.getByTestId("conflict-mine").click();
    await expect.poll(studio.onDisk).toContain("amount = 2.0");
    // Mine was written over the disk's change, as the user chose.
    expect(studio.onDisk()).toBe(await text());
    expect(studio.onDisk()).not.toContain("changed while closed");
    await expect.poll(conflicts).toBe(0);
    await expect.poll(storedTexts).toEqual([]);
  });

  it("F5 while the conflict banner shows keeps both the edit and the banner", async () => {
    await settled(page);
    await editText(page, "derive big = amount > 5.0", "derive big = amount > 6.0");
    writeFileSync(join(studio.dir, "shop.mlp"), `// changed while open\n${studio.onDisk()}`);
    await page.getByTestId("conflict").waitFor({ timeout: 10_000 });
    await expect.poll(stored).toContain("amount > 6.0");
    await page.reload();
    await page.locator('[data-testid="node-per_store"]').waitFor();
    await page.getByTestId("conflict").waitFor({ timeout: 10_000 });
    expect(await text()).toContain("amount > 6.0");
    expect(await text()).not.toContain("changed while open");
    await page.waitForTimeout(800);
    expect(await stored()).toContain("amount > 6.0");
    await page.getByTestId("conflict-use-disk").click();
    await expect.poll(text).toContain("changed while open");
    expect(await text()).toContain("amount > 5.0");
    await expect.poll(storedTexts).toEqual([]);
    await page.getByTestId("forget-mine").click();
  });

  it("a reload reopens the file the user was on", async () => {
    await page.getByTestId("tab-lib/sale.mlp").click();
    await expect.poll(active).toBe("lib/sale.mlp");
    await page.waitForTimeout(800);
    await page.reload();
    await page.getByTestId("tab-lib/sale.mlp").waitFor();
    await expect.poll(active).toBe("lib/sale.mlp");
  });

  it("stores only files with unsaved edits: a large never-edited file does not stop autosave", async () => {
    writeFileSync(join(studio.dir, "big.mlp"), BIG);
    await openAgain();
    await page.getByTestId("tab-big.mlp").waitFor();
    await page.getByTestId("tab-shop.mlp").click();
    await settled(page);
    await editText(page, "window = 30d", "window = 7d");
    await expect.poll(stored).toContain("window = 7d");
    expect(await page.getByTestId("autosave-failed").count()).toBe(0);
    expect(await storedTexts()).toEqual(["shop.mlp"]);
    expect((await stored()).length).toBeLessThan(20_000);
    // Back after closing the tab: the edit is there (the disk did not change).
    await openAgain();
    expect(await text()).toContain("window = 7d");
    await expect.poll(conflicts).toBe(0);
    // Saved: the copy is dropped.
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await expect.poll(studio.onDisk).toContain("window = 7d");
    await expect.poll(storedTexts).toEqual([]);
  });
});
