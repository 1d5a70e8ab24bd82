// The SQL layer's parameters: the warehouse and online store of the Spark jobs, the stream
// connector and the scoring of the Flink jobs. The on-premise targets are one choice of them
// (their goldens are golden.test.ts's); AWS is another, and must not name Kafka or Cassandra.
import { describe, expect, it } from "vitest";
import { flinkJobs as awsFlinkJobs, sparkSql, WAREHOUSE } from "../../targets/aws/sql";
import { flinkJobs, onpremFlink, type StreamConnector, type StreamTable } from "../../targets/flink/index";
import { onpremSpark, sparkJobs } from "../../targets/spark/index";
import { compileIr, emit } from "./helpers";
import { flinkErrors, sparkErrors } from "./sql-grammar";

const fraud = compileIr("../shared/conformance/valid/fraud.mlp").ir;
const scored = compileIr("test/fixtures/targets/scored.mlp").ir;

/** A connector that records the tables it is asked about. */
function recording(): { connector: StreamConnector; sources: StreamTable[]; sinks: StreamTable[] } {
  const sources: StreamTable[] = [];
  const sinks: StreamTable[] = [];
  const connector: StreamConnector = {
    source: (t) => (sources.push(t), { options: [["connector", "test-source"]] }),
    sink: (t) => (sinks.push(t), { options: [["connector", "test-sink"]] }),
  };
  return { connector, sources, sinks };
}

describe("spark jobs", () => {
  it("are the spark target's files with the on-premise parameters", () => {
    const files = new Map(emit("spark", fraud).map((f) => [f.path, f.contents]));
    for (const j of sparkJobs(fraud, onpremSpark(fraud))) expect(j.sql).toBe(files.get(`${j.node.id}.sql`));
  });

  it("write under the warehouse given, and leave online feature sets to the platform with onlineStore none", () => {
    const onprem = sparkJobs(fraud, onpremSpark(fraud));
    expect(onprem.some((j) => j.sql.includes("org.apache.spark.sql.cassandra"))).toBe(true);
    const jobs = sparkJobs(fraud, { warehouse: "s3://bucket/wh", onlineStore: "none" });
    expect(jobs.map((j) => j.node.id)).toEqual(onprem.map((j) => j.node.id));
    for (const j of jobs) {
      expect(j.sql).not.toContain("cassandra");
      expect(j.sql).not.toContain(fraud.settings.onprem.warehouse);
      for (const o of Object.values(j.outputs)) expect(o.path).toMatch(/^s3:\/\/bucket\/wh\//);
      for (const m of j.sql.matchAll(/INSERT OVERWRITE DIRECTORY '([^']*)'/g)) expect(m[1]).toMatch(/^s3:\/\/bucket\/wh\//);
      expect(sparkErrors(j.sql), j.node.id).toEqual([]);
    }
    expect([...sparkSql(fraud).values()].every((sql) => sql.includes(`'${WAREHOUSE}/`))).toBe(true);
  });
});

describe("flink jobs", () => {
  it("are the flink target's files with the on-premise parameters", () => {
    const files = new Map(emit("flink", scored).map((f) => [f.path, f.contents]));
    for (const j of flinkJobs(scored, onpremFlink(scored))) expect(j.sql).toBe(files.get(`${j.node.id}.sql`));
  });

  it("score a stream deployment in its own job with the UDF", () => {
    const r = recording();
    const jobs = flinkJobs(scored, { connector: r.connector, scoring: "udf" });
    expect(jobs.map((j) => [j.node.id, j.sink])).toEqual([
      ["conversion_live", "deploy"],
      ["likely_conversions", "publish"],
    ]);
    expect(jobs[0]!.sql).toContain("mlp_predict(");
    // Downstream, the scored topic is read.
    expect(jobs[1]!.reads).toEqual(["conversion_live"]);
    expect(r.sources.find((t) => t.job.id === "likely_conversions")).toMatchObject({ name: "conversion_live", topic: "conversion-scores", format: "json", keys: [] });
  });

  it("publish a stream deployment's input and read its scores as a source when scoring is external", () => {
    const r = recording();
    const jobs = flinkJobs(scored, { connector: r.connector, scoring: "external" });
    expect(jobs.map((j) => [j.node.id, j.sink])).toEqual([
      ["clicks_live_clean", "publish"],
      ["likely_conversions", "publish"],
    ]);
    for (const j of jobs) expect(j.sql).not.toContain("mlp_predict");
    expect(jobs.map((j) => j.reads)).toEqual([["clicks_live"], ["conversion_live"]]);
    expect(r.sinks.map((t) => [t.step.id, t.topic])).toEqual([
      ["clicks_live_clean", "mlp-scored-clicks_live_clean"],
      ["likely_conversions", "mlp-scored-likely_conversions"],
    ]);
    for (const j of jobs) expect(j.sql).toMatch(/'connector' = 'test-sink'/);
  });

  it("run on Kinesis for AWS: append-only tables, keyed sinks partitioned by their keys, no Kafka", () => {
    const jobs = awsFlinkJobs(fraud);
    expect(jobs.map((j) => j.id)).toEqual(["txn_features", "merchant_features"]);
    for (const j of jobs) {
      expect(j.sql).not.toMatch(/kafka|bootstrap|PRIMARY KEY|group\.id/);
      expect(j.sql).toContain(`'stream.arn' = '{{stream.${j.id}}}'`);
      for (const t of j.reads) expect(j.sql).toContain(`'stream.arn' = '{{stream.${t}}}'`);
      expect(j.keys.length).toBeGreaterThan(0);
      expect(j.sql).toContain(`) PARTITIONED BY (${j.keys.map((k) => `\`${k}\``).join(", ")}) WITH (`);
      expect(flinkErrors(j.sql), j.id).toEqual([]);
    }
    // Scored outside Flink: the deploy's input is published (txn_features already is), and no job scores.
    expect(jobs.some((j) => j.sql.includes("mlp_predict"))).toBe(false);
  });
});
