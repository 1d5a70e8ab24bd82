// Issue 11, Spark: what a first production run of the generated Spark jobs ran into. Each
// test is named after the bullet; the Spark statements also parse with the real grammar.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { lower } from "../../compiler/lower";
import type { IrDocument } from "../../compiler/ir";
import { checkProgram } from "../../language/checker/program";
import { emitSpark } from "../../targets/spark/index";
import { sparkSqlArgs } from "../../targets/spark/command";
import { emitIr, run, tmp, writeOut } from "./slurm/helpers";
import { loader } from "./helpers";
import { sparkErrors } from "./sql-grammar";

/** A pipeline written here, as if saved beside the samples (their entry scripts resolve). */
function irOf(text: string): IrDocument {
  const program = checkProgram("samples/inline.mlp", loader, text);
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

const ONPREM_PIPELINE = `
pipeline shop {}

schema Sale {
  store: string
  units: int
}

source sales: Table<Sale> {
  uri    = "s3://lake/sales/"
  format = delta
}

target onprem {
  spark_master          = "spark://it's here:7077"
  slurm_partition       = "gpu"
  data_partition        = "cpu"
  spark_executor_memory = 6GiB
  spark_executor_cores  = 3
  spark_driver_memory   = 1536MiB
  feature_store         = cassandra(hosts: ["cass-1:9042", "cass-2:9042"], keyspace: shop)
}
`;

describe("spark: jobs run with the Cassandra connector, Delta and the S3 filesystem on the command line, and executor memory and cores from target onprem", () => {
  it("defaults to the Spark 3.5 / Scala 2.12 packages and the conf each needs", () => {
    const ir = irOf("pipeline p {}\n");
    expect(sparkSqlArgs(ir.settings.onprem)).toEqual([
      "--packages",
      "com.datastax.spark:spark-cassandra-connector_2.12:3.5.1,io.delta:delta-spark_2.12:3.2.0,org.apache.hadoop:hadoop-aws:3.3.4",
      "--conf",
      "spark.sql.extensions=io.delta.sql.DeltaSparkSessionExtension",
      "--conf",
      "spark.sql.catalog.spark_catalog=org.apache.spark.sql.delta.catalog.DeltaCatalog",
      "--conf",
      "spark.cassandra.connection.host=localhost:9042",
      "--conf",
      "spark.hadoop.fs.s3.impl=org.apache.hadoop.fs.s3a.S3AFileSystem",
    ]);
  });

  it("loads only the packages listed, and sets no conf for a package not loaded", () => {
    const ir = irOf(`pipeline p {}\ntarget onprem {\n  spark_packages = ["org.apache.hadoop:hadoop-aws:3.3.6"]\n}\n`);
    expect(sparkSqlArgs(ir.settings.onprem)).toEqual(["--packages", "org.apache.hadoop:hadoop-aws:3.3.6", "--conf", "spark.hadoop.fs.s3.impl=org.apache.hadoop.fs.s3a.S3AFileSystem"]);
    const none = irOf(`pipeline p {}\ntarget onprem {\n  spark_packages = []\n}\n`);
    expect(sparkSqlArgs(none.settings.onprem)).toEqual([]);
  });

  it("refuses a package that is not a Maven coordinate", () => {
    const program = checkProgram("samples/inline.mlp", loader, `pipeline p {}\ntarget onprem {\n  spark_packages = ["a:b:1 --conf x=y"]\n}\n`);
    expect(program.diagnostics.filter((d) => d.severity === "error").map((d) => d.message).join("\n")).toContain("a Maven coordinate is group:artifact:version");
  });

  it("the data job's script runs spark-sql with exactly those arguments (bash, a recording spark-sql)", () => {
    const ir = irOf(ONPREM_PIPELINE);
    const dir = tmp("spark-cmd");
    const slurm = writeOut(dir, emitIr(ir), ir);
    const argv = join(dir, "argv.txt");
    const fake = join(dir, "spark-sql");
    writeFileSync(fake, `#!/bin/bash\nprintf '%s\\n' "$@" > ${JSON.stringify(argv)}\n`, { mode: 0o755 });
    const r = run("bash", [join(slurm, "sales.sbatch")], { cwd: slurm, env: { ...process.env, MLP_SPARK_SQL: fake, MLP_MODEL_DIR: join(dir, "models"), MLP_SLURM_DIR: slurm } });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
        expect(readFileSync(argv, "utf8").trimEnd().split("\n")).toEqual([
      "--master",
      "spark://it's here:7077",
      "--packages",
      "com.datastax.spark:spark-cassandra-connector_2.12:3.5.1,io.delta:delta-spark_2.12:3.2.0,org.apache.hadoop:hadoop-aws:3.3.4",
      "--conf",
      "spark.sql.extensions=io.delta.sql.DeltaSparkSessionExtension",
      "--conf",
      "spark.sql.catalog.spark_catalog=org.apache.spark.sql.delta.catalog.DeltaCatalog",
      "--conf",
      "spark.cassandra.connection.host=cass-1:9042,cass-2:9042",
      "--conf",
      "spark.hadoop.fs.s3.impl=org.apache.hadoop.fs.s3a.S3AFileSystem",
      "--driver-memory",
      "1536m",
      "--executor-memory",
      "6g",
      "--executor-cores",
      "3",
      "-f",
      `${slurm}/../spark/sales.sql`,
    ]);
  });
});

describe("spark: data jobs have their own partition setting", () => {
  const sbatch = (ir: IrDocument, file: string) => emitIr(ir).find((f) => f.path === file)!.contents;
  const partitions = (text: string) => text.split("\n").filter((l) => l.startsWith("#SBATCH --partition"));

  it("a data job asks for data_partition, else for slurm_partition", () => {
    const ir = irOf(ONPREM_PIPELINE);
    expect(partitions(sbatch(ir, "sales.sbatch"))).toEqual(["#SBATCH --partition=cpu"]);
    const plain = irOf(`${ONPREM_PIPELINE.replace('data_partition        = "cpu"\n', "")}`);
    expect(partitions(sbatch(plain, "sales.sbatch"))).toEqual(["#SBATCH --partition=gpu"]);
  });

  it("refuses a data_partition that is not a Slurm name, even from an IR that bypassed the checker", () => {
    const bad = structuredClone(irOf(ONPREM_PIPELINE));
    bad.settings.onprem.data_partition = "cpu\ntouch PWNED";
    expect(() => emitIr(bad)).toThrow(/data_partition "cpu\\ntouch PWNED" is not a valid Slurm partition name/);
  });

  it("model jobs stay on slurm_partition when data_partition is set", () => {
    const ir = irOf(TRAINING_PIPELINE);
    const files = emitIr(ir);
    const byPartition = Object.fromEntries(files.filter((f) => f.path.endsWith(".sbatch")).map((f) => [f.path, partitions(f.contents)]));
    expect(byPartition).toEqual({
      "sales.sbatch": ["#SBATCH --partition=cpu"],
      "sales_split.sbatch": ["#SBATCH --partition=cpu"],
      "model.sbatch": ["#SBATCH --partition=gpu"],
      // The job that moves the warehouse's latest to a successful run: one small process.
      "latest.sbatch": ["#SBATCH --partition=cpu"],
    });
  });
});

const TRAINING_PIPELINE = `${ONPREM_PIPELINE}
split sales_split(sales) {
  train = 0.8
  test  = 0.2
}

train model(sales_split.train) {
  framework = sklearn
  entry     = "models/failure/train.py"
  label     = units
}
`;

describe("spark: executor memory and cores come from the step's resources", () => {
  const SIZED = `${ONPREM_PIPELINE}
cleanse big_sales(sales) {
  filter    units > 0
  resources = { cpus: 8, memory: 2560MiB, nodes: 12, timeout: 90m }
}
`;
  const sbatch = (ir: IrDocument, file: string) => emitIr(ir).find((f) => f.path === file)!.contents;

  it("the step's cpus, memory and nodes override the pipeline-wide executor sizes (a pure function)", () => {
    const ir = irOf(SIZED);
    const sizes = (args: string[]) => args.slice(args.indexOf("--driver-memory"));
    const node = ir.nodes.find((n) => n.id === "big_sales")!;
    expect(node.config).toMatchObject({ resources: { cpus: 8, memory: "2560MiB", nodes: 12, timeout: "90m" } });
    expect(sizes(sparkSqlArgs(ir.settings.onprem, { cpus: 8, memory: "2560MiB", nodes: 12 }))).toEqual(["--driver-memory", "1536m", "--executor-memory", "2560m", "--executor-cores", "8", "--num-executors", "12"]);
    // One field given: the others stay the pipeline's, and Spark picks the executor count.
    expect(sizes(sparkSqlArgs(ir.settings.onprem, { memory: "8GiB" }))).toEqual(["--driver-memory", "1536m", "--executor-memory", "8g", "--executor-cores", "3"]);
    expect(sizes(sparkSqlArgs(ir.settings.onprem))).toEqual(["--driver-memory", "1536m", "--executor-memory", "6g", "--executor-cores", "3"]);
  });

  it("the data job's spark-sql gets the step's sizes, a step without resources the settings' (bash, a recording spark-sql)", () => {
    const ir = irOf(SIZED);
    const dir = tmp("spark-res");
    const slurm = writeOut(dir, emitIr(ir), ir);
    const fake = join(dir, "spark-sql");
    writeFileSync(fake, `#!/bin/bash\nprintf '%s\\n' "$@" > "$MLP_ARGV"\n`, { mode: 0o755 });
    const argvOf = (job: string) => {
      const argv = join(dir, `${job}.argv`);
      const r = run("bash", [join(slurm, `${job}.sbatch`)], { cwd: slurm, env: { ...process.env, MLP_ARGV: argv, MLP_SPARK_SQL: fake, MLP_MODEL_DIR: join(dir, "models"), MLP_SLURM_DIR: slurm } });
      expect(r.stderr).toBe("");
      expect(r.status).toBe(0);
      const a = readFileSync(argv, "utf8").trimEnd().split("\n");
      return a.slice(a.indexOf("--driver-memory"), a.indexOf("-f"));
    };
    expect(argvOf("big_sales")).toEqual(["--driver-memory", "1536m", "--executor-memory", "2560m", "--executor-cores", "8", "--num-executors", "12"]);
    expect(argvOf("sales")).toEqual(["--driver-memory", "1536m", "--executor-memory", "6g", "--executor-cores", "3"]);
  });

  it("slurm: the data job's --time is the step's timeout; without one the job has no limit of its own", () => {
    const ir = irOf(SIZED);
    const times = (text: string) => text.split("\n").filter((l) => l.startsWith("#SBATCH --time"));
    expect(times(sbatch(ir, "big_sales.sbatch"))).toEqual(["#SBATCH --time=01:30:00"]);
    expect(times(sbatch(ir, "sales.sbatch"))).toEqual([]);
  });

  it("the catalog refuses gpus on a data step, and the checker resources on a streaming step", () => {
    const errorsOf = (text: string) =>
      checkProgram("samples/inline.mlp", loader, text)
        .diagnostics.filter((d) => d.severity === "error")
        .map((d) => `${d.code} ${d.message}`);
    expect(errorsOf(SIZED.replace("timeout: 90m }", "timeout: 90m, gpus: 1 }"))).toEqual([
      "MLP0310 invalid `resources`: data steps run on CPUs: `gpus` belongs in the `resources` of a train, deploy or notebook step",
    ]);
    const stream = `pipeline p {}
schema Click {
  id: string
  at: timestamp
}
source clicks: Stream<Click> {
  topic      = "clicks"
  format     = json
  event_time = at
  resources  = { cpus: 2 }
}
`;
    expect(errorsOf(stream)).toEqual([
      "MLP0321 `clicks` is streaming: `resources` size the batch job of a data step, and a streaming step runs in its Flink job",
    ]);
  });
});
