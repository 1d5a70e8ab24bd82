// IR -> React Flow nodes and edges: every step becomes a node with the catalog's ports,
// every input an edge carrying the artifact type, problems land on the right node.
import { describe, expect, it } from "vitest";
import { FlowBuilder, diagnosticsByNode } from "../../editor/src/model/flow";
import { layoutPositions, positionsOf, ranks } from "../../editor/src/model/positions";
import { POINT_IN_TIME, sample } from "./helpers";

describe("IR -> flow", () => {
  const a = sample("churn.mlp");
  const flow = new FlowBuilder().build(a, positionsOf(a.ir));

  it("makes one node per step, with the kind's typed ports as handles", () => {
    expect(flow.nodes.map((n) => n.id).sort()).toEqual(a.ir.nodes.map((n) => n.id).sort());
    expect(flow.nodes).toHaveLength(14);
    const evaluate = flow.nodes.find((n) => n.id === "churn_gate")!;
    expect(evaluate.data.inputs.map((p) => p.id)).toEqual(["model", "data"]);
    expect(evaluate.data.outputs.map((p) => p.id)).toEqual(["out"]);
    expect(evaluate.data.detail).toBe("auc >= 0.82, recall >= 0.6");
    const split = flow.nodes.find((n) => n.id === "churn_split")!;
    expect(split.data.outputs.map((p) => p.id)).toEqual(["train", "test"]);
    expect(flow.nodes.find((n) => n.id === "customers")!.data.footer).toBe("Table<Customer>");
    expect(flow.nodes.find((n) => n.id === "churn_tuned")!.data.footer).toMatch(/^Model · classification of churned/);
  });

  it("makes one edge per input, between the right handles, labelled with the artifact", () => {
    expect(flow.edges).toHaveLength(a.ir.edges.length);
    const train = flow.edges.find((e) => e.target === "churn_model")!;
    expect(train).toMatchObject({ source: "churn_split", sourceHandle: "train", targetHandle: "data" });
    expect(train.data!.type).toBe("Features");
    expect(train.data!.columns.map((c) => c.name)).toContain("tenure_days");
    expect(train.data!.facts).toContain("key customer_id");
    const gate = flow.edges.filter((e) => e.target === "churn_gate").map((e) => [e.source, e.sourceHandle, e.targetHandle]);
    expect(gate).toEqual([
      ["churn_tuned", "out", "model"],
      ["churn_split", "test", "data"],
    ]);
    expect(flow.edges.find((e) => e.source === "customers")!.data!.label).toBe("Table<Customer>");
  });

  it("places nodes where the layout block says, and the rest by depth", () => {
    const written = layoutPositions(a.ir);
    expect(written.get("orders")).toEqual({ x: 0, y: 160 });
    const pos = positionsOf(a.ir);
    expect(pos.get("orders")).toEqual({ x: 0, y: 160 });
    const r = ranks(a.ir);
    expect(r.get("customers")).toBe(0);
    expect(r.get("churn_gate")).toBeGreaterThan(r.get("churn_tuned")!);
    expect(pos.get("churn_api")!.x).toBeGreaterThan(pos.get("churn_registry")!.x);
    // No two nodes on the same spot.
    const spots = new Set([...pos.values()].map((p) => `${p.x},${p.y}`));
    expect(spots.size).toBe(pos.size);
  });

  it("places steps without a position top-down when the file reads top-down: each below its inputs, none on another", () => {
    const noLayout = { ...a.ir, layout: null };
    const pos = positionsOf(noLayout, new Map(), "down");
    expect(pos.size).toBe(a.ir.nodes.length);
    for (const e of a.ir.edges) expect(pos.get(e.to.node)!.y, `${e.from.node} -> ${e.to.node}`).toBeGreaterThan(pos.get(e.from.node)!.y);
    // Layers are rows; the steps of a layer sit side by side, a node's width apart.
    const spots = [...pos.values()];
    for (const p of spots) for (const q of spots) if (p !== q) expect(Math.abs(p.x - q.x) >= 240 || Math.abs(p.y - q.y) >= 150).toBe(true);
    // Left to right, the same graph is placed in columns instead.
    const right = positionsOf(noLayout);
    for (const e of a.ir.edges) expect(right.get(e.to.node)!.x).toBeGreaterThan(right.get(e.from.node)!.x);
  });

  it("places a step without a position clear of the box of a step whose written position is off the grid", () => {
    const at = (x: number, y: number) => ({ kind: "object" as const, entries: [{ key: "x", value: { kind: "number" as const, value: x, raw: String(x) } }, { key: "y", value: { kind: "number" as const, value: y, raw: String(y) } }] });
    const graph = {
      nodes: ["src", "mid", "tail", "other"].map((id) => ({ id, name: id })),
      edges: [{ from: { node: "src" }, to: { node: "mid" } }, { from: { node: "mid" }, to: { node: "tail" } }],
      // `other` sits between the grid's columns and rows: the slot at (640, 0) is not marked taken, yet under its box.
      layout: { entries: [{ name: "src", value: at(0, 0) }, { name: "mid", value: at(320, 0) }, { name: "other", value: at(520, 80) }] },
    };
    const pos = positionsOf(graph as Parameters<typeof positionsOf>[0]);
    const tail = pos.get("tail")!;
    const other = pos.get("other")!;
    expect(tail.x).toBe(640);
    expect(Math.abs(tail.x - other.x) >= 240 || Math.abs(tail.y - other.y) >= 150, JSON.stringify(tail)).toBe(true);
  });

  it("keeps node data objects when nothing about the node changed", () => {
    const b = new FlowBuilder();
    const first = b.build(a, positionsOf(a.ir));
    const again = sample("churn.mlp", { "churn.mlp": a.texts["churn.mlp"]!.replace("require recall >= 0.6", "require recall >= 0.7") });
    const second = b.build(again, positionsOf(again.ir));
    const same = second.nodes.filter((n) => first.nodes.find((m) => m.id === n.id)!.data === n.data).map((n) => n.id);
    expect(same).toContain("customers");
    expect(same).not.toContain("churn_gate");
  });

  it("puts each diagnostic on the step it is about, and on the edge it is about", () => {
    const broken = sample("churn.mlp", {
      "churn.mlp": a.texts["churn.mlp"]!.replace("filter monthly_spend >= 0.0", 'filter monthly_spend >= "zero"').replace("tune churn_tuned(churn_model)", "tune churn_tuned(customers)"),
    });
    const byNode = diagnosticsByNode(broken);
    expect(byNode.get("customers_clean")?.[0]?.code).toBe("MLP0305");
    const f = new FlowBuilder().build(broken, positionsOf(broken.ir));
    const clean = f.nodes.find((n) => n.id === "customers_clean")!;
    expect(clean.data.errors).toBe(1);
    expect(clean.data.problem).toMatch(/float.*string|string.*float/);
    const bad = f.edges.find((e) => e.target === "churn_tuned")!;
    expect(bad.data!.problem).toMatch(/Model/);
  });

  it("says how a step treats time: an as-of join, a hopping window", () => {
    const pit = sample("pit.mlp", { "pit.mlp": POINT_IN_TIME });
    const f = new FlowBuilder().build(pit, positionsOf(pit.ir));
    const data = (id: string) => f.nodes.find((n) => n.id === id)!.data;
    expect(data("rows").time).toBe("asof week_start ≥ window_end · within 35d");
    expect(data("rows").detail).toBe("left · on store_sku");
    expect(data("sales_28d").time).toBe("window 28d every 7d");
    expect(data("sales_28d").detail).toBe("by store_sku · 1 aggregate");
    // Without `every` or `asof` there is no time line, and the window stays in the detail.
    const plain = sample("pit.mlp", { "pit.mlp": POINT_IN_TIME.replace("  every  = 7d\n", "").replace(/  asof .*\n  within .*\n/, "") });
    const g = new FlowBuilder().build(plain, positionsOf(plain.ir));
    expect(g.nodes.find((n) => n.id === "rows")!.data.time).toBeUndefined();
    expect(g.nodes.find((n) => n.id === "sales_28d")!.data).toMatchObject({ detail: "by store_sku · 28d · 1 aggregate" });
    expect(g.nodes.find((n) => n.id === "sales_28d")!.data.time).toBeUndefined();
    expect(flow.nodes.filter((n) => n.data.time !== undefined).map((n) => n.id)).toEqual([]);
  });

  it("shows imported steps with the file they come from", () => {
    const imp = sample("imports.mlp");
    const f = new FlowBuilder().build(imp, positionsOf(imp.ir));
    expect(f.nodes.find((n) => n.id === "customer_features")!.data.imported).toBe("lib/customer.mlp");
    expect(f.nodes.find((n) => n.id === "retention_model")!.data.imported).toBeUndefined();
    expect(f.edges.some((e) => e.source === "customers" && e.target === "customer_features")).toBe(true);
  });
});
