// The minimap: every step as a dot of its kind's colour on one <canvas>, with the visible
// area framed. React Flow's own MiniMap keeps one store subscription per node, which made
// each drag frame of a 1,000-step graph several times slower; this one is a single
// drawing, redrawn at most once a frame. Click or drag on it to pan, scroll to zoom.
import { Panel, useReactFlow, useStore, type ReactFlowState } from "@xyflow/react";
import { memo, useEffect, useRef, type PointerEvent, type WheelEvent } from "react";
import type { StepNode } from "../model/flow";
import { ERROR_COLOUR, KIND_COLOURS } from "./colours";

const W = 200;
const H = 140;
const PAD = 8;

const view = (s: ReactFlowState) => ({ x: s.transform[0], y: s.transform[1], zoom: s.transform[2], width: s.width, height: s.height });
const sameView = (a: ReturnType<typeof view>, b: ReturnType<typeof view>) => a.x === b.x && a.y === b.y && a.zoom === b.zoom && a.width === b.width && a.height === b.height;

interface Frame {
  minX: number;
  minY: number;
  scale: number;
  offX: number;
  offY: number;
}

function drawSteps(ctx: CanvasRenderingContext2D, nodes: readonly StepNode[], sx: (x: number) => number, sy: (y: number) => number, scale: number): void {
  for (const n of nodes) {
    const w = (n.measured?.width ?? 220) * scale, h = (n.measured?.height ?? 90) * scale;
    ctx.fillStyle = n.data.errors ? ERROR_COLOUR : (KIND_COLOURS[n.data.kind] ?? "#2563eb");
    ctx.globalAlpha = n.data.imported ? 0.45 : 0.85;
    ctx.fillRect(sx(n.position.x), sy(n.position.y), Math.max(w, 1.5), Math.max(h, 1.5));
    if (n.selected) {
      ctx.globalAlpha = 1;
      ctx.strokeStyle = "#1d4ed8";
      ctx.lineWidth = 1.5;
      ctx.strokeRect(sx(n.position.x) - 1, sy(n.position.y) - 1, Math.max(w, 1.5) + 2, Math.max(h, 1.5) + 2);
    }
  }
  ctx.globalAlpha = 1;
}

