// The language reference documents every diagnostic code the catalog defines.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CATALOG } from "../../language/diagnostics/catalog";

const reference = readFileSync(new URL("../../language/REFERENCE.md", import.meta.url), "utf8");

describe("language/REFERENCE.md", () => {
  for (const [code, entry] of Object.entries(CATALOG)) {
    it(`documents ${code} (${entry.title})`, () => {
      expect(reference).toContain(`### ${code} ${entry.title}`);
    });
  }
});
