// Batch data steps: each is a Glue job running the spark target's SQL for the step (sql.ts)
// with the shared runner (scripts/glue_run_sql.py). The training and scoring machines start
// the jobs, each with the run id of the tables it reads and writes (`--mlp_run_id`, never a
// default: a job started by hand without one stops); an online feature set's job also loads
// its rows of that run into DynamoDB (online-store.ts).
import type { ValidNode } from "../../compiler/ir";
import { dataResourcesOf, storeOf } from "../../compiler/query";
import { durationMs, sizeBytes, type DataResources } from "../../language/catalog/values";
import { TargetError } from "../../compiler/target-api";
import { awsCannotReach } from "../../language/paths";
import { cap, fileName, type PlanContext } from "./context";
import { lit, obj, ref, type Code, type Group } from "./model";
import { onlineTable } from "./online-store";
import { GLUE_RUNNER } from "./scripts";
import { sharedScript, uploadAsset } from "./storage";

const GLUE_VERSION = "5.0";

export function glueJob(cx: PlanContext, n: ValidNode): void {
  const sql = cx.spark.get(n.id);
  if (sql === undefined) throw new TargetError(`the spark target wrote no SQL for \`${n.id}\``);
  const s = cx.stem(n);
  const group: Group = { title: cx.title(n, "a Glue job running the step's Spark SQL."), resources: [] };
  const notes: string[] = [];
  const path = cx.asset(`assets/glue/${fileName(n.id)}.sql`, sql);
  const runner = sharedScript(cx, "glueRunner", "glue/run_sql.py", GLUE_RUNNER, "Runs a step's SQL file in Glue (and loads online feature sets into DynamoDB).");
  const sqlObject = uploadAsset(cx, group, cx.v(s, "sql"), cx.lname(n, "sql"), path);
  const args: [string, Code][] = [
    ["--sql", cx.s3(ref(sqlObject, "key"))],
    ["--warehouse", cx.s3("warehouse")],
    ["--TempDir", cx.s3("tmp/glue/")],
    ["--enable-continuous-cloudwatch-log", lit("true")],
  ];
  if (storeOf(n)?.kind === "online") {
    const table = onlineTable(cx, n, group);
    args.push(["--online_table", ref(table.v, "name")], ["--online_step", lit(n.id)], ["--ttl_attribute", lit(table.ttlAttribute)], ["--ttl_seconds", lit(String(table.ttlSeconds))], ["--keys", lit(JSON.stringify(table.keys))]);
    // A history (one row per key and window) serves its newest row per key.
    const history = cx.g.output(n).history;
    if (history) args.push(["--newest_by", lit(history)]);
    cx.iam.allow("glue", `WriteOnline${cap(s)}`, ["dynamodb:BatchWriteItem", "dynamodb:DescribeTable", "dynamodb:PutItem"], [ref(table.v, "arn")]);
  }
  const formats = datalakeFormats(n);
  if (formats.length) args.push(["--datalake-formats", lit(formats.join(","))], ...deltaConf(formats));
  // What the job reads from outside the artifact bucket.
  // The checker refuses HDFS for AWS (MLP0505); an IR that skipped it is refused here too, never
  // compiled into a job that could only fail once deployed.
  if (n.kind === "source" && awsCannotReach(n.config.uri ?? "")) throw new TargetError(`\`${n.id}\` reads ${JSON.stringify(n.config.uri)}, which AWS cannot reach: copy the data to S3 (s3://...) or compile for onprem`);
  if (n.kind === "source" && !cx.iam.externalRead("glue", n.config.uri ?? "", `Read${cap(s)}`)) notes.push("Its uri is not an s3:// location: the Glue job cannot read it there.");
  for (const i of cx.g.inputs(n)) if (i.from.kind === "deploy") cx.iam.externalRead("glue", i.from.config.output ?? "", `Read${cap(cx.stem(i.from))}Scores`);
  const job = cx.res(group, {
    v: cx.v(s, "job"),
    type: "aws.glue.Job",
    name: cx.lname(n),
    note: notes.length ? notes : undefined,
    args: obj({
      description: lit(cx.describe(n)),
      roleArn: ref(cx.iam.role("glue"), "arn"),
      glueVersion: lit(GLUE_VERSION),
      ...glueCapacity(n.id, dataResourcesOf(n)),
      executionProperty: obj({ maxConcurrentRuns: lit(1) }),
      command: obj({ name: lit("glueetl"), pythonVersion: lit("3"), scriptLocation: cx.s3(ref(runner, "key")) }),
      defaultArguments: obj(args),
    }),
  });
  cx.glueJobs.set(n.id, job);
  cx.steps.push(group);
}

/** Glue's standard worker types, smallest first: vCPUs and memory (GB) of each. */
const WORKER_TYPES: readonly { type: string; cpus: number; gb: number }[] = [
  { type: "G.1X", cpus: 4, gb: 16 },
  { type: "G.2X", cpus: 8, gb: 32 },
  { type: "G.4X", cpus: 16, gb: 64 },
  { type: "G.8X", cpus: 32, gb: 128 },
];

/**
 * The job's workers and time limit from the step's `resources`: the smallest worker type that
 * has the executor's cores and memory, one worker per executor plus Glue's driver, Timeout in
 * whole minutes. A step without them keeps two G.1X workers and Glue's default timeout.
 */
export function glueCapacity(id: string, res: DataResources | undefined): Record<string, Code> {
  const bytes = res?.memory === undefined ? 0 : sizeBytes(res.memory);
  const worker = WORKER_TYPES.find((w) => (res?.cpus ?? 0) <= w.cpus && bytes <= w.gb * 2 ** 30);
  if (!worker) {
    const asked = [res?.cpus === undefined ? "" : `${res.cpus} cores`, res?.memory ?? ""].filter(Boolean).join(" and ");
    throw new TargetError(`\`${id}\` asks for executors of ${asked}: the largest Glue worker (G.8X) has 32 vCPUs and 128GiB`);
  }
  const out: Record<string, Code> = { workerType: lit(worker.type), numberOfWorkers: lit(res?.nodes === undefined ? 2 : res.nodes + 1) };
  if (res?.timeout !== undefined) out.timeout = lit(Math.max(1, Math.ceil(durationMs(res.timeout) / 60_000)));
  return out;
}

/**
 * The lake formats a job's tables are read in. Glue 5 bundles the Delta Lake libraries but
 * loads them only when the job names the format: without it `USING delta` fails with "failed to
 * find the data source: delta". A source's own job is the one that reads its files (the steps
 * after it read the warehouse).
 */
export function datalakeFormats(n: ValidNode): string[] {
  return n.kind === "source" && n.config.format === "delta" ? ["delta"] : [];
}

/** Delta's SQL extension and catalog, as AWS documents for Glue jobs that use Delta with Spark SQL. */
function deltaConf(formats: string[]): [string, Code][] {
  if (!formats.includes("delta")) return [];
  return [["--conf", lit("spark.sql.extensions=io.delta.sql.DeltaSparkSessionExtension --conf spark.sql.catalog.spark_catalog=org.apache.spark.sql.delta.catalog.DeltaCatalog")]];
}
