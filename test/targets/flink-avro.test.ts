// Issue 11: "Managed Flink reading `avro` needs the Avro format in its bundle (and say whether it
// is Confluent-registry Avro)" — and the on-premise Flink jobs read the same source the same way.
import { describe, expect, it } from "vitest";
import { compileIr, emit } from "./helpers";
import { flinkErrors } from "./sql-grammar";

describe("flink: an avro source with a schema_registry is read as Confluent-registry Avro on premise too", () => {
  const { ir } = compileIr("test/fixtures/aws/avro_registry.mlp");

  it("names avro-confluent and the registry on the Kafka table, and the SQL parses", () => {
    const sql = emit("flink", ir).find((f) => f.path === "click_features.sql")!.contents;
    expect(sql).toContain("'format' = 'avro-confluent'");
    expect(sql).toContain("'avro-confluent.url' = 'https://registry.example.com:8081'");
    expect(sql).not.toContain("'format' = 'avro'");
    expect(flinkErrors(sql)).toEqual([]);
  });

  it("reads plain Avro records without a registry", () => {
    const plain = structuredClone(ir);
    const clicks = plain.nodes.find((n) => n.id === "clicks")!;
    delete (clicks.config as { schema_registry?: string }).schema_registry;
    const sql = emit("flink", plain).find((f) => f.path === "click_features.sql")!.contents;
    expect(sql).toContain("'format' = 'avro'");
    expect(sql).not.toContain("'format' = 'avro-confluent'");
    expect(sql).not.toContain("avro-confluent.url");
  });
});
