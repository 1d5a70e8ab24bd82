// Planning without an engine: the pieces the program is made of (instance types, schedules,
// names, the SQL made to run on AWS, state-machine templates and their placeholders), and how
// variants become stacks.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { compilation } from "../../../compiler/compile";
import { checkProgram } from "../../../language/checker/program";
import { render, renderText, t, ph, type Asl } from "../../../targets/aws/asl";
import { awsCron, compute } from "../../../targets/aws/compute";
import { emitAws } from "../../../targets/aws/index";
import { glueCapacity } from "../../../targets/aws/glue";
import { plan } from "../../../targets/aws/plan";
import { camel, slug, tsString } from "../../../targets/aws/quote";
import { SqlCache } from "../../../targets/aws/sql";
import { stacksOf } from "../../../targets/aws/stacks";
import { loader } from "../helpers";
import { compilationOf, irOf, ROOT, stackNames } from "./harness";

describe("compute", () => {
  test.each([
    [undefined, "ml.m5.xlarge", 1],
    [{ cpus: 2, memory: "4GiB" }, "ml.m5.large", 1],
    [{ cpus: 16, memory: "32GiB" }, "ml.m5.4xlarge", 1],
    [{ cpus: 16, memory: "24GiB", timeout: "1h" }, "ml.m5.4xlarge", 1],
    [{ cpus: 32, memory: "128GiB" }, "ml.r5.8xlarge", 1],
    [{ gpus: 1 }, "ml.g5.xlarge", 1],
    [{ gpus: 1, cpus: 8, memory: "32GiB" }, "ml.g5.2xlarge", 1],
    [{ gpus: 4, nodes: 2, memory: "64GiB" }, "ml.g5.12xlarge", 2],
    [{ gpus: 8, cpus: 32, nodes: 4, memory: "256GiB" }, "ml.g5.48xlarge", 4],
    [{ gpus: 8, memory: "1TiB" }, "ml.p4d.24xlarge", 1],
  ] as const)("%j -> %s x %d", (r, type, count) => {
    const c = compute(r as never);
    expect(c.instanceType).toBe(type);
    expect(c.count).toBe(count);
  });

  test("the timeout is the job's maximum run time", () => {
    expect(compute({ timeout: "12h" }).maxRuntime).toBe(43_200);
    expect(compute(undefined).maxRuntime).toBe(86_400);
  });

  test("more than any instance offers is an error", () => {
    expect(() => compute({ gpus: 16 })).toThrow(/no SageMaker instance type/);
  });
});

describe("schedules", () => {
  test.each([
    ["0 3 * * *", "cron(0 3 * * ? *)"],
    ["30 1 * * SUN", "cron(30 1 ? * SUN *)"],
    ["0 22 * * 1-5", "cron(0 22 ? * MON-FRI *)"],
    ["0 6 * * 0", "cron(0 6 ? * SUN *)"],
    ["0 6 * * 7", "cron(0 6 ? * SUN *)"],
    ["0 6 * * 5-7", "cron(0 6 ? * SUN,FRI,SAT *)"],
    ["0 3 * * 0-7", "cron(0 3 * * ? *)"],
    ["0 */6 * * *", "cron(0 */6 * * ? *)"],
    ["15 0 1,15 * *", "cron(15 0 1,15 * ? *)"],
  ])("%s -> %s", (cron, aws) => expect(awsCron(cron)).toBe(aws));

  test("both day fields restricted cannot be written for EventBridge Scheduler", () => {
    expect(() => awsCron("0 0 1 * MON")).toThrow(/both the day of the month and the day of the week/);
  });
});

