// Inspector forms generated from the catalog's zod schemas, and the values they write.
import { describe, expect, it } from "vitest";
import { STEP_KINDS, aggregate, deploy, join, source, split, train } from "../../language/catalog";
import { pipelineSettings } from "../../language/catalog/settings";
import { displayValue, exprText, fieldsOf, parseExpr, toExpr, type Field } from "../../editor/src/model/form";
import { operationsText, parseOperations } from "../../editor/src/model/operations";
import { POINT_IN_TIME, errors, sample } from "./helpers";

const byKey = (fs: Field[], k: string) => fs.find((f) => f.key === k)!;

describe("form generation", () => {
  it("turns enums into selects, with required marks and defaults", () => {
    const f = fieldsOf(train.config);
    expect(byKey(f, "framework")).toMatchObject({ control: "select", options: ["pytorch", "tensorflow", "xgboost", "sklearn"], required: true });
    expect(byKey(f, "distributed")).toMatchObject({ control: "select", default: "none", required: false });
    expect(byKey(f, "label")).toMatchObject({ control: "text", format: "name", required: true });
    expect(byKey(f, "entry")).toMatchObject({ control: "text", format: "string" });
  });

  it("turns bounded numbers into number fields and plain objects into groups", () => {
    const res = byKey(fieldsOf(train.config), "resources");
    expect(res.control).toBe("group");
    expect(byKey(res.children!, "gpus")).toMatchObject({ control: "number", integer: true, min: 0, path: ["resources", "gpus"] });
    expect(byKey(res.children!, "gpus").max).toBeUndefined();
    expect(byKey(res.children!, "memory")).toMatchObject({ control: "text", format: "size" });
    expect(byKey(res.children!, "timeout")).toMatchObject({ control: "text", format: "duration" });
    expect(byKey(fieldsOf(split.config), "train")).toMatchObject({ control: "number", min: 0, max: 1, exclusive: { min: true, max: true } });
  });

  it("uses an expression field where only the language can say it (unions, maps)", () => {
    expect(byKey(fieldsOf(train.config), "hyperparams").control).toBe("expr");
    expect(byKey(fieldsOf(deploy.config), "instances").control).toBe("expr");
    expect(byKey(fieldsOf(deploy.config), "schedule")).toMatchObject({ control: "text", format: "cron" });
    expect(byKey(fieldsOf(pipelineSettings), "schedule")).toMatchObject({ control: "text", format: "cron" });
  });

  it("has a form for every kind in the catalog", () => {
    for (const k of STEP_KINDS) expect(() => fieldsOf(k.config)).not.toThrow();
    expect(fieldsOf(source.config).map((f) => f.key)).toEqual(["uri", "format", "topic", "event_time", "lateness", "schema_registry", "resources"]);
  });

  it("groups a data step's resources without gpus (data jobs run on CPUs)", () => {
    const res = byKey(fieldsOf(source.config), "resources");
    expect(res.control).toBe("group");
    expect(res.children!.map((f) => [f.key, f.control, f.format])).toEqual([
      ["cpus", "number", undefined],
      ["memory", "text", "size"],
      ["nodes", "number", undefined],
      ["timeout", "text", "duration"],
    ]);
  });
});

describe("form values", () => {
  const f = fieldsOf(train.config);
  const res = byKey(f, "resources").children!;

  it("writes the expression the language would", () => {
    expect(toExpr(byKey(f, "framework"), "xgboost")).toEqual({ ok: true, value: { kind: "ref", name: "xgboost" } });
    expect(toExpr(byKey(f, "entry"), "train.py")).toEqual({ ok: true, value: { kind: "string", value: "train.py" } });
    expect(toExpr(byKey(res, "memory"), "64GiB")).toEqual({ ok: true, value: { kind: "size", raw: "64GiB" } });
    expect(toExpr(byKey(res, "gpus"), "4")).toEqual({ ok: true, value: { kind: "number", value: 4, raw: "4" } });
    expect(toExpr(byKey(fieldsOf(deploy.config), "schedule"), "0 5 * * *")).toEqual({ ok: true, value: { kind: "call", callee: "cron", args: [{ value: { kind: "string", value: "0 5 * * *" } }] } });
    const hp = toExpr(byKey(f, "hyperparams"), "{ lr: 0.01, layers: [2, 3] }");
    expect(hp.ok && hp.value && exprText(hp.value)).toBe("{ lr: 0.01, layers: [2, 3] }");
    expect(toExpr(byKey(f, "entry"), "  ")).toEqual({ ok: true, value: undefined });
  });

  it("refuses what it can tell is wrong before the checker runs", () => {
    expect(toExpr(byKey(res, "gpus"), "-1")).toEqual({ ok: false, error: "expected at least 0" });
    expect(toExpr(byKey(res, "gpus"), "1.5")).toEqual({ ok: false, error: "expected a whole number" });
    expect(toExpr(byKey(res, "memory"), "64GB")).toMatchObject({ ok: false });
    expect(toExpr(byKey(fieldsOf(split.config), "train"), "1")).toEqual({ ok: false, error: "expected less than 1" });
    expect(toExpr(byKey(f, "label"), "not a name")).toMatchObject({ ok: false });
    expect(toExpr(byKey(f, "hyperparams"), "{ lr: }")).toMatchObject({ ok: false });
    expect(toExpr(byKey(f, "framework"), "jax")).toMatchObject({ ok: false });
  });

  it("shows what the text says", () => {
    const churn = sample("churn.mlp");
    const model = churn.ir.nodes.find((n) => n.id === "churn_model")!;
    const attr = (k: string) => model.body.find((s) => s.kind === "attr" && s.name === k) as { value: never } | undefined;
    expect(displayValue(byKey(f, "framework"), attr("framework")?.value)).toBe("pytorch");
    expect(displayValue(byKey(f, "label"), attr("label")?.value)).toBe("churned");
    expect(displayValue(byKey(f, "hyperparams"), attr("hyperparams")?.value)).toBe("{ epochs: 20, lr: 0.001, layers: 3, dropout: 0.1 }");
    expect(displayValue(byKey(f, "task"), undefined)).toBeUndefined();
    expect(parseExpr("2..8")).toEqual({ ok: true, value: { kind: "range", lo: { kind: "number", value: 2, raw: "2" }, hi: { kind: "number", value: 8, raw: "8" } } });
  });
});

