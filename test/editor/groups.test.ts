// Groups of steps: which group each step is in (a `// group:` section of the layout block,
// or the imported file it comes from), the edits that write and remove sections, and the
// graph with a group collapsed into one node.
import { describe, expect, it } from "vitest";
import { deleteSteps, moveNodes, addStep } from "../../editor/src/model/edits";
import { FlowBuilder } from "../../editor/src/model/flow";
import { collapseGraph, groupMove, groupSteps, layoutGroups, memberChanges, stepGroups, ungroupSteps } from "../../editor/src/model/groups";
import { positionsOf } from "../../editor/src/model/positions";
import { comments, edited, errors, sample } from "./helpers";

/** Runs of spaces as one: the formatter aligns the `=` of a block, which an edit may realign. */
const squash = (t: string) => t.replace(/ +/g, " ");

const CHURN_LAYOUT = `layout {
  customers       = { x: 0,   y: 0 }
  orders          = { x: 0,   y: 160 }
  customers_clean = { x: 260, y: 0 }
  order_stats     = { x: 260, y: 160 }
}`;

/** churn.mlp with its layout block written in two groups. */
function churnGrouped() {
  const base = sample("churn.mlp");
  const text = base.texts["churn.mlp"]!.replace(
    CHURN_LAYOUT,
    `layout {
  orders          = { x: 0,   y: 160 }
  // group: inputs
  // the raw tables
  customers       = { x: 0,   y: 0 }
  customers_clean = { x: 260, y: 0 }
  // group: stats
  order_stats     = { x: 260, y: 160 }
}`,
  );
  expect(text).not.toBe(base.texts["churn.mlp"]);
  return sample("churn.mlp", { "churn.mlp": text });
}

