// Debian's chromium, which the browser suites drive with playwright-core (never a downloaded
// browser). CI installs it, so there its absence is an error; elsewhere the suites skip.
import { existsSync } from "node:fs";
// @ts-expect-error plain ESM helper without types
import { CHROMIUM } from "../editor/scripts/browser.mjs";

export const haveChromium: boolean = existsSync(CHROMIUM);
if (!haveChromium && process.env.CI) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
