// Issue 11, Spark types: every column a Spark job stores has, in Spark's own typing of the
// generated SQL (test/targets/spark-types.ts), exactly the type the schema declares, over
// every conformance file, target fixture and sample.
import { describe, expect, it } from "vitest";
import { SPARK } from "../../targets/sql/dialect";
import { onpremSpark, sparkJobs } from "../../targets/spark/index";
import { cases, compileIr } from "./helpers";
import { exprType, storedTypes, wider } from "./spark-types";

describe("the Spark type model", () => {
  it("types literals as Spark does: INT, DECIMAL(p,s), DOUBLE", () => {
    expect(["1", "3000000000", "1.0", "0.5", "0.05", "123.45", "1e-5"].map((x) => exprType(x))).toEqual(["INT", "BIGINT", "DECIMAL(2,1)", "DECIMAL(1,1)", "DECIMAL(2,2)", "DECIMAL(5,2)", "DOUBLE"]);
  });

  it("widens CASE branches and averages a DECIMAL to a DECIMAL", () => {
    expect(exprType("CASE WHEN `b` THEN 1.0 ELSE 0.0 END", { b: "BOOLEAN" })).toBe("DECIMAL(2,1)");
    expect(exprType("AVG(CASE WHEN `b` THEN 1.0 ELSE 0.0 END)", { b: "BOOLEAN" })).toBe("DECIMAL(6,5)");
    expect(exprType("AVG(CAST(`n` AS DOUBLE))", { n: "BIGINT" })).toBe("DOUBLE");
    expect(exprType("CASE WHEN `b` THEN `x` ELSE 0.5 END", { b: "BOOLEAN", x: "DOUBLE" })).toBe("DOUBLE");
    expect(wider("INT", "DECIMAL(2,1)")).toBe("DECIMAL(11,1)");
  });

  it("types arithmetic, aggregates and functions", () => {
    const cols = { n: "BIGINT", x: "DOUBLE", t: "TIMESTAMP" };
    expect(exprType("`n` * 2 + 1", cols)).toBe("BIGINT");
    expect(exprType("1 + 2", cols)).toBe("INT");
    expect(exprType("`x` * 0.5", cols)).toBe("DOUBLE");
    expect(exprType("`n` * 0.5", cols)).toBe("DECIMAL(22,1)");
    expect(exprType("SUM(`n`)", cols)).toBe("BIGINT");
    expect(exprType("SUM(1.5)", cols)).toBe("DECIMAL(12,1)");
    expect(exprType("COUNT(*)", cols)).toBe("BIGINT");
    expect(exprType("CAST(`x` AS DOUBLE) / `n`", cols)).toBe("DOUBLE");
    expect(exprType("`t` - INTERVAL '30' DAY", cols)).toBe("TIMESTAMP");
    expect(exprType("HOUR(`t`)", cols)).toBe("INT");
    expect(() => exprType("MYSTERY(`n`)", cols)).toThrow(/does not know the function MYSTERY/);
  });
});

describe("spark: every stored expression is cast to its declared type", () => {
  for (const c of cases()) {
    const { ir, errors } = compileIr(c.path);
    it.skipIf(errors.length > 0)(c.id, () => {
      for (const job of sparkJobs(ir, onpremSpark(ir))) {
        const ports = new Map(job.node.ports.outputs.map((p) => [p.port, p.artifact.columns ?? []]));
        // The SQL escapes a path as any literal, except the run id spark-sql substitutes.
        const inSql = (path: string) => SPARK.literal(path).slice(1, -1).replace("\\u0024{env:MLP_RUN_ID}", "${env:MLP_RUN_ID}");
        const byPath = new Map(Object.entries(job.outputs).map(([port, loc]) => [inSql(loc.path), port]));
        const stored = storedTypes(job.sql);
        expect(stored.length, job.node.id).toBeGreaterThan(0);
        for (const s of stored) {
          // A directory is one output port; an INSERT INTO is the online copy of `out`.
          const port = byPath.get(s.target) ?? "out";
          const declared = ports.get(port)!.map((col) => [col.name, SPARK.type(col.type)]);
          expect(s.columns, `${job.node.id}.sql -> ${s.target}`).toEqual(declared);
        }
      }
    });
  }
});