describe("groups of steps", () => {
  it("reads `// group:` sections of the layout block: entries up to the next group line or the end", () => {
    const a = churnGrouped();
    expect(errors(a)).toEqual([]);
    expect([...layoutGroups(a.ir.layout)]).toEqual([
      ["customers", "inputs"],
      ["customers_clean", "inputs"],
      ["order_stats", "stats"],
    ]);
    const g = stepGroups(a.ir);
    expect(g.groups.map((x) => [x.id, x.source, x.members])).toEqual([
      ["group:inputs", "layout", ["customers", "customers_clean"]],
      ["group:stats", "layout", ["order_stats"]],
    ]);
    expect(g.groupOf.has("orders")).toBe(false);
  });

  it("groups the steps of an imported file under the file's name", () => {
    const a = sample("imports.mlp");
    const g = stepGroups(a.ir);
    const file = g.groups.find((x) => x.source === "import")!;
    expect(file).toBeDefined();
    expect(file.id).toBe("file:lib/customer.mlp");
    expect(file.name).toBe("lib/customer.mlp");
    expect(file.members).toEqual(a.ir.nodes.filter((n) => n.origin?.file === "lib/customer.mlp").map((n) => n.id));
    expect(file.members).toContain("customer_features");
  });

  it("Group writes the steps under a new `// group:` section at the end of the layout block, comments kept", () => {
    const a = sample("churn.mlp");
    const positions = positionsOf(a.ir);
    const { text, after } = edited(a, groupSteps(a.ir, ["orders", "order_stats", "churn_model"], "order side", positions));
    expect(errors(after)).toEqual([]);
    expect(squash(text)).toContain(squash(`layout {
  customers       = { x: 0,   y: 0 }
  customers_clean = { x: 260, y: 0 }
  // group: order side
  orders          = { x: 0,   y: 160 }
  order_stats     = { x: 260, y: 160 }
  churn_model     = { x: ${positions.get("churn_model")!.x}, y: ${positions.get("churn_model")!.y} }
}`));
    expect(comments(text).filter((c) => c !== "// group: order side")).toEqual(comments(a.texts["churn.mlp"]!));
    expect(stepGroups(after.ir).groups.map((g) => [g.name, g.members])).toEqual([["order side", ["orders", "order_stats", "churn_model"]]]);
  });

  it("Group into an existing group appends to its section; a step leaving a section's top hands the group line and its comments on", () => {
    const a = churnGrouped();
    // The comment under the group line says what the group is: it stays at the section's top.
  const { text, after } = edited(a, groupSteps(a.ir, ["customers"], "stats", positionsOf(a.ir)));
    expect(squash(text)).toContain(squash(`layout {
  orders          = { x: 0,   y: 160 }
  // group: inputs
  // the raw tables
  customers_clean = { x: 260, y: 0 }
  // group: stats
  order_stats     = { x: 260, y: 160 }
  customers       = { x: 0,   y: 0 }
}`));
    expect([...layoutGroups(after.ir.layout)].sort()).toEqual([["customers", "stats"], ["customers_clean", "inputs"], ["order_stats", "stats"]]);
  });

  it("Ungroup removes the group line; its steps join no other group", () => {
    const a = churnGrouped();
    const { text, after } = edited(a, ungroupSteps(a.ir, "stats"));
    expect(text).not.toContain("// group: stats");
    expect(layoutGroups(after.ir.layout).get("order_stats")).toBeUndefined();
    expect(layoutGroups(after.ir.layout).get("customers")).toBe("inputs");
    // The first section, not the last: its steps must not fall into the group above... there is none, the line just goes.
    const b = edited(a, ungroupSteps(a.ir, "inputs"));
    expect(b.text).toContain("// the raw tables");
    expect(layoutGroups(b.after.ir.layout).get("customers")).toBeUndefined();
    expect(layoutGroups(b.after.ir.layout).get("order_stats")).toBe("stats");
    expect(ungroupSteps(a.ir, "nope").ok).toBe(false);
  });

  it("moving, adding and deleting steps keep every other step in its group", () => {
    const a = churnGrouped();
    const moved = edited(a, { ok: true, ir: moveNodes(a.ir, new Map([["customers", { x: 40, y: 40 }]])) });
    expect(squash(moved.text)).toContain(" // group: inputs\n // the raw tables\n customers = { x: 40, y: 40 }");
    expect(layoutGroups(moved.after.ir.layout).get("customers")).toBe("inputs");
    // A new step is not in the last group.
    const added = edited(a, addStep(a.ir, "cleanse", { x: 900, y: 900 }));
    const name = added.after.ir.nodes.find((n) => !a.ir.nodes.some((m) => m.id === n.id))!.name;
    expect(layoutGroups(added.after.ir.layout).get(name)).toBeUndefined();
    expect(layoutGroups(added.after.ir.layout).get("order_stats")).toBe("stats");
    // Deleting the step that carries a group line keeps the group on the next step.
    const deleted = edited(a, deleteSteps(a.ir, ["customers"]));
    expect(layoutGroups(deleted.after.ir.layout).get("customers_clean")).toBe("inputs");
    expect(deleted.text).toContain("// the raw tables");
    // Deleting a group's only step removes the group line, nothing else moves.
    const last = edited(a, deleteSteps(a.ir, ["order_stats"]));
    expect(last.text).not.toContain("// group: stats");
    expect(layoutGroups(last.after.ir.layout).get("customers_clean")).toBe("inputs");
  });

  it("a `// group:` line left at the end of the block with no step yet is the one Group uses", () => {
    const base = sample("churn.mlp");
    const text = base.texts["churn.mlp"]!.replace(CHURN_LAYOUT, CHURN_LAYOUT.replace(/\n\}$/, "\n  // group: later\n}"));
    const a = sample("churn.mlp", { "churn.mlp": text });
    expect(a.ir.layout!.inner).toEqual([" group: later"]);
    const r = edited(a, groupSteps(a.ir, ["orders"], "later", positionsOf(a.ir)));
    expect(r.text.match(/\/\/ group: later/g)).toHaveLength(1);
    expect(squash(r.text)).toContain(" // group: later\n orders = { x: 0, y: 160 }\n}");
  });

  it("refuses a group without a name or without steps", () => {
    const a = sample("churn.mlp");
    expect(groupSteps(a.ir, ["orders"], "  ", new Map()).ok).toBe(false);
    expect(groupSteps(a.ir, [], "x", new Map()).ok).toBe(false);
  });

  it("collapses a group into one node: counts, problems, edges to the group node once per outside connection", () => {
    const a = churnGrouped();
    const flow = new FlowBuilder().build(a, positionsOf(a.ir));
    const g = stepGroups(a.ir);
    const open = collapseGraph(flow.nodes, flow.edges, g, new Set());
    expect(open.nodes).toHaveLength(flow.nodes.length);
    expect(open.edges).toHaveLength(flow.edges.length);
    expect(open.frames.map((f) => [f.id, f.count])).toEqual([["group:inputs", 2], ["group:stats", 1]]);

    const shut = collapseGraph(flow.nodes, flow.edges, g, new Set(["group:inputs"]));
    expect(shut.nodes).toHaveLength(flow.nodes.length - 1);
    expect(shut.nodes.some((n) => n.id === "customers" || n.id === "customers_clean")).toBe(false);
    const group = shut.nodes.find((n) => n.id === "group:inputs")!;
    expect(group.data).toMatchObject({ name: "inputs", count: 2, errors: 0, warnings: 0 });
    expect(group.position).toEqual({ x: 0, y: 0 });
    expect(shut.frames.map((f) => f.id)).toEqual(["group:stats"]);
    // customers -> customers_clean is inside; what left the group now leaves the group node.
    const inner = flow.edges.filter((e) => g.groupOf.get(e.source) === "group:inputs" && g.groupOf.get(e.target) === "group:inputs");
    expect(inner.length).toBeGreaterThan(0);
    const touching = shut.edges.filter((e) => e.source === "group:inputs" || e.target === "group:inputs");
    const outside = flow.edges.filter((e) => (g.groupOf.get(e.source) === "group:inputs") !== (g.groupOf.get(e.target) === "group:inputs"));
    const distinct = new Set(outside.map((e) => (g.groupOf.get(e.source) === "group:inputs" ? `out>${e.target}:${e.targetHandle}` : `${e.source}:${e.sourceHandle}>in`)));
    expect(touching).toHaveLength(distinct.size);
    expect(shut.edges).toHaveLength(flow.edges.length - inner.length - (outside.length - distinct.size));
    for (const e of touching) {
      expect(e.source === "group:inputs" ? e.sourceHandle : e.targetHandle).toBe(e.source === "group:inputs" ? "out" : "in");
      expect(e.data!.label).not.toBe("");
    }
    expect(shut.edges.some((e) => e.source === "customers" || e.source === "customers_clean" || e.target === "customers_clean")).toBe(false);
  });

  it("one edge per distinct outside connection: two steps of a group reading the same output draw one edge", () => {
    const nodes = ["a", "b", "c"].map((id) => ({ id, position: { x: 0, y: 0 }, data: { errors: id === "b" ? 2 : 0, warnings: id === "c" ? 1 : 0 } }));
    const edges = [
      { id: "1", source: "a", sourceHandle: "out", target: "b", targetHandle: "data" },
      { id: "2", source: "a", sourceHandle: "out", target: "c", targetHandle: "data" },
    ];
    const grouping = { groups: [{ id: "group:g", name: "g", source: "layout" as const, members: ["b", "c"] }], groupOf: new Map([["b", "group:g"], ["c", "group:g"]]) };
    const v = collapseGraph(nodes, edges, grouping, new Set(["group:g"]));
    expect(v.edges.map((e) => [e.source, e.sourceHandle, e.target, e.targetHandle])).toEqual([["a", "out", "group:g", "in"]]);
    expect(v.nodes.find((n) => n.id === "group:g")!.data).toMatchObject({ count: 2, errors: 2, warnings: 1 });
  });

  it("a collapsed group moved as a whole moves each of its steps by the same whole delta", () => {
    const members = [
      { id: "b", position: { x: 100, y: 40 } },
      { id: "c", position: { x: 360, y: 10.5 } },
    ];
    // The group node stands at its steps' top-left (100, 10.5); dropped at (130.4, 60.6): +30, +50.
    expect(groupMove({ x: 130.4, y: 60.6 }, members)).toEqual([
      { id: "b", position: { x: 130, y: 90 } },
      { id: "c", position: { x: 390, y: 60.5 } },
    ]);
    expect(groupMove({ x: 0, y: 0 }, [])).toEqual([]);
  });

  it("React Flow's moves of a collapsed group node become moves of its steps; the rest pass through", () => {
    const a = churnGrouped();
    const g = stepGroups(a.ir);
    const at = positionsOf(a.ir);
    const changes = [
      { id: "group:inputs", type: "position" as const, position: { x: 25, y: -10 }, dragging: true },
      { id: "orders", type: "position" as const, position: { x: 5, y: 165 }, dragging: true },
      { id: "group:inputs", type: "select" as const, selected: true },
    ];
    const out = memberChanges(changes, g, (id) => at.get(id));
    expect(out).toEqual([
      { id: "customers", type: "position", position: { x: 25, y: -10 }, dragging: true },
      { id: "customers_clean", type: "position", position: { x: 285, y: -10 }, dragging: true },
      changes[1],
      changes[2],
    ]);
    // Applied twice from where the steps are now (two moves before a redraw), the group lands where the last one says.
    const moved = new Map(out.flatMap((c) => ("position" in c && c.position ? [[c.id, c.position] as const] : [])));
    const again = memberChanges([{ id: "group:inputs", type: "position", position: { x: 40, y: 0 }, dragging: false }], g, (id) => moved.get(id) ?? at.get(id));
    expect(again).toEqual([
      { id: "customers", type: "position", position: { x: 40, y: 0 }, dragging: false },
      { id: "customers_clean", type: "position", position: { x: 300, y: 0 }, dragging: false },
    ]);
  });

  it("moving a collapsed group writes every step's layout entry, each in its group section", () => {
    const a = churnGrouped();
    const g = stepGroups(a.ir);
    const at = positionsOf(a.ir);
    const moves = memberChanges([{ id: "group:inputs", type: "position", position: { x: 100, y: 300 } }], g, (id) => at.get(id));
    const { text, after } = edited(a, { ok: true, ir: moveNodes(a.ir, new Map(moves.map((m) => [(m as { id: string }).id, (m as { position: { x: number; y: number } }).position]))) });
    expect(squash(text)).toContain(squash(`  orders          = { x: 0,   y: 160 }
  // group: inputs
  // the raw tables
  customers       = { x: 100, y: 300 }
  customers_clean = { x: 360, y: 300 }
  // group: stats
  order_stats     = { x: 260, y: 160 }`));
    expect([...layoutGroups(after.ir.layout)]).toEqual([...layoutGroups(a.ir.layout)]);
  });

  it("marks steps drawn over the frame of a group they are not in", () => {
    const a = churnGrouped();
    const g = stepGroups(a.ir);
    const nodes = a.ir.nodes.map((n) => ({ id: n.id, position: positionsOf(a.ir).get(n.id)!, measured: { width: 240, height: 90 }, data: { errors: 0, warnings: 0 } }));
    // inputs spans customers (0,0) and customers_clean (260,0); orders at (0,160) is below its frame and only grazes order_stats. frame.
    expect([...collapseGraph(nodes, [], g, new Set()).outsiders]).toEqual([]);
    const inside = nodes.map((n) => (n.id === "orders" ? { ...n, position: { x: 130, y: 20 } } : n));
    expect([...collapseGraph(inside, [], g, new Set()).outsiders]).toEqual([["orders", "inputs"]]);
    // A collapsed group has no frame to be inside.
    expect([...collapseGraph(inside, [], g, new Set(["group:inputs"])).outsiders]).toEqual([]);
  });
});
