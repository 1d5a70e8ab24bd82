// Graph edit -> text: each edit on the IR, printed, gives the text a person would have
// written, keeps every comment, and checks as expected.
import { describe, expect, it } from "vitest";
import { print } from "../../compiler/print";
import { format } from "../../language/formatter";
import { parse } from "../../language/parser";
import {
  addStep,
  connect,
  connectionProblem,
  copySteps,
  deleteSteps,
  disconnect,
  moveNodes,
  pasteSteps,
  renameStep,
  setAttr,
  setOperations,
  uniqueName,
  num,
  ref,
} from "../../editor/src/model/edits";
import { parseOperations } from "../../editor/src/model/operations";
import { layoutPositions } from "../../editor/src/model/positions";
import { comments, edited, errors, sample } from "./helpers";

const churn = sample("churn.mlp");
const CHURN = churn.texts["churn.mlp"]!;

describe("graph edits print back to text", () => {
  it("prints the untouched graph as the file it came from, formatted", () => {
    expect(print(churn.ir)).toBe(format(parse(CHURN).ast));
  });

  it("keeps the original text of every declaration an edit does not touch", () => {
    // churn.mlp is not in canonical layout (its variant block aligns differently): that survives.
    expect(print(churn.ir)).not.toBe(CHURN);
    const { text } = edited(churn, setAttr(churn.ir, { node: "churn_registry" }, ["stage"], ref("staging")));
    const changed = text.split("\n").filter((l, i, all) => !CHURN.split("\n").includes(l));
    expect(changed).toEqual(['  name  = "churn"', "  stage = staging"]);
    expect(text).toContain('  customers.uri         = "s3://acme-raw-eu/customers/"');
    const messy = CHURN.replace("source orders: Table<Order> {", "source   orders :Table<Order>{  // raw orders").replace("train = 0.8", "train=0.8");
    const m = sample("churn.mlp", { "churn.mlp": messy });
    const moved = edited(m, { ok: true, ir: moveNodes(m.ir, new Map([["churn_api", { x: 5, y: 5 }]])) });
    expect(moved.text).toContain("source   orders :Table<Order>{  // raw orders");
    expect(moved.text).toContain("train=0.8");
    expect(moved.text).toContain("churn_api       = { x: 5,   y: 5 }");
  });

  it("adds a step from the palette with a valid template, at its place in the layout", () => {
    const r = addStep(churn.ir, "notebook", { x: 900, y: 420 });
    const { text, after } = edited(churn, r);
    expect(text).toContain('notebook notebook_1() {\n  path = "notebooks/notebook_1.ipynb"\n}');
    expect(text).toContain("notebook_1      = { x: 900, y: 420 }");
    // Declared among the steps, before variants and targets.
    expect(text.indexOf("notebook notebook_1")).toBeLessThan(text.indexOf("variant eu"));
    expect(comments(text)).toEqual(comments(CHURN));
    expect(errors(after)).toEqual([]);
  });

  it("adds a step fed by the selected one, on the first port that fits", () => {
    const r = addStep(churn.ir, "evaluate", { x: 10, y: 10 }, { node: "churn_tuned", port: "out" });
    const { text } = edited(churn, r);
    expect(text).toContain("evaluate evaluate_1(churn_tuned) {}");
  });

  it("connects an output to an input: positional in port order, named when a gap needs it", () => {
    const added = addStep(churn.ir, "deploy", { x: 0, y: 0 });
    if (!added.ok) throw new Error(added.reason);
    // data first, then model: printed in port order.
    const c1 = connect(added.ir, { node: "customer_features", port: "out" }, { node: "deploy_1", port: "data" });
    if (!c1.ok) throw new Error(c1.reason);
    expect(print(c1.ir)).toContain("deploy deploy_1(data: customer_features) {");
    const c2 = connect(c1.ir, { node: "churn_registry", port: "out" }, { node: "deploy_1", port: "model" });
    const { text, after } = edited(churn, c2);
    expect(text).toContain("deploy deploy_1(churn_registry, customer_features) {");
    // The types fit; the checker still has a say about the template's endpoint mode.
    expect(errors(after)).toEqual(["MLP0213 an endpoint answers requests; it takes no data input"]);
  });

  it("selects the output port of a multi-output step", () => {
    const added = addStep(churn.ir, "train", { x: 0, y: 0 });
    if (!added.ok) throw new Error(added.reason);
    const c = connect(added.ir, { node: "churn_split", port: "test" }, { node: "train_1", port: "data" });
    expect(edited(churn, c).text).toContain("train train_1(churn_split.test) {");
  });

  it("refuses connections the types forbid, saying why", () => {
    expect(connectionProblem(churn.ir, { node: "customers", port: "out" }, { node: "churn_tuned", port: "model" })).toBe(
      "tune `churn_tuned` takes Model on `model`, but `customers` produces Table<Customer>",
    );
    expect(connectionProblem(churn.ir, { node: "churn_api", port: "out" }, { node: "churn_split", port: "data" })).toMatch(/takes Table or Features on `data`, but `churn_api` produces Endpoint/);
    expect(connectionProblem(churn.ir, { node: "churn_registry", port: "out" }, { node: "churn_model", port: "data" })).toMatch(/produces Model/);
    expect(connectionProblem(churn.ir, { node: "churn_gate", port: "out" }, { node: "churn_gate", port: "model" })).toBe("a step cannot read its own output");
    expect(connectionProblem(churn.ir, { node: "churn_tuned", port: "out" }, { node: "churn_gate", port: "model" })).toBe("these ports are already connected");
    expect(connectionProblem(churn.ir, { node: "churn_api", port: "out" }, { node: "customers_clean", port: "data" })).toMatch(/takes Table or Stream/);
    expect(connectionProblem(churn.ir, { node: "churn_registry", port: "out" }, { node: "churn_tuned", port: "model" })).toMatch(/cycle/);
    const r = connect(churn.ir, { node: "customers", port: "out" }, { node: "churn_tuned", port: "model" });
    expect(r.ok).toBe(false);
  });

  it("refuses streaming data into a batch-only input", () => {
    const fraud = sample("fraud.mlp");
    expect(connectionProblem(fraud.ir, { node: "txn_features", port: "out" }, { node: "fraud_model", port: "data" })).toMatch(/batch data only on `data`, but `txn_features` produces streaming Features/);
  });

  it("replaces the input of an occupied port, and says so", () => {
    const r = connect(churn.ir, { node: "customers", port: "out" }, { node: "customers_clean", port: "data" });
    expect(r.ok).toBe(false); // same edge already there
    const r2 = connect(churn.ir, { node: "orders", port: "out" }, { node: "customers_clean", port: "data" });
    if (!r2.ok) throw new Error(r2.reason);
    expect(r2.note).toMatch(/now reads orders instead of customers/);
    expect(print(r2.ir)).toContain("cleanse customers_clean(orders) {");
  });

  it("disconnects an input", () => {
    const e = churn.ir.edges.find((x) => x.to.node === "churn_report" && x.from.node === "churn_split")!;
    const { text } = edited(churn, disconnect(churn.ir, [e]));
    expect(text).toContain("notebook churn_report(churn_gate) {");
  });

  it("deletes steps with their edges, layout entries and variant overrides, keeping every comment", () => {
    const { text, after } = edited(churn, deleteSteps(churn.ir, ["orders", "churn_report"]));
    expect(text).not.toMatch(/source orders|notebook churn_report|orders\.uri|\n  orders +=/);
    expect(text).toContain("aggregate order_stats() {");
    expect(comments(text)).toEqual(comments(CHURN));
    expect(errors(after).some((m) => m.includes("order_stats"))).toBe(true);
  });

  it("moves nodes into the layout block, negative positions included", () => {
    const moved = moveNodes(churn.ir, new Map([["churn_gate", { x: 1200.4, y: 80.6 }]]));
    expect(layoutPositions(moved).get("churn_gate")).toEqual({ x: 1200, y: 81 });
    expect(print(moved)).toContain("churn_gate      = { x: 1200, y: 81 }");
    const left = moveNodes(churn.ir, new Map([["customers", { x: -50, y: 10 }]]));
    expect(layoutPositions(left).get("customers")).toEqual({ x: -50, y: 10 });
    const { text, after } = edited(churn, { ok: true, ir: left });
    expect(text).toMatch(/\n  customers +=  ?\{ x: -50, y: 10 +\}/);
    expect(errors(after)).toEqual([]);
    expect(layoutPositions(after.ir).get("customers")).toEqual({ x: -50, y: 10 });
  });

  it("creates the layout block when the file has none", () => {
    const fraud = sample("fraud.mlp");
    const { text, after } = edited(fraud, { ok: true, ir: moveNodes(fraud.ir, new Map([["txns_live", { x: 10, y: 20 }]])) });
    expect(text.trimEnd().endsWith("layout {\n  txns_live = { x: 10, y: 20 }\n}")).toBe(true);
    expect(errors(after)).toEqual([]);
  });

  it("renames a step everywhere it is named", () => {
    const { text, after } = edited(churn, renameStep(churn.ir, "customers", "accounts"));
    expect(text).toContain("source accounts: Table<Customer>");
    expect(text).toContain("cleanse customers_clean(accounts)");
    expect(text).toMatch(/\n  accounts\.uri +=  ?"s3:\/\/acme-raw-eu\/customers\/"/);
    expect(text).toMatch(/\n  accounts +=/);
    expect(errors(after)).toEqual([]);
    expect(renameStep(churn.ir, "customers", "orders")).toEqual({ ok: false, reason: "`orders` is already taken in this file" });
    expect(renameStep(churn.ir, "customers", "2x").ok).toBe(false);
  });

  it("sets, changes and removes attributes, nested ones included", () => {
    let r = setAttr(churn.ir, { node: "churn_api" }, ["resources", "gpus"], num(1));
    expect(edited(churn, r).text).toContain("resources = { cpus: 2, memory: 4GiB, gpus: 1 }");
    r = setAttr(churn.ir, { node: "churn_model" }, ["distributed"], undefined);
    expect(edited(churn, r).text).not.toContain("distributed = horovod");
    r = setAttr(churn.ir, { node: "churn_registry" }, ["stage"], ref("staging"));
    const { text, after } = edited(churn, r);
    expect(text).toContain('register churn_registry(churn_gate) {\n  name  = "churn"\n  stage = staging\n}');
    expect(errors(after)).toEqual([]);
    r = setAttr(churn.ir, { pipeline: true }, ["owner"], { kind: "string", value: "me@acme.example" });
    expect(edited(churn, r).text).toContain('owner    = "me@acme.example"');
  });

  it("replaces operations while attributes keep their place", () => {
    const ops = parseOperations("aggregate", "by customer_id\norders_30d: int = count()\nmax_spend: float = max(amount)");
    if (!ops.ok) throw new Error(JSON.stringify(ops.problems));
    const { text, after } = edited(churn, setOperations(churn.ir, "order_stats", ops.stmts));
    expect(text).toContain("aggregate order_stats(orders) {\n  by     customer_id\n  window = 30d\n  orders_30d: int   = count()\n  max_spend:  float = max(amount)\n}");
    expect(errors(after).filter((m) => !m.includes("spend_30d"))).toEqual([]);
  });

  it("copies and pastes steps under fresh names, inputs kept or re-pointed", () => {
    const pos = new Map([
      ["churn_model", { x: 100, y: 100 }],
      ["churn_tuned", { x: 400, y: 100 }],
    ]);
    const clip = copySteps(churn.ir, ["churn_model", "churn_tuned"], pos)!;
    const r = pasteSteps(churn.ir, clip, { x: 40, y: 60 });
    const { text, after } = edited(churn, r);
    expect(text).toContain("train churn_model_copy(churn_split.train) {");
    expect(text).toContain("tune churn_tuned_copy(churn_model_copy) {");
    expect(text).toContain("churn_tuned_copy = { x: 440, y: 160 }");
    expect(errors(after)).toEqual([]);
    // Pasting again makes yet another name.
    if (!r.ok) throw new Error();
    const again = pasteSteps(r.ir, clip, { x: 80, y: 120 });
    expect(again.ok && again.select).toEqual(["churn_model_copy_2", "churn_tuned_copy_2"]);
  });

  it("makes names unique against steps, schemas and imports", () => {
    expect(uniqueName(churn.ir, "customers")).toBe("customers_2");
    expect(uniqueName(churn.ir, "Customer")).toBe("Customer_2");
    expect(uniqueName(churn.ir, "train")).toBe("train_2");
    expect(uniqueName(churn.ir, "pipeline")).toBe("step");
  });

  it("leaves steps of imported files alone", () => {
    const imp = sample("imports.mlp");
    expect(deleteSteps(imp.ir, ["customer_features"])).toMatchObject({ ok: false });
    expect(connectionProblem(imp.ir, { node: "retention_model", port: "out" }, { node: "customer_features", port: "data" })).toMatch(/defined in lib\/customer.mlp/);
    const { text, after } = edited(imp, { ok: true, ir: moveNodes(imp.ir, new Map([["customer_features", { x: 5, y: 5 }]])) });
    expect(text).toContain('import { customer_features } from "./lib/customer.mlp"');
    expect(text).toContain("customer_features = { x: 5, y: 5 }");
    expect(errors(after)).toEqual([]);
  });
});
