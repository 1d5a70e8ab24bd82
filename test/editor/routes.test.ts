// Edge routing (editor/src/model/routes.ts): orthogonal routes from port to port that keep
// clear of every node box but their own two ends, deterministic, fast at 1,000 steps.
import { describe, expect, it } from "vitest";
import { type Box, CLEARANCE, crosses, halfway, labelSpot, Obstacles, pathOf, routeEdge, simplify } from "../../editor/src/model/routes";
import type { XY } from "../../editor/src/model/positions";

const box = (id: string, x: number, y: number, width = 240, height = 100): Box => ({ id, x, y, width, height });

function segments(points: XY[]): [XY, XY][] {
  return points.slice(1).map((p, i) => [points[i]!, p]);
}

/** Boxes other than `except` that some segment of the route runs through. */
function hits(points: XY[], boxes: Box[], except: string[] = []): string[] {
  return boxes.filter((b) => !except.includes(b.id) && segments(points).some(([p, q]) => crosses(p, q, b))).map((b) => b.id);
}

const orthogonal = (points: XY[]) => segments(points).every(([p, q]) => p.x === q.x || p.y === q.y);

describe("edge routes", () => {
  it("runs straight between two ports on one line with nothing between them", () => {
    const boxes = [box("a", 0, 0), box("b", 400, 0)];
    const r = routeEdge(new Obstacles(boxes), { x: 240, y: 50, side: "right" }, { x: 400, y: 50, side: "left" });
    expect(r).toEqual([{ x: 240, y: 50 }, { x: 400, y: 50 }]);
  });

  it("goes around a node standing between the two ends, keeping its clearance", () => {
    const boxes = [box("a", 0, 0), box("mid", 340, 0), box("b", 680, 0)];
    const r = routeEdge(new Obstacles(boxes), { x: 240, y: 50, side: "right" }, { x: 680, y: 50, side: "left" });
    expect(orthogonal(r)).toBe(true);
    expect(r[0]).toEqual({ x: 240, y: 50 });
    expect(r[r.length - 1]).toEqual({ x: 680, y: 50 });
    expect(hits(r, boxes)).toEqual([]);
    // A straight line would have gone through "mid".
    expect(crosses({ x: 240, y: 50 }, { x: 680, y: 50 }, boxes[1]!)).toBe(true);
    const grown = { ...boxes[1]!, x: 340 - CLEARANCE + 1, y: -CLEARANCE + 1, width: 240 + 2 * CLEARANCE - 2, height: 100 + 2 * CLEARANCE - 2 };
    expect(hits(r, [grown])).toEqual([]);
  });

  it("leaves a port outwards and enters the target port from its own side", () => {
    const boxes = [box("a", 0, 0), box("b", 0, 300)];
    const down = routeEdge(new Obstacles(boxes), { x: 120, y: 100, side: "bottom" }, { x: 120, y: 300, side: "top" });
    expect(down).toEqual([{ x: 120, y: 100 }, { x: 120, y: 300 }]);
    // Target to the left of and below its source (a wrapped row): around both nodes, never through them.
    const wrap = [box("s", 600, 0), box("t", 0, 200), box("other", 300, 180)];
    const r = routeEdge(new Obstacles(wrap), { x: 840, y: 50, side: "right" }, { x: 0, y: 250, side: "left" });
    expect(orthogonal(r)).toBe(true);
    expect(r[1]!.x).toBeGreaterThan(840);
    expect(r[1]!.y).toBe(50);
    expect(r[r.length - 2]!.x).toBeLessThan(0);
    expect(r[r.length - 2]!.y).toBe(250);
    expect(hits(r, wrap)).toEqual([]);
  });

  it("is deterministic and falls back to a plain route when an end is walled in", () => {
    const boxes = [box("a", 0, 0), box("mid", 340, 0), box("b", 680, 0)];
    const from = { x: 240, y: 50, side: "right" as const }, to = { x: 680, y: 50, side: "left" as const };
    expect(routeEdge(new Obstacles(boxes), from, to)).toEqual(routeEdge(new Obstacles(boxes), from, to));
    // A ring of boxes around the target's entry point: no route exists, a plain one is drawn.
    const ring = [box("n", 560, -100, 120, 70), box("s", 560, 130, 120, 70), box("w", 560, -30, 40, 160), box("b", 680, 0)];
    const r = routeEdge(new Obstacles(ring), from, to);
    expect(r[0]).toEqual({ x: 240, y: 50 });
    expect(r[r.length - 1]).toEqual({ x: 680, y: 50 });
    expect(orthogonal(r)).toBe(true);
  });

  it("routes 1,000 steps' edges around every other node, in well under a second", () => {
    // A layered grid: 40 columns of 25 rows, each step fed by one to three steps of earlier columns.
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const boxes: Box[] = [];
    for (let c = 0; c < 40; c++) for (let r = 0; r < 25; r++) boxes.push(box(`n${c}_${r}`, c * 330, r * 150, 240, 60 + Math.floor(rand() * 60)));
    const edges: [Box, Box][] = [];
    for (let c = 1; c < 40; c++)
      for (let r = 0; r < 25; r++)
        for (let k = 0; k < 1 + Math.floor(rand() * 3); k++) {
          const fc = Math.max(0, c - 1 - Math.floor(rand() * 3)), fr = Math.min(24, Math.max(0, r + Math.floor(rand() * 7) - 3));
          edges.push([boxes[fc * 25 + fr]!, boxes[c * 25 + r]!]);
        }
    const obstacles = new Obstacles(boxes);
    const t0 = performance.now();
    const routes = edges.map(([s, t]) => routeEdge(obstacles, { x: s.x + 240, y: s.y + 30, side: "right" }, { x: t.x, y: t.y + 30, side: "left" }));
    const ms = performance.now() - t0;
    console.log(`routed ${edges.length} edges among 1,000 steps in ${ms.toFixed(0)} ms`);
    expect(ms).toBeLessThan(1500);
    const bad = routes.flatMap((r, i) => hits(r, boxes, [edges[i]![0].id, edges[i]![1].id]).map((b) => `${edges[i]![0].id}->${edges[i]![1].id} through ${b}`));
    expect(bad).toEqual([]);
    expect(routes.every(orthogonal)).toBe(true);
  });

  it("draws a route with rounded corners and puts its label halfway along it", () => {
    const pts = [{ x: 0, y: 0 }, { x: 100, y: 0 }, { x: 100, y: 100 }];
    expect(pathOf(pts)).toBe("M0,0 L92,0 Q100,0 100,8 L100,100");
    expect(halfway(pts)).toEqual({ x: 100, y: 0 });
    expect(halfway([{ x: 0, y: 0 }, { x: 40, y: 0 }])).toEqual({ x: 20, y: 0 });
    expect(simplify([{ x: 0, y: 0 }, { x: 10, y: 0 }, { x: 10, y: 0 }, { x: 20, y: 0 }, { x: 20, y: 5 }])).toEqual([{ x: 0, y: 0 }, { x: 20, y: 0 }, { x: 20, y: 5 }]);
  });
});

