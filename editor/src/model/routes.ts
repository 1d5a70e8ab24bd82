// Edge routes that go around nodes instead of behind them: an orthogonal path from port to
// port, found by A* on a sparse grid whose lines are the node boxes' edges (grown by a
// clearance). Pure and deterministic: the same boxes and ends always give the same route.
// Each edge is routed on its own, against the boxes near it only (a spatial index), so a
// route costs about the same at 5,000 steps as at 100, and the canvas routes only the edges
// it draws, once per layout (TypedEdge memoizes on its ends and the obstacle set).
import type { XY } from "./positions";

export interface Box {
  id: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The side of its node a port sits on: the route leaves (or enters) it outwards. */
export type Side = "left" | "right" | "top" | "bottom";

export interface End extends XY {
  side: Side;
}

/** Room kept between a route and any node it passes. */
export const CLEARANCE = 12;
/** A route leaves its port straight for this long before it may turn (more than the clearance). */
const STUB = 20;
/** Cost of a turn, in pixels of length: fewer bends read better than a slightly shorter path. */
const BEND = 40;
/** How far around its ends an edge looks for obstacles, tried in turn until a route is found. */
const REACH = [160, 640, 2560];

const OUT: Record<Side, XY> = { left: { x: -1, y: 0 }, right: { x: 1, y: 0 }, top: { x: 0, y: -1 }, bottom: { x: 0, y: 1 } };
const horizontal = (s: Side) => s === "left" || s === "right";

interface Rect {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** The node boxes, bucketed so the ones near an edge are found without scanning them all. */
export class Obstacles {
  private readonly cells = new Map<string, number[]>();
  constructor(
    readonly boxes: readonly Box[],
    private readonly cell = 480,
  ) {
    boxes.forEach((b, i) => {
      for (let cx = Math.floor(b.x / cell); cx <= Math.floor((b.x + b.width) / cell); cx++)
        for (let cy = Math.floor(b.y / cell); cy <= Math.floor((b.y + b.height) / cell); cy++) {
          const k = `${cx},${cy}`;
          const l = this.cells.get(k);
          if (l) l.push(i);
          else this.cells.set(k, [i]);
        }
    });
  }

