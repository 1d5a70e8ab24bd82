// The conflict banner's comparison of the text here with the disk's (model/linediff.ts).
import { describe, expect, it } from "vitest";
import { changedHunks, lineDiff } from "../../editor/src/model/linediff";

describe("lineDiff", () => {
  it("marks only the lines that differ, in order", () => {
    const mine = "a\nb\nmine\nc\nd";
    const disk = "top\na\nb\ndisk\nc\nd";
    expect(lineDiff(mine, disk)).toEqual([
      { kind: "disk", text: "top" },
      { kind: "same", text: "a" },
      { kind: "same", text: "b" },
      { kind: "mine", text: "mine" },
      { kind: "disk", text: "disk" },
      { kind: "same", text: "c" },
      { kind: "same", text: "d" },
    ]);
  });

  it("keeps a common line inside a changed block as common", () => {
    const kinds = lineDiff("x\nkeep\ny", "p\nkeep\nq").map((l) => `${l.kind}:${l.text}`);
    expect(kinds).toEqual(["mine:x", "disk:p", "same:keep", "mine:y", "disk:q"]);
  });

  it("gives both texts back whole: the mine lines are the text here, the disk lines the disk's", () => {
    const mine = "1\n2\n3\n4\n5\n6";
    const disk = "1\n3\n4\nnew\n6\n7";
    const d = lineDiff(mine, disk);
    expect(d.filter((l) => l.kind !== "disk").map((l) => l.text).join("\n")).toBe(mine);
    expect(d.filter((l) => l.kind !== "mine").map((l) => l.text).join("\n")).toBe(disk);
  });

  it("shows the changes with a little context and a gap between distant ones", () => {
    const lines = Array.from({ length: 20 }, (_, i) => `l${i}`);
    const disk = [...lines];
    disk[2] = "two";
    disk[15] = "fifteen";
    const h = changedHunks(lineDiff(lines.join("\n"), disk.join("\n")), 1);
    expect(h.map((l) => (l ? `${l.kind[0]}${l.text}` : "…"))).toEqual(["sl1", "ml2", "dtwo", "sl3", "…", "sl14", "ml15", "dfifteen", "sl16"]);
  });
});
