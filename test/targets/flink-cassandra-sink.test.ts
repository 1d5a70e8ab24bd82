// Issue 11, Flink: "Kafka Connect Cassandra sink: map the primary key from the record key so
// tombstones delete." Checked end to end on what is generated: the Flink job that writes the
// topic (an upsert-kafka sink keyed by the feature keys), the connector's mapping, and the
// Cassandra table's primary key, for every streaming online feature set.
import { describe, expect, it } from "vitest";
import { IrGraph, storeOf } from "../../compiler/query";
import { cases, compileIr, emit } from "./helpers";

/** java.util.Properties lines (the generator escapes only what these values hold). */
const properties = (text: string) =>
  Object.fromEntries(
    text
      .split("\n")
      .filter((l) => l && !l.startsWith("#"))
      .map((l) => {
        const at = l.search(/(?<!\\)=/);
        return [l.slice(0, at).replace(/\\(.)/g, "$1"), l.slice(at + 1).replace(/\\(.)/g, "$1")];
      }),
  ) as Record<string, string>;

/** `"col"=key.field, ...` as [column, side, field]. */
const mappingOf = (m: string) => m.split(", ").map((e) => /^"((?:[^"]|"")*)"=(key|value)\.(.*)$/.exec(e)!.slice(1).map((x) => x.replaceAll('""', '"')) as [string, "key" | "value", string]);

/**
 * What the DataStax connector does with one Kafka record under a mapping (its documented
 * semantics): the primary key's columns must all be mapped and present; with a null value (a
 * tombstone) and deletesEnabled, the row with that primary key is deleted.
 */
function apply(mapping: [string, "key" | "value", string][], primaryKey: string[], deletes: boolean, key: Record<string, unknown>, value: Record<string, unknown> | null) {
  const record = { key, value };
  const pk = Object.fromEntries(primaryKey.map((c) => [c, ((m) => (m ? record[m[1]]?.[m[2]] : undefined))(mapping.find((x) => x[0] === c))]));
  if (Object.values(pk).some((v) => v === undefined || v === null)) return { error: "primary key column missing from the record" };
  if (value === null) return deletes ? { delete: pk } : { error: "tombstone ignored" };
  return { upsert: Object.fromEntries(mapping.map(([c, side, f]) => [c, record[side]?.[f]])) };
}

const online = cases().flatMap((c) => {
  const { ir, errors } = compileIr(c.path);
  if (errors.length) return [];
  const g = new IrGraph(ir);
  return g.ofKind("features").filter((n) => storeOf(n)?.kind === "online" && g.output(n).streaming).map((n) => ({ c, ir, g, n }));
});

describe("flink: kafka connect cassandra sink maps the primary key from the record key so tombstones delete", () => {
  it("finds streaming online feature sets", () => {
    expect(online.length).toBeGreaterThanOrEqual(4);
  });

  for (const { c, ir, g, n } of online) {
    it(`${c.id}: ${n.id}: Flink keys the records by the feature keys, the connector reads them from the record key and deletes on a tombstone`, () => {
      const files = emit("flink", ir);
      const sql = files.find((f) => f.path === `${n.id}.sql`)!.contents;
      const props = properties(files.find((f) => f.path === `${n.id}.cassandra-sink.properties`)!.contents);
      const keys = g.output(n).keys!;
      const columns = g.output(n).columns!.map((x) => x.name);
      expect(keys.length).toBeGreaterThan(0);

      // The Flink sink: upsert-kafka keyed by exactly the feature keys, the key serialised as JSON.
      const sink = /CREATE TEMPORARY TABLE `[^`]*__sink` \(\n([\s\S]*?)\n\) WITH \(\n([\s\S]*?)\n\);/.exec(sql)!;
      expect(sink[1]).toContain(`PRIMARY KEY (${keys.map((k) => `\`${k}\``).join(", ")}) NOT ENFORCED`);
      expect(sink[2]).toContain("'connector' = 'upsert-kafka'");
      expect(sink[2]).toContain("'key.format' = 'json'");
      const topic = /'topic' = '([^']*)'/.exec(sink[2]!)![1]!;

      // The connector: that topic, into the feature table, keys from the record key.
      const cql = emit("cassandra", ir).find((f) => f.path === "schema.cql")!.contents;
      const keyspace = ir.settings.onprem.feature_store.cassandra.keyspace;
      expect(props.topics).toBe(topic);
      const prefix = `topic.${topic}.${keyspace}.${n.id}`;
      expect(props[`${prefix}.deletesEnabled`]).toBe("true");
      expect(props["key.converter"]).toBe("org.apache.kafka.connect.json.JsonConverter");
      const mapping = mappingOf(props[`${prefix}.mapping`]!);
      expect(mapping.map((m) => m[0])).toEqual(columns);
      for (const [col, side, field] of mapping) {
        expect(field).toBe(col);
        expect(side).toBe(keys.includes(col) ? "key" : "value");
      }
      const table = new RegExp(`CREATE TABLE IF NOT EXISTS "${keyspace}"\\."${n.id}" \\([\\s\\S]*?PRIMARY KEY \\(\\(([^)]*)\\)\\)`).exec(cql)!;
      const primaryKey = table[1]!.split(", ").map((k) => k.slice(1, -1));
      expect(primaryKey).toEqual(keys);

      // Records as upsert-kafka writes them: the key fields as the JSON key, the row as the value.
      const key = Object.fromEntries(keys.map((k) => [k, `k-${k}`]));
      const row = Object.fromEntries(columns.map((col) => [col, keys.includes(col) ? `k-${col}` : 1]));
      expect(apply(mapping, primaryKey, props[`${prefix}.deletesEnabled`] === "true", key, row)).toEqual({ upsert: row });
      expect(apply(mapping, primaryKey, props[`${prefix}.deletesEnabled`] === "true", key, null)).toEqual({ delete: key });
    });
  }

  it("the mapping the sink had before (every column from the value) could not delete: the check above would catch it", () => {
    const { n, g } = online[0]!;
    const keys = g.output(n).keys!;
    const old = g.output(n).columns!.map((c) => [c.name, "value", c.name] as [string, "key" | "value", string]);
    const key = Object.fromEntries(keys.map((k) => [k, "x"]));
    expect(apply(old, keys, true, key, null)).toEqual({ error: "primary key column missing from the record" });
  });
});
