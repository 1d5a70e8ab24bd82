// The level of detail of a large graph zoomed out: every step and connection drawn on one
// <canvas> instead of thousands of DOM nodes and SVG paths. At 5,000 steps in view, each
// frame of a pan spent most of a second in the browser's own work (layerizing one paint
// chunk per positioned node, hit-testing 100,000 elements, repainting), whatever React
// did; a canvas redraw of the same picture takes a few milliseconds. React Flow's nodes
// are hidden meanwhile (Canvas.tsx); zooming in past the threshold brings them back.
//
// A step can still be selected (click) and moved (drag) here; the move is written to the
// layout block like a drag of a DOM node. Connecting and the inspector's details need
// the full nodes: zoom in.
import { useStore, type ReactFlowState } from "@xyflow/react";
import { memo, useCallback, useEffect, useRef } from "react";
import { artifactClass } from "../model/artifacts";
import type { StepNode, TypedEdge } from "../model/flow";
import type { XY } from "../model/positions";
import { ERROR_COLOUR, KIND_COLOURS } from "./colours";

const DEFAULT_W = 240;
const DEFAULT_H = 90;
/** Names are drawn from this zoom up (26px type, about 8px on screen). */
const NAME_ZOOM = 0.3;
/** A press that moves less than this (screen px) is a click: it selects. */
const CLICK_SLOP = 3;

const transformOf = (s: ReactFlowState) => s.transform;
const domNodeOf = (s: ReactFlowState) => s.domNode;

interface Props {
  nodes: StepNode[];
  edges: TypedEdge[];
  onSelect(id: string, additive: boolean): void;
  onMove(id: string, position: XY): void;
}

const sizeOf = (n: StepNode) => ({ w: n.measured?.width ?? DEFAULT_W, h: n.measured?.height ?? DEFAULT_H });

/** Artifact colours from the stylesheet's custom properties, read once. */
let artColours: Map<string, string> | undefined;
function artColour(type: string | undefined): string {
  if (!artColours) {
    artColours = new Map();
    const css = getComputedStyle(document.documentElement);
    for (const t of ["table", "stream", "features", "model", "endpoint", "report", "unknown"]) artColours.set(`art-${t}`, css.getPropertyValue(`--art-${t}`).trim() || "#98a2b3");
  }
  return artColours.get(artifactClass(type)) ?? "#98a2b3";
}

/** Where a port sits on a node of height h: spread around the middle, like the DOM node's rows. */
function portY(top: number, h: number, index: number, count: number): number {
  return top + h / 2 + (index - (count - 1) / 2) * 18;
}

interface View {
  transform: readonly [number, number, number];
  width: number;
  height: number;
  dpr: number;
}

/**
 * Draws the graph, or with `skip` all but one step (and its edges), or with `only` just
 * that step at `at` and its edges (over what is there when `keep`).
 */