describe("names and quoting", () => {
  test("slugs and identifiers", () => {
    expect(slug("churn_model")).toBe("churn-model");
    expect(slug("Churn_Model")).toMatch(/^churn-model-[0-9a-f]{8}$/);
    expect(slug("a".repeat(60)).length).toBeLessThanOrEqual(40);
    expect(camel("churn_model", "job")).toBe("churnModelJob");
    expect(camel("default")).toBe("default_");
  });

  test("TypeScript strings hold printable ASCII only", () => {
    expect(tsString("a\"b\\c\n\u2028`${x}`")).toBe('"a\\"b\\\\c\\n\\u2028`${x}`"');
  });
});

describe("state-machine templates", () => {
  test("data cannot name a placeholder: ${ in data is written $${", () => {
    expect(render({ a: "${Bucket}", b: "$${x}", c: t`s3://${ph("Bucket")}/${"${y}"}` })).toEqual({ a: "$${Bucket}", b: "$$${x}", c: "s3://${Bucket}/$${y}" });
  });

  test("a `.$` field takes a path or an intrinsic, never data", () => {
    expect(() => render({ "x.$": ph("Bucket") })).toThrow(/must be a path/);
    expect(() => renderText({ a: [{ "x.$": t`${ph("Bucket")}` }] })).toThrow(/x\.\$ must be a path/);
    expect(() => renderText({ a: "$.a", b: { "y.$": ph("Bucket") } })).toThrow(/y\.\$ must be a path/);
    expect(() => renderText({ "a.$": "$.a", b: [{ "z.$": 3 }] })).toThrow(/z\.\$ must be a path/);
    expect(() => renderText({ "a.$": "$.a", b: [{ "w.$": [] }] })).toThrow(/w\.\$ must be a path/);
  });

  test("the template text is the rendered value's JSON, with or without data holding ${", () => {
    const proto: { [k: string]: Asl } = {};
    Object.defineProperty(proto, "__proto__", { value: "p", enumerable: true, writable: true, configurable: true });
    const plain: Asl = { Comment: "c", States: { A: { "Bucket.$": "$.b", Resource: t`arn:${ph("Partition")}:x`, Args: [ph("Role"), 1, null, true, proto] } } };
    const hostile: Asl = { ...(plain as object), Data: ["${x}", t`${"a${b"}/${ph("Bucket")}`, { "${k}": "$${y}" }] };
    for (const a of [plain, hostile]) {
      const { text, placeholders } = renderText(a);
      expect(text).toBe(JSON.stringify(render(a), null, 2));
      expect([...placeholders].sort()).toEqual(a === plain ? ["Partition", "Role"] : ["Bucket", "Partition", "Role"]);
    }
    expect(renderText(hostile).text).toContain('"$${x}"');
  });
});

