// Proof on real grammars: every statement the Spark target writes parses with the Spark
// SQL grammar of dt-sql-parser, every statement of the Flink target with its Flink SQL
// grammar, for every conformance valid file, target fixture and sample.
import { describe, expect, it } from "vitest";
import { cases, compileIr, emitAll } from "./helpers";
import { flinkErrors, flinkForGrammar, flinkParser, sparkErrors } from "./sql-grammar";

describe.each(cases())("$id", (c) => {
  const { ir, errors } = compileIr(c.path);
  const out = errors.length ? undefined : emitAll(ir);

  it.skipIf(!out)("every Spark statement parses with the Spark SQL grammar", { timeout: 300_000 }, () => {
    for (const f of out!.spark.filter((f) => f.path.endsWith(".sql"))) expect(sparkErrors(f.contents), `spark/${f.path}`).toEqual([]);
  });

  it.skipIf(!out)("every Flink statement parses with the Flink SQL grammar", { timeout: 300_000 }, () => {
    for (const f of out!.flink.filter((f) => f.path.endsWith(".sql"))) expect(flinkErrors(f.contents), `flink/${f.path}`).toEqual([]);
  });
});

describe("the grammar check itself", () => {
  it("rejects broken SQL in both dialects", () => {
    expect(sparkErrors("SELECT FROM WHERE;")).not.toEqual([]);
    expect(flinkErrors("CREATE TABLE (;")).not.toEqual([]);
    expect(sparkErrors("SELECT 'unterminated;")).not.toEqual([]);
  });

  it("only aliases the two listed Flink functions", () => {
    expect(flinkErrors("SELECT CHAR_LENGTH(`s`), SQRT(`x`) FROM `t`;")).toEqual([]);
    expect(flinkParser.validate("SELECT CHAR_LENGTH(`s`) FROM `t`;").length).toBeGreaterThan(0);
    expect(flinkForGrammar("SELECT SQRT(x), MYSQRT(x)")).toBe("SELECT ABS(x), MYSQRT(x)");
  });
});