  /** Boxes overlapping `r`, in the order they were given (so routes do not depend on bucket order). */
  near(r: Rect): Box[] {
    const c = this.cell;
    const cx0 = Math.floor(r.x0 / c), cx1 = Math.floor(r.x1 / c), cy0 = Math.floor(r.y0 / c), cy1 = Math.floor(r.y1 / c);
    const found = new Set<number>();
    // A region wider than the graph: walk the buckets that exist, not every cell of the region.
    if ((cx1 - cx0 + 1) * (cy1 - cy0 + 1) > this.cells.size) {
      for (const [k, l] of this.cells) {
        const [x, y] = k.split(",").map(Number) as [number, number];
        if (x >= cx0 && x <= cx1 && y >= cy0 && y <= cy1) for (const i of l) found.add(i);
      }
    } else {
      for (let x = cx0; x <= cx1; x++) for (let y = cy0; y <= cy1; y++) for (const i of this.cells.get(`${x},${y}`) ?? []) found.add(i);
    }
    return [...found]
      .sort((a, b) => a - b)
      .map((i) => this.boxes[i]!)
      .filter((b) => b.x < r.x1 && b.x + b.width > r.x0 && b.y < r.y1 && b.y + b.height > r.y0);
  }
}

const inside = (p: XY, r: Rect) => p.x > r.x0 && p.x < r.x1 && p.y > r.y0 && p.y < r.y1;

/**
 * The route from `from` to `to` as a polyline (first and last points are the ports), every
 * segment horizontal or vertical, keeping CLEARANCE from every box it does not start or end
 * in. Without a way around within reach, a plain three-segment route.
 */
export function routeEdge(obstacles: Obstacles, from: End, to: End): XY[] {
  const a = { x: from.x + OUT[from.side].x * STUB, y: from.y + OUT[from.side].y * STUB };
  const b = { x: to.x + OUT[to.side].x * STUB, y: to.y + OUT[to.side].y * STUB };
  for (const reach of REACH) {
    const region = { x0: Math.min(a.x, b.x) - reach, y0: Math.min(a.y, b.y) - reach, x1: Math.max(a.x, b.x) + reach, y1: Math.max(a.y, b.y) + reach };
    const grown = obstacles
      .near({ x0: region.x0 - CLEARANCE, y0: region.y0 - CLEARANCE, x1: region.x1 + CLEARANCE, y1: region.y1 + CLEARANCE })
      .map((o) => ({ x0: o.x - CLEARANCE, y0: o.y - CLEARANCE, x1: o.x + o.width + CLEARANCE, y1: o.y + o.height + CLEARANCE }))
      // Ends too close to another node (nodes nearly touching): that node cannot be avoided.
      .filter((r) => !inside(a, r) && !inside(b, r));
    const path = search(region, grown, a, b, horizontal(from.side), horizontal(to.side));
    if (path) return simplify([{ x: from.x, y: from.y }, ...path, { x: to.x, y: to.y }]);
  }
  return simplify(fallback(from, to, a, b));
}

function fallback(from: End, to: End, a: XY, b: XY): XY[] {
  const mid = horizontal(from.side) ? [{ x: (a.x + b.x) / 2, y: a.y }, { x: (a.x + b.x) / 2, y: b.y }] : [{ x: a.x, y: (a.y + b.y) / 2 }, { x: b.x, y: (a.y + b.y) / 2 }];
  return [{ x: from.x, y: from.y }, a, ...mid, b, { x: to.x, y: to.y }];
}

function sortedUnique(values: number[]): number[] {
  const s = [...new Set(values)].sort((p, q) => p - q);
  return s;
}

/**
 * A* over the grid of the boxes' edges (and the ends' own lines) inside `region`. States are
 * grid points with the axis they were reached along, so a turn can cost extra. Returns the
 * grid path from `a` to `b`, or undefined when the boxes wall one end off.
 */
function search(region: Rect, boxes: Rect[], a: XY, b: XY, startH: boolean, endH: boolean): XY[] | undefined {
  const clampX = (v: number) => Math.min(region.x1, Math.max(region.x0, v));
  const clampY = (v: number) => Math.min(region.y1, Math.max(region.y0, v));
  const xs = sortedUnique([region.x0, region.x1, a.x, b.x, ...boxes.flatMap((r) => [clampX(r.x0), clampX(r.x1)])]);
  const ys = sortedUnique([region.y0, region.y1, a.y, b.y, ...boxes.flatMap((r) => [clampY(r.y0), clampY(r.y1)])]);
  const X = xs.length, Y = ys.length;
  const xi = new Map(xs.map((v, i) => [v, i]));
  const yi = new Map(ys.map((v, i) => [v, i]));
  // blockedPt[j*X+i]: grid point inside a box; blockedH[j*X+i]: segment i..i+1 of row j
  // runs through a box; blockedV[i*Y+j]: segment j..j+1 of column i. Box edges are grid
  // lines, so a segment between two neighbouring lines is wholly inside a box or outside.
  const blockedPt = new Uint8Array(X * Y);
  const blockedH = new Uint8Array(X * Y);
  const blockedV = new Uint8Array(X * Y);
  for (const r of boxes) {
    const i0 = xi.get(clampX(r.x0))!, i1 = xi.get(clampX(r.x1))!, j0 = yi.get(clampY(r.y0))!, j1 = yi.get(clampY(r.y1))!;
    for (let j = j0; j <= j1; j++) {
      const rowInside = j > j0 && j < j1;
      for (let i = i0; i <= i1; i++) {
        const colInside = i > i0 && i < i1;
        if (rowInside && colInside) blockedPt[j * X + i] = 1;
        if (rowInside && i < i1) blockedH[j * X + i] = 1;
        if (colInside && j < j1) blockedV[i * Y + j] = 1;
      }
    }
  }
  const start = yi.get(a.y)! * X + xi.get(a.x)!;
  const goal = yi.get(b.y)! * X + xi.get(b.x)!;
  // State = point * 2 + axis (0 horizontal, 1 vertical).
  const cost = new Float64Array(X * Y * 2).fill(Infinity);
  const prev = new Int32Array(X * Y * 2).fill(-1);
  const heap = new Heap();
  const h = (p: number) => Math.abs(xs[p % X]! - b.x) + Math.abs(ys[Math.floor(p / X)]! - b.y);
  const s0 = start * 2 + (startH ? 0 : 1);
  cost[s0] = 0;
  heap.push(s0, h(start));
  let done = -1;
  while (heap.size) {
    const s = heap.pop();
    const p = s >> 1, axis = s & 1;
    if (p === goal) {
      done = s;
      break;
    }
    const c = cost[s]!;
    const i = p % X, j = (p - i) / X;
    const step = (q: number, qAxis: number, len: number) => {
      if (blockedPt[q]) return;
      let nc = c + len + (qAxis !== axis ? BEND : 0);
      if (q === goal && (qAxis === 0) !== endH) nc += BEND;
      const t = q * 2 + qAxis;
      if (nc < cost[t]!) {
        cost[t] = nc;
        prev[t] = s;
        heap.push(t, nc + h(q));
      }
    };
    if (i + 1 < X && !blockedH[j * X + i]) step(p + 1, 0, xs[i + 1]! - xs[i]!);
    if (i > 0 && !blockedH[j * X + i - 1]) step(p - 1, 0, xs[i]! - xs[i - 1]!);
    if (j + 1 < Y && !blockedV[i * Y + j]) step(p + X, 1, ys[j + 1]! - ys[j]!);
    if (j > 0 && !blockedV[i * Y + j - 1]) step(p - X, 1, ys[j]! - ys[j - 1]!);
  }
  if (done < 0) return undefined;
  const out: XY[] = [];
  for (let s = done; s >= 0; s = prev[s]!) {
    const p = s >> 1;
    out.push({ x: xs[p % X]!, y: ys[Math.floor(p / X)]! });
  }
  return out.reverse();
}

/** A binary min-heap of states; ties go to the state pushed first, so routes are deterministic. */
class Heap {
  private keys: number[] = [];
  private items: number[] = [];
  private order: number[] = [];
  private n = 0;
  get size() {
    return this.keys.length;
  }
  private less(i: number, j: number) {
    return this.keys[i]! < this.keys[j]! || (this.keys[i] === this.keys[j] && this.order[i]! < this.order[j]!);
  }
  private swap(i: number, j: number) {
    for (const arr of [this.keys, this.items, this.order]) [arr[i], arr[j]] = [arr[j]!, arr[i]!];
  }
  push(item: number, key: number) {
    this.keys.push(key);
    this.items.push(item);
    this.order.push(this.n++);
    for (let i = this.keys.length - 1; i > 0; ) {
      const up = (i - 1) >> 1;
      if (!this.less(i, up)) break;
      this.swap(i, up);
      i = up;
    }
  }
  pop(): number {
    const top = this.items[0]!;
    const last = this.keys.length - 1;
    this.swap(0, last);
    this.keys.pop();
    this.items.pop();
    this.order.pop();
    for (let i = 0; ; ) {
      const l = 2 * i + 1, r = l + 1;
      let m = i;
      if (l < this.keys.length && this.less(l, m)) m = l;
      if (r < this.keys.length && this.less(r, m)) m = r;
      if (m === i) break;
      this.swap(i, m);
      i = m;
    }
    return top;
  }
}

/** Drops repeated points and the middle of three points on one line. */
export function simplify(points: XY[]): XY[] {
  const out: XY[] = [];
  for (const p of points) {
    if (out.length && out[out.length - 1]!.x === p.x && out[out.length - 1]!.y === p.y) continue;
    if (out.length >= 2) {
      const q = out[out.length - 1]!, o = out[out.length - 2]!;
      if ((o.x === q.x && q.x === p.x) || (o.y === q.y && q.y === p.y)) out.pop();
    }
    out.push(p);
  }
  return out;
}

/** An SVG path along the points with rounded corners (never rounder than half a segment). */
export function pathOf(points: readonly XY[], radius = 8): string {
  if (points.length === 0) return "";
  const f = (v: number) => Math.round(v * 10) / 10;
  let d = `M${f(points[0]!.x)},${f(points[0]!.y)}`;
  for (let i = 1; i < points.length - 1; i++) {
    const o = points[i - 1]!, p = points[i]!, n = points[i + 1]!;
    const r = Math.min(radius, Math.hypot(p.x - o.x, p.y - o.y) / 2, Math.hypot(n.x - p.x, n.y - p.y) / 2);
    const into = toward(p, o, r), out = toward(p, n, r);
    d += ` L${f(into.x)},${f(into.y)} Q${f(p.x)},${f(p.y)} ${f(out.x)},${f(out.y)}`;
  }
  const last = points[points.length - 1]!;
  return `${d} L${f(last.x)},${f(last.y)}`;
}

function toward(p: XY, q: XY, r: number): XY {
  const len = Math.hypot(q.x - p.x, q.y - p.y) || 1;
  return { x: p.x + ((q.x - p.x) / len) * r, y: p.y + ((q.y - p.y) / len) * r };
}

/** Where a label goes: halfway along the route. */
export function halfway(points: readonly XY[]): XY {
  const lens = segmentLengths(points);
  return pointAt(points, lens, lens.reduce((s, l) => s + l, 0) / 2);
}

const segmentLengths = (points: readonly XY[]) => points.slice(1).map((p, i) => Math.hypot(p.x - points[i]!.x, p.y - points[i]!.y));

/** How far from node boxes a label's box keeps by default (estimated sizes of nodes not yet on screen err by a few pixels). */
const LABEL_MARGIN = 4;
/** How finely the route is searched for a free spot for a label. */
const LABEL_STEP = 8;

/**
 * Where a label of `size` can sit on the route without covering any node: the free point
 * nearest to halfway along it (a label centred on a route through the gap between two
 * columns would cover both). Undefined when the route has no such point.
 */
export function labelSpot(points: readonly XY[], size: { width: number; height: number }, obstacles: Obstacles, margin = LABEL_MARGIN): XY | undefined {
  const lens = segmentLengths(points);
  const total = lens.reduce((s, l) => s + l, 0);
  const hw = size.width / 2 + margin, hh = size.height / 2 + margin;
  const free = (p: XY) => obstacles.near({ x0: p.x - hw, y0: p.y - hh, x1: p.x + hw, y1: p.y + hh }).length === 0;
  for (let off = 0; off <= total / 2; off += LABEL_STEP) {
    for (const at of off ? [total / 2 + off, total / 2 - off] : [total / 2]) {
      const p = pointAt(points, lens, at);
      if (free(p)) return p;
    }
  }
  return undefined;
}

/** The point `at` pixels along the route. */
function pointAt(points: readonly XY[], lens: readonly number[], at: number): XY {
  let rest = at;
  for (let i = 0; i < lens.length; i++) {
    if (rest <= lens[i]! && lens[i]! > 0) {
      const t = rest / lens[i]!;
      const p = points[i]!, q = points[i + 1]!;
      return { x: p.x + (q.x - p.x) * t, y: p.y + (q.y - p.y) * t };
    }
    rest -= lens[i]!;
  }
  return points[points.length - 1] ?? { x: 0, y: 0 };
}

/** True when the segment p..q passes through the inside of `box` (touching its border does not count). */
export function crosses(p: XY, q: XY, box: Box): boolean {
  const x0 = Math.min(p.x, q.x), x1 = Math.max(p.x, q.x), y0 = Math.min(p.y, q.y), y1 = Math.max(p.y, q.y);
  if (p.x === q.x) return p.x > box.x && p.x < box.x + box.width && y1 > box.y && y0 < box.y + box.height;
  if (p.y === q.y) return p.y > box.y && p.y < box.y + box.height && x1 > box.x && x0 < box.x + box.width;
  // Slanted (not from this router): sample it.
  for (let t = 0; t <= 1; t += 1 / 64) {
    const x = p.x + (q.x - p.x) * t, y = p.y + (q.y - p.y) * t;
    if (x > box.x && x < box.x + box.width && y > box.y && y < box.y + box.height) return true;
  }
  return false;
}
