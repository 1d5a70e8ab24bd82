// IAM: one role per AWS service the program uses, and one inline policy per role listing
// exactly what that service's jobs touch. Planning functions ask for access as they declare
// resources (`allow`); the roles and policies are declared from what was asked (roleGroup,
// permissionsGroup), so an unused service has no role and a grant names concrete resources.
import type { PlanContext } from "./context";
import { arr, data, json, lit, name, noted, obj, ref, tpl, type Code, type Group, type Json } from "./model";
import { hash8 } from "./quote";

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

export const KINESIS_READ = ["kinesis:DescribeStream", "kinesis:DescribeStreamSummary", "kinesis:GetRecords", "kinesis:GetShardIterator", "kinesis:ListShards", "kinesis:SubscribeToShard"];

export class Iam {
  private readonly roles = new Set<Service>();
  private readonly statements = new Map<Service, Code[]>();
  private passesRole = false;

  constructor(private readonly cx: PlanContext) {}

  /** The role variable of a service (`glueRole`), marking the role as needed. */
  role(s: Service): string {
    this.roles.add(s);
    return `${s === "sagemaker" ? "sageMaker" : s}Role`;
  }

  has(s: Service): boolean {
    return this.roles.has(s);
  }

  allow(s: Service, sid: string, actions: string[], resources: Code[], extra: { note?: string[]; condition?: Json } = {}): void {
    this.role(s);
    const st = obj({ Sid: lit(sid), Effect: lit("Allow"), Action: data(actions), Resource: arr(resources), Condition: extra.condition === undefined ? undefined : data(extra.condition) });
    const list = this.statements.get(s) ?? [];
    list.push(extra.note ? noted(extra.note, st) : st);
    this.statements.set(s, list);
  }

  /** Step Functions hands the SageMaker role to the jobs it creates, and to SageMaker only. */
  passSageMakerRole(): void {
    if (this.passesRole) return;
    this.passesRole = true;
    this.allow("states", "PassSageMakerRole", ["iam:PassRole"], [ref(this.role("sagemaker"), "arn")], { condition: { StringEquals: { "iam:PassedToService": "sagemaker.amazonaws.com" } } });
  }

  /** Read access to an s3:// location outside the artifact bucket; false when it is not in S3. */
  externalRead(s: Service, uri: string, sid: string): boolean {
    const m = /^s3a?:\/\/([^/]+)\/?(.*)$/.exec(uri);
    if (!m) return false;
    const bucket = m[1]!;
    const prefix = m[2]!;
    this.allow(s, sid, ["s3:GetObject"], [tpl("arn:", name("partition"), ":s3:::", `${bucket}/${prefix}*`)]);
    this.allow(s, `${sid}List`, ["s3:ListBucket"], [tpl("arn:", name("partition"), ":s3:::", bucket)], { condition: { StringLike: { "s3:prefix": [`${prefix}*`] } } });
    return true;
  }

  /** Write access to an s3:// location outside the artifact bucket. */
  externalWrite(s: Service, uri: string, sid: string): boolean {
    const m = /^s3a?:\/\/([^/]+)\/?(.*)$/.exec(uri);
    if (!m) return false;
    this.allow(s, sid, ["s3:AbortMultipartUpload", "s3:PutObject"], [tpl("arn:", name("partition"), ":s3:::", `${m[1]!}/${m[2]!}*`)]);
    return true;
  }

  /** Step Functions may start and watch these Glue jobs (one statement per machine). */
  allowGlueJobs(jobs: readonly { id: string }[]): void {
    this.allow(
      "states",
      `RunGlueJobs${jobs.length > 0 ? hash8(jobs.map((j) => j.id).join(",")).slice(0, 4) : ""}`,
      ["glue:BatchStopJobRun", "glue:GetJobRun", "glue:GetJobRuns", "glue:StartJobRun"],
      jobs.map((n) => ref(this.cx.glueJobs.get(n.id)!, "arn")),
    );
  }

  /** The .sync integrations learn that a job ended from an EventBridge rule Step Functions manages. */
  allowSyncRules(kinds: string[]): void {
    const rules = kinds.map((k) => this.cx.arn("events", `rule/StepFunctionsGetEventsFor${k}Rule`));
    if (!rules.length) return;
    this.allow("states", `SyncRules${kinds.join("")}`, ["events:DescribeRule", "events:PutRule", "events:PutTargets"], rules);
  }

