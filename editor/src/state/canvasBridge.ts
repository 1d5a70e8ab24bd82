// What the canvas knows and commands need: where nodes are on screen and how big.
// The canvas registers itself here; commands work without importing React code.
import type { XY } from "../model/positions";

export interface CanvasBridge {
  positions(): Map<string, XY>;
  sizes(): Map<string, { width: number; height: number }>;
  /** The middle of the visible area, in graph coordinates. */
  center(): XY;
  /** Width over height of the visible area. */
  aspect(): number;
  /** Each step's box on screen (client pixels), drawn or in the DOM: for scripts driving the page. */
  onScreen(): { id: string; x: number; y: number; width: number; height: number }[];
  /** Positions laid out for steps the layout block cannot name (pulled in without an import): the canvas keeps them. */
  place(positions: ReadonlyMap<string, XY>): void;
}

let bridge: CanvasBridge | undefined;

export function registerCanvas(b: CanvasBridge | undefined): void {
  bridge = b;
}

export function canvas(): CanvasBridge | undefined {
  return bridge;
}