function OverviewMapView({ nodes }: { nodes: StepNode[] }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const frame = useRef<Frame>({ minX: 0, minY: 0, scale: 1, offX: 0, offY: 0 });
  const v = useStore(view, sameView);
  const rf = useReactFlow();
  const dragging = useRef(false);

  const latest = useRef({ nodes, v });
  latest.current = { nodes, v };
  const lastDraw = useRef(0);
  const lastView = useRef(v);
  const pending = useRef<{ timer: ReturnType<typeof setTimeout>; raf: number } | null>(null);
  // The steps' picture, kept while neither the steps nor the map's frame change: a pan
  // inside the graph's bounds then redraws only the frame of the visible area, not 5,000 rectangles.
  const still = useRef<{ canvas: HTMLCanvasElement; key: unknown[] } | null>(null);
  useEffect(() => {
    // Panning and zooming redraw on the next frame; moving nodes (a drag) at most ten
    // times a second, which keeps the drag itself at full frame rate. A draw already
    // scheduled reads the latest nodes when it runs.
    const viewChanged = lastView.current !== v;
    lastView.current = v;
    if (pending.current && !viewChanged) return;
    if (pending.current) clearTimeout(pending.current.timer), cancelAnimationFrame(pending.current.raf);
    const wait = viewChanged ? 0 : Math.max(0, 100 - (performance.now() - lastDraw.current));
    const p = { timer: setTimeout(() => (p.raf = requestAnimationFrame(draw)), wait), raf: 0 };
    pending.current = p;
  }, [nodes, v]);
  useEffect(
    () => () => {
      if (pending.current) clearTimeout(pending.current.timer), cancelAnimationFrame(pending.current.raf);
    },
    [],
  );

  function draw() {
    pending.current = null;
    lastDraw.current = performance.now();
    const { nodes, v } = latest.current;
    const el = canvas.current;
    const ctx = el?.getContext("2d");
    if (!el || !ctx) return;
    const dpr = window.devicePixelRatio || 1;
    if (el.width !== W * dpr) (el.width = W * dpr), (el.height = H * dpr);
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, W, H);
    // The visible area in graph coordinates.
    const vx = -v.x / v.zoom, vy = -v.y / v.zoom, vw = v.width / v.zoom, vh = v.height / v.zoom;
    let minX = vx, minY = vy, maxX = vx + vw, maxY = vy + vh;
    for (const n of nodes) {
      const w = n.measured?.width ?? 220, h = n.measured?.height ?? 90;
      if (n.position.x < minX) minX = n.position.x;
      if (n.position.y < minY) minY = n.position.y;
      if (n.position.x + w > maxX) maxX = n.position.x + w;
      if (n.position.y + h > maxY) maxY = n.position.y + h;
    }
    const scale = Math.min((W - 2 * PAD) / Math.max(maxX - minX, 1), (H - 2 * PAD) / Math.max(maxY - minY, 1));
    const offX = (W - (maxX - minX) * scale) / 2, offY = (H - (maxY - minY) * scale) / 2;
    frame.current = { minX, minY, scale, offX, offY };
    const sx = (x: number) => offX + (x - minX) * scale;
    const sy = (y: number) => offY + (y - minY) * scale;
    const key = [nodes, minX, minY, scale, offX, offY, dpr];
    if (!still.current || still.current.key.some((k, i) => k !== key[i])) {
      const c = still.current?.canvas ?? document.createElement("canvas");
      (c.width = W * dpr), (c.height = H * dpr);
      const sctx = c.getContext("2d")!;
      sctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      drawSteps(sctx, nodes, sx, sy, scale);
      still.current = { canvas: c, key };
    }
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.drawImage(still.current.canvas, 0, 0);
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    // Dim what is outside the visible area.
    ctx.fillStyle = "rgba(241, 245, 249, 0.55)";
    const rx = sx(vx), ry = sy(vy), rw = vw * scale, rh = vh * scale;
    ctx.fillRect(0, 0, W, ry);
    ctx.fillRect(0, ry + rh, W, H - ry - rh);
    ctx.fillRect(0, ry, rx, rh);
    ctx.fillRect(rx + rw, ry, W - rx - rw, rh);
    ctx.strokeStyle = "#64748b";
    ctx.lineWidth = 1;
    ctx.strokeRect(rx + 0.5, ry + 0.5, rw, rh);
  }

  // Centre the view on the point under the pointer.
  const panTo = (e: PointerEvent) => {
    const box = canvas.current!.getBoundingClientRect();
    const f = frame.current;
    const gx = f.minX + (e.clientX - box.left - f.offX) / f.scale;
    const gy = f.minY + (e.clientY - box.top - f.offY) / f.scale;
    void rf.setViewport({ x: v.width / 2 - gx * v.zoom, y: v.height / 2 - gy * v.zoom, zoom: v.zoom });
  };
  const onWheel = (e: WheelEvent) => {
    const zoom = Math.min(2, Math.max(0.05, v.zoom * (e.deltaY < 0 ? 1.15 : 1 / 1.15)));
    const cx = (v.width / 2 - v.x) / v.zoom, cy = (v.height / 2 - v.y) / v.zoom;
    void rf.setViewport({ x: v.width / 2 - cx * zoom, y: v.height / 2 - cy * zoom, zoom });
  };

  return (
    <Panel position="bottom-right" className="overview-map">
      <canvas
        ref={canvas}
        className="nowheel nodrag nopan"
        style={{ width: W, height: H }}
        aria-label="Overview of the graph: click or drag to move the view, scroll to zoom"
        role="img"
        data-testid="overview-map"
        onPointerDown={(e) => {
          dragging.current = true;
          e.currentTarget.setPointerCapture(e.pointerId);
          panTo(e);
        }}
        onPointerMove={(e) => dragging.current && panTo(e)}
        onPointerUp={() => (dragging.current = false)}
        onWheel={onWheel}
      />
    </Panel>
  );
}

export const OverviewMap = memo(OverviewMapView);
