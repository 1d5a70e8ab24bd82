// Planning: the graph IR of one pipeline (one stack's view of it) -> the Program the
// project's index.ts declares. Pure: no file system, no engine; tests read the plan directly.
//
// What each step becomes (README.md beside this file has the full story):
//   batch data step        Glue job running the spark target's SQL (+ DynamoDB table when online)
//   stream source          Kinesis stream
//   streaming data step    Managed Flink application running the flink target's SQL (rewritten
//                          for Kinesis) writing its own Kinesis stream (+ DynamoDB table and
//                          a writer Lambda when online)
//   train / tune           SageMaker training / tuning job in the training state machine
//   evaluate               metrics Lambda + Choice state implementing every require
//   register               SageMaker model package group; registration in the state machine
//   deploy endpoint        SageMaker endpoint (+ autoscaling) for the approved model version
//                          named in stack config
//   deploy batch           scoring state machine (batch transform) on an EventBridge schedule
//   deploy stream          endpoint + Lambda scoring the input stream into a Kinesis stream
//   notebook               SageMaker Processing job running papermill
import type { IrDocument, IrNode } from "../../compiler/ir";
import { awsSettings } from "../../language/catalog/settings";
import { durationMs, type Resources } from "../../language/catalog/values";
import { Graph, isBatchData, isStreamData, storeOf, TargetError, type Input } from "../sql/graph";
import { Flow, intrinsic, ph, placeholders, render, t, type Asl, Placeholder } from "./asl";
import { awsCron, compute, frameworkImage, NOTEBOOK_IMAGE, type Image } from "./compute";
import { arr, data, file, json, lit, name, noted, obj, ref, tpl, type Asset, type Code, type Group, type Json, type Lookup, type Output, type Program, type Resource } from "./model";
import { camel, commentText, hash8, slug, stableJson } from "./quote";
import { FLINK_CONNECTOR, FLINK_PACKAGER, FLINK_RUNNER, FLINK_RUNTIME, GLUE_RUNNER, metricRegex, NOTEBOOK_RUNNER, READ_METRICS, SCORE_STREAM, TRAINING_ENTRY, WRITE_FEATURES } from "./scripts";
import { SqlCache, type FlinkJob } from "./sql";

export type Service = "glue" | "sagemaker" | "states" | "scheduler" | "flink" | "lambda";

const PRINCIPALS: Record<Service, string> = {
  glue: "glue.amazonaws.com",
  sagemaker: "sagemaker.amazonaws.com",
  states: "states.amazonaws.com",
  scheduler: "scheduler.amazonaws.com",
  flink: "kinesisanalytics.amazonaws.com",
  lambda: "lambda.amazonaws.com",
};

/** Services that send aws:SourceAccount when they assume a role (confused-deputy protection). */
const SOURCE_ACCOUNT: ReadonlySet<Service> = new Set(["states", "scheduler", "flink"]);

const SERVICE_ORDER: readonly Service[] = ["glue", "flink", "lambda", "sagemaker", "states", "scheduler"];

export interface AwsSettings {
  region?: string;
  bucket?: string;
  tags: Record<string, string>;
}

export function awsSettingsOf(ir: IrDocument): AwsSettings {
  const raw = ir.targets.find((x) => x.name === "aws")?.settings;
  const parsed = raw ? awsSettings.safeParse(raw) : undefined;
  const s = parsed?.success ? parsed.data : undefined;
  return { region: s?.region, bucket: s?.artifact_bucket, tags: s?.tags ?? {} };
}

const GLUE_VERSION = "5.0";
const LAMBDA_RUNTIME = "python3.12";
const LOG_RETENTION_DAYS = 30;

/** What plan() returns besides the Program: the state machine templates (tests validate them). */
export interface Planned {
  program: Program;
  machines: { path: string; definition: unknown }[];
}

/** Plans one stack: `variant` is the variant the IR has applied (undefined for the .mlp file's defaults). */
export function plan(ir: IrDocument, variant?: string, sql = new SqlCache()): Planned {
  return new Planner(ir, variant, sql).run();
}

type Statement = Code;

interface Unit {
  /** train or tune node whose job produces the model. */
  node: IrNode;
  train: IrNode;
}

class Planner {
  readonly g: Graph;
  readonly pipe: string;
  readonly settings: AwsSettings;
  private readonly vars = new Set<string>();
  private readonly lookups: Lookup[] = [];
  private readonly head: Group[] = [];
  private readonly steps: Group[] = [];
  private readonly machines: Group[] = [];
  private readonly starters: Group[] = [];
  private readonly deploys: Group[] = [];
  private readonly assets: Asset[] = [];
  private readonly assetPaths = new Set<string>();
  private readonly outputs: Output[] = [];
  private readonly statements = new Map<Service, Statement[]>();
  private readonly roles = new Set<Service>();
  private readonly images = new Map<string, string>();
  private readonly machineFiles: { path: string; definition: unknown }[] = [];
  private readonly stepVar = new Map<string, string>();
  /** Kinesis stream resource of a step (source, Flink job, stream deploy), by id. */
  private readonly streams = new Map<string, string>();
  private readonly tables = new Map<string, string>();
  private readonly glueJobs = new Map<string, string>();
  private readonly groupsOfRegistry = new Map<string, { v: string; node: IrNode; implicit: boolean }>();
  private readonly optionalConfig: [string, string][] = [];
  private readonly spark: Map<string, string>;
  private readonly flink: FlinkJob[];
  private readonly order: IrNode[];
  private usesUpload = false;
  private passesRole = false;
  private metricsFunction: string | undefined;

  constructor(
    readonly ir: IrDocument,
    readonly variant: string | undefined,
    sql: SqlCache,
  ) {
    this.g = new Graph(ir);
    this.pipe = this.g.pipelineName;
    this.settings = awsSettingsOf(ir);
    this.order = topological(this.g, this.g.nodes);
    this.spark = sql.sparkSql(ir);
    this.flink = sql.flinkJobs(ir);
    for (const v of ["config", "stack", "partition", "region", "account", "projectDir", "definition", "upload"]) this.vars.add(v);
  }

  // ---------- naming ----------

  private v(...parts: string[]): string {
    const base = camel(...parts);
    let v = base;
    for (let i = 2; this.vars.has(v); i++) v = `${base}${i}`;
    this.vars.add(v);
    return v;
  }

  /** The variable-name stem of a step. */
  private stem(n: IrNode): string {
    let s = this.stepVar.get(n.id);
    if (!s) {
      s = camel(/^[A-Za-z_][A-Za-z0-9_]*$/.test(n.id) ? n.id : `step_${hash8(n.id)}`);
      this.stepVar.set(n.id, s);
    }
    return s;
  }

  /** Pulumi's logical name: the pipeline, the step, and what the resource is for. */
  private lname(n: IrNode | undefined, what?: string): string {
    return [slug(this.pipe, 24), n ? slug(n.id) : undefined, what].filter(Boolean).join("-");
  }

  /** A job-name prefix for SageMaker (lowercase, as its ARNs are), short enough for `-<8 hex run id>`. */
  private jobPrefix(n: IrNode, limit: number): string {
    return slug(`${this.pipe}_${n.id}`, limit - 9);
  }

  private title(n: IrNode, what: string): string[] {
    const where = `${commentText(this.g.sourceFile(n))}${n.span ? ` line ${n.span.line}` : ""}`;
    return [`${n.kind}${n.kind === "deploy" ? ` (${String(n.config.mode)})` : ""} ${commentText(n.id)} - ${where}: ${what}`];
  }

  private key(n: IrNode): string {
    return /^[A-Za-z_][A-Za-z0-9_]*$/.test(n.id) ? n.id : `s${hash8(n.id)}`;
  }

  // ---------- building blocks ----------

  private res(group: Group, r: Resource): string {
    group.resources.push(r);
    return r.v;
  }

  private asset(path: string, contents: string): string {
    if (!this.assetPaths.has(path)) this.assets.push({ path, contents });
    this.assetPaths.add(path);
    return path;
  }

  private role(s: Service): string {
    this.roles.add(s);
    return `${s === "sagemaker" ? "sageMaker" : s}Role`;
  }

  private allow(s: Service, sid: string, actions: string[], resources: Code[], extra: { note?: string[]; condition?: Json } = {}): void {
    this.role(s);
    const st = obj({ Sid: lit(sid), Effect: lit("Allow"), Action: data(actions), Resource: arr(resources), Condition: extra.condition === undefined ? undefined : data(extra.condition) });
    const list = this.statements.get(s) ?? [];
    list.push(extra.note ? noted(extra.note, st) : st);
    this.statements.set(s, list);
  }

  private arn(service: string, resource: string | Code, regional = true): Code {
    return tpl(`arn:`, name("partition"), `:${service}:`, ...(regional ? [name("region"), ":", name("account")] : [":"]), ":", resource);
  }

  private bucketArn(suffix: string): Code {
    return tpl(ref("artifacts", "arn"), suffix);
  }

  private s3(key: string | Code): Code {
    return tpl("s3://", ref("artifacts", "bucket"), "/", key);
  }

