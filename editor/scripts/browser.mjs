// Launches Debian's chromium through playwright-core, headless, with a fresh profile.
// Never a downloaded browser: `apt-get install chromium` provides /usr/bin/chromium.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

export const CHROMIUM = process.env.MLP_CHROMIUM ?? "/usr/bin/chromium";

const ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

/** A persistent context on a throwaway profile; `close()` also deletes the profile. */
export async function launch({ viewport = { width: 1600, height: 1000 } } = {}) {
  const profile = mkdtempSync(join(tmpdir(), "mlp-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    // playwright passes the profile as --user-data-dir itself.
    args: ARGS,
    viewport,
    acceptDownloads: true,
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
