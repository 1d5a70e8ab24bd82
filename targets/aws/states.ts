// Step Functions building blocks shared by the training and scoring machines: the run id,
// job names, the run's tables (warehouse/runs/<run id>/) and the latest.json pointer to them,
// Glue states in dependency levels, and the state machine resource that fills a template's
// placeholders (the template itself is an asset: assets/statemachines/*.asl.json).
import type { ValidNode } from "../../compiler/ir";
import { TargetError } from "../../compiler/target-api";
import { Flow, intrinsic, renderText, t } from "./asl";
import { cap, type PlanContext } from "./context";
import { alertTopic, allowAlerts, NOTIFY, withFailureHandling } from "./failures";
import { lit, name, obj, ref, type Code, type Group } from "./model";

/** The first state of every machine: a short run id for job names and the runs/<id>/ folder. */
export function startRun(cx: PlanContext, flow: Flow): void {
  flow.add("Start run", {
    Type: "Pass",
    Comment: "A short id for this run: job names and the runs/<id>/ folder of the artifact bucket carry it.",
    Parameters: { "id.$": "States.ArrayGetItem(States.StringSplit(States.UUID(), '-'), 0)", bucket: cx.placeholder("ArtifactBucket", ref("artifacts", "bucket")) },
    ResultPath: "$.run",
  });
}

/** A job name unique per run: the step's prefix and the run id (an intrinsic function). */
export function jobName(cx: PlanContext, n: ValidNode, limit: number): string {
  return `States.Format('{}-{}', ${intrinsic(cx.jobPrefix(n, limit))}, $.run.id)`;
}

/**
 * Where a machine finds the run id of the tables it reads and writes (`warehouse/runs/<id>/`):
 * the training machine's own run, or (a scoring machine, outside any run) the run that
 * `warehouse/latest.json` names.
 */
export const OWN_TABLES = "$.run.id";
export const LATEST_TABLES = "$.tables.latest.run_id";

/** The key of the pointer to the last training run that succeeded as a whole (S3 has no symlinks). */
export const LATEST_KEY = "warehouse/latest.json";

/** The S3 folder of a batch output (`warehousePath`) in the tables of the run at `run`, as an intrinsic. */
export function tablesUri(path: string, run: string): string {
  return `States.Format('s3://{}/warehouse/runs/{}/{}/', $.run.bucket, ${run}, ${intrinsic(path)})`;
}

/** The tables folder of the run at `run` (no trailing slash), as an intrinsic. */
export const tablesRoot = (run: string): string => `States.Format('s3://{}/warehouse/runs/{}', $.run.bucket, ${run})`;

/**
 * The last states of a training machine that stored tables: once everything else succeeded,
 * `warehouse/latest.json` names this run, so consumers outside a run (scheduled scorings) never
 * read a mix of a failed run's tables and an older one's. Runs may end out of order: a run
 * started before the one latest.json names leaves it alone.
 */
export function publishTables(cx: PlanContext, flow: Flow): void {
  flow.add("Record run", {
    Type: "Pass",
    Comment: "What latest.json says: the run whose tables are the newest complete set, and when it started.",
    Parameters: { "run_id.$": OWN_TABLES, "execution.$": "$$.Execution.Name", "started.$": "$$.Execution.StartTime", pipeline: cx.pipe },
    ResultPath: "$.published",
  });
  flow.add("Read latest", {
    Type: "Task",
    Comment: `The run ${LATEST_KEY} names now, if any.`,
    Resource: t`arn:${cx.placeholder("Partition", name("partition"))}:states:::aws-sdk:s3:getObject`,
    Parameters: { Bucket: cx.placeholder("ArtifactBucket", ref("artifacts", "bucket")), Key: LATEST_KEY },
    ResultSelector: { "latest.$": "States.StringToJson($.Body)" },
    ResultPath: "$.previous",
    // No latest.json yet (S3 answers 403 rather than 404 to a role that may not list the
    // bucket, so the first run waits out the S3Exception retries): this run is the first to
    // publish. An S3 error that outlasts the retries publishes too (as if there were no check,
    // rather than failing a run whose work is done); a latest.json that is not JSON alerts.
    Catch: [
      { ErrorEquals: ["S3.NoSuchKeyException", "S3.S3Exception"], ResultPath: null, Next: "Publish tables" },
      { ErrorEquals: ["States.ALL"], ResultPath: "$.error", Next: NOTIFY },
    ],
  });
  const started = "$.previous.latest.started";
  flow.add("Newer run published?", {
    Type: "Choice",
    Comment: "A run that started after this one already published its tables: they stay latest.",
    Choices: [{ And: [{ Variable: started, IsPresent: true }, { Variable: started, IsTimestamp: true }, { Variable: started, TimestampGreaterThanPath: "$.published.started" }], Next: "Latest stays" }],
    Default: "Publish tables",
  });
  flow.side("Latest stays", { Type: "Succeed", Comment: "latest.json names a run that started after this one." });
  flow.add("Publish tables", {
    Type: "Task",
    Comment: `Points ${LATEST_KEY} at this run's tables: the last state before success, so a failed run never moves it.`,
    Resource: t`arn:${cx.placeholder("Partition", name("partition"))}:states:::aws-sdk:s3:putObject`,
    Parameters: { Bucket: cx.placeholder("ArtifactBucket", ref("artifacts", "bucket")), Key: LATEST_KEY, ContentType: "application/json", "Body.$": "States.JsonToString($.published)" },
    ResultPath: null,
  });
  cx.iam.allow("states", "PublishTables", ["s3:GetObject", "s3:PutObject"], [cx.bucketArn(`/${LATEST_KEY}`)]);
}

