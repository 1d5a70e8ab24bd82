// The run's database (compiler/run/session.ts): every data step in a schema of its own, an
// output kept in memory exactly as long as a step of the run still has to read it.
import { describe, expect, it } from "vitest";
import { DataSession } from "../../compiler/run/session";

const CLOCK = new Date("2026-11-30T00:00:00Z");

/** The schemas of the run's database that still exist (a step's tables go with its schema). */
async function schemas(s: DataSession): Promise<string[]> {
  const sql = "SELECT schema_name AS s FROM information_schema.schemata WHERE schema_name LIKE '__mlp_step_%' AND schema_name <> current_schema() ORDER BY 1";
  const { result } = await s.run("probe", async (e) => e.rows(sql));
  return result.map((r) => String(r.s));
}

describe("the run's database", () => {
  it("gives each step its own names: two steps declaring the same view do not meet", async () => {
    const s = new DataSession(CLOCK, []);
    const a = s.run("a", async (e) => {
      await e.view("v", "SELECT 1 AS x");
      return e.rows("SELECT x FROM v");
    });
    const b = s.run("b", async (e) => {
      await e.view("v", "SELECT 2 AS x");
      return e.rows("SELECT x FROM v");
    });
    expect((await a).result).toEqual([{ x: 1 }]);
    expect((await b).result).toEqual([{ x: 2 }]);
    await s.close();
  });

  it("keeps an output while a step still reads it, and frees it after the last one", async () => {
    const s = new DataSession(CLOCK, [
      { id: "b", inputs: [{ step: "a", fromPort: "out" }] },
      { id: "c", inputs: [{ step: "a", fromPort: "out" }] },
    ]);
    expect(s.wanted("a", "out")).toBe(true);
    expect(s.wanted("b", "out")).toBe(false);
    await s.run("a", async (e, keep) => {
      await e.exec("CREATE TABLE t AS SELECT range AS n FROM range(3)");
      keep("out", "t");
    });
    const held = s.relation("a", "out")!;
    expect(held).toMatch(/^"__mlp_step_\d+"\."t"$/);
    const sum = async (step: string) => (await s.run(step, async (e) => Number((await e.rows(`SELECT sum(n) AS s FROM ${held}`))[0]!.s))).result;
    expect(await sum("b")).toBe(3);
    await s.ended("b");
    expect(s.relation("a", "out")).toBe(held);
    expect(await sum("c")).toBe(3);
    await s.ended("c");
    expect(s.relation("a", "out")).toBeUndefined();
    expect(await schemas(s)).toEqual([]);
    await s.close();
  });

  it("holds what a kept view reads until the view's readers have ended", async () => {
    const s = new DataSession(CLOCK, [
      { id: "clean", inputs: [{ step: "src", fromPort: "out" }] },
      { id: "agg", inputs: [{ step: "clean", fromPort: "out" }] },
    ]);
    await s.run("src", async (e, keep) => {
      await e.exec("CREATE TABLE t AS SELECT range AS n FROM range(10)");
      keep("out", "t");
    });
    await s.run("clean", async (e, keep) => {
      await e.view("src", `SELECT * FROM ${s.relation("src", "out")}`);
      await e.view("v", "SELECT n FROM src WHERE n % 2 = 0");
      keep("out", "v", true);
    });
    await s.ended("clean");
    // `clean` has ended, but its view still reads `src`: both stay.
    expect(s.relation("src", "out")).toBeDefined();
    const { result } = await s.run("agg", async (e) => e.rows(`SELECT count(*) AS n FROM ${s.relation("clean", "out")}`));
    expect(Number(result[0]!.n)).toBe(5);
    await s.ended("agg");
    expect(s.relation("clean", "out")).toBeUndefined();
    expect(s.relation("src", "out")).toBeUndefined();
    expect(await schemas(s)).toEqual([]);
    await s.close();
  });

  it("keeps nothing of a step that fails, and writes after the step while its readers run", async () => {
    const s = new DataSession(CLOCK, [{ id: "b", inputs: [{ step: "a", fromPort: "out" }] }]);
    await expect(
      s.run("a", async (e, keep) => {
        await e.exec("CREATE TABLE t AS SELECT 1 AS n");
        keep("out", "t");
        await e.exec("SELECT * FROM no_such_table");
      }),
    ).rejects.toThrow(/no_such_table/);
    expect(s.relation("a", "out")).toBeUndefined();
    expect(await schemas(s)).toEqual([]);

    let wrote = false;
    const { written } = await s.run("a", async (e, keep, later) => {
      await e.exec("CREATE TABLE t AS SELECT 1 AS n");
      keep("out", "t");
      later(async () => {
        wrote = true;
      });
    });
    expect(written).toBeDefined();
    await written;
    expect(wrote).toBe(true);
    // Written, but `b` has still to read it.
    expect(s.relation("a", "out")).toBeDefined();
    await s.ended("b");
    expect(await schemas(s)).toEqual([]);
    await s.close();
  });
});