describe("point-in-time settings", () => {
  const a = sample("pit.mlp", { "pit.mlp": POINT_IN_TIME });
  const attr = (node: string, k: string) => (a.ir.nodes.find((n) => n.id === node)!.body.find((s) => s.kind === "attr" && s.name === k) as { value: never } | undefined)!.value;
  const asof = byKey(fieldsOf(join.config), "asof");

  it("has fields for every, asof and within", () => {
    expect(errors(a)).toEqual([]);
    expect(byKey(fieldsOf(aggregate.config), "every")).toMatchObject({ control: "text", format: "duration", required: false });
    expect(byKey(fieldsOf(join.config), "within")).toMatchObject({ control: "text", format: "duration", required: false });
    // A comparison as written, not a group of three fields.
    expect(asof).toMatchObject({ control: "text", format: "comparison", required: false });
    expect(asof.options).toContain(">=");
    expect(asof.children).toBeUndefined();
  });

  it("shows and writes them as the text says", () => {
    expect(displayValue(asof, attr("rows", "asof"))).toBe("week_start >= window_end");
    expect(displayValue(byKey(fieldsOf(join.config), "within"), attr("rows", "within"))).toBe("35d");
    expect(displayValue(byKey(fieldsOf(aggregate.config), "every"), attr("sales_28d", "every"))).toBe("7d");
    expect(toExpr(asof, " week_start >=  window_start ")).toEqual({ ok: true, value: { kind: "binary", op: ">=", left: { kind: "ref", name: "week_start" }, right: { kind: "ref", name: "window_start" } } });
    expect(toExpr(asof, "")).toEqual({ ok: true, value: undefined });
    // The wrong direction is the checker's to explain (MLP0318), not the form's to refuse.
    expect(toExpr(asof, "week_start <= window_end")).toMatchObject({ ok: true });
  });

  it("refuses what is not two columns compared", () => {
    expect(toExpr(asof, "week_start")).toEqual({ ok: false, error: "expected two columns compared, e.g. left_col >= right_col" });
    expect(toExpr(asof, "week_start >= 3")).toMatchObject({ ok: false });
    expect(toExpr(asof, "a >= b and c >= d")).toMatchObject({ ok: false });
    expect(toExpr(asof, "week_start + window_end")).toEqual({ ok: false, error: "expected one of == != < <= > >= between the columns" });
    expect(toExpr(asof, "week_start >=")).toMatchObject({ ok: false });
  });
});

describe("operations as text", () => {
  const churn = sample("churn.mlp");
  it("prints a step's operations without its settings", () => {
    expect(operationsText(churn.ir.nodes.find((n) => n.id === "customers_clean")!)).toBe("filter monthly_spend >= 0.0\nfill   age = 0\ndedupe by customer_id keep latest signup_at");
    expect(operationsText(churn.ir.nodes.find((n) => n.id === "order_stats")!)).toBe("by customer_id\norders_30d: int   = count()\nspend_30d:  float = sum(amount)");
    expect(operationsText(churn.ir.nodes.find((n) => n.id === "churn_tuned")!)).toContain("search {\n  lr      = loguniform(1e-5, 1e-2)");
  });

  it("parses edited operations with the language parser, reporting lines", () => {
    const ok = parseOperations("cleanse", "// keep paying customers\nfilter plan != \"free\"\ndrop age");
    expect(ok.ok && ok.stmts.map((s) => s.kind)).toEqual(["filter", "drop"]);
    expect(ok.ok && ok.stmts[0]!.leading).toEqual([" keep paying customers"]);
    const bad = parseOperations("cleanse", "filter >= 1\ndrop age");
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.problems[0]!.line).toBe(1);
    const attr = parseOperations("aggregate", "window = 7d");
    expect(!attr.ok && attr.problems[0]!.message).toMatch(/set it in the form/);
  });
});