function paint(ctx: CanvasRenderingContext2D, nodes: readonly StepNode[], edges: readonly TypedEdge[], view: View, opts: { skip?: string; only?: string; at?: XY; keep?: boolean } = {}): void {
  const [tx, ty, zoom] = view.transform;
  const { dpr } = view;
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  if (!opts.keep) ctx.clearRect(0, 0, ctx.canvas.width, ctx.canvas.height);
  ctx.setTransform(dpr * zoom, 0, 0, dpr * zoom, dpr * tx, dpr * ty);
  // The visible area in graph coordinates.
  const vx0 = -tx / zoom, vy0 = -ty / zoom, vx1 = vx0 + view.width / zoom, vy1 = vy0 + view.height / zoom;
  const special = opts.skip ?? opts.only;
  const boxes = new Map<string, { x: number; y: number; w: number; h: number; n: StepNode }>();
  for (const n of nodes) {
    const p = opts.at && n.id === opts.only ? opts.at : n.position;
    const { w, h } = sizeOf(n);
    boxes.set(n.id, { x: p.x, y: p.y, w, h, n });
  }
  // Edges: one path per colour, so a few thousand curves cost a handful of strokes.
  const paths = new Map<string, Path2D>();
  for (const e of edges) {
    const touches = e.source === special || e.target === special;
    if ((opts.skip && touches) || (opts.only && !touches)) continue;
    const a = boxes.get(e.source), b = boxes.get(e.target);
    if (!a || !b) continue;
    const sx = a.x + a.w, tx2 = b.x;
    const outs = a.n.data.outputs, ins = b.n.data.inputs;
    const si = outs.length > 1 ? Math.max(0, outs.findIndex((p) => p.id === e.sourceHandle)) : 0;
    const ti = ins.length > 1 ? Math.max(0, ins.findIndex((p) => p.id === e.targetHandle)) : 0;
    const sy = portY(a.y, a.h, si, outs.length || 1), ty2 = portY(b.y, b.h, ti, ins.length || 1);
    if (Math.max(sx, tx2) < vx0 || Math.min(sx, tx2) > vx1 || Math.max(sy, ty2) < vy0 || Math.min(sy, ty2) > vy1) continue;
    const colour = e.data?.problem ? ERROR_COLOUR : artColour(e.data?.type);
    let path = paths.get(colour);
    if (!path) paths.set(colour, (path = new Path2D()));
    const c = Math.max(Math.abs(tx2 - sx) / 2, 40);
    path.moveTo(sx, sy);
    path.bezierCurveTo(sx + c, sy, tx2 - c, ty2, tx2, ty2);
  }
  ctx.lineWidth = Math.max(1.6, 1 / zoom);
  for (const [colour, path] of paths) {
    ctx.strokeStyle = colour;
    ctx.stroke(path);
  }
  // Nodes: a white card with its kind's colour down the left, red when it has errors.
  const bodies = new Path2D();
  const bars = new Map<string, Path2D>();
  const shown: { x: number; y: number; w: number; h: number; n: StepNode }[] = [];
  const bar = Math.max(4, 3 / zoom);
  for (const b of boxes.values()) {
    if ((opts.skip && b.n.id === opts.skip) || (opts.only && b.n.id !== opts.only)) continue;
    if (b.x > vx1 || b.x + b.w < vx0 || b.y > vy1 || b.y + b.h < vy0) continue;
    shown.push(b);
    bodies.rect(b.x, b.y, b.w, b.h);
    const colour = b.n.data.errors ? ERROR_COLOUR : (KIND_COLOURS[b.n.data.kind] ?? "#98a2b3");
    let p = bars.get(colour);
    if (!p) bars.set(colour, (p = new Path2D()));
    p.rect(b.x, b.y, bar, b.h);
  }
  ctx.fillStyle = "#ffffff";
  ctx.fill(bodies);
  ctx.strokeStyle = "#98a2b3";
  ctx.lineWidth = 1 / zoom;
  ctx.stroke(bodies);
  for (const [colour, p] of bars) {
    ctx.fillStyle = colour;
    ctx.fill(p);
  }
  ctx.strokeStyle = "#2563eb";
  ctx.lineWidth = 3 / zoom;
  for (const b of shown) if (b.n.selected) ctx.strokeRect(b.x, b.y, b.w, b.h);
  if (zoom >= NAME_ZOOM) {
    ctx.fillStyle = "#1d2939";
    ctx.font = "700 26px system-ui, sans-serif";
    ctx.textBaseline = "middle";
    for (const b of shown) ctx.fillText(b.n.data.name, b.x + bar + 8, b.y + b.h / 2, b.w - bar - 16);
  }
}