describe("edge label placement", () => {
  const size = { width: 110, height: 20 };
  const covers = (p: XY, b: Box) => p.x + size.width / 2 > b.x && p.x - size.width / 2 < b.x + b.width && p.y + size.height / 2 > b.y && p.y - size.height / 2 < b.y + b.height;

  it("sits halfway when that covers no node", () => {
    const boxes = [box("a", 0, 0), box("b", 600, 0)];
    const route = [{ x: 240, y: 50 }, { x: 600, y: 50 }];
    expect(labelSpot(route, size, new Obstacles(boxes))).toEqual({ x: 420, y: 50 });
  });

  it("moves off a stretch through a narrow gap between two columns to the nearest free stretch", () => {
    // Down the 20 px gap between two columns of nodes, then along the free row below them.
    const boxes = [box("l", 0, 0, 240, 600), box("r", 260, 0, 240, 600)];
    const route = [{ x: 250, y: 0 }, { x: 250, y: 640 }, { x: 700, y: 640 }];
    const at = labelSpot(route, size, new Obstacles(boxes))!;
    expect(at).toBeDefined();
    expect(boxes.some((b) => covers(at, b))).toBe(false);
    // Halfway (545 px down the gap) would have covered both.
    expect(boxes.every((b) => covers(halfway(route), b))).toBe(true);
  });

  it("gives up where no point of the route is free", () => {
    const boxes = [box("l", 0, 0, 240, 300), box("r", 260, 0, 240, 300)];
    expect(labelSpot([{ x: 250, y: 20 }, { x: 250, y: 280 }], size, new Obstacles(boxes))).toBeUndefined();
  });
});
