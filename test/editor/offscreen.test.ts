// The off-screen note's count: steps whose middle is in view, and whether the view is at its
// least zoom (then a fit cannot show more, and the note points elsewhere).
import { describe, expect, it } from "vitest";
import { countShown } from "../../editor/src/canvas/offscreen";

/** A row of `n` 240x90 steps, 300 px apart. */
function state(n: number, transform: [number, number, number], minZoom = 0.05) {
  const nodeLookup = new Map(Array.from({ length: n }, (_, i) => [`s${i}`, { internals: { positionAbsolute: { x: i * 300, y: 0 } }, measured: { width: 240, height: 90 } }]));
  return { nodeLookup, transform, width: 1000, height: 600, minZoom } as unknown as Parameters<typeof countShown>[0];
}

describe("countShown", () => {
  it("counts the steps whose middle is in view", () => {
    expect(countShown(state(10, [0, 0, 1]))).toEqual({ shown: 3, total: 10, smallest: false });
    expect(countShown(state(10, [-600, 0, 1]))).toEqual({ shown: 3, total: 10, smallest: false });
  });

  it("says when the view is at its least zoom, where a fit cannot show more", () => {
    // 5,000 steps in a row do not fit 1,000 px even at the least zoom.
    expect(countShown(state(5000, [0, 0, 0.05]))).toEqual({ shown: 67, total: 5000, smallest: true });
    expect(countShown(state(5000, [0, 0, 0.2]))).toMatchObject({ smallest: false });
  });
});
