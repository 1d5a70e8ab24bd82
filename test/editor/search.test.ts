// The step search's ranking and the Connect to… list, on the churn sample.
import { describe, expect, it } from "vitest";
import { connectTargets, outputsOf } from "../../editor/src/model/connectTargets";
import { searchSteps } from "../../editor/src/model/search";
import { sample } from "./helpers";

const churn = sample("churn.mlp");

describe("step search", () => {
  it("ranks a name over a kind over a column, exact over prefix over substring", () => {
    const found = searchSteps(churn.ir, "churn_model");
    expect(found[0]).toMatchObject({ name: "churn_model", why: "name" });
    expect(searchSteps(churn.ir, "CHURN_M").map((m) => m.name)).toEqual(["churn_model"]);
    // A kind: every step of it, by name.
    const kinds = searchSteps(churn.ir, "source");
    expect(kinds.map((m) => `${m.name} ${m.why}`)).toEqual(["customers kind", "orders kind"]);
    // A column: the steps producing it, the reason naming the column.
    const cols = searchSteps(churn.ir, "orders_30d");
    expect(cols.map((m) => m.name)).toContain("order_stats");
    expect(cols.every((m) => m.why === "column orders_30d")).toBe(true);
  });

  it("finds nothing for a blank query or an unknown word", () => {
    expect(searchSteps(churn.ir, "   ")).toEqual([]);
    expect(searchSteps(churn.ir, "no_such_thing")).toEqual([]);
  });
});

describe("Connect to… targets", () => {
  it("lists allowed inputs first, refused ones with the drag's reason, occupied ones with what they read", () => {
    const targets = connectTargets(churn.ir, { node: "customers", port: "out" });
    const firstRefused = targets.findIndex((t) => t.problem);
    expect(firstRefused).toBeGreaterThan(0);
    expect(targets.slice(firstRefused).every((t) => t.problem)).toBe(true);
    const tuned = targets.find((t) => t.name === "churn_tuned" && t.port === "model");
    expect(tuned?.problem).toBe("tune `churn_tuned` takes Model on `model`, but `customers` produces Table<Customer>");
    const stats = targets.find((t) => t.name === "order_stats" && t.port === "data");
    expect(stats).toMatchObject({ replaces: ["orders"] });
    expect(stats?.problem).toBeUndefined();
    expect(targets.some((t) => t.name === "customers")).toBe(false);
  });

  it("knows a split's two outputs", () => {
    expect(outputsOf(churn.ir, "churn_split")).toEqual(["train", "test"]);
  });
});
