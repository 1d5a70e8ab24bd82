// Auto-layout with groups (model/layoutGraph.ts), run with elk in node: a group's steps are
// laid out together and no other step lands inside the frame drawn around them.
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import ELK, { type ElkNode as ElkGraph } from "elkjs/lib/elk.bundled.js";
import { describe, expect, it } from "vitest";
import { analyze } from "../../editor/src/model/analyze";
import { collapseGraph, groupSteps, stepGroups } from "../../editor/src/model/groups";
import { laidOut, layoutGraph, type ElkNode } from "../../editor/src/model/layoutGraph";
import { positionsOf, type Direction } from "../../editor/src/model/positions";
import { FILES } from "./helpers";

const SAMPLES = fileURLToPath(new URL("../../samples", import.meta.url));
const ROOT_FILES: Record<string, string> = {};
// Files only: `mlp run` of a sample leaves its run folder, `samples/.mlp/`, beside them.
const pipelines = (dir: string) => readdirSync(dir, { withFileTypes: true }).filter((e) => e.isFile() && e.name.endsWith(".mlp")).map((e) => e.name);
for (const f of pipelines(SAMPLES)) ROOT_FILES[f] = readFileSync(`${SAMPLES}/${f}`, "utf8");
for (const f of pipelines(`${SAMPLES}/lib`)) ROOT_FILES[`lib/${f}`] = readFileSync(`${SAMPLES}/lib/${f}`, "utf8");

const SIZE = { width: 240, height: 100 };

/**
 * A sample with two layout groups whose steps are far apart in the pipeline (its first and
 * last steps, its third and sixth), so a layout that ignores groups puts other steps among them.
 */
function spreadGroups(entry: string) {
  const a = analyze(entry, entry in FILES ? FILES : ROOT_FILES);
  const keyed = a.ir.nodes.filter((n) => !n.origin);
  expect(keyed.length).toBeGreaterThanOrEqual(8);
  const positions = positionsOf(a.ir);
  const first = groupSteps(a.ir, [keyed[0]!.id, keyed[keyed.length - 1]!.id], "ends", positions);
  if (!first.ok) throw new Error(first.reason);
  const second = groupSteps(first.ir, [keyed[2]!.id, keyed[5]!.id], "middle", positions);
  if (!second.ok) throw new Error(second.reason);
  return second.ir;
}

/** Every step whose box reaches into the frame of a group it is not in. */
function intruders(ir: ReturnType<typeof spreadGroups>, at: Map<string, { x: number; y: number }>): string[] {
  const grouping = stepGroups(ir);
  const nodes = ir.nodes.map((n) => ({ id: n.id, position: at.get(n.id)!, measured: SIZE, data: { errors: 0, warnings: 0 } }));
  const { frames } = collapseGraph(nodes, [], grouping, new Set());
  expect(frames.length).toBeGreaterThanOrEqual(2);
  const out: string[] = [];
  for (const f of frames)
    for (const n of nodes) {
      if (grouping.groupOf.get(n.id) === f.id) continue;
      const apart = n.position.x + SIZE.width <= f.x || f.x + f.width <= n.position.x || n.position.y + SIZE.height <= f.y || f.y + f.height <= n.position.y;
      if (!apart) out.push(`${n.id} in ${f.name}`);
    }
  return out;
}

describe("auto-layout with groups", () => {
  for (const entry of ["churn.mlp", "fraud.mlp", "ticket_triage.mlp", "demand_forecast.mlp", "ad_click_through.mlp"])
    for (const direction of ["right", "down"] as Direction[])
      it(`keeps every other step out of a group's frame: ${entry}, ${direction}`, async () => {
        const ir = spreadGroups(entry);
        const graph = layoutGraph(ir, stepGroups(ir), new Map(), direction, 1.6);
        const at = laidOut((await new ELK().layout(graph as ElkGraph)) as ElkNode);
        expect(at.size).toBe(ir.nodes.length);
        expect(intruders(ir, at)).toEqual([]);
      });

  it("places a compound's steps in graph coordinates (a child is placed relative to its group)", () => {
    const at = laidOut({ id: "root", children: [{ id: "a", x: 5, y: 6 }, { id: "g", x: 100, y: 200, children: [{ id: "b", x: 10.4, y: 20.6 }] }] });
    expect([...at]).toEqual([["a", { x: 5, y: 6 }], ["b", { x: 110, y: 221 }]]);
  });
});
