// fileText (targets/sql/names.ts) ends a file as `join("\n").replace(/\n+$/, "\n")` did.
import { describe, expect, it } from "vitest";
import { fileText } from "../../targets/sql/names";

describe("fileText", () => {
  it("joins lines and keeps one final line break, as the regex did", () => {
    for (const lines of [[], [""], ["", ""], ["a"], ["a", ""], ["a", "", "", ""], ["a\n\n", ""], ["\n"], ["a", "b\n", "c"], ["x\r", ""]])
      expect(fileText(lines)).toBe(lines.join("\n").replace(/\n+$/, "\n"));
    expect(fileText(["a", "b", "", ""])).toBe("a\nb\n");
  });
});
