// How the frame is shared out: the limits a splitter keeps, and what an autosave brings back.
import { describe, expect, it } from "vitest";
import { defaultPanes, paneLimits, panes, restorePanes } from "../../editor/src/state/panes";

const view = { width: 1600, height: 1000 };

describe("panes", () => {
  it("never lets a pane squeeze the canvas below its least width, and counts a collapsed neighbour as no width", () => {
    const s = defaultPanes(1600);
    expect(paneLimits("text", s, view)).toEqual({ min: 260, max: 1600 - s.side.size - 320 - 12 });
    expect(paneLimits("text", { ...s, side: { ...s.side, open: false } }, view)).toEqual({ min: 260, max: 1200 });
    expect(paneLimits("side", s, view).max).toBe(560);
    expect(paneLimits("bottom", s, view)).toEqual({ min: 100, max: 1000 - 44 - 160 });
    // A window too small for the other pane: the limits stay a range.
    const narrow = paneLimits("side", { ...s, text: { size: 1200, open: true } }, view);
    expect(narrow.max).toBeGreaterThanOrEqual(narrow.min);
  });

  it("takes back what an autosave held, field by field, and the defaults for what is damaged or missing", () => {
    restorePanes({ side: { size: "wide", open: true }, text: { size: 500, open: false } });
    expect(panes.get().side).toEqual(defaultPanes().side);
    expect(panes.get().text).toEqual({ size: 500, open: false });
    expect(panes.get().bottom).toEqual(defaultPanes().bottom);
    restorePanes({ bottom: { size: 320, open: true } });
    expect(panes.get().text).toEqual(defaultPanes().text);
    expect(panes.get().bottom).toEqual({ size: 320, open: true });
  });
});