function FarViewImpl({ nodes, edges, onSelect, onMove }: Props) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const transform = useStore(transformOf);
  const domNode = useStore(domNodeOf);
  const drag = useRef<{ id: string; pointer: number; dx: number; dy: number; x0: number; y0: number; at: XY | null } | null>(null);
  const latest = useRef({ nodes, edges, transform });
  latest.current = { nodes, edges, transform };
  const raf = useRef(0);

  // While a step is dragged everything else stays put: drawn once into `still`, then each
  // frame copies it and draws the moving step and its edges on top.
  const still = useRef<{ canvas: HTMLCanvasElement; key: unknown[] } | null>(null);
  // A pan only shifts the picture: the whole graph drawn once at this zoom into `whole`,
  // then each frame of a pan copies it at the new offset instead of drawing 5,000 steps
  // and their edges again (when the graph at this zoom is small enough to keep as a picture).
  const whole = useRef<{ canvas: HTMLCanvasElement; key: unknown[]; x: number; y: number } | null>(null);
  const lastZoom = useRef(0);

  const draw = useCallback(() => {
    raf.current = 0;
    const el = canvas.current;
    const ctx = el?.getContext("2d");
    if (!el || !ctx) return;
    const { nodes, edges, transform } = latest.current;
    const dpr = window.devicePixelRatio || 1;
    const w = Math.round(el.clientWidth * dpr), h = Math.round(el.clientHeight * dpr);
    if (el.width !== w || el.height !== h) (el.width = w), (el.height = h);
    const view = { transform, width: el.clientWidth, height: el.clientHeight, dpr };
    const moving = drag.current?.at ? { id: drag.current.id, at: drag.current.at } : null;
    if (!moving) {
      still.current = null;
      // While the zoom changes, frame after frame, a picture would be drawn for one frame only.
      const zooming = lastZoom.current !== transform[2];
      lastZoom.current = transform[2];
      const pic = zooming ? null : picture(whole.current, nodes, edges, transform[2], dpr, w, h);
      whole.current = pic;
      if (!pic) {
        paint(ctx, nodes, edges, view);
        return;
      }
      ctx.setTransform(1, 0, 0, 1, 0, 0);
      ctx.clearRect(0, 0, w, h);
      ctx.drawImage(pic.canvas, Math.round(dpr * (transform[0] + pic.x * transform[2])), Math.round(dpr * (transform[1] + pic.y * transform[2])));
      return;
    }
    const key = [nodes, edges, transform, moving.id, w, h];
    if (!still.current || still.current.key.some((k, i) => k !== key[i])) {
      const c = still.current?.canvas ?? document.createElement("canvas");
      (c.width = w), (c.height = h);
      paint(c.getContext("2d")!, nodes, edges, view, { skip: moving.id });
      still.current = { canvas: c, key };
    }
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, w, h);
    ctx.drawImage(still.current.canvas, 0, 0);
    paint(ctx, nodes, edges, view, { only: moving.id, at: moving.at, keep: true });
  }, []);

  const schedule = useCallback(() => {
    if (!raf.current) raf.current = requestAnimationFrame(draw);
  }, [draw]);
  useEffect(schedule, [nodes, edges, transform, schedule]);
  useEffect(() => () => cancelAnimationFrame(raf.current), []);

  // Select and move steps: the canvas itself lets the pointer through to React Flow's pane
  // (which pans), so presses are caught on the way down and kept only when they hit a step.
  const handlers = useRef({ onSelect, onMove });
  handlers.current = { onSelect, onMove };
  useEffect(() => {
    if (!domNode) return;
    const toFlow = (e: PointerEvent): XY => {
      const box = domNode.getBoundingClientRect();
      const [tx, ty, zoom] = latest.current.transform;
      return { x: (e.clientX - box.left - tx) / zoom, y: (e.clientY - box.top - ty) / zoom };
    };
    const down = (e: PointerEvent) => {
      if (e.button !== 0 || (e.target as Element).closest(".react-flow__panel")) return;
      const p = toFlow(e);
      const { nodes } = latest.current;
      // Topmost first: the last drawn.
      for (let i = nodes.length - 1; i >= 0; i--) {
        const n = nodes[i]!;
        const { w, h } = sizeOf(n);
        if (p.x < n.position.x || p.x > n.position.x + w || p.y < n.position.y || p.y > n.position.y + h) continue;
        e.stopPropagation();
        // Also keeps the mouse events React Flow's pane pans with from firing.
        e.preventDefault();
        domNode.setPointerCapture(e.pointerId);
        drag.current = { id: n.id, pointer: e.pointerId, dx: p.x - n.position.x, dy: p.y - n.position.y, x0: e.clientX, y0: e.clientY, at: null };
        return;
      }
    };
    const move = (e: PointerEvent) => {
      const d = drag.current;
      if (!d || e.pointerId !== d.pointer) return;
      e.stopPropagation();
      if (!d.at && Math.hypot(e.clientX - d.x0, e.clientY - d.y0) < CLICK_SLOP) return;
      const p = toFlow(e);
      d.at = { x: p.x - d.dx, y: p.y - d.dy };
      schedule();
    };
    const up = (e: PointerEvent) => {
      const d = drag.current;
      if (!d || e.pointerId !== d.pointer) return;
      e.stopPropagation();
      drag.current = null;
      if (domNode.hasPointerCapture(e.pointerId)) domNode.releasePointerCapture(e.pointerId);
      if (d.at) handlers.current.onMove(d.id, { x: Math.round(d.at.x), y: Math.round(d.at.y) });
      else handlers.current.onSelect(d.id, e.shiftKey || e.ctrlKey || e.metaKey);
      schedule();
    };
    domNode.addEventListener("pointerdown", down, true);
    domNode.addEventListener("pointermove", move, true);
    domNode.addEventListener("pointerup", up, true);
    domNode.addEventListener("pointercancel", up, true);
    return () => {
      domNode.removeEventListener("pointerdown", down, true);
      domNode.removeEventListener("pointermove", move, true);
      domNode.removeEventListener("pointerup", up, true);
      domNode.removeEventListener("pointercancel", up, true);
    };
  }, [domNode, schedule]);

  return <canvas ref={canvas} className="far-view" data-testid="far-view" aria-label="The graph, zoomed out: zoom in to connect steps" role="img" />;
}

