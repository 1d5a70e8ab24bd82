// What the canvas tells every node and edge at once, through context rather than one
// store subscription each: at 5,000 steps a per-element selector runs 5,000 times on
// every frame of a pan, and React Flow's own EdgeLabelRenderer even searches the whole
// DOM in its selector (a querySelector per edge per frame: seconds per frame zoomed out).
import { createContext } from "react";
import type { Direction } from "../model/positions";
import type { Obstacles } from "../model/routes";

/**
 * Zoomed out far enough that node text is unreadable: edges draw only their path (nodes
 * simplify by stylesheet, under the canvas's `zoomed-out` class). Changes only when the
 * zoom crosses the threshold.
 */
export const FarContext = createContext(false);

/** React Flow's edge label layer, looked up once per canvas; null until it is mounted. */
export const LabelLayerContext = createContext<HTMLElement | null>(null);

/** Below this zoom the canvas draws the simplified nodes and edges. */
export const FAR_ZOOM = 0.45;

/** Which way the graph reads: where nodes put their handles. Changes only when the user switches. */
export const DirectionContext = createContext<Direction>("right");

/**
 * The node boxes edges route around. A new set only once a layout or move has settled (not
 * on every frame of a drag), so edges re-route once per layout, never on a pan.
 */
export const ObstaclesContext = createContext<Obstacles | null>(null);
