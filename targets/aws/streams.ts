// Streaming data steps: a stream source is a Kinesis stream producers publish to; a streaming
// step the flink target computes is a Managed Flink application running that SQL (rewritten
// for Kinesis by sql.ts) into a Kinesis stream of its own. Steps the Flink jobs compute inline
// (no job of their own) declare nothing.
import type { ValidNode } from "../../compiler/ir";
import { storeOf } from "../../compiler/query";
import { TargetError } from "../../compiler/target-api";
import { cap, fileName, type PlanContext } from "./context";
import { KINESIS_READ } from "./iam";
import { arr, data, file, lit, name, obj, ref, tpl, type Code, type Group } from "./model";
import { featureWriter, onlineTable } from "./online-store";
import { commentText } from "./quote";
import { FLINK_RUNTIME, jarName, MERGED_FLINK_JAR } from "./scripts";

/** An encrypted on-demand Kinesis stream. */
export function kinesisStream(cx: PlanContext, group: Group, n: ValidNode, what: string, v: string, note: string): string {
  cx.res(group, {
    v,
    type: "aws.kinesis.Stream",
    name: cx.lname(n, what),
    note: [note],
    args: obj({ streamModeDetails: obj({ streamMode: lit("ON_DEMAND") }), retentionPeriod: lit(24), encryptionType: lit("KMS"), kmsKeyId: lit("alias/aws/kinesis") }),
  });
  return v;
}

export function streamSource(cx: PlanContext, n: ValidNode): void {
  const group: Group = { title: cx.title(n, "the Kinesis stream its events arrive on."), resources: [] };
  const topic = (n.kind === "source" ? n.config.topic : undefined) ?? n.id;
  const v = kinesisStream(cx, group, n, "events", cx.v(cx.stem(n), "stream"), `Producers publish the ${commentText(topic)} events here (stack output streams).`);
  cx.streams.set(n.id, v);
  cx.streamOutput(topic, n, ref(v, "name"));
  cx.steps.push(group);
}

export function flinkApplication(cx: PlanContext, n: ValidNode): void {
  const job = cx.flinkJob(n.id);
  if (!job) return; // computed inside the Flink jobs of the steps it feeds
  const s = cx.stem(n);
  const group: Group = { title: cx.title(n, "a Managed Flink application running the step's Flink SQL into its own Kinesis stream."), resources: [] };
  const stream = kinesisStream(cx, group, n, "out", cx.v(s, "stream"), "The step's rows, as the Flink job writes them (JSON).");
  cx.streams.set(n.id, stream);
  const sqlPath = cx.asset(`assets/flink/${fileName(n.id)}.sql`, job.sql);
  const zip = `assets/flink/build/${fileName(n.id)}.zip`;
  // Managed Flink puts one jar on a PyFlink job's class path: several are merged into one.
  const jarfile = job.jars.length === 1 ? jarName(job.jars[0]!) : MERGED_FLINK_JAR;
  cx.flinkZips.push({ sql: sqlPath, zip, jars: job.jars, jarfile: `lib/${jarfile}` });
  const code = cx.res(group, {
    v: cx.v(s, "code"),
    type: "aws.s3.BucketObject",
    name: cx.lname(n, "flink-code"),
    note: [`Built by \`npm run package-flink\` (assets/flink/package.mjs): runner, job.sql and ${job.jars.length === 1 ? "the Kinesis connector" : `the Kinesis connector with ${job.jars.slice(1).map((j) => j.artifact).join(" and ")}`}.`],
    args: obj({ bucket: ref("artifacts", "id"), key: lit(zip), source: file(zip) }),
  });
  const logs = cx.logGroup(group, cx.v(s, "logs"), cx.lname(n, "flink-logs"));
  const logStream = cx.res(group, { v: cx.v(s, "log", "stream"), type: "aws.cloudwatch.LogStream", name: cx.lname(n, "flink-log-stream"), args: obj({ logGroupName: ref(logs, "name") }) });
  // The runner fills the SQL's {{stream.<table>}} and {{region}} from these properties.
  const properties: [string, Code][] = [["region", name("region")]];
  for (const table of job.reads) {
    const src = cx.streams.get(table);
    if (!src) throw new TargetError(`the Flink job ${n.id} reads ${table}, which has no Kinesis stream`);
    properties.push([`stream.${table}`, ref(src, "arn")]);
  }
  properties.push([`stream.${n.id}`, ref(stream, "arn")]);
  const readArns = job.reads.map((table) => ref(cx.streams.get(table)!, "arn"));
  cx.iam.allow("flink", `Read${cap(s)}Code`, ["s3:GetObject", "s3:GetObjectVersion"], [cx.bucketArn(`/${zip}`)]);
  cx.iam.allow("flink", `Read${cap(s)}Streams`, KINESIS_READ, readArns);
  cx.iam.allow("flink", `Write${cap(s)}Stream`, ["kinesis:DescribeStreamSummary", "kinesis:ListShards", "kinesis:PutRecord", "kinesis:PutRecords"], [ref(stream, "arn")]);
  cx.iam.allow("flink", `Log${cap(s)}`, ["logs:DescribeLogStreams", "logs:PutLogEvents"], [tpl(ref(logs, "arn"), ":*")]);
  // Declared after the permissions: an application started without them fails its first run.
  const starter: Group = { title: cx.title(n, "the Flink application, started once its permissions exist."), resources: [] };
  cx.res(starter, {
    v: cx.v(s, "app"),
    type: "aws.kinesisanalyticsv2.Application",
    name: cx.lname(n),
    args: obj({
      description: lit(cx.describe(n)),
      runtimeEnvironment: lit(FLINK_RUNTIME),
      serviceExecutionRole: ref(cx.iam.role("flink"), "arn"),
      startApplication: lit(true),
      applicationConfiguration: obj({
        applicationCodeConfiguration: obj({
          codeContentType: lit("ZIPFILE"),
          codeContent: obj({ s3ContentLocation: obj({ bucketArn: ref("artifacts", "arn"), fileKey: ref(code, "key"), objectVersion: ref(code, "versionId") }) }),
        }),
        environmentProperties: obj({
          propertyGroups: arr([
            obj({ propertyGroupId: lit("kinesis.analytics.flink.run.options"), propertyMap: data({ python: "run_sql.py", jarfile: `lib/${jarfile}` }) }),
            obj({ propertyGroupId: lit("mlp"), propertyMap: obj(properties) }),
          ]),
        }),
        flinkApplicationConfiguration: obj({
          checkpointConfiguration: obj({ configurationType: lit("DEFAULT") }),
          monitoringConfiguration: obj({ configurationType: lit("CUSTOM"), logLevel: lit("INFO"), metricsLevel: lit("APPLICATION") }),
          parallelismConfiguration: obj({ configurationType: lit("CUSTOM"), parallelism: lit(1), parallelismPerKpu: lit(1), autoScalingEnabled: lit(true) }),
        }),
      }),
      cloudwatchLoggingOptions: obj({ logStreamArn: ref(logStream, "arn") }),
    }),
    dependsOn: ["flinkRolePolicy"],
  });
  if (storeOf(n)?.kind === "online") featureWriter(cx, n, group, starter, stream, onlineTable(cx, n, group));
  cx.steps.push(group);
  cx.starters.push(starter);
}
