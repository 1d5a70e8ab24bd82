// What the `mlp edit` browser tests share: a copy of the shop project with the real CLI
// started on it and a browser (openStudio), and driving the editor's text through the test
// hook the page exposes (window.mlpEditor).
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { expect } from "vitest";
// @ts-expect-error plain ESM helper without types
import { launch } from "../../editor/scripts/browser.mjs";
import { builtEditor } from "../editor-build";
import { BIN } from "../run-helpers";
export { haveChromium } from "../chromium";
import { shopFolder } from "./project";

/** What a browser suite works on: a copy of the shop project, `mlp edit` started on it, and a browser. */
export interface Studio {
  /** The editor build (shared by the suites). */
  out: string;
  /** The project copy. */
  dir: string;
  /** The address `mlp edit` printed. */
  url: string;
  cli: ChildProcess;
  browser: { context: BrowserContext; close(): Promise<void> };
  /** shop.mlp as it is on disk. */
  onDisk(): string;
}

/**
 * Starts a suite's studio: `opens` is what `mlp edit` is started on, in the copy; `prepare`
 * writes more into the copy first. What was started is stopped again if a later part fails.
 */
export async function openStudio(opens: (dir: string) => string, prepare?: (dir: string) => void): Promise<Studio> {
  const out = await builtEditor();
  const dir = shopFolder();
  let cli: ChildProcess | undefined;
  try {
    prepare?.(dir);
    let url: string;
    ({ url, cli } = await startMlpEdit(opens(dir), out));
    const browser = await launch();
    return { out, dir, url, cli, browser, onDisk: () => readFileSync(join(dir, "shop.mlp"), "utf8") };
  } catch (e) {
    cli?.kill("SIGINT");
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}

/** Stops what openStudio started (nothing when it never did). */
export async function closeStudio(s: Studio | undefined): Promise<void> {
  if (!s) return;
  await s.browser.close();
  s.cli.kill("SIGINT");
  rmSync(s.dir, { recursive: true, force: true });
}

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