  private image(framework: string, purpose: "training" | "inference", gpu: boolean): { v: string; image: Image } {
    const image = framework === "notebook" ? NOTEBOOK_IMAGE : frameworkImage(framework, purpose, gpu);
    const k = `${image.repository}:${image.tag}`;
    let v = this.images.get(k);
    if (!v) {
      v = this.v(image.repository.replace(/^sagemaker-/, ""), image.tag.includes("gpu") ? "gpu" : "", "image");
      this.images.set(k, v);
      this.lookups.push({ v, code: { k: "raw", text: `aws.sagemaker.getPrebuiltEcrImageOutput({ repositoryName: ${JSON.stringify(image.repository)}, imageTag: ${JSON.stringify(image.tag)} })` } });
      this.allow("sagemaker", `Pull${camel(image.repository, image.tag).replace(/^./, (c) => c.toUpperCase())}`, ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"], [
        tpl("arn:", name("partition"), ":ecr:", name("region"), ":", name(v, "registryId"), `:repository/${image.repository}`),
      ]);
    }
    return { v, image };
  }

  // ---------- the run ----------

  run(): Planned {
    this.bucket();
    for (const n of this.order) this.step(n);
    this.training();
    for (const n of this.order) if (n.kind === "deploy" && n.config.mode === "batch") this.scoring(n);
    const permissions = this.permissions();
    const roles = this.roleGroup();
    this.outputsOf();
    const groups = [...this.head, ...(roles ? [roles] : []), ...this.steps, ...this.machines, ...(permissions ? [permissions] : []), ...this.starters, ...this.deploys];
    this.outputs.unshift({ name: "artifactBucket", value: ref("artifacts", "bucket") });
    const lookups: Lookup[] = [
      { v: "partition", code: { k: "raw", text: "aws.getPartitionOutput().partition" } },
      { v: "region", code: { k: "raw", text: "aws.getRegionOutput().region" } },
      { v: "account", code: { k: "raw", text: "aws.getCallerIdentityOutput().accountId" } },
    ];
    if (this.usesUpload) lookups.push({ v: "projectDir", code: { k: "raw", text: `config.require("projectDir")` }, note: "The .mlp project (entry scripts, notebooks), relative to this folder." });
    const description = (this.ir.pipeline?.settings as { description?: string } | undefined)?.description;
    const program: Program = {
      project: this.pipe,
      description: description ?? `mlp pipeline ${this.pipe} on AWS`,
      lookups: [...lookups, ...this.lookups],
      groups,
      outputs: this.outputs,
      assets: this.assets.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)),
      optionalConfig: this.optionalConfig,
      flinkZips: this.flinkZips,
    };
    return { program, machines: this.machineFiles };
  }

  // ---------- the artifact bucket ----------

  private bucket(): void {
    const g: Group = { title: ["The artifact bucket: generated assets (assets/), user code (code/), the batch steps' outputs", "(warehouse/) and every run's models and reports (runs/). Versioned, encrypted, never public."], resources: [] };
    this.vars.add("artifacts");
    this.res(g, { v: "artifacts", type: "aws.s3.Bucket", name: this.lname(undefined, "artifacts"), args: obj({ bucket: this.settings.bucket === undefined ? undefined : lit(this.bucketName()) }) });
    this.res(g, {
      v: this.v("artifacts", "versioning"),
      type: "aws.s3.BucketVersioning",
      name: this.lname(undefined, "artifacts-versioning"),
      args: obj({ bucket: ref("artifacts", "id"), versioningConfiguration: obj({ status: lit("Enabled") }) }),
    });
    this.res(g, {
      v: this.v("artifacts", "encryption"),
      type: "aws.s3.BucketServerSideEncryptionConfiguration",
      name: this.lname(undefined, "artifacts-encryption"),
      args: obj({ bucket: ref("artifacts", "id"), rules: arr([obj({ applyServerSideEncryptionByDefault: obj({ sseAlgorithm: lit("AES256") }) })]) }),
    });
    const pab = this.v("artifacts", "public", "access");
    this.res(g, {
      v: pab,
      type: "aws.s3.BucketPublicAccessBlock",
      name: this.lname(undefined, "artifacts-public-access"),
      args: obj({ bucket: ref("artifacts", "id"), blockPublicAcls: lit(true), blockPublicPolicy: lit(true), ignorePublicAcls: lit(true), restrictPublicBuckets: lit(true) }),
    });
    this.res(g, {
      v: this.v("artifacts", "ownership"),
      type: "aws.s3.BucketOwnershipControls",
      name: this.lname(undefined, "artifacts-ownership"),
      args: obj({ bucket: ref("artifacts", "id"), rule: obj({ objectOwnership: lit("BucketOwnerEnforced") }) }),
    });
    this.res(g, {
      v: this.v("artifacts", "tls", "only"),
      type: "aws.s3.BucketPolicy",
      name: this.lname(undefined, "artifacts-tls-only"),
      note: ["Requests without TLS are refused, whoever makes them."],
      args: obj({
        bucket: ref("artifacts", "id"),
        policy: json(
          obj({
            Version: lit("2012-10-17"),
            Statement: arr([
              obj({
                Sid: lit("DenyInsecureTransport"),
                Effect: lit("Deny"),
                Principal: lit("*"),
                Action: lit("s3:*"),
                Resource: arr([ref("artifacts", "arn"), this.bucketArn("/*")]),
                Condition: data({ Bool: { "aws:SecureTransport": "false" } }),
              }),
            ]),
          }),
        ),
      }),
      dependsOn: [pab],
    });
    this.head.push(g);
  }

  /** `artifact_bucket`, suffixed with the stack for a variant's stack (bucket names are global). */
  private bucketName(): string {
    const b = this.settings.bucket!;
    if (this.variant === undefined) return b;
    const suffix = `-${slug(this.variant, 20)}`;
    return `${b.slice(0, 63 - suffix.length).replace(/[.-]+$/, "")}${suffix}`;
  }

  private shared: Group | undefined;
  private sharedObject(v: string, key: string, contents: string, what: string): string {
    if (this.vars.has(v) && this.shared?.resources.some((r) => r.v === v)) return v;
    if (!this.shared) {
      this.shared = { title: ["Scripts shared by the steps (assets/): fixed programs that read their step's settings from", "arguments, environment and JSON, never from generated code."], resources: [] };
      this.head.push(this.shared);
    }
    this.vars.add(v);
    const path = this.asset(`assets/${key}`, contents);
    this.res(this.shared, { v, type: "aws.s3.BucketObject", name: this.lname(undefined, key.replace(/\.[a-z]+$/, "").replace(/[^A-Za-z0-9]+/g, "-")), note: [what], args: obj({ bucket: ref("artifacts", "id"), key: lit(`assets/${key}`), source: file(path) }) });
    return v;
  }

  // ---------- steps ----------

  private step(n: IrNode): void {
    if (isBatchData(this.g, n)) return this.glue(n);
    if (n.kind === "source" && isStreamData(this.g, n)) return this.streamSource(n);
    if (isStreamData(this.g, n)) return this.streaming(n);
    switch (n.kind) {
      case "train":
        return this.trainCode(n);
      case "register":
        return this.registry(n, n.config.name as string, false);
      case "deploy":
        if (n.config.mode === "endpoint") return this.endpointDeploy(n);
        if (n.config.mode === "stream") return this.streamDeploy(n);
        return;
      case "notebook":
        return this.notebookFiles(n);
      default:
        return;
    }
  }

  // ----- batch data: Glue -----

  private glue(n: IrNode): void {
    const sql = this.spark.get(n.id);
    if (sql === undefined) throw new TargetError(`aws: the spark target wrote no SQL for \`${n.id}\``);
    const s = this.stem(n);
    const group: Group = { title: this.title(n, "a Glue job running the step's Spark SQL."), resources: [] };
    const notes: string[] = [];
    const path = this.asset(`assets/glue/${fileName(n.id)}.sql`, sql);
    const runner = this.sharedObject("glueRunner", "glue/run_sql.py", GLUE_RUNNER, "Runs a step's SQL file in Glue (and loads online feature sets into DynamoDB).");
    const sqlObject = this.res(group, { v: this.v(s, "sql"), type: "aws.s3.BucketObject", name: this.lname(n, "sql"), args: obj({ bucket: ref("artifacts", "id"), key: lit(path), source: file(path) }) });
    const args: [string, Code][] = [
      ["--sql", this.s3(ref(sqlObject, "key"))],
      ["--warehouse", this.s3("warehouse")],
      ["--TempDir", this.s3("tmp/glue/")],
      ["--enable-continuous-cloudwatch-log", lit("true")],
    ];
    const store = storeOf(n);
    if (store?.kind === "online") {
      const table = this.onlineTable(n, group);
      const a = this.g.output(n);
      args.push(["--online_table", ref(table.v, "name")], ["--online_path", this.s3(`warehouse/${n.id}`)], ["--ttl_attribute", lit(table.ttlAttribute)], ["--ttl_seconds", lit(String(table.ttlSeconds))], ["--keys", lit(JSON.stringify(a.keys ?? []))]);
      this.allow("glue", `WriteOnline${cap(s)}`, ["dynamodb:BatchWriteItem", "dynamodb:DescribeTable", "dynamodb:PutItem"], [ref(table.v, "arn")]);
    }
    // What the job reads from outside the artifact bucket.
    if (n.kind === "source") {
      const uri = (n.config as { uri?: string }).uri ?? "";
      if (!this.externalRead("glue", uri, `Read${cap(s)}`)) notes.push("Its uri is not an s3:// location: the Glue job cannot read it there.");
    }
    for (const i of this.g.inputs(n)) {
      if (i.from.kind === "deploy") {
        const out = (i.from.config as { output?: string }).output ?? "";
        this.externalRead("glue", out, `Read${cap(this.stem(i.from))}Scores`);
      }
    }
    const job = this.res(group, {
      v: this.v(s, "job"),
      type: "aws.glue.Job",
      name: this.lname(n),
      note: notes.length ? notes : undefined,
      args: obj({
        description: lit(`mlp ${this.pipe}: ${n.kind} ${n.id} from ${this.g.sourceFile(n)}`),
        roleArn: ref(this.role("glue"), "arn"),
        glueVersion: lit(GLUE_VERSION),
        workerType: lit("G.1X"),
        numberOfWorkers: lit(2),
        executionProperty: obj({ maxConcurrentRuns: lit(1) }),
        command: obj({ name: lit("glueetl"), pythonVersion: lit("3"), scriptLocation: this.s3(ref(runner, "key")) }),
        defaultArguments: obj(args),
      }),
    });
    this.glueJobs.set(n.id, job);
    this.steps.push(group);
  }

  /** Read access to an s3:// location outside the artifact bucket; false when it is not in S3. */
  private externalRead(s: Service, uri: string, sid: string): boolean {
    const m = /^s3a?:\/\/([^/]+)\/?(.*)$/.exec(uri);
    if (!m) return false;
    const [, bucket, prefix] = m as unknown as [string, string, string];
    this.allow(s, sid, ["s3:GetObject"], [tpl("arn:", name("partition"), ":s3:::", `${bucket}/${prefix}*`)]);
    this.allow(s, `${sid}List`, ["s3:ListBucket"], [tpl("arn:", name("partition"), ":s3:::", bucket)], { condition: { StringLike: { "s3:prefix": [`${prefix}*`] } } });
    return true;
  }

  /** Write access to an s3:// location outside the artifact bucket. */
  private externalWrite(s: Service, uri: string, sid: string): boolean {
    const m = /^s3a?:\/\/([^/]+)\/?(.*)$/.exec(uri);
    if (!m) return false;
    const [, bucket, prefix] = m as unknown as [string, string, string];
    this.allow(s, sid, ["s3:AbortMultipartUpload", "s3:PutObject"], [tpl("arn:", name("partition"), ":s3:::", `${bucket}/${prefix}*`)]);
    return true;
  }

  private onlineTable(n: IrNode, group: Group): { v: string; ttlAttribute: string; ttlSeconds: number } {
    const a = this.g.output(n);
    const keys = a.keys ?? [];
    const cols = a.columns ?? [];
    const store = storeOf(n) as { kind: "online"; ttl: string };
    const ttlSeconds = Math.max(1, Math.ceil(durationMs(store.ttl) / 1000));
    const ttlAttribute = freshName("expires_at", cols.map((c) => c.name));
    const typeOf = (k: string) => {
      const c = cols.find((x) => x.name === k);
      return c && (c.type.kind === "int" || c.type.kind === "float") ? "N" : "S";
    };
    const attrs: [string, string][] = keys.length > 2 ? [["mlp_key", "S"]] : keys.map((k) => [k, typeOf(k)]);
    const v = this.v(this.stem(n), "table");
    this.res(group, {
      v,
      type: "aws.dynamodb.Table",
      name: this.lname(n, "online"),
      note: [
        `The online feature store: one item per ${keys.length > 2 ? "key (the key columns joined with # in mlp_key)" : `${keys.map(commentText).join(" + ")}`}, expiring ${commentText(store.ttl)} after it was written.`,
      ],
      args: obj({
        billingMode: lit("PAY_PER_REQUEST"),
        hashKey: lit(attrs[0]![0]),
        rangeKey: attrs[1] ? lit(attrs[1][0]) : undefined,
        attributes: arr(attrs.map(([k, type]) => obj({ name: lit(k), type: lit(type) }))),
        ttl: obj({ attributeName: lit(ttlAttribute), enabled: lit(true) }),
        pointInTimeRecovery: obj({ enabled: lit(true) }),
        serverSideEncryption: obj({ enabled: lit(true) }),
      }),
    });
    this.tables.set(n.id, v);
    this.onlineOutputs.push([n.id, ref(v, "name")]);
    return { v, ttlAttribute, ttlSeconds };
  }

  private readonly onlineOutputs: [string, Code][] = [];
  private readonly streamOutputs: [string, Code][] = [];
  private readonly endpointOutputs: [string, Code][] = [];

  // ----- streams -----

  private kinesis(group: Group, n: IrNode, what: string, v: string, note: string): string {
    this.res(group, {
      v,
      type: "aws.kinesis.Stream",
      name: this.lname(n, what),
      note: [note],
      args: obj({ streamModeDetails: obj({ streamMode: lit("ON_DEMAND") }), retentionPeriod: lit(24), encryptionType: lit("KMS"), kmsKeyId: lit("alias/aws/kinesis") }),
    });
    return v;
  }

  private streamSource(n: IrNode): void {
    const group: Group = { title: this.title(n, "the Kinesis stream its events arrive on."), resources: [] };
    const topic = (n.config as { topic?: string }).topic ?? n.id;
    const v = this.kinesis(group, n, "events", this.v(this.stem(n), "stream"), `Producers publish the ${commentText(topic)} events here (stack output streams).`);
    this.streams.set(n.id, v);
    this.streamOutputs.push([topic, ref(v, "name")]);
    this.steps.push(group);
  }

  private streaming(n: IrNode): void {
    const job = this.flink.find((j) => j.id === n.id);
    if (!job) return; // computed inside the Flink jobs of the steps it feeds
    const s = this.stem(n);
    const group: Group = { title: this.title(n, "a Managed Flink application running the step's Flink SQL into its own Kinesis stream."), resources: [] };
    const stream = this.kinesis(group, n, "out", this.v(s, "stream"), "The step's rows, as the Flink job writes them (JSON).");
    this.streams.set(n.id, stream);
    const sqlPath = this.asset(`assets/flink/${fileName(n.id)}.sql`, job.sql);
    const zip = `assets/flink/build/${fileName(n.id)}.zip`;
    this.flinkZips.push({ sql: sqlPath, zip });
    const code = this.res(group, {
      v: this.v(s, "code"),
      type: "aws.s3.BucketObject",
      name: this.lname(n, "flink-code"),
      note: ["Built by `npm run package-flink` (assets/flink/package.mjs): runner, job.sql and the Kinesis connector."],
      args: obj({ bucket: ref("artifacts", "id"), key: lit(zip), source: file(zip) }),
    });
    const logs = this.res(group, { v: this.v(s, "logs"), type: "aws.cloudwatch.LogGroup", name: this.lname(n, "flink-logs"), args: obj({ retentionInDays: lit(LOG_RETENTION_DAYS) }) });
    const logStream = this.res(group, { v: this.v(s, "log", "stream"), type: "aws.cloudwatch.LogStream", name: this.lname(n, "flink-log-stream"), args: obj({ logGroupName: ref(logs, "name") }) });
    const properties: [string, Code][] = [["region", name("region")]];
    for (const table of job.reads) {
      const src = this.streams.get(table);
      if (!src) throw new TargetError(`aws: the Flink job ${n.id} reads ${table}, which has no Kinesis stream`);
      properties.push([`stream.${table}`, ref(src, "arn")]);
    }
    properties.push([`stream.${n.id}`, ref(stream, "arn")]);
    const readArns = job.reads.map((table) => ref(this.streams.get(table)!, "arn"));
    this.allow("flink", `Read${cap(s)}Code`, ["s3:GetObject", "s3:GetObjectVersion"], [this.bucketArn(`/${zip}`)]);
    this.allow("flink", `Read${cap(s)}Streams`, ["kinesis:DescribeStream", "kinesis:DescribeStreamSummary", "kinesis:GetRecords", "kinesis:GetShardIterator", "kinesis:ListShards", "kinesis:SubscribeToShard"], readArns);
    this.allow("flink", `Write${cap(s)}Stream`, ["kinesis:DescribeStreamSummary", "kinesis:ListShards", "kinesis:PutRecord", "kinesis:PutRecords"], [ref(stream, "arn")]);
    this.allow("flink", `Log${cap(s)}`, ["logs:DescribeLogStreams", "logs:PutLogEvents"], [tpl(ref(logs, "arn"), ":*")]);
    const starter: Group = { title: this.title(n, "the Flink application, started once its permissions exist."), resources: [] };
    this.res(starter, {
      v: this.v(s, "app"),
      type: "aws.kinesisanalyticsv2.Application",
      name: this.lname(n),
      args: obj({
        description: lit(`mlp ${this.pipe}: ${n.kind} ${n.id} from ${this.g.sourceFile(n)}`),
        runtimeEnvironment: lit(FLINK_RUNTIME),
        serviceExecutionRole: ref(this.role("flink"), "arn"),
        startApplication: lit(true),
        applicationConfiguration: obj({
          applicationCodeConfiguration: obj({
            codeContentType: lit("ZIPFILE"),
            codeContent: obj({ s3ContentLocation: obj({ bucketArn: ref("artifacts", "arn"), fileKey: ref(code, "key"), objectVersion: ref(code, "versionId") }) }),
          }),
          environmentProperties: obj({
            propertyGroups: arr([
              obj({ propertyGroupId: lit("kinesis.analytics.flink.run.options"), propertyMap: data({ python: "run_sql.py", jarfile: `lib/${FLINK_CONNECTOR.artifact}-${FLINK_CONNECTOR.version}.jar` }) }),
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
    if (storeOf(n)?.kind === "online") {
      const table = this.onlineTable(n, group);
      this.featureWriter(n, group, starter, stream, table);
    }
    this.steps.push(group);
    this.starters.push(starter);
  }

  private readonly flinkZips: { sql: string; zip: string }[] = [];

  private lambdaFunction(group: Group, n: IrNode | undefined, what: string, v: string, script: string, contents: string, env: [string, Code][], note: string): string {
    const handler = script.replace(/\.py$/, "");
    const path = this.asset(`assets/lambda/${script}`, contents);
    const logs = this.res(group, { v: this.v(v, "logs"), type: "aws.cloudwatch.LogGroup", name: this.lname(n, `${what}-logs`), args: obj({ retentionInDays: lit(LOG_RETENTION_DAYS) }) });
    this.res(group, {
      v,
      type: "aws.lambda.Function",
      name: this.lname(n, what),
      note: [note],
      args: obj({
        runtime: lit(LAMBDA_RUNTIME),
        handler: lit(`${handler}.handler`),
        role: ref(this.role("lambda"), "arn"),
        code: { k: "archive", files: [[script, lit(path)]] },
        timeout: lit(60),
        memorySize: lit(256),
        environment: env.length ? obj({ variables: obj(env) }) : undefined,
        loggingConfig: obj({ logFormat: lit("Text"), logGroup: ref(logs, "name") }),
      }),
    });
    return logs;
  }

  private featureWriter(n: IrNode, group: Group, starter: Group, stream: string, table: { v: string; ttlAttribute: string; ttlSeconds: number }): void {
    const s = this.stem(n);
    const keys = this.g.output(n).keys ?? [];
    const fn = this.v(s, "writer");
    const logs = this.lambdaFunction(group, n, "writer", fn, "write_features.py", WRITE_FEATURES, [
      ["TABLE", ref(table.v, "name")],
      ["KEYS", lit(JSON.stringify(keys))],
      ["KEY_ATTRIBUTE", lit(keys.length > 2 ? "mlp_key" : "")],
      ["TTL_ATTRIBUTE", lit(table.ttlAttribute)],
      ["TTL_SECONDS", lit(String(table.ttlSeconds))],
    ], "Writes the newest row per key into the online table.");
    this.allow("lambda", `Read${cap(s)}Stream`, ["kinesis:DescribeStream", "kinesis:DescribeStreamSummary", "kinesis:GetRecords", "kinesis:GetShardIterator", "kinesis:ListShards", "kinesis:SubscribeToShard"], [ref(stream, "arn")]);
    this.allow("lambda", `Write${cap(s)}Table`, ["dynamodb:BatchWriteItem", "dynamodb:PutItem"], [ref(table.v, "arn")]);
    this.allow("lambda", `Log${cap(s)}Writer`, ["logs:CreateLogStream", "logs:PutLogEvents"], [tpl(ref(logs, "arn"), ":*")]);
    this.res(starter, {
      v: this.v(s, "writer", "source"),
      type: "aws.lambda.EventSourceMapping",
      name: this.lname(n, "writer-source"),
      args: obj({ functionName: ref(fn, "arn"), eventSourceArn: ref(stream, "arn"), startingPosition: lit("TRIM_HORIZON"), batchSize: lit(100), maximumBatchingWindowInSeconds: lit(5) }),
      dependsOn: ["lambdaRolePolicy"],
    });
  }

  // ----- training code, registries, notebooks -----

  private trainCode(n: IrNode): void {
    const entry = String(n.config.entry);
    const s = this.stem(n);
    const what = entry.includes("/") ? `${commentText(entry)}'s folder` : commentText(entry);
    const group: Group = { title: this.title(n, `the training code (${what}) and the mlp entry that runs it.`), resources: [] };
    this.usesUpload = true;
    const folder = entry.includes("/") ? entry.slice(0, entry.lastIndexOf("/")) : entry;
    this.res(group, {
      v: this.v(s, "code"),
      type: "upload",
      name: this.lname(n, "code"),
      note: [entry.includes("/") ? `Every file under ${commentText(folder)} in the project.` : `The entry script alone: it sits at the root of the project.`],
      args: obj({ path: lit(folder), prefix: lit(`code/${n.id}/`) }),
    });
    const path = this.asset("assets/training/mlp_entry.py", TRAINING_ENTRY);
    this.res(group, { v: this.v(s, "entry"), type: "aws.s3.BucketObject", name: this.lname(n, "entry"), args: obj({ bucket: ref("artifacts", "id"), key: lit(`code/${n.id}/mlp_entry.py`), source: file(path) }) });
    this.steps.push(group);
  }

  private registry(n: IrNode, registryName: string, implicit: boolean): void {
    const group: Group = {
      title: implicit
        ? this.title(n, "the model package group its gated models are registered in (the model is deployed, never registered).")
        : this.title(n, "the model package group its versions are registered in."),
      resources: [],
    };
    const base = registryName.replace(/[^A-Za-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 40) || "model";
    const v = this.v(this.stem(n), "group");
    this.res(group, {
      v,
      type: "aws.sagemaker.ModelPackageGroup",
      name: this.lname(n, "group"),
      args: obj({ modelPackageGroupName: tpl(`${base}-`, name("stack")), modelPackageGroupDescription: lit(`mlp ${this.pipe}: ${n.kind} ${n.id} from ${this.g.sourceFile(n)}`) }),
    });
    this.groupsOfRegistry.set(n.id, { v, node: n, implicit });
    this.steps.push(group);
  }

  private notebookFiles(n: IrNode): void {
    const path = String(n.config.path);
    const s = this.stem(n);
    const group: Group = { title: this.title(n, `${commentText(path)} and what the notebook runner needs.`), resources: [] };
    this.usesUpload = true;
    this.res(group, { v: this.v(s, "notebook"), type: "upload", name: this.lname(n, "notebook"), args: obj({ path: lit(path), prefix: lit(`code/${n.id}/`) }) });
    this.sharedObject("notebookRunner", "notebooks/run_notebook.py", NOTEBOOK_RUNNER, "Runs a notebook with papermill in a SageMaker Processing job.");
    const inputs: Record<string, Json> = {};
    for (const i of this.g.inputs(n)) {
      const label = i.from.kind === "split" ? `${i.from.id}.${i.fromPort}` : i.from.id;
      const where = this.locationFor(i);
      if (where) inputs[label] = where;
    }
    const config = { notebook: path.slice(path.lastIndexOf("/") + 1), parameters: (n.config.parameters ?? {}) as Json, inputs };
    const cfgPath = this.asset(`assets/notebooks/${fileName(n.id)}.json`, stableJson(config));
    this.res(group, { v: this.v(s, "config"), type: "aws.s3.BucketObject", name: this.lname(n, "config"), args: obj({ bucket: ref("artifacts", "id"), key: lit(cfgPath), source: file(cfgPath) }) });
    this.steps.push(group);
  }

  /** Where a notebook finds one of its inputs: a warehouse path, an environment variable or a URI. */
  private locationFor(i: Input): Json | undefined {
    const f = i.from;
    if (isBatchData(this.g, f)) return { warehouse: f.kind === "split" ? `${f.id}/${i.fromPort}` : f.id };
    if (f.kind === "deploy" && f.config.mode === "batch") return { uri: String(f.config.output ?? "") };
    const unit = this.unitOf(f);
    if (unit) return { env: this.modelEnv(unit.node) };
    return undefined;
  }

  private modelEnv(n: IrNode): string {
    return `MLP_MODEL_${this.key(n).toUpperCase()}`;
  }

  // ----- deployments -----

  /** The package group a deployment's model is registered in (an implicit one when no register step). */
  private registryOf(deploy: IrNode): { v: string; node: IrNode; implicit: boolean } {
    const model = this.g.input(deploy, "model");
    if (!model) throw new TargetError(`aws: deploy \`${deploy.id}\` has no model`);
    for (let cur: IrNode | undefined = model.from; cur; cur = this.g.input(cur, "model")?.from) {
      if (cur.kind === "register") return this.groupsOfRegistry.get(cur.id)!;
      if (cur.kind === "train") break;
    }
    const from = model.from;
    let reg = this.groupsOfRegistry.get(from.id);
    if (!reg) {
      this.registry(from, `${this.pipe}-${from.id}`, true);
      reg = this.groupsOfRegistry.get(from.id)!;
    }
    return reg;
  }

  private endpoint(n: IrNode, group: Group): string {
    const s = this.stem(n);
    const c = compute(n.config.resources as Resources | undefined);
    const instances = n.config.instances as number | { min: number; max: number } | undefined;
    const min = typeof instances === "object" ? instances.min : (instances ?? 1);
    const model = this.res(group, {
      v: this.v(s, "model"),
      type: "aws.sagemaker.Model",
      name: this.lname(n, "model"),
      args: obj({ executionRoleArn: ref(this.role("sagemaker"), "arn"), primaryContainer: obj({ modelPackageName: name(group.when!.bind) }) }),
    });
    const config = this.res(group, {
      v: this.v(s, "endpoint", "config"),
      type: "aws.sagemaker.EndpointConfiguration",
      name: this.lname(n, "config"),
      args: obj({ productionVariants: arr([obj({ variantName: lit("main"), modelName: ref(model, "name"), instanceType: lit(c.instanceType), initialInstanceCount: lit(min) })]) }),
    });
    const endpoint = this.v(s, "endpoint");
    this.res(group, { v: endpoint, type: "aws.sagemaker.Endpoint", name: this.lname(n), hoist: true, args: obj({ endpointConfigName: ref(config, "name") }), dependsOn: ["sageMakerRolePolicy"] });
    if (typeof instances === "object") {
      const target = this.res(group, {
        v: this.v(s, "scaling"),
        type: "aws.appautoscaling.Target",
        name: this.lname(n, "scaling"),
        note: ["Between the step's instances = MIN..MAX."],
        args: obj({
          serviceNamespace: lit("sagemaker"),
          scalableDimension: lit("sagemaker:variant:DesiredInstanceCount"),
          resourceId: tpl("endpoint/", ref(endpoint, "name"), "/variant/main"),
          minCapacity: lit(instances.min),
          maxCapacity: lit(instances.max),
        }),
      });
      this.res(group, {
        v: this.v(s, "scaling", "policy"),
        type: "aws.appautoscaling.Policy",
        name: this.lname(n, "scaling-policy"),
        note: ["Adds instances above 100 invocations per instance and minute, removes them below."],
        args: obj({
          policyType: lit("TargetTrackingScaling"),
          serviceNamespace: ref(target, "serviceNamespace"),
          scalableDimension: ref(target, "scalableDimension"),
          resourceId: ref(target, "resourceId"),
          targetTrackingScalingPolicyConfiguration: obj({
            predefinedMetricSpecification: obj({ predefinedMetricType: lit("SageMakerVariantInvocationsPerInstance") }),
            targetValue: lit(100),
            scaleInCooldown: lit(300),
            scaleOutCooldown: lit(60),
          }),
        }),
      });
    }
    this.endpointOutputs.push([n.id, { k: "name", name: endpoint, attr: "name", optional: true }]);
    return endpoint;
  }

  private deployGroup(n: IrNode, what: string): Group {
    const reg = this.registryOf(n);
    const key = `${this.stem(n)}ModelPackage`;
    const bind = this.v(this.stem(n), "model", "package");
    this.optionalConfig.push([key, `the approved model package version (ARN) of ${reg.implicit ? "the model" : `registry ${String(reg.node.config.name ?? reg.node.id)}`} that ${n.id} serves`]);
    return {
      title: [
        ...this.title(n, what),
        `Created once stack config names the approved model version to serve (versions are registered in`,
        `the ${commentText(reg.node.id)} model package group by the training pipeline): pulumi config set ${key} ARN`,
      ],
      resources: [],
      when: { key, bind },
    };
  }

  private endpointDeploy(n: IrNode): void {
    const group = this.deployGroup(n, "a SageMaker endpoint, never public (IAM-authenticated calls only).");
    this.endpoint(n, group);
    this.deploys.push(group);
  }

  private streamDeploy(n: IrNode): void {
    const s = this.stem(n);
    const topic = String(n.config.topic ?? n.id);
    const out: Group = { title: this.title(n, "the Kinesis stream the scored events are published to."), resources: [] };
    const scores = this.kinesis(out, n, "scores", this.v(s, "scores"), `The scored events of topic ${commentText(topic)}: each input row with its prediction.`);
    this.streams.set(n.id, scores);
    this.streamOutputs.push([topic, ref(scores, "name")]);
    this.steps.push(out);

    const dataIn = this.g.input(n, "data");
    if (!dataIn) throw new TargetError(`aws: stream deploy \`${n.id}\` has no data input`);
    const input = this.streams.get(dataIn.from.id);
    if (!input) throw new TargetError(`aws: stream deploy \`${n.id}\` reads \`${dataIn.from.id}\`, which has no Kinesis stream`);
    const group = this.deployGroup(n, "an endpoint and a Lambda that scores each event of the input stream with it.");
    const endpoint = this.endpoint(n, group);
    const model = this.g.input(n, "model");
    const features = model?.artifact.model?.input.map((c) => c.name) ?? [];
    const dataCols = new Set((this.g.output(dataIn.from, dataIn.fromPort).columns ?? []).map((c) => c.name));
    const prediction = (this.g.output(n).columns ?? []).find((c) => !dataCols.has(c.name))?.name ?? "prediction";
    const keys = this.g.output(dataIn.from, dataIn.fromPort).keys ?? [];
    const fn = this.v(s, "scorer");
    const logs = this.lambdaFunction(group, n, "scorer", fn, "score_stream.py", SCORE_STREAM, [
      ["ENDPOINT", ref(endpoint, "name")],
      ["OUTPUT_STREAM", ref(scores, "arn")],
      ["FEATURES", lit(JSON.stringify(features))],
      ["PREDICTION", lit(prediction)],
      ["KEYS", lit(JSON.stringify(keys))],
    ], "Scores each batch of events with the endpoint and publishes them with their prediction.");
    const policy = this.v(s, "scorer", "policy");
    this.res(group, {
      v: policy,
      type: "aws.iam.RolePolicy",
      name: this.lname(n, "scorer-access"),
      note: ["The scorer reads its input stream, calls this endpoint only and writes the scores stream."],
      args: obj({
        role: ref(this.role("lambda"), "id"),
        policy: json(
          obj({
            Version: lit("2012-10-17"),
            Statement: arr([
              obj({ Sid: lit("ReadInput"), Effect: lit("Allow"), Action: data(["kinesis:DescribeStream", "kinesis:DescribeStreamSummary", "kinesis:GetRecords", "kinesis:GetShardIterator", "kinesis:ListShards", "kinesis:SubscribeToShard"]), Resource: arr([ref(input, "arn")]) }),
              obj({ Sid: lit("Score"), Effect: lit("Allow"), Action: data(["sagemaker:InvokeEndpoint"]), Resource: arr([ref(endpoint, "arn")]) }),
              obj({ Sid: lit("Publish"), Effect: lit("Allow"), Action: data(["kinesis:PutRecord", "kinesis:PutRecords"]), Resource: arr([ref(scores, "arn")]) }),
              obj({ Sid: lit("Log"), Effect: lit("Allow"), Action: data(["logs:CreateLogStream", "logs:PutLogEvents"]), Resource: arr([tpl(ref(logs, "arn"), ":*")]) }),
            ]),
          }),
        ),
      }),
    });
    this.res(group, {
      v: this.v(s, "scorer", "source"),
      type: "aws.lambda.EventSourceMapping",
      name: this.lname(n, "scorer-source"),
      args: obj({ functionName: ref(fn, "arn"), eventSourceArn: ref(input, "arn"), startingPosition: lit("LATEST"), batchSize: lit(100), maximumBatchingWindowInSeconds: lit(1) }),
      dependsOn: [policy],
    });
    this.deploys.push(group);
  }

  // ---------- models in the state machines ----------

  /** The train or tune step whose training job produced the model `n` carries. */
  private unitOf(n: IrNode): Unit | undefined {
    for (let cur: IrNode | undefined = n; cur; cur = this.g.input(cur, "model")?.from) {
      if (cur.kind === "tune") {
        const train = this.g.input(cur, "model")?.from;
        return train ? { node: cur, train } : undefined;
      }
      if (cur.kind === "train") return { node: cur, train: cur };
      if (!["evaluate", "register"].includes(cur.kind)) return undefined;
    }
    return undefined;
  }

  /** Steps a batch deployment's scoring machine runs: everything downstream of it. */
  private scoringOwner = new Map<string, string>();

  private owned: Map<string, IrNode[]> | undefined;

  /** The steps a batch deployment's scoring machine runs, in order. */
  private ownedBy(deploy: string): IrNode[] {
    if (!this.owned) {
      this.owned = new Map();
      for (const n of this.order) {
        const o = this.ownerOf(n);
        if (o === undefined) continue;
        const list = this.owned.get(o);
        if (list) list.push(n);
        else this.owned.set(o, [n]);
      }
    }
    return this.owned.get(deploy) ?? [];
  }

  private ownerOf(n: IrNode): string | undefined {
    if (this.scoringOwner.has(n.id)) return this.scoringOwner.get(n.id);
    let owner: string | undefined;
    for (const i of this.g.inputs(n)) {
      const up = i.from.kind === "deploy" && i.from.config.mode === "batch" ? i.from.id : this.ownerOf(i.from);
      if (up) owner = up;
    }
    this.scoringOwner.set(n.id, owner!);
    return owner;
  }

  private gpuOf(train: IrNode): boolean {
    return compute(train.config.resources as Resources | undefined).gpus > 0;
  }

  private readonly machinePh = new Map<string, Code>();

  private placeholder(nameOf: string, value: Code): Placeholder {
    this.machinePh.set(nameOf, value);
    return ph(nameOf);
  }

  private startRun(flow: Flow): void {
    flow.add("Start run", {
      Type: "Pass",
      Comment: "A short id for this run: job names and the runs/<id>/ folder of the artifact bucket carry it.",
      Parameters: { "id.$": "States.ArrayGetItem(States.StringSplit(States.UUID(), '-'), 0)", bucket: this.placeholder("ArtifactBucket", ref("artifacts", "bucket")) },
      ResultPath: "$.run",
    });
  }

  private jobName(n: IrNode, limit: number): string {
    return `States.Format('{}-{}', ${intrinsic(this.jobPrefix(n, limit))}, $.run.id)`;
  }

  /** Glue states for `nodes` (batch data steps), in dependency levels; a level of several runs in parallel. */
  private prepare(flow: Flow, nodes: IrNode[]): void {
    const inSet = new Set(nodes.map((n) => n.id));
    const level = new Map<string, number>();
    for (const n of topological(this.g, nodes)) level.set(n.id, 1 + Math.max(0, ...this.g.inputs(n).filter((i) => inSet.has(i.from.id)).map((i) => level.get(i.from.id) ?? 0)));
    const levels = [...new Set(level.values())].sort((a, b) => a - b);
    const glueState = (n: IrNode) => ({
      Type: "Task",
      Comment: `${n.kind} ${n.id}`,
      Resource: t`arn:${this.placeholder("Partition", name("partition"))}:states:::glue:startJobRun.sync`,
      Parameters: { JobName: this.placeholder(`GlueJob${cap(this.stem(n))}`, ref(this.glueJobs.get(n.id)!, "name")) },
      ResultPath: null,
    });
    for (const l of levels) {
      const at = topological(this.g, nodes.filter((n) => level.get(n.id) === l));
      if (at.length === 1) flow.add(`Prepare ${at[0]!.id}`, glueState(at[0]!));
      else
        flow.add(`Prepare data, stage ${l}`, {
          Type: "Parallel",
          Branches: at.map((n) => new Flow().add(`Prepare ${n.id}`, glueState(n)).machine()),
          ResultPath: null,
        });
    }
  }

  private trainingJobParams(unit: Unit, metrics: string[], channels: { name: string; path: string }[]): Record<string, Asl> {
    const train = unit.train;
    const cfg = train.config as { framework: string; entry: string; hyperparams?: Record<string, Json>; resources?: Resources; distributed?: string };
    const c = compute(cfg.resources);
    const img = this.image(cfg.framework, "training", c.gpus > 0);
    const entry = cfg.entry.slice(cfg.entry.lastIndexOf("/") + 1);
    const bucket = ph("ArtifactBucket");
    return {
      AlgorithmSpecification: {
        TrainingImage: this.placeholder(`Image${cap(img.v)}`, name(img.v, "registryPath")),
        TrainingInputMode: "File",
        MetricDefinitions: metrics.map((m) => ({ Name: m, Regex: metricRegex(m) })),
      },
      RoleArn: this.placeholder("SageMakerRoleArn", ref(this.role("sagemaker"), "arn")),
      InputDataConfig: [
        { ChannelName: "code", DataSource: { S3DataSource: { S3DataType: "S3Prefix", S3Uri: t`s3://${bucket}/code/${train.id}/`, S3DataDistributionType: "FullyReplicated" } }, InputMode: "File" },
        ...channels.map((ch) => ({ ChannelName: ch.name, DataSource: { S3DataSource: { S3DataType: "S3Prefix", S3Uri: t`s3://${bucket}/warehouse/${ch.path}/`, S3DataDistributionType: "FullyReplicated" } }, InputMode: "File" })),
      ],
      "OutputDataConfig": { "S3OutputPath.$": "States.Format('s3://{}/runs/{}/models', $.run.bucket, $.run.id)" },
      ResourceConfig: { InstanceType: c.instanceType, InstanceCount: c.count, VolumeSizeInGB: 50 },
      StoppingCondition: { MaxRuntimeInSeconds: c.maxRuntime },
      Environment: { MLP_ENTRY: entry, MLP_METRICS_FILE: "/opt/ml/output/data/metrics.json" },
    };
  }

  /** Hyperparameters as SageMaker passes them to framework containers: JSON-encoded strings. */
  private hyperparameters(train: IrNode, skip: Set<string>, gpus: number): Record<string, string> {
    const cfg = train.config as { framework: string; hyperparams?: Record<string, Json>; distributed?: string };
    const hp: Record<string, string> = {};
    for (const [k, v] of Object.entries(cfg.hyperparams ?? {})) if (!skip.has(k)) hp[k] = JSON.stringify(v);
    hp.sagemaker_program = JSON.stringify("mlp_entry.py");
    hp.sagemaker_submit_directory = JSON.stringify("/opt/ml/input/data/code");
    if (cfg.distributed === "ddp") {
      if (cfg.framework === "tensorflow") hp.sagemaker_multi_worker_mirrored_strategy_enabled = "true";
      else hp.sagemaker_torch_distributed_enabled = "true";
    } else if (cfg.distributed === "horovod") {
      hp.sagemaker_mpi_enabled = "true";
      hp.sagemaker_mpi_num_of_processes_per_host = String(Math.max(1, gpus));
    }
    return hp;
  }

  /** The evaluate steps gating the model of `unit`, in graph order. */
  private gates: Map<string, IrNode[]> | undefined;

  private gatesOf(unit: Unit): IrNode[] {
    if (!this.gates) {
      this.gates = new Map();
      for (const n of this.order) {
        const u = n.kind === "evaluate" ? this.unitOf(n) : undefined;
        if (!u) continue;
        const list = this.gates.get(u.node.id);
        if (list) list.push(n);
        else this.gates.set(u.node.id, [n]);
      }
    }
    return this.gates.get(unit.node.id) ?? [];
  }

  private channelsOf(unit: Unit): { name: string; path: string }[] {
    const loc = (i: Input | undefined) => (i && isBatchData(this.g, i.from) ? (i.from.kind === "split" ? `${i.from.id}/${i.fromPort}` : i.from.id) : undefined);
    const out: { name: string; path: string }[] = [];
    const train = loc(this.g.input(unit.train, "data"));
    if (train) out.push({ name: "train", path: train });
    for (const gate of this.gatesOf(unit)) {
      const path = loc(this.g.input(gate, "data"));
      if (!path || out.some((c) => c.path === path)) continue;
      out.push({ name: out.some((c) => c.name === "test") ? channelName(gate.id) : "test", path });
    }
    return out;
  }

  private metricsOf(unit: Unit): string[] {
    const ms = new Set<string>();
    for (const gate of this.gatesOf(unit)) for (const s of gate.body) if (s.kind === "require") ms.add(s.metric);
    if (unit.node.kind === "tune") {
      const o = unit.node.config.objective as { maximize?: string; minimize?: string };
      ms.add(o.maximize ?? o.minimize ?? "");
    }
    return [...ms].filter(Boolean).sort();
  }

  private modelStates(flow: Flow, unit: Unit): void {
    const n = unit.node;
    const k = this.key(n);
    const metrics = this.metricsOf(unit);
    const channels = this.channelsOf(unit);
    const gpus = compute(unit.train.config.resources as Resources | undefined).gpus;
    const base = this.trainingJobParams(unit, metrics, channels);
    const trainingPrefix = this.jobPrefix(n.kind === "tune" ? n : unit.train, n.kind === "tune" ? 32 : 63);
    const sageMakerArn = (type: string, prefix: string) => this.arn("sagemaker", `${type}/${prefix}-*`);
    if (n.kind === "train") {
      flow.add(`Train ${n.id}`, {
        Type: "Task",
        Resource: t`arn:${ph("Partition")}:states:::sagemaker:createTrainingJob.sync`,
        Parameters: { "TrainingJobName.$": this.jobName(n, 63), ...base, HyperParameters: this.hyperparameters(unit.train, new Set(), gpus) },
        ResultSelector: { "TrainingJobName.$": "$.TrainingJobName", "ModelArtifacts.$": "$.ModelArtifacts", "OutputDataConfig.$": "$.OutputDataConfig" },
        ResultPath: `$.models.${k}`,
      });
      this.allow("states", `Train${cap(this.stem(n))}`, ["sagemaker:AddTags", "sagemaker:CreateTrainingJob", "sagemaker:DescribeTrainingJob", "sagemaker:StopTrainingJob"], [sageMakerArn("training-job", trainingPrefix)]);
    } else {
      const cfg = n.config as { objective: { maximize?: string; minimize?: string }; strategy: string; trials: number; parallel: number };
      const search = n.body.find((s) => s.kind === "block" && s.name === "search");
      const ranges: Record<"ContinuousParameterRanges" | "IntegerParameterRanges" | "CategoricalParameterRanges", Asl[]> = { ContinuousParameterRanges: [], IntegerParameterRanges: [], CategoricalParameterRanges: [] };
      const tuned = new Set<string>();
      for (const s of search && search.kind === "block" ? search.body : []) {
        if (s.kind !== "attr" || s.value.kind !== "call") continue;
        tuned.add(s.name);
        const args = s.value.args.map((a) => literalOf(a.value));
        switch (s.value.callee) {
          case "choice":
            ranges.CategoricalParameterRanges.push({ Name: s.name, Values: args.map((a) => JSON.stringify(a)) });
            break;
          case "uniform":
            ranges.ContinuousParameterRanges.push({ Name: s.name, MinValue: String(args[0]), MaxValue: String(args[1]), ScalingType: "Linear" });
            break;
          case "loguniform":
            ranges.ContinuousParameterRanges.push({ Name: s.name, MinValue: String(args[0]), MaxValue: String(args[1]), ScalingType: "Logarithmic" });
            break;
          case "intrange":
            ranges.IntegerParameterRanges.push({ Name: s.name, MinValue: String(args[0]), MaxValue: String(args[1]), ScalingType: "Linear" });
            break;
        }
      }
      const objective = cfg.objective.maximize !== undefined ? { Type: "Maximize", MetricName: cfg.objective.maximize } : { Type: "Minimize", MetricName: cfg.objective.minimize! };
      const strategy = { grid: "Grid", random: "Random", bayesian: "Bayesian" }[cfg.strategy] ?? "Bayesian";
      const { AlgorithmSpecification, ...rest } = base;
      flow.add(`Tune ${n.id}`, {
        Type: "Task",
        Resource: t`arn:${ph("Partition")}:states:::sagemaker:createHyperParameterTuningJob.sync`,
        Parameters: {
          "HyperParameterTuningJobName.$": this.jobName(n, 32),
          HyperParameterTuningJobConfig: {
            Strategy: strategy,
            HyperParameterTuningJobObjective: objective,
            // Grid search runs every combination: SageMaker takes no job count for it.
            ResourceLimits: strategy === "Grid" ? { MaxParallelTrainingJobs: cfg.parallel } : { MaxNumberOfTrainingJobs: cfg.trials, MaxParallelTrainingJobs: cfg.parallel },
            ParameterRanges: Object.fromEntries(Object.entries(ranges).filter(([, list]) => list.length)),
            TrainingJobEarlyStoppingType: "Off",
          },
          TrainingJobDefinition: { AlgorithmSpecification, ...rest, StaticHyperParameters: this.hyperparameters(unit.train, tuned, gpus) },
        },
        ResultSelector: { "TrainingJobName.$": "$.BestTrainingJob.TrainingJobName" },
        ResultPath: `$.tuning.${k}`,
      });
      flow.add(`Best of ${n.id}`, {
        Type: "Task",
        Resource: t`arn:${ph("Partition")}:states:::aws-sdk:sagemaker:describeTrainingJob`,
        Parameters: { "TrainingJobName.$": `$.tuning.${k}.TrainingJobName` },
        ResultSelector: { "TrainingJobName.$": "$.TrainingJobName", "ModelArtifacts.$": "$.ModelArtifacts", "OutputDataConfig.$": "$.OutputDataConfig" },
        ResultPath: `$.models.${k}`,
      });
      this.allow("states", `Tune${cap(this.stem(n))}`, ["sagemaker:AddTags", "sagemaker:CreateHyperParameterTuningJob", "sagemaker:DescribeHyperParameterTuningJob", "sagemaker:ListTrainingJobsForHyperParameterTuningJob", "sagemaker:StopHyperParameterTuningJob"], [sageMakerArn("hyper-parameter-tuning-job", trainingPrefix)]);
      this.allow("states", `Describe${cap(this.stem(n))}Trials`, ["sagemaker:DescribeTrainingJob"], [sageMakerArn("training-job", trainingPrefix)]);
    }
    this.passRole();
  }

  private passRole(): void {
    if (this.passesRole) return;
    this.passesRole = true;
    this.allow("states", "PassSageMakerRole", ["iam:PassRole"], [ref(this.role("sagemaker"), "arn")], { condition: { StringEquals: { "iam:PassedToService": "sagemaker.amazonaws.com" } } });
  }

  private gateStates(flow: Flow, gate: IrNode): void {
    const unit = this.unitOf(gate);
    if (!unit) throw new TargetError(`aws: evaluate \`${gate.id}\` gates no trained model`);
    const fn = this.metricsLambda();
    const k = this.key(gate);
    const mk = this.key(unit.node);
    flow.add(`Metrics of ${gate.id}`, {
      Type: "Task",
      Comment: "Reads metrics.json from the training job's output.tar.gz.",
      Resource: t`arn:${ph("Partition")}:states:::lambda:invoke`,
      Parameters: {
        FunctionName: this.placeholder("MetricsFunction", ref(fn, "arn")),
        Payload: { "output.$": `States.Format('{}/{}/output/output.tar.gz', $.models.${mk}.OutputDataConfig.S3OutputPath, $.models.${mk}.TrainingJobName)`, channel: channelName(gate.id) },
      },
      ResultSelector: { "metrics.$": "$.Payload.metrics" },
      ResultPath: `$.gates.${k}`,
    });
    const failed = `${gate.id} failed`;
    const op: Record<string, string> = { ">=": "NumericGreaterThanEquals", ">": "NumericGreaterThan", "<=": "NumericLessThanEquals", "<": "NumericLessThan", "==": "NumericEquals" };
    const rules: Asl[] = [];
    for (const s of gate.body) {
      if (s.kind !== "require") continue;
      const variable = `$.gates.${k}.metrics.${s.metric}`;
      const value = Number(literalOf(s.value));
      const test: Asl = s.op === "!=" ? { Not: { Variable: variable, NumericEquals: value } } : { Variable: variable, [op[s.op]!]: value };
      rules.push({ Variable: variable, IsPresent: true }, { Variable: variable, IsNumeric: true }, test);
    }
    flow.add(`Gate ${gate.id}`, {
      Type: "Choice",
      Comment: gate.body
        .filter((s) => s.kind === "require")
        .map((s) => (s.kind === "require" ? `require ${s.metric} ${s.op} ${literalOf(s.value)}` : ""))
        .join("; "),
      Choices: [{ And: rules }],
      Default: failed,
    });
    flow.side(failed, { Type: "Fail", Error: "GateFailed", Cause: `${gate.id}: a require did not hold; nothing after the gate runs.` });
  }

  private metricsLambda(): string {
    if (this.metricsFunction) return this.metricsFunction;
    const group: Group = { title: ["Gates: a Lambda reads a training job's metrics.json for the evaluate steps' Choice states."], resources: [] };
    const fn = this.v("metrics", "function");
    this.vars.add(fn);
    const logs = this.lambdaFunction(group, undefined, "metrics", fn, "read_metrics.py", READ_METRICS, [], "Returns the finite metrics of a training job's output.tar.gz.");
    this.allow("lambda", "ReadRunOutputs", ["s3:GetObject"], [this.bucketArn("/runs/*")]);
    this.allow("lambda", "LogMetrics", ["logs:CreateLogStream", "logs:PutLogEvents"], [tpl(ref(logs, "arn"), ":*")]);
    this.steps.push(group);
    this.metricsFunction = fn;
    return fn;
  }

  private registerStates(flow: Flow, n: IrNode, deployFrom?: IrNode): void {
    const reg = this.groupsOfRegistry.get(n.id)!;
    const unit = this.unitOf(deployFrom ?? n)!;
    const cfg = unit.train.config as { framework: string; entry: string; resources?: Resources };
    const gpu = this.gpuOf(unit.train);
    const img = this.image(cfg.framework, "inference", gpu);
    const stage = deployFrom ? "production" : (n.config.stage as string | undefined);
    const mk = this.key(unit.node);
    flow.add(`Register ${n.id}`, {
      Type: "Task",
      Resource: t`arn:${ph("Partition")}:states:::aws-sdk:sagemaker:createModelPackage`,
      Parameters: {
        ModelPackageGroupName: this.placeholder(`Group${cap(reg.v)}`, ref(reg.v, "modelPackageGroupName")),
        ModelApprovalStatus: stage === "production" ? "Approved" : "PendingManualApproval",
        "ModelPackageDescription.$": `States.Format('mlp ${intrinsicText(this.pipe)} run {}: ${intrinsicText(unit.node.id)}', $.run.id)`,
        CustomerMetadataProperties: { pipeline: this.pipe, step: unit.node.id, stage: stage ?? "none", "run.$": "$.run.id" },
        InferenceSpecification: {
          Containers: [
            {
              Image: this.placeholder(`Image${cap(img.v)}`, name(img.v, "registryPath")),
              "ModelDataUrl.$": `$.models.${mk}.ModelArtifacts.S3ModelArtifacts`,
              Environment: { SAGEMAKER_PROGRAM: cfg.entry.slice(cfg.entry.lastIndexOf("/") + 1), SAGEMAKER_SUBMIT_DIRECTORY: "/opt/ml/model/code", SAGEMAKER_CONTAINER_LOG_LEVEL: "20" },
            },
          ],
          SupportedContentTypes: ["application/json", "application/jsonlines", "text/csv", "application/x-parquet"],
          SupportedResponseMIMETypes: ["application/json"],
        },
      },
      ResultSelector: { "ModelPackageArn.$": "$.ModelPackageArn" },
      ResultPath: `$.registered.${this.key(n)}`,
    });
    this.allow("states", `Register${cap(reg.v)}`, ["sagemaker:CreateModelPackage"], [
      this.arn("sagemaker", tpl("model-package-group/", ref(reg.v, "modelPackageGroupName"))),
      this.arn("sagemaker", tpl("model-package/", ref(reg.v, "modelPackageGroupName"), "/*")),
    ]);
  }

  private notebookState(flow: Flow, n: IrNode, models: Set<string>): void {
    const r = compute(n.config.resources as Resources | undefined);
    const img = this.image("notebook", "training", false);
    const env: Record<string, Asl> = {
      MLP_CONFIG: `${fileName(n.id)}.json`,
      MLP_WAREHOUSE: t`s3://${ph("ArtifactBucket")}/warehouse`,
      "MLP_RUN_ID.$": "$.run.id",
    };
    for (const i of this.g.inputs(n)) {
      const unit = this.unitOf(i.from);
      if (unit && models.has(unit.node.id)) env[`${this.modelEnv(unit.node)}.$`] = `$.models.${this.key(unit.node)}.ModelArtifacts.S3ModelArtifacts`;
    }
    const prefix = this.jobPrefix(n, 63);
    flow.add(`Notebook ${n.id}`, {
      Type: "Task",
      Resource: t`arn:${ph("Partition")}:states:::sagemaker:createProcessingJob.sync`,
      Parameters: {
        "ProcessingJobName.$": this.jobName(n, 63),
        RoleArn: this.placeholder("SageMakerRoleArn", ref(this.role("sagemaker"), "arn")),
        AppSpecification: { ImageUri: this.placeholder(`Image${cap(img.v)}`, name(img.v, "registryPath")), ContainerEntrypoint: ["python3", "/opt/ml/processing/input/mlp/run_notebook.py"] },
        ProcessingInputs: [
          { InputName: "mlp", S3Input: { S3Uri: t`s3://${ph("ArtifactBucket")}/assets/notebooks/`, LocalPath: "/opt/ml/processing/input/mlp", S3DataType: "S3Prefix", S3InputMode: "File" } },
          { InputName: "notebook", S3Input: { S3Uri: t`s3://${ph("ArtifactBucket")}/code/${n.id}/`, LocalPath: "/opt/ml/processing/input/notebook", S3DataType: "S3Prefix", S3InputMode: "File" } },
        ],
        ProcessingOutputConfig: {
          Outputs: [{ OutputName: "report", S3Output: { "S3Uri.$": `States.Format('s3://{}/runs/{}/reports/${intrinsicText(n.id)}', $.run.bucket, $.run.id)`, LocalPath: "/opt/ml/processing/output", S3UploadMode: "EndOfJob" } }],
        },
        ProcessingResources: { ClusterConfig: { InstanceCount: 1, InstanceType: r.instanceType, VolumeSizeInGB: 30 } },
        StoppingCondition: { MaxRuntimeInSeconds: r.maxRuntime },
        Environment: env,
      },
      ResultPath: null,
    });
    this.allow("states", `Notebook${cap(this.stem(n))}`, ["sagemaker:AddTags", "sagemaker:CreateProcessingJob", "sagemaker:DescribeProcessingJob", "sagemaker:StopProcessingJob"], [this.arn("sagemaker", `processing-job/${prefix}-*`)]);
    this.passRole();
  }

  private syncRules(kinds: string[]): void {
    // The .sync integrations learn that a job ended from an EventBridge rule Step Functions manages.
    const rules = kinds.map((k) => this.arn("events", `rule/StepFunctionsGetEventsFor${k}Rule`));
    if (!rules.length) return;
    this.allow("states", `SyncRules${kinds.join("")}`, ["events:DescribeRule", "events:PutRule", "events:PutTargets"], rules);
  }

  private machine(group: Group, v: string, nameOf: string, path: string, flow: Flow, comment: string): void {
    const def = flow.machine(comment);
    const rendered = render(def);
    this.machineFiles.push({ path, definition: rendered });
    this.asset(path, stableJsonKeepOrder(rendered));
    const values: [string, Code][] = [...placeholders(def)].sort().map((p) => {
      if (p === "Partition") return [p, name("partition")];
      const value = this.machinePh.get(p);
      if (!value) throw new TargetError(`aws: no value for the placeholder ${p}`);
      return [p, value];
    });
    this.res(group, {
      v,
      type: "aws.sfn.StateMachine",
      name: nameOf,
      args: obj({ roleArn: ref(this.role("states"), "arn"), definition: { k: "definition", path: lit(path), values } }),
    });
  }

  private schedule(group: Group, n: IrNode | undefined, cron: string, machineVar: string, what: string): void {
    this.res(group, {
      v: this.v(machineVar, "schedule"),
      type: "aws.scheduler.Schedule",
      name: this.lname(n, `${what}-schedule`),
      note: [`cron(${commentText(cron)}) in UTC`],
      args: obj({
        scheduleExpression: lit(awsCron(cron)),
        scheduleExpressionTimezone: lit("UTC"),
        flexibleTimeWindow: obj({ mode: lit("OFF") }),
        target: obj({ arn: ref(machineVar, "arn"), roleArn: ref(this.role("scheduler"), "arn"), input: lit("{}") }),
      }),
    });
    this.allow("scheduler", `Start${cap(machineVar)}`, ["states:StartExecution"], [ref(machineVar, "arn")]);
  }

  // ----- the training machine -----

  private training(): void {
    const owned = (n: IrNode) => this.ownerOf(n) === undefined;
    const data = this.order.filter((n) => isBatchData(this.g, n) && owned(n));
    const units: IrNode[] = this.order.filter((n) => (n.kind === "tune" || (n.kind === "train" && this.g.consumers(n).some((c) => c.node.kind !== "tune"))) && owned(n));
    if (!data.length && !units.length) return;
    const flow = new Flow();
    this.startRun(flow);
    this.prepare(flow, data);
    const done = new Set<string>();
    const sync = new Set<string>();
    const deployedFrom = new Map<string, IrNode>();
    for (const d of this.order) {
      if (d.kind !== "deploy") continue;
      const reg = this.registryOf(d);
      if (reg.implicit) deployedFrom.set(reg.node.id, reg.node);
    }
    for (const n of this.order) {
      if (!owned(n)) continue;
      if (units.includes(n)) {
        const unit = n.kind === "tune" ? this.unitOf(n)! : { node: n, train: n };
        this.modelStates(flow, unit);
        done.add(n.id);
        sync.add(n.kind === "tune" ? "SageMakerTuningJobs" : "SageMakerTrainingJobs");
      } else if (n.kind === "evaluate") this.gateStates(flow, n);
      else if (n.kind === "register") this.registerStates(flow, n);
      else if (n.kind === "notebook") {
        this.notebookState(flow, n, done);
        sync.add("SageMakerProcessingJobs");
      }
      if (deployedFrom.has(n.id) && n.kind !== "register") this.registerStates(flow, deployedFrom.get(n.id)!, n);
    }
    if (data.length) this.allowGlue(data);
    this.syncRules([...sync].sort());
    flow.add("Done", { Type: "Succeed" });
    const group: Group = { title: [`The training pipeline of ${commentText(this.pipe)}: data preparation, training, tuning, gates and registration.`], resources: [] };
    this.machine(group, "training", this.lname(undefined, "training"), "assets/statemachines/training.asl.json", flow, `mlp ${this.pipe}: the training pipeline`);
    this.vars.add("training");
    const schedule = (this.ir.pipeline?.settings as { schedule?: { cron: string } } | undefined)?.schedule;
    if (schedule) this.schedule(group, undefined, schedule.cron, "training", "training");
    this.outputs.push({ name: "trainingPipeline", value: ref("training", "arn") });
    this.machines.push(group);
  }

  private allowGlue(jobs: IrNode[]): void {
    this.allow(
      "states",
      `RunGlueJobs${jobs.length > 0 ? hash8(jobs.map((j) => j.id).join(",")).slice(0, 4) : ""}`,
      ["glue:BatchStopJobRun", "glue:GetJobRun", "glue:GetJobRuns", "glue:StartJobRun"],
      jobs.map((n) => ref(this.glueJobs.get(n.id)!, "arn")),
    );
  }

  // ----- batch scoring machines -----

  private scoring(d: IrNode): void {
    const s = this.stem(d);
    const reg = this.registryOf(d);
    const data = this.g.input(d, "data");
    if (!data || !isBatchData(this.g, data.from)) throw new TargetError(`aws: batch deploy \`${d.id}\` needs batch data to score`);
    const output = String(d.config.output ?? "");
    const c = compute(d.config.resources as Resources | undefined);
    const count = typeof d.config.instances === "number" ? d.config.instances : typeof d.config.instances === "object" ? (d.config.instances as { max: number }).max : 1;
    const prefix = this.jobPrefix(d, 63);
    const flow = new Flow();
    this.startRun(flow);
    flow.add("Find model", {
      Type: "Task",
      Comment: "The newest approved version of the registered model.",
      Resource: t`arn:${ph("Partition")}:states:::aws-sdk:sagemaker:listModelPackages`,
      Parameters: { ModelPackageGroupName: this.placeholder(`Group${cap(reg.v)}`, ref(reg.v, "modelPackageGroupName")), ModelApprovalStatus: "Approved", SortBy: "CreationTime", SortOrder: "Descending", MaxResults: 1 },
      ResultPath: "$.found",
    });
    flow.add("Approved model?", { Type: "Choice", Choices: [{ Variable: "$.found.ModelPackageSummaryList[0].ModelPackageArn", IsPresent: true }], Default: "No approved model" });
    flow.side("No approved model", { Type: "Fail", Error: "NoApprovedModel", Cause: `${d.id}: the model package group has no approved version yet.` });
    flow.add("Create model", {
      Type: "Task",
      Resource: t`arn:${ph("Partition")}:states:::sagemaker:createModel`,
      Parameters: {
        "ModelName.$": this.jobName(d, 63),
        ExecutionRoleArn: this.placeholder("SageMakerRoleArn", ref(this.role("sagemaker"), "arn")),
        PrimaryContainer: { "ModelPackageName.$": "$.found.ModelPackageSummaryList[0].ModelPackageArn" },
      },
      ResultPath: null,
    });
    const inPath = data.from.kind === "split" ? `${data.from.id}/${data.fromPort}` : data.from.id;
    flow.add(`Score ${d.id}`, {
      Type: "Task",
      Resource: t`arn:${ph("Partition")}:states:::sagemaker:createTransformJob.sync`,
      Parameters: {
        "TransformJobName.$": this.jobName(d, 63),
        "ModelName.$": this.jobName(d, 63),
        TransformInput: { DataSource: { S3DataSource: { S3DataType: "S3Prefix", S3Uri: t`s3://${ph("ArtifactBucket")}/warehouse/${inPath}/` } }, ContentType: "application/x-parquet", SplitType: "None" },
        TransformOutput: { S3OutputPath: output, Accept: "application/json", AssembleWith: "Line" },
        TransformResources: { InstanceType: c.instanceType, InstanceCount: count },
      },
      ResultPath: null,
      Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: "$.error", Next: "Delete model after failure" }],
    });
    const after = this.ownedBy(d.id);
    const downstreamData = after.filter((n) => isBatchData(this.g, n));
    this.prepare(flow, downstreamData);
    for (const n of after) if (n.kind === "notebook") this.notebookState(flow, n, new Set());
    const deleteModel = () => ({ Type: "Task", Resource: t`arn:${ph("Partition")}:states:::aws-sdk:sagemaker:deleteModel`, Parameters: { "ModelName.$": this.jobName(d, 63) }, ResultPath: null });
    flow.add("Delete model", deleteModel());
    flow.add("Done", { Type: "Succeed" });
    flow.side("Delete model after failure", { ...deleteModel(), Next: "Scoring failed" });
    flow.side("Scoring failed", { Type: "Fail", Error: "ScoringFailed", Cause: `${d.id}: the batch transform failed.` });
    if (downstreamData.length) this.allowGlue(downstreamData);
    this.allow("states", `Find${cap(reg.v)}`, ["sagemaker:ListModelPackages"], [lit("*")], { note: ["ListModelPackages has no resource-level permissions: AWS offers no narrower form than *."] });
    this.allow("states", `Score${cap(s)}`, ["sagemaker:AddTags", "sagemaker:CreateModel", "sagemaker:CreateTransformJob", "sagemaker:DeleteModel", "sagemaker:DescribeTransformJob", "sagemaker:StopTransformJob"], [
      this.arn("sagemaker", `model/${prefix}-*`),
      this.arn("sagemaker", `transform-job/${prefix}-*`),
    ]);
    this.allow("states", `Read${cap(reg.v)}`, ["sagemaker:DescribeModelPackage"], [this.arn("sagemaker", tpl("model-package/", ref(reg.v, "modelPackageGroupName"), "/*"))]);
    this.passRole();
    this.syncRules(["SageMakerTransformJobs", ...(after.some((n) => n.kind === "notebook") ? ["SageMakerProcessingJobs"] : [])]);
    this.externalWrite("sagemaker", output, `Write${cap(s)}Scores`);
    const group: Group = { title: this.title(d, "the scoring pipeline: a batch transform with the newest approved model, on its schedule."), resources: [] };
    if (!/^s3:\/\//.test(output)) group.title.push("Note: its output is not an s3:// location; batch transform writes to S3 only.");
    const v = this.v(s, "scoring");
    this.machine(group, v, this.lname(d, "scoring"), `assets/statemachines/${fileName(d.id)}.asl.json`, flow, `mlp ${this.pipe}: scoring of ${d.id}`);
    const cron = (d.config.schedule as { cron?: string } | undefined)?.cron;
    if (cron) this.schedule(group, d, cron, v, "scoring");
    this.machines.push(group);
  }

  // ---------- IAM ----------

  private roleGroup(): Group | undefined {
    if (!this.roles.size) return undefined;
    const g: Group = { title: ["IAM: one role per AWS service; what each may touch is listed under Permissions below."], resources: [] };
    for (const s of SERVICE_ORDER) {
      if (!this.roles.has(s)) continue;
      const statement: Record<string, Code | undefined> = {
        Effect: lit("Allow"),
        Principal: obj({ Service: lit(PRINCIPALS[s]) }),
        Action: lit("sts:AssumeRole"),
        Condition: SOURCE_ACCOUNT.has(s) ? obj({ StringEquals: obj({ "aws:SourceAccount": name("account") }) }) : undefined,
      };
      this.vars.add(this.role(s));
      this.res(g, {
        v: this.role(s),
        type: "aws.iam.Role",
        name: this.lname(undefined, s),
        args: obj({ description: lit(`mlp ${this.pipe}: ${PRINCIPALS[s]}`), assumeRolePolicy: json(obj({ Version: lit("2012-10-17"), Statement: arr([obj(statement)]) })) }),
      });
    }
    return g;
  }

  private permissions(): Group | undefined {
    if (this.roles.has("glue")) {
      this.allow("glue", "ReadGlueAssets", ["s3:GetObject"], [this.bucketArn("/assets/glue/*")]);
      this.allow("glue", "UseWarehouse", ["s3:DeleteObject", "s3:GetObject", "s3:PutObject"], [this.bucketArn("/warehouse/*"), this.bucketArn("/tmp/glue/*")]);
      this.allow("glue", "ListWarehouse", ["s3:ListBucket"], [ref("artifacts", "arn")], { condition: { StringLike: { "s3:prefix": ["warehouse*", "tmp/glue*"] } } });
      this.allow("glue", "Log", ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"], [this.arn("logs", "log-group:/aws-glue/*")]);
    }
    if (this.roles.has("sagemaker")) {
      this.allow("sagemaker", "ReadInputs", ["s3:GetObject"], [this.bucketArn("/code/*"), this.bucketArn("/assets/notebooks/*"), this.bucketArn("/warehouse/*"), this.bucketArn("/runs/*")]);
      this.allow("sagemaker", "ListInputs", ["s3:ListBucket"], [ref("artifacts", "arn")], { condition: { StringLike: { "s3:prefix": ["code/*", "assets/notebooks/*", "warehouse/*", "runs/*"] } } });
      this.allow("sagemaker", "WriteRuns", ["s3:AbortMultipartUpload", "s3:PutObject"], [this.bucketArn("/runs/*")]);
      this.allow("sagemaker", "Log", ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"], [this.arn("logs", "log-group:/aws/sagemaker/*")]);
      this.allow("sagemaker", "EcrLogin", ["ecr:GetAuthorizationToken"], [lit("*")], { note: ["GetAuthorizationToken has no resource-level permissions: AWS offers no narrower form than *."] });
    }
    if (this.roles.has("flink")) this.allow("flink", "DescribeLogGroups", ["logs:DescribeLogGroups"], [this.arn("logs", "log-group:*")]);
    const g: Group = { title: ["Permissions: exactly the resources each role's jobs touch."], resources: [] };
    for (const s of SERVICE_ORDER) {
      const list = this.statements.get(s);
      if (!list?.length) continue;
      this.res(g, {
        v: `${this.role(s)}Policy`,
        type: "aws.iam.RolePolicy",
        name: this.lname(undefined, s),
        args: obj({ role: ref(this.role(s), "id"), policy: json(obj({ Version: lit("2012-10-17"), Statement: arr(uniqueSids(dedupe(list))) })) }),
      });
    }
    return g.resources.length ? g : undefined;
  }

  private outputsOf(): void {
    this.outputs.push(
      ...([
        ["streams", this.streamOutputs],
        ["onlineFeatureTables", this.onlineOutputs],
        ["endpoints", this.endpointOutputs],
      ] as const)
        .filter(([, list]) => list.length)
        .map(([nameOf, list]) => ({ name: nameOf, value: obj(list.map(([k, v]) => [k, v] as [string, Code])) })),
    );
    const packages = [...this.groupsOfRegistry.values()];
    if (packages.length) this.outputs.push({ name: "modelPackageGroups", value: obj(packages.map((p) => [p.node.id, ref(p.v, "modelPackageGroupName")] as [string, Code])) });
    if (this.flinkZips.length) {
      this.asset("assets/flink/run_sql.py", FLINK_RUNNER);
      this.asset("assets/flink/package.mjs", FLINK_PACKAGER);
    }
  }
}

// ---------- helpers ----------

/**
 * Dependency order of `subset`, ties broken by IR order (as Graph.order, in O(n log n): large
 * pipelines have thousands of ready steps at once).
 */
const indexes = new WeakMap<Graph, Map<string, number>>();

function topological(g: Graph, subset: IrNode[]): IrNode[] {
  let index = indexes.get(g);
  if (!index) indexes.set(g, (index = new Map(g.nodes.map((n, i) => [n.id, i] as const))));
  const inSet = new Map(subset.map((n) => [n.id, n] as const));
  const pending = new Map<string, number>();
  const heap: IrNode[] = [];
  const before = (a: IrNode, b: IrNode) => index!.get(a.id)! < index!.get(b.id)!;
  const push = (n: IrNode) => {
    heap.push(n);
    for (let i = heap.length - 1; i > 0; ) {
      const p = (i - 1) >> 1;
      if (!before(heap[i]!, heap[p]!)) break;
      [heap[i], heap[p]] = [heap[p]!, heap[i]!];
      i = p;
    }
  };
  const pop = (): IrNode => {
    const top = heap[0]!;
    const last = heap.pop()!;
    if (heap.length) {
      heap[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && before(heap[l]!, heap[m]!)) m = l;
        if (r < heap.length && before(heap[r]!, heap[m]!)) m = r;
        if (m === i) break;
        [heap[i], heap[m]] = [heap[m]!, heap[i]!];
        i = m;
      }
    }
    return top;
  };
  for (const n of subset) {
    const deps = new Set(g.inputs(n).filter((i) => inSet.has(i.from.id)).map((i) => i.from.id)).size;
    pending.set(n.id, deps);
    if (deps === 0) push(n);
  }
  const out: IrNode[] = [];
  const done = new Set<string>();
  while (heap.length) {
    const n = pop();
    out.push(n);
    done.add(n.id);
    const released = new Set<string>();
    for (const c of g.consumers(n)) {
      if (!inSet.has(c.node.id) || released.has(c.node.id)) continue;
      released.add(c.node.id);
      const left = pending.get(c.node.id)! - 1;
      pending.set(c.node.id, left);
      if (left === 0) push(c.node);
    }
  }
  // A cycle (only in erroneous programs) leaves nodes out: append them in IR order.
  for (const n of subset) if (!done.has(n.id)) out.push(n);
  return out;
}

const cap = (s: string) => s.replace(/^./, (c) => c.toUpperCase());

/** A file name from a step id (ids are identifiers, except file-prefixed imported clashes). */
function fileName(id: string): string {
  return /^[A-Za-z0-9_]+$/.test(id) ? id : `${id.replace(/[^A-Za-z0-9_]+/g, "_").slice(0, 40)}_${hash8(id)}`;
}

/** A SageMaker channel name for a gate's data. */
function channelName(id: string): string {
  return /^[A-Za-z0-9_.-]+$/.test(id) ? id : `gate-${hash8(id)}`;
}

/** A string for inside an intrinsic function's quoted text: only [A-Za-z0-9_ -] kept. */
function intrinsicText(s: string): string {
  return s.replace(/[^A-Za-z0-9_ -]/g, "_");
}

function freshName(base: string, taken: string[]): string {
  let n = base;
  for (let i = 2; taken.includes(n); i++) n = `${base}_${i}`;
  return n;
}

function literalOf(e: { kind: string; value?: unknown; operand?: unknown; op?: string }): Json {
  if (e.kind === "number" || e.kind === "string" || e.kind === "bool") return e.value as Json;
  if (e.kind === "unary" && e.op === "-") {
    const v = literalOf(e.operand as { kind: string });
    return typeof v === "number" ? -v : v;
  }
  if (e.kind === "ref") return (e as unknown as { name: string }).name;
  return null;
}

/** Statement ids are unique within a policy: a repeated one gets a number. */
function uniqueSids(list: Code[]): Code[] {
  const seen = new Map<string, number>();
  return list.map((c) => {
    const st = c.k === "noted" ? c.value : c;
    if (st.k !== "obj") return c;
    const sid = st.entries.find(([k]) => k === "Sid")?.[1];
    if (!sid || sid.k !== "lit" || typeof sid.v !== "string") return c;
    const count = (seen.get(sid.v) ?? 0) + 1;
    seen.set(sid.v, count);
    if (count === 1) return c;
    const renamed: Code = { k: "obj", entries: st.entries.map(([k, v]) => (k === "Sid" ? [k, lit(`${sid.v}${count}`)] : [k, v])) };
    return c.k === "noted" ? { ...c, value: renamed } : renamed;
  });
}

function dedupe(list: Code[]): Code[] {
  const seen = new Set<string>();
  return list.filter((c) => {
    const k = JSON.stringify(c);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** JSON as the state machine reads it: key order kept (it follows the states), two-space indent. */
function stableJsonKeepOrder(v: unknown): string {
  return JSON.stringify(v, null, 2) + "\n";
}