describe("Avro streams on Managed Flink", () => {
  test("aws: Managed Flink reading avro needs the Avro format in its bundle (and say whether it is Confluent-registry Avro): a schema_registry on a json stream is refused", () => {
    const path = "test/fixtures/aws/avro_registry.mlp";
    const text = readFileSync(join(ROOT, path), "utf8").replace("format          = avro", "format          = json");
    const program = checkProgram(path, loader, text);
    expect(program.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(() => emitAws(compilation(program))).toThrow(/source `clicks` names a schema_registry, which only Avro streams use \(its format is json\)/);
    // The catalog takes only a URL: nothing that could break out of a Flink option value.
    const bad = checkProgram(path, loader, readFileSync(join(ROOT, path), "utf8").replace("https://registry.example.com:8081", "registry.example.com;DROP"));
    expect(bad.diagnostics.map((d) => `${d.code} ${d.message}`)).toEqual(["MLP0310 invalid `schema_registry`: expected an http:// or https:// URL"]);
  });
});

describe("serving", () => {
  test("aws: a tensorflow endpoint uses TF Serving, which ignores SAGEMAKER_PROGRAM and model_fn: it is served by the PyTorch inference container running mlp_endpoint.py", () => {
    // imports.mlp trains `model` with framework = tensorflow on a GPU and deploys it as an endpoint.
    const planned = plan(irOf("../shared/conformance/valid/imports.mlp"));
    const machine = planned.machines.find((m) => m.path.endsWith("training.asl.json"))!.definition as { States: Record<string, any> };
    const register = Object.values(machine.States).find((s) => /createModelPackage$/.test(s.Resource))!;
    const container = register.Parameters.InferenceSpecification.Containers[0];
    expect(container.Environment).toMatchObject({ SAGEMAKER_PROGRAM: "mlp_endpoint.py", SAGEMAKER_SUBMIT_DIRECTORY: "/opt/ml/model/code" });
    const image = /^\$\{Image(.+)\}$/.exec(container.Image)![1]!;
    const lookup = planned.program.lookups.find((l) => l.v.toLowerCase() === image.toLowerCase())!;
    expect(JSON.stringify(lookup.code)).toContain('repositoryName: \\"pytorch-inference\\", imageTag: \\"2.3.0-gpu-py311\\"');
    expect(planned.program.lookups.map((l) => JSON.stringify(l.code)).join("\n")).not.toContain("tensorflow-inference");
    // The training ships the handlers and asks for its TensorFlow in the serving container.
    expect(planned.program.assets.find((a) => a.path === "assets/training/mlp_endpoint.py")).toBeDefined();
    const train = Object.values(machine.States).find((s) => /createTrainingJob/.test(s.Resource))!;
    expect(train.Parameters.Environment.MLP_SERVING_REQUIREMENTS).toBe("tensorflow[and-cuda]==2.16.2");
  });
});

describe("the on-premise SQL, made to run on AWS", () => {
  test("Glue runs the spark target's SQL with the warehouse and the run filled in at run time, without Cassandra", () => {
    const sql = new SqlCache().sparkSql(irOf("../shared/conformance/valid/churn.mlp"));
    const features = sql.get("customer_features")!;
    expect(features).toContain("INSERT OVERWRITE DIRECTORY '{{warehouse}}/runs/${env:MLP_RUN_ID}/customer_features' USING parquet");
    expect(features).not.toMatch(/cassandra/i);
    expect([...sql.keys()]).toContain("churn_split");
  });

  test("Flink jobs read and write Kinesis: every Kafka table is rewritten, keys partition the sink", () => {
    const jobs = new SqlCache().flinkJobs(irOf("../shared/conformance/valid/fraud.mlp"));
    expect(jobs.map((j) => j.id).sort()).toEqual(["merchant_features", "txn_features"]);
    const txn = jobs.find((j) => j.id === "txn_features")!;
    expect(txn.reads).toEqual(["txns_live"]);
    expect(txn.keys).toEqual(["txn_id"]);
    expect(txn.sql).not.toMatch(/kafka|bootstrap/);
    expect(txn.sql).toContain("'stream.arn' = '{{stream.txns_live}}'");
    expect(txn.sql).toContain(") PARTITIONED BY (`txn_id`) WITH (");
    expect(txn.sql).toContain("WATERMARK FOR `event_time` AS `event_time` - INTERVAL '30' SECOND");
    // The stream deployment is scored by a Lambda on AWS, not by a Flink UDF.
    expect(jobs.some((j) => j.sql.includes("mlp_predict"))).toBe(false);
  });
});

describe("stacks", () => {
  test("the defaults and each variant are stacks of one program", () => {
    const c = compilationOf("samples/demand_forecast.mlp");
    expect(stacksOf(c).map((s) => [s.name, s.variant])).toEqual([
      ["default", null],
      ["eu", "eu"],
    ]);
    expect(stackNames(emitAws(c))).toEqual(["default", "eu"]);
  });

  test("compiled with --variant, the project holds that variant's stack only", () => {
    const c = compilationOf("samples/demand_forecast.mlp", "eu");
    expect(stacksOf(c).map((s) => [s.name, s.variant])).toEqual([["eu", "eu"]]);
    const files = emitAws(c);
    expect(stackNames(files)).toEqual(["eu"]);
    expect(files.find((f) => f.path === "index.ts")!.contents).not.toContain("config.require(\"salesRawSqlSource\")");
    expect(files.find((f) => f.path === "assets/glue/sales_raw.sql")!.contents).toContain("s3://retail-lake-eu/pos/sales/");
  });

  test("a variant that changes which resources exist is refused with the reason", () => {
    const path = "../shared/conformance/valid/minimal.mlp";
    const text = readFileSync(join(ROOT, path), "utf8") + "\nvariant big {\n  price_api.instances = 1..3\n}\n";
    const program = checkProgram(path, loader, text);
    expect(program.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(() => emitAws(compilation(program))).toThrow(/variant big changes .*compile it on its own with --variant big/);
    // On its own, the variant is a project of its own.
    expect(stackNames(emitAws(compilation(program, "big")))).toEqual(["big"]);
  });

  test("the plan reads its settings from target aws", () => {
    const p = plan(irOf("samples/ticket_triage.mlp")).program;
    const bucket = p.groups[0]!.resources[0]!;
    expect(bucket.args).toEqual({ k: "obj", entries: [["bucket", { k: "lit", v: "support-ml-artifacts" }]] });
  });

  test("a variant's stack suffixes the artifact bucket with its name: bucket names are global", () => {
    const eu = plan(compilationOf("samples/demand_forecast.mlp", "eu").ir).program;
    expect(eu.groups[0]!.resources[0]!.args).toEqual({ k: "obj", entries: [["bucket", { k: "lit", v: "retail-ml-artifacts-eu" }]] });
  });
});

describe("aws: a Glue job's workers and time limit come from the step's resources", () => {
  const values = (r: Parameters<typeof glueCapacity>[1]) =>
    Object.fromEntries(Object.entries(glueCapacity("training_rows", r)).map(([k, c]) => [k, (c as { v: unknown }).v]));

  test.each([
    [undefined, { workerType: "G.1X", numberOfWorkers: 2 }],
    [{ cpus: 4, memory: "16GiB" }, { workerType: "G.1X", numberOfWorkers: 2 }],
    [{ cpus: 5 }, { workerType: "G.2X", numberOfWorkers: 2 }],
    [{ memory: "17GiB" }, { workerType: "G.2X", numberOfWorkers: 2 }],
    [{ cpus: 8, memory: "40GiB", nodes: 10 }, { workerType: "G.4X", numberOfWorkers: 11 }],
    [{ cpus: 32, memory: "128GiB", nodes: 1, timeout: "90s" }, { workerType: "G.8X", numberOfWorkers: 2, timeout: 2 }],
    [{ timeout: "6h" }, { workerType: "G.1X", numberOfWorkers: 2, timeout: 360 }],
  ] as const)("%j -> %j", (r, expected) => {
    expect(values(r)).toEqual(expected);
  });

  test("an executor larger than the largest worker is refused", () => {
    expect(() => glueCapacity("training_rows", { cpus: 64 })).toThrow(/largest Glue worker \(G.8X\) has 32 vCPUs and 128GiB/);
    expect(() => glueCapacity("training_rows", { memory: "129GiB" })).toThrow(/largest Glue worker/);
  });

  test("the program's Glue job of the fixture's sized join: G.2X, six executors and the driver, 90 minutes", () => {
    const files = emitAws(compilationOf("test/fixtures/targets/point_in_time.mlp"));
    const index = files.find((f) => f.path === "index.ts")!.contents;
    const job = index.slice(index.indexOf('new aws.glue.Job("point-in-time-training-rows"'));
    expect(job.slice(0, job.indexOf("executionProperty"))).toMatch(/workerType: "G\.2X",\n  numberOfWorkers: 7,\n  timeout: 90,\n  $/);
    const other = index.slice(index.indexOf('new aws.glue.Job("point-in-time-inner-rows"'));
    expect(other.slice(0, other.indexOf("executionProperty"))).toMatch(/workerType: "G\.1X",\n  numberOfWorkers: 2,\n  $/);
  });
});
