// What the `mlp edit` browser tests share: starting the real CLI on a folder or file, and
// driving the editor's text through the test hook the page exposes (window.mlpEditor).
import { spawn, type ChildProcess } from "node:child_process";
import type { Page } from "playwright-core";
import { expect } from "vitest";
import { BIN } from "../run-helpers";

export type Editor = { mlpEditor: { text(path?: string): string; active(): string; checked(): boolean; selectText(a: number, b: number): void } };

/** Starts `mlp edit TARGET` with the editor build in `dist`; resolves to the address it prints and the process. */
export function startMlpEdit(target: string, dist: string): Promise<{ url: string; cli: ChildProcess }> {
  const cli = spawn(process.execPath, [BIN, "edit", target], { env: { ...process.env, MLP_EDITOR_DIST: dist, NO_COLOR: "1" }, stdio: ["ignore", "pipe", "pipe"] });
  return new Promise((resolve, reject) => {
    let said = "";
    cli.stdout!.setEncoding("utf8").on("data", (c: string) => {
      said += c;
      const m = /(http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]+\S*)/.exec(said);
      if (m) resolve({ url: m[1]!, cli });
    });
    cli.stderr!.setEncoding("utf8").on("data", (c: string) => (said += c));
    cli.on("exit", (code) => reject(new Error(`mlp edit exited with ${code}: ${said}`)));
  });
}

/** Waits until the page has checked what it shows. */
export async function settled(page: Page): Promise<void> {
  await page.waitForFunction(() => (window as unknown as Partial<Editor>).mlpEditor?.checked());
  await page.waitForTimeout(150);
}

/** Replaces the first `find` in the active file's text by `replace`, typed as a user would. */
export async function editText(page: Page, find: string, replace: string): Promise<void> {
  const t = await page.evaluate(() => (window as unknown as Editor).mlpEditor.text());
  const at = t.indexOf(find);
  expect(at, find).toBeGreaterThanOrEqual(0);
  await page.evaluate(([from, to]) => (window as unknown as Editor).mlpEditor.selectText(from!, to!), [at, at + find.length]);
  await page.keyboard.insertText(replace);
}
