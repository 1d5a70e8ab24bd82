// Issue 11, Spark: what a first production run of the generated Spark jobs ran into. Each
// test is named after the bullet; the Spark statements also parse with the real grammar.
import { describe, expect, it } from "vitest";
import { lower } from "../../compiler/lower";
import type { IrDocument } from "../../compiler/ir";
import { checkProgram } from "../../language/checker/program";
import { emitSpark } from "../../targets/spark/index";
import { loader } from "./helpers";
import { sparkErrors } from "./sql-grammar";

function irOf(text: string): IrDocument {
  const program = checkProgram("inline.mlp", loader, text);
  const errors = program.diagnostics.filter((d) => d.severity === "error");
  expect(errors.map((e) => `${e.code} ${e.message}`)).toEqual([]);
  return lower(program);
}

const sparkFile = (ir: IrDocument, path: string) => {
  const f = emitSpark({ ir, variants: [] }).find((g) => g.path === path);
  expect(f, path).toBeDefined();
  expect(sparkErrors(f!.contents)).toEqual([]);
  return f!.contents;
};

const CSV_PIPELINE = `
pipeline shop {}

schema Sale {
  store:  string
  units:  int
  price:  float?
  kind:   enum(a, b)
  at:     timestamp
  emb:    vector(2)
}

source sales: Table<Sale> {
  uri    = "s3://lake/sales/"
  format = csv
}
`;

describe("spark: CSV sources are read by header name and fail on a missing column", () => {
  const sql = sparkFile(irOf(CSV_PIPELINE), "sales.sql");
  const raw = /CREATE OR REPLACE TEMPORARY VIEW `sales__raw`(.*?);/s.exec(sql)?.[1] ?? "";
  const projection = /CREATE OR REPLACE TEMPORARY VIEW `sales` AS\n(.*?);/s.exec(sql)?.[1] ?? "";

  it("reads the file under its own header, every column as text, with no positional schema", () => {
    // A column list here is what Spark maps to the file by position.
    expect(raw).toBe(" USING csv OPTIONS ('path' = 's3://lake/sales/', 'header' = 'true', 'inferSchema' = 'false')");
  });

  it("selects each declared column by its name from the raw file and casts it to its type", () => {
    const items = projection.split("\n").filter((l) => l.startsWith("  "));
    expect(items).toEqual([
      "  COALESCE(`store`, RAISE_ERROR('sales: store is null, but Sale declares it non-null')) AS `store`,",
      "  COALESCE(CAST(`units` AS BIGINT), RAISE_ERROR('sales: units is null, but Sale declares it non-null')) AS `units`,",
      "  CAST(`price` AS DOUBLE) AS `price`,",
      "  CASE WHEN `kind` IN ('a', 'b') THEN `kind` ELSE RAISE_ERROR('sales: kind is null or not one of a, b, as Sale declares') END AS `kind`,",
      "  COALESCE(CAST(`at` AS TIMESTAMP), RAISE_ERROR('sales: at is null, but Sale declares it non-null')) AS `at`,",
      "  COALESCE(FROM_JSON(`emb`, 'ARRAY<DOUBLE>'), RAISE_ERROR('sales: emb is null, but Sale declares it non-null')) AS `emb`",
    ]);
    expect(projection).toMatch(/\nFROM `sales__raw`$/);
  });
});