  /** The roles asked for, each trusting its service only. */
  roleGroup(): Group | undefined {
    const cx = this.cx;
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
      cx.take(this.role(s));
      cx.res(g, {
        v: this.role(s),
        type: "aws.iam.Role",
        name: cx.lname(undefined, s),
        args: obj({ description: lit(`mlp ${cx.pipe}: ${PRINCIPALS[s]}`), assumeRolePolicy: json(obj({ Version: lit("2012-10-17"), Statement: arr([obj(statement)]) })) }),
      });
    }
    return g;
  }

  /** Each role's policy: what every role's service needs, then the grants asked for. */
  permissionsGroup(): Group | undefined {
    const cx = this.cx;
    if (this.roles.has("glue")) {
      this.allow("glue", "ReadGlueAssets", ["s3:GetObject"], [cx.bucketArn("/assets/glue/*")]);
      // The runs' tables only: warehouse/latest.json is the state machine's to move.
      this.allow("glue", "UseWarehouse", ["s3:DeleteObject", "s3:GetObject", "s3:PutObject"], [cx.bucketArn("/warehouse/runs/*"), cx.bucketArn("/tmp/glue/*")]);
      this.allow("glue", "ListWarehouse", ["s3:ListBucket"], [ref("artifacts", "arn")], { condition: { StringLike: { "s3:prefix": ["warehouse/runs*", "tmp/glue*"] } } });
      this.allow("glue", "Log", ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"], [cx.arn("logs", "log-group:/aws-glue/*")]);
    }
    if (this.roles.has("sagemaker")) {
      this.allow("sagemaker", "ReadInputs", ["s3:GetObject"], [cx.bucketArn("/code/*"), cx.bucketArn("/assets/notebooks/*"), cx.bucketArn("/warehouse/runs/*"), cx.bucketArn("/runs/*")]);
      this.allow("sagemaker", "ListInputs", ["s3:ListBucket"], [ref("artifacts", "arn")], { condition: { StringLike: { "s3:prefix": ["code/*", "assets/notebooks/*", "warehouse/runs/*", "runs/*"] } } });
      this.allow("sagemaker", "WriteRuns", ["s3:AbortMultipartUpload", "s3:PutObject"], [cx.bucketArn("/runs/*")]);
      this.allow("sagemaker", "Log", ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"], [cx.arn("logs", "log-group:/aws/sagemaker/*")]);
      this.allow("sagemaker", "EcrLogin", ["ecr:GetAuthorizationToken"], [lit("*")], { note: ["GetAuthorizationToken has no resource-level permissions: AWS offers no narrower form than *."] });
    }
    if (this.roles.has("flink")) this.allow("flink", "DescribeLogGroups", ["logs:DescribeLogGroups"], [cx.arn("logs", "log-group:*")]);
    const g: Group = { title: ["Permissions: exactly the resources each role's jobs touch."], resources: [] };
    for (const s of SERVICE_ORDER) {
      const list = this.statements.get(s);
      if (!list?.length) continue;
      cx.res(g, {
        v: `${this.role(s)}Policy`,
        type: "aws.iam.RolePolicy",
        name: cx.lname(undefined, s),
        args: obj({ role: ref(this.role(s), "id"), policy: json(obj({ Version: lit("2012-10-17"), Statement: arr(uniqueSids(dedupe(list))) })) }),
      });
    }
    return g.resources.length ? g : undefined;
  }
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

/**
 * Exact repeats left out. Only statements with the same Sid can be equal, so each is compared
 * (as JSON) with the ones before it that share its Sid: most Sids are unique, and stringifying
 * every statement of a large pipeline's policies cost more than building them.
 */
function dedupe(list: Code[]): Code[] {
  const seen = new Map<string | undefined, { first: Code; keys?: Set<string> }>();
  return list.filter((c) => {
    const sid = sidOf(c);
    const group = seen.get(sid);
    if (!group) {
      seen.set(sid, { first: c });
      return true;
    }
    group.keys ??= new Set([JSON.stringify(group.first)]);
    const k = JSON.stringify(c);
    if (group.keys.has(k)) return false;
    group.keys.add(k);
    return true;
  });
}

/** A statement's Sid, when it has a literal one. */
function sidOf(c: Code): string | undefined {
  const st = c.k === "noted" ? c.value : c;
  if (st.k !== "obj") return undefined;
  const sid = st.entries.find(([k]) => k === "Sid")?.[1];
  return sid?.k === "lit" && typeof sid.v === "string" ? sid.v : undefined;
}