export const FarView = memo(FarViewImpl);

/** Largest picture of the whole graph kept, as a multiple of the canvas's own pixels. */
const PICTURE_AREA = 4;

/**
 * The whole graph drawn at `zoom` (reusing `prev` while nodes, edges, zoom and canvas size
 * are the same), with its top-left corner in graph coordinates; none when the graph at this
 * zoom would be too large a picture, so each frame draws just what is in view instead.
 */
function picture(prev: { canvas: HTMLCanvasElement; key: unknown[]; x: number; y: number } | null, nodes: readonly StepNode[], edges: readonly TypedEdge[], zoom: number, dpr: number, w: number, h: number) {
  const key = [nodes, edges, zoom, dpr, w, h];
  if (prev && prev.key.every((k, i) => k === key[i])) return prev;
  if (!nodes.length) return null;
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (const n of nodes) {
    const { w: nw, h: nh } = sizeOf(n);
    x0 = Math.min(x0, n.position.x);
    y0 = Math.min(y0, n.position.y);
    x1 = Math.max(x1, n.position.x + nw);
    y1 = Math.max(y1, n.position.y + nh);
  }
  // Room for edges that bulge past the nodes and for the stroke widths.
  const pad = 60 / zoom;
  (x0 -= pad), (y0 -= pad), (x1 += pad), (y1 += pad);
  const pw = Math.ceil((x1 - x0) * zoom * dpr), ph = Math.ceil((y1 - y0) * zoom * dpr);
  if (pw * ph > PICTURE_AREA * w * h || pw > 16384 || ph > 16384) return null;
  const c = prev?.canvas ?? document.createElement("canvas");
  (c.width = pw), (c.height = ph);
  paint(c.getContext("2d")!, nodes, edges, { transform: [-x0 * zoom, -y0 * zoom, zoom], width: pw / dpr, height: ph / dpr, dpr });
  return { canvas: c, key, x: x0, y: y0 };
}

/** Screen boxes of the steps drawn on a canvas, for scripts driving the page (the benchmark). */
export function screenBoxes(nodes: readonly StepNode[], transform: readonly [number, number, number], origin: XY) {
  const [tx, ty, zoom] = transform;
  return nodes.map((n) => {
    const { w, h } = sizeOf(n);
    return { id: n.id, x: origin.x + tx + n.position.x * zoom, y: origin.y + ty + n.position.y * zoom, width: w * zoom, height: h * zoom };
  });
}