/** The first states of a machine outside any run: which run's tables it reads (LATEST_TABLES). */
export function readLatestTables(cx: PlanContext, flow: Flow): void {
  flow.add("Find tables", {
    Type: "Task",
    Comment: `The tables of the last training run that succeeded as a whole (${LATEST_KEY}).`,
    Resource: t`arn:${cx.placeholder("Partition", name("partition"))}:states:::aws-sdk:s3:getObject`,
    Parameters: { Bucket: cx.placeholder("ArtifactBucket", ref("artifacts", "bucket")), Key: LATEST_KEY },
    ResultSelector: { "latest.$": "States.StringToJson($.Body)" },
    ResultPath: "$.tables",
  });
  cx.iam.allow("states", "ReadLatestTables", ["s3:GetObject"], [cx.bucketArn(`/${LATEST_KEY}`)]);
}

/**
 * Glue states for `nodes` (batch data steps), in dependency levels; a level of several runs in
 * parallel. Each job gets the run id of the tables it reads and writes (`run`, a path).
 */
export function glueStates(cx: PlanContext, flow: Flow, nodes: ValidNode[], run: string = OWN_TABLES): void {
  const inSet = new Set(nodes.map((n) => n.id));
  const { level, acyclic } = levelsOf(cx, nodes, inSet);
  const levels = [...new Set(level.values())].sort((a, b) => a - b);
  // (One Resource for every job's state: it is only written out.)
  const resource = t`arn:${cx.placeholder("Partition", name("partition"))}:states:::glue:startJobRun.sync`;
  const glueState = (n: ValidNode) => ({
    Type: "Task",
    Comment: `${n.kind} ${n.id}`,
    Resource: resource,
    Parameters: { JobName: cx.placeholder(`GlueJob${cap(cx.stem(n))}`, ref(cx.glueJobs.get(n.id)!, "name")), Arguments: { "--mlp_run_id.$": run } },
    ResultPath: null,
  });
  const atLevel = new Map<number, ValidNode[]>(levels.map((l) => [l, []]));
  for (const n of nodes) atLevel.get(level.get(n.id)!)!.push(n);
  for (const l of levels) {
    // No step of a level reads another: dependency order is IR order.
    const at = acyclic ? atLevel.get(l)!.sort((a, b) => cx.g.position(a) - cx.g.position(b)) : cx.g.order(atLevel.get(l)!);
    if (at.length === 1) flow.add(`Prepare ${at[0]!.id}`, glueState(at[0]!));
    else
      flow.add(`Prepare data, stage ${l}`, {
        Type: "Parallel",
        Branches: at.map((n) => new Flow().add(`Prepare ${n.id}`, glueState(n)).machine()),
        ResultPath: null,
      });
  }
}

/**
 * Each step's level: 1 + the highest level among the steps of `nodes` it reads. Any dependency
 * order gives the same levels, and the stack's (`cx.order`) is already made: ordering `nodes`
 * again cost more than the rest of the states. A cycle (erroneous programs only) is levelled
 * in the order of `nodes` alone, as before.
 */
function levelsOf(cx: PlanContext, nodes: ValidNode[], inSet: Set<string>): { level: Map<string, number>; acyclic: boolean } {
  const level = new Map<string, number>();
  const at = (n: ValidNode) => {
    let l = 0;
    for (const i of cx.g.inputs(n)) {
      if (!inSet.has(i.from.id)) continue;
      const from = level.get(i.from.id);
      if (from === undefined) return undefined;
      if (from > l) l = from;
    }
    return l + 1;
  };
  for (const n of cx.inOrderOf(nodes)) {
    const l = at(n);
    if (l === undefined) break;
    level.set(n.id, l);
  }
  if (level.size === inSet.size) return { level, acyclic: true };
  level.clear();
  for (const n of cx.g.order(nodes)) level.set(n.id, 1 + Math.max(0, ...cx.g.inputs(n).filter((i) => inSet.has(i.from.id)).map((i) => level.get(i.from.id) ?? 0)));
  return { level, acyclic: false };
}

/** The machine's template as an asset, and the StateMachine resource that fills its placeholders. */
export function stateMachine(cx: PlanContext, group: Group, v: string, nameOf: string, path: string, flow: Flow, comment: string): void {
  const topic = alertTopic(cx);
  allowAlerts(cx);
  const def = withFailureHandling(flow.machine(comment), `mlp ${cx.pipe}: ${nameOf} failed`, cx.placeholder("AlertTopic", ref(topic, "arn")));
  // Key order kept (not stableJson): it follows the states, so the file reads top to bottom.
  const { text, placeholders } = renderText(def);
  // Read back from the text when read (tests validate it): planning itself needs the text alone,
  // and the machine's objects (a large pipeline's are hundreds of thousands) are not kept alive.
  cx.machineFiles.push({
    path,
    get definition() {
      return JSON.parse(text);
    },
  });
  cx.asset(path, text + "\n");
  const values: [string, Code][] = [...placeholders].sort().map((p) => {
    if (p === "Partition") return [p, name("partition")];
    const value = cx.placeholders.get(p);
    if (!value) throw new TargetError(`no value for the placeholder ${p}`);
    return [p, value];
  });
  cx.res(group, {
    v,
    type: "aws.sfn.StateMachine",
    name: nameOf,
    args: obj({ roleArn: ref(cx.iam.role("states"), "arn"), definition: { k: "definition", path: lit(path), values } }),
  });
}
