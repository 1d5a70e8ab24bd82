// The generated programs run under Pulumi's mocks (no engine, no cloud): for every sample,
// conformance file and fixture, and every stack of each, the program declares its resources,
// the security policies (policies.ts) hold over them, and every state machine definition it
// creates is valid Amazon States Language. Then the resource graph of the samples is checked:
// which resources, their key inputs, and which role may touch what.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  awsCases,
  fakeProject,
  fileOf,
  grants,
  irOf,
  may,
  named,
  ofType,
  projectOf,
  removeWorkspace,
  runProgram,
  stackConfig,
  stackNames,
  workspace,
  writeProject,
  type Run,
} from "./harness";
import { allStates, callsOf, evalIntrinsic } from "./calls";
import { evaluate } from "./policies";
import { fileName } from "../../../targets/aws/context";

const root = workspace("mocks");
afterAll(() => removeWorkspace(root));

/** Stack config keys a program reads with config.get: the model versions deployments serve. */
const optionalKeys = (index: string) => [...index.matchAll(/config\.get\("([^"]+)"\)/g)].map((m) => m[1]!);

const runs = new Map<string, Run>();
/** Each case's generated files (the Glue SQL the jobs run). */
const projects = new Map<string, ReturnType<typeof projectOf>>();
/** Cases also run without any model version configured (deployments not live yet). */
const IDLE = new Set(["churn", "sample-ad_click_through"]);
const key = (id: string, stack: string, live = true) => `${id}/${stack}${live ? "" : "/idle"}`;

beforeAll(async () => {
  for (const c of awsCases()) {
    const files = projectOf(c.path);
    projects.set(c.id, files);
    const dir = join(root, c.id);
    writeProject(dir, files);
    fakeProject(join(dir, "project"), irOf(c.path));
    const project = /^name: "(.*)"$/m.exec(fileOf(files, "Pulumi.yaml")!)![1]!;
    for (const stack of stackNames(files)) {
      const base = { ...stackConfig(files, stack), projectDir: join(dir, "project") };
      const live = Object.fromEntries(optionalKeys(fileOf(files, "index.ts")!).map((k) => [k, `arn:aws:sagemaker:us-east-1:123456789012:model-package/${k.toLowerCase()}/1`]));
      runs.set(key(c.id, stack), await runProgram(dir, project, stack, { ...base, ...live }));
      if (IDLE.has(c.id) && Object.keys(live).length) runs.set(key(c.id, stack, false), await runProgram(dir, project, stack, base));
    }
  }
}, 300_000);

const run = (id: string, stack = "default", live = true) => {
  const r = runs.get(key(id, stack, live));
  if (!r) throw new Error(`no run ${key(id, stack, live)}`);
  return r;
};

describe("every program, every stack", () => {
  test("runs and declares resources", () => {
    expect(runs.size).toBeGreaterThanOrEqual(12);
    for (const [k, r] of runs) expect(r.resources.length, k).toBeGreaterThan(8);
  });

  test("passes the security policies (encryption, public access, no wildcard IAM, endpoints not public)", async () => {
    for (const [k, r] of runs) expect(await evaluate(r.resources), k).toEqual([]);
  });

  test("every state machine it creates gets its template with every placeholder filled", () => {
    let count = 0;
    for (const [k, r] of runs) {
      for (const sm of ofType(r, "aws:sfn/stateMachine:StateMachine")) {
        const definition = JSON.parse(sm.inputs.definition) as { StartAt: string; States: Record<string, unknown> };
        expect(definition.States[definition.StartAt], k).toBeDefined();
        // (The hostile fixture's data holds ${...} text on purpose: hostile.test.ts checks it exactly.)
        if (!k.startsWith("fixture-hostile")) expect(sm.inputs.definition, `${k} ${sm.name}: unfilled placeholder`).not.toMatch(/\$\{[A-Za-z0-9]+\}/);
        count++;
      }
    }
    expect(count).toBeGreaterThanOrEqual(12);
  });

  test("each service has its own role, and each resource uses its service's role", () => {
    for (const [k, r] of runs) {
      const roles = new Map(ofType(r, "aws:iam/role:Role").map((role) => [role.state.arn as string, JSON.parse(role.inputs.assumeRolePolicy).Statement[0].Principal.Service as string]));
      const service = (arn: string) => roles.get(arn);
      for (const j of ofType(r, "aws:glue/job:Job")) expect(service(j.inputs.roleArn), k).toBe("glue.amazonaws.com");
      for (const f of ofType(r, "aws:lambda/function:Function")) expect(service(f.inputs.role), k).toBe("lambda.amazonaws.com");
      for (const m of ofType(r, "aws:sfn/stateMachine:StateMachine")) expect(service(m.inputs.roleArn), k).toBe("states.amazonaws.com");
      for (const s of ofType(r, "aws:scheduler/schedule:Schedule")) expect(service(s.inputs.target.roleArn), k).toBe("scheduler.amazonaws.com");
      for (const a of ofType(r, "aws:kinesisanalyticsv2/application:Application")) expect(service(a.inputs.serviceExecutionRole), k).toBe("kinesisanalytics.amazonaws.com");
      for (const m of ofType(r, "aws:sagemaker/model:Model")) expect(service(m.inputs.executionRoleArn), k).toBe("sagemaker.amazonaws.com");
      expect(new Set(roles.values()).size, k).toBe(roles.size);
    }
  });

  test("each state machine's role may call every Lambda, SageMaker, Glue and S3 resource its states call, and nothing more", () => {
    let checked = 0;
    for (const [k, r] of runs) {
      const g = grants(r);
      for (const m of ofType(r, "aws:sfn/stateMachine:StateMachine")) {
        const role = ofType(r, "aws:iam/role:Role").find((x) => x.state.arn === m.inputs.roleArn)!.name;
        const calls = callsOf(JSON.parse(m.inputs.definition));
        for (const c of calls) for (const a of c.actions) expect(may(g, role, a, c.resource), `${k} ${m.name} "${c.state}": ${a} on ${c.resource}`).toBe(true);
        checked += calls.length;
      }
      // Nothing more: each grant of a machines' role to these services names a resource some state calls, for an action it performs.
      const machines = ofType(r, "aws:sfn/stateMachine:StateMachine");
      if (!machines.length) continue;
      const calls = machines.flatMap((m) => callsOf(JSON.parse(m.inputs.definition)));
      const roles = new Set(machines.map((m) => ofType(r, "aws:iam/role:Role").find((x) => x.state.arn === m.inputs.roleArn)!.name));
      for (const grant of g.filter((x) => roles.has(x.role)))
        for (const a of grant.actions.filter((x) => /^(glue|lambda|sagemaker|sns|s3):/.test(x)))
          for (const res of grant.resources) {
            const used = calls.some((c) => c.actions.includes(a) && may([{ ...grant, actions: [a], resources: [res] }], grant.role, a, c.resource));
            expect(used, `${k} ${grant.role}: ${a} on ${res} is granted but no state calls it`).toBe(true);
          }
    }
    expect(checked).toBeGreaterThan(50);
  });

  test("tasks retry service errors with backoff (never a failed job), and every failure alerts the encrypted topic in the outputs, then fails", () => {
    for (const [k, r] of runs) {
      const machines = ofType(r, "aws:sfn/stateMachine:StateMachine");
      if (!machines.length) continue;
      const topic = ofType(r, "aws:sns/topic:Topic")[0]!;
      expect(r.outputs.alertTopic, k).toBe(topic.state.arn);
      expect(ofType(r, "aws:kms/key:Key").map((x) => x.state.arn), k).toContain(topic.inputs.kmsMasterKeyId);
      for (const m of machines) {
        const def = JSON.parse(m.inputs.definition) as { States: Record<string, any> };
        for (const [n, s] of Object.entries(allStates(def))) {
          if (s.Type !== "Task") continue;
          for (const retrier of s.Retry ?? []) {
            expect(retrier.ErrorEquals.filter((e: string) => e.startsWith("States.")), `${k} ${m.name} "${n}"`).toEqual([]);
            expect(retrier.BackoffRate, `${k} ${m.name} "${n}"`).toBeGreaterThan(1);
          }
          if (!/createModelPackage|sns:publish$/.test(s.Resource)) expect(s.Retry?.length, `${k} ${m.name} "${n}" has no Retry`).toBeGreaterThan(0);
        }
        // Every top-level Task and Parallel state ends in the alert when it fails.
        for (const [n, s] of Object.entries(def.States)) {
          if (s.Type !== "Task" && s.Type !== "Parallel") continue;
          const to = n === "Notify failure" ? "Run failed" : "Notify failure";
          // (Directly, or through a clean-up state that then alerts: batch scoring deletes its model first.)
          const alerts = (next: string) => next === to || def.States[next]?.Next === to;
          expect(s.Catch?.some((c: any) => c.ErrorEquals.includes("States.ALL") && alerts(c.Next)), `${k} ${m.name} "${n}" is not caught`).toBe(true);
        }
        expect(def.States["Notify failure"].Parameters.TopicArn, `${k} ${m.name}`).toBe(topic.state.arn);
        expect(def.States["Run failed"].Type).toBe("Fail");
      }
      // The machines' role may publish to the alert topic and to nothing else.
      for (const grant of grants(r).filter((x) => x.actions.includes("sns:Publish"))) expect(grant.resources, k).toEqual([topic.state.arn]);
    }
  });

  test("every endpoint has a 5xx and a model latency alarm publishing to the alert topic, whose key lets CloudWatch encrypt", () => {
    let count = 0;
    for (const [k, r] of runs) {
      const alarms = ofType(r, "aws:cloudwatch/metricAlarm:MetricAlarm");
      const topic = ofType(r, "aws:sns/topic:Topic")[0];
      for (const ep of ofType(r, "aws:sagemaker/endpoint:Endpoint")) {
        const of = alarms.filter((a) => a.inputs.dimensions?.EndpointName === ep.state.name);
        expect(of.map((a) => a.inputs.metricName).sort(), `${k} ${ep.name}`).toEqual(["Invocation5XXErrors", "ModelLatency"]);
        for (const a of of) {
          expect(a.inputs, `${k} ${a.name}`).toMatchObject({ namespace: "AWS/SageMaker", alarmActions: [topic!.state.arn], treatMissingData: "notBreaching" });
          expect(a.inputs.dimensions.VariantName).toBe("main");
        }
        count++;
      }
      if (alarms.length) {
        const key = ofType(r, "aws:kms/key:Key").find((x) => x.state.arn === topic!.inputs.kmsMasterKeyId)!;
        const statements = JSON.parse(key.inputs.policy).Statement as { Principal: { Service?: string }; Action: string[] }[];
        expect(statements.find((x) => x.Principal.Service === "cloudwatch.amazonaws.com")?.Action, k).toEqual(["kms:Decrypt", "kms:GenerateDataKey*"]);
      }
      if (k.endsWith("/idle")) expect(alarms, k).toEqual([]);
    }
    expect(count).toBeGreaterThanOrEqual(3);
  });

  test("Glue jobs that read Delta tables name the delta lake format (and only they)", () => {
    let delta = 0;
    for (const [k, r] of runs) {
      const [id, stack] = k.split("/") as [string, string];
      const files = projects.get(id)!;
      for (const j of ofType(r, "aws:glue/job:Job")) {
        const key = String(j.inputs.defaultArguments["--sql"]).replace(/^s3:\/\/[^/]+\//, "");
        const sql = fileOf(files, key.replace(/^assets\//, `assets/stacks/${stack}/`)) ?? fileOf(files, key);
        expect(sql, `${k} ${j.name}: ${key}`).toBeDefined();
        const reads = /\bUSING delta\b/i.test(sql!);
        expect(j.inputs.defaultArguments["--datalake-formats"], `${k} ${j.name}`).toBe(reads ? "delta" : undefined);
        if (reads) {
          expect(j.inputs.defaultArguments["--conf"], `${k} ${j.name}`).toContain("io.delta.sql.DeltaSparkSessionExtension");
          delta++;
        }
      }
    }
    expect(delta).toBeGreaterThanOrEqual(2);
  });

  test("aws: SageMaker training jobs get a CheckpointConfig (per pipeline, variant, step and run under the artifact bucket) and MLP_CHECKPOINT_DIR", () => {
    let checked = 0;
    for (const [k, r] of runs) {
      const bucket = ofType(r, "aws:s3/bucket:Bucket")[0]!.state;
      const g = grants(r);
      const stack = k.split("/")[1]!;
      for (const m of ofType(r, "aws:sfn/stateMachine:StateMachine")) {
        for (const [n, s] of Object.entries(allStates(JSON.parse(m.inputs.definition)))) {
          if (!/createTrainingJob|createHyperParameterTuningJob/.test(s.Resource ?? "")) continue;
          const job = s.Parameters.TrainingJobDefinition ?? s.Parameters;
          const step = /^(?:Train|Tune) (.+)$/.exec(n)![1]!;
          const m2 = /^States\.Format\('s3:\/\/\{\}\/\{\}\/\{\}\/', \$\.run\.bucket, '(checkpoints\/[^']+)', \$\.run\.id\)$/.exec(job.CheckpointConfig["S3Uri.$"]);
          expect(m2, `${k} ${n}: ${job.CheckpointConfig["S3Uri.$"]}`).not.toBeNull();
          const [, pipe, variant, id] = m2![1]!.split("/");
          expect(id, `${k} ${n}`).toBe(step.replace(/[^A-Za-z0-9_]/g, "_"));
          expect(variant, `${k} ${n}`).toBe(fileName(stack));
          expect(pipe, `${k} ${n}`).toBe(fileName(/^mlp (.*): /.exec(JSON.parse(m.inputs.definition).Comment)![1]!));
          expect(job.CheckpointConfig.LocalPath, `${k} ${n}`).toBe("/opt/ml/checkpoints");
          expect(job.Environment.MLP_CHECKPOINT_DIR, `${k} ${n}`).toBe("/opt/ml/checkpoints");
          // The SageMaker role reads and writes that run's checkpoints, lists their prefix, and no more.
          const object = `${bucket.arn}/${m2![1]}/0a1b2c3d/epoch-3.pt`;
          const sageMaker = ofType(r, "aws:iam/role:Role").find((x) => JSON.parse(x.inputs.assumeRolePolicy).Statement[0].Principal.Service === "sagemaker.amazonaws.com")!.name;
          for (const a of ["s3:GetObject", "s3:PutObject"]) expect(may(g, sageMaker, a, object), `${k} ${a} ${object}`).toBe(true);
          expect(may(g, sageMaker, "s3:DeleteObject", object), k).toBe(false);
          expect(may(g, sageMaker, "s3:PutObject", `${bucket.arn}/checkpoints/${pipe}/${variant}/other_step/0a1b2c3d/x`), k).toBe(false);
          const list = g.filter((x) => x.role === sageMaker && x.actions.includes("s3:ListBucket") && x.resources.includes(bucket.arn));
          expect(list.flatMap((x) => (x.condition as any).StringLike["s3:prefix"]), k).toContain(`${m2![1]}/*`);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThanOrEqual(8);
  });

  test("aws: a tensorflow endpoint uses TF Serving, which ignores SAGEMAKER_PROGRAM and model_fn: serve it with a container that honours the entry contract", () => {
    let tensorflow = 0;
    for (const [k, r] of runs) {
      const images = new Map<string, string>();
      let tensorflowHere = 0;
      for (const m of ofType(r, "aws:sfn/stateMachine:StateMachine")) {
        for (const [n, s] of Object.entries(allStates(JSON.parse(m.inputs.definition)))) {
          if (!/createTrainingJob|createHyperParameterTuningJob/.test(s.Resource ?? "")) continue;
          const job = s.Parameters.TrainingJobDefinition ?? s.Parameters;
          images.set(n.replace(/^(Train|Tune) /, ""), job.AlgorithmSpecification.TrainingImage);
        }
        for (const [n, s] of Object.entries(allStates(JSON.parse(m.inputs.definition)))) {
          if (!/createModelPackage$/.test(s.Resource ?? "")) continue;
          const container = s.Parameters.InferenceSpecification.Containers[0];
          // Every model is served by a container whose inference toolkit runs SAGEMAKER_PROGRAM's handlers: never TF Serving.
          expect(container.Image, `${k} ${n}`).not.toMatch(/tensorflow-inference/);
          expect(container.Environment.SAGEMAKER_SUBMIT_DIRECTORY).toBe("/opt/ml/model/code");
          if (![...images.values()].some((i) => /tensorflow-training/.test(i))) continue;
          expect(container.Image, `${k} ${n}`).toMatch(/\/pytorch-inference:2\.3\.0-(cpu|gpu)-py311$/);
          expect(container.Environment.SAGEMAKER_PROGRAM, `${k} ${n}`).toBe("mlp_endpoint.py");
          tensorflow++;
          tensorflowHere++;
        }
      }
      // The training installs the same TensorFlow in the serving container, and ships the handlers.
      for (const m of ofType(r, "aws:sfn/stateMachine:StateMachine"))
        for (const [n, s] of Object.entries(allStates(JSON.parse(m.inputs.definition)))) {
          if (!/createTrainingJob|createHyperParameterTuningJob/.test(s.Resource ?? "")) continue;
          const job = s.Parameters.TrainingJobDefinition ?? s.Parameters;
          const tf = /tensorflow-training:(2\.16\.2)-(cpu|gpu)/.exec(job.AlgorithmSpecification.TrainingImage);
          expect(job.Environment.MLP_SERVING_REQUIREMENTS, `${k} ${n}`).toBe(tf ? `tensorflow${tf[2] === "gpu" ? "[and-cuda]" : ""}==${tf[1]}` : undefined);
        }
      const endpointCode = ofType(r, "aws:s3/bucketObject:BucketObject").filter((o) => /\/mlp_endpoint\.py$/.test(o.inputs.key));
      expect(endpointCode.length > 0, k).toBe(tensorflowHere > 0);
    }
    expect(tensorflow).toBeGreaterThanOrEqual(1);
  });

  test("aws: Managed Flink reading avro needs the Avro format in its bundle (and say whether it is Confluent-registry Avro)", () => {
    const seen = new Set<string>();
    for (const [k, r] of runs) {
      const [id, stack] = k.split("/") as [string, string];
      const files = projects.get(id)!;
      const apps = ofType(r, "aws:kinesisanalyticsv2/application:Application");
      if (!apps.length) continue;
      const manifest = JSON.parse(fileOf(files, "assets/flink/jobs.json")!) as { jobs: { sql: string; zip: string; jarfile: string; jars: { artifact: string }[] }[] };
      for (const app of apps) {
        const zipKey = ofType(r, "aws:s3/bucketObject:BucketObject").find((o) => o.state.key === app.inputs.applicationConfiguration.applicationCodeConfiguration.codeContent.s3ContentLocation.fileKey)!.inputs.key as string;
        const job = manifest.jobs.find((j) => j.zip === zipKey || j.zip === zipKey.replace(/^assets\//, `assets/stacks/${stack}/`))!;
        expect(job, `${k} ${app.name}`).toBeDefined();
        const sql = fileOf(files, job.sql)!;
        // What the job's DDL reads decides the formats it bundles: the connector first, then each Avro format.
        const plain = /'format' = 'avro'/.test(sql);
        const registry = /'format' = 'avro-confluent'/.test(sql);
        if (registry) expect(sql, `${k} ${app.name}`).toMatch(/'avro-confluent\.url' = 'https?:\/\/[^']+'/);
        const want = ["flink-sql-connector-kinesis", ...(plain ? ["flink-sql-avro"] : []), ...(registry ? ["flink-sql-avro-confluent-registry"] : [])];
        expect(job.jars.map((j) => j.artifact), `${k} ${app.name}`).toEqual(want);
        const options = app.inputs.applicationConfiguration.environmentProperties.propertyGroups[0].propertyMap;
        expect(options.jarfile, `${k} ${app.name}`).toBe(job.jarfile);
        expect(job.jarfile, `${k} ${app.name}`).toBe(want.length === 1 ? "lib/flink-sql-connector-kinesis-5.0.0-1.20.jar" : "lib/mlp-flink-dependencies.jar");
        if (plain) seen.add("avro");
        if (registry) seen.add("avro-confluent");
        if (!plain && !registry) seen.add("json");
      }
    }
    expect([...seen].sort()).toEqual(["avro", "avro-confluent", "json"]);
    // The registry fixture says so in its DDL, the sample's plain Avro in its own.
    const registrySql = fileOf(projects.get("fixture-avro_registry")!, "assets/flink/click_features.sql")!;
    expect(registrySql).toContain("'format' = 'avro-confluent',\n  'avro-confluent.url' = 'https://registry.example.com:8081'");
    // The variant stacks run Flink jobs named after their variant: each stack has its own SQL.
    expect(fileOf(projects.get("sample-ad_click_through")!, "assets/stacks/default/flink/impression_features.sql")).toContain("'format' = 'avro'\n");
  });

  test("deployments wait for their model version in stack config", () => {
    for (const [k, r] of runs) {
      if (!k.endsWith("/idle")) continue;
      expect(ofType(r, "aws:sagemaker/endpoint:Endpoint"), k).toEqual([]);
      expect(ofType(r, "aws:appautoscaling/target:Target"), k).toEqual([]);
    }
  });
});

// ---------- the samples' resource graphs ----------

const definitionOf = (r: Run, name: string) => JSON.parse(named(r, name).inputs.definition) as { States: Record<string, any> };

/** Every state of a machine, Parallel branches included. */
function states(def: { States: Record<string, any> }): Record<string, any> {
  const out: Record<string, any> = {};
  for (const [n, s] of Object.entries(def.States)) {
    out[n] = s;
    for (const b of s.Branches ?? []) Object.assign(out, states(b));
  }
  return out;
}

describe("issue 11: targets that survive their first production run", () => {
  /** Every `.$` field and plain S3Uri of a definition, with the state it is in. */
  function fields(v: unknown, at: string, out: [string, string, string][] = []): [string, string, string][] {
    if (Array.isArray(v)) v.forEach((x) => fields(x, at, out));
    else if (v && typeof v === "object") for (const [k, x] of Object.entries(v)) typeof x === "string" ? out.push([at, k, x]) : fields(x, at, out);
    return out;
  }
  /** The states a machine passes through when nothing fails (a Choice takes its first rule, or its Default when that is no Fail). */
  function happyPath(def: { StartAt: string; States: Record<string, any> }): string[] {
    const path: string[] = [];
    for (let n: string | undefined = def.StartAt; n; ) {
      path.push(n);
      const st: any = def.States[n];
      n = st.Type === "Choice" ? (def.States[st.Default]?.Type === "Fail" ? st.Choices[0].Next : st.Default) : st.End ? undefined : st.Next;
    }
    return path;
  }

  test("spark: outputs are written per run id and latest moves only when the run succeeds (aws)", () => {
    let trainings = 0;
    let scorings = 0;
    for (const [k, r] of runs) {
      const g = grants(r);
      const bucket = ofType(r, "aws:s3/bucket:Bucket")[0]?.state.bucket as string;
      const glueRole = ofType(r, "aws:iam/role:Role").find((x) => /-glue$/.test(x.name))?.name;
      for (const j of ofType(r, "aws:glue/job:Job")) {
        // The run id comes from the machine that starts the job, never from a default.
        expect(j.inputs.defaultArguments["--mlp_run_id"], `${k} ${j.name}`).toBeUndefined();
        expect(j.inputs.defaultArguments["--online_path"], `${k} ${j.name}`).toBeUndefined();
        if (j.inputs.defaultArguments["--online_table"]) expect(j.inputs.defaultArguments["--online_step"], `${k} ${j.name}`).toMatch(/^\w+$/);
      }
      if (glueRole) {
        expect(may(g, glueRole, "s3:PutObject", `arn:aws:s3:::${bucket}/warehouse/runs/0a1b2c3d/x/part-0`), k).toBe(true);
        for (const a of ["s3:PutObject", "s3:DeleteObject"]) expect(may(g, glueRole, a, `arn:aws:s3:::${bucket}/warehouse/latest.json`), `${k}: the Glue role may ${a} latest.json`).toBe(false);
      }
      for (const m of ofType(r, "aws:sfn/stateMachine:StateMachine")) {
        const def = JSON.parse(m.inputs.definition) as { StartAt: string; States: Record<string, any> };
        const all = allStates(def);
        const scoring = "Find tables" in def.States;
        const run = scoring ? "$.tables.latest.run_id" : "$.run.id";
        const at = `${k} ${m.name}`;
        const glue = Object.entries(all).filter(([, st]) => /glue:startJobRun/.test(st.Resource ?? ""));
        for (const [n, st] of glue) expect(st.Parameters.Arguments, `${at} "${n}"`).toEqual({ "--mlp_run_id.$": run });
        // Every warehouse location a state names is a run's tables, this run's or latest's.
        const id = scoring ? "feedbeef" : "0a1b2c3d";
        for (const [n, key, value] of Object.entries(all).flatMap(([n, st]) => fields(st.Parameters ?? {}, n))) {
          if (key === "S3Uri" || key === "S3OutputPath") expect(value, `${at} "${n}" ${key}`).not.toMatch(/\/warehouse\//);
          if (key.endsWith(".$") && /warehouse/.test(value)) expect(evalIntrinsic(value, { run: { id: "0a1b2c3d", bucket }, tables: { latest: { run_id: "feedbeef" } } }), `${at} "${n}" ${key}`).toMatch(new RegExp(`^s3://${bucket}/warehouse/runs/${id}(/|$)`));
        }
        const path = happyPath(def);
        if (scoring) {
          scorings++;
          // A scoring reads latest.json before anything else, and never moves it.
          expect(path.slice(0, 2), at).toEqual(["Start run", "Find tables"]);
          expect(def.States["Find tables"]).toMatchObject({ Resource: "arn:aws:states:::aws-sdk:s3:getObject", Parameters: { Bucket: bucket, Key: "warehouse/latest.json" }, ResultSelector: { "latest.$": "States.StringToJson($.Body)" }, ResultPath: "$.tables" });
          expect(JSON.stringify(def), at).not.toMatch(/s3:putObject/);
          expect(may(g, ofType(r, "aws:iam/role:Role").find((x) => x.state.arn === m.inputs.roleArn)!.name, "s3:GetObject", `arn:aws:s3:::${bucket}/warehouse/latest.json`), at).toBe(true);
          continue;
        }
        if (!glue.length) {
          expect(JSON.stringify(def), at).not.toMatch(/latest\.json/);
          continue;
        }
        trainings++;
        // latest.json moves in the last states before success: after every job, on no failure path.
        expect(path.slice(-5), at).toEqual(["Record run", "Read latest", "Newer run published?", "Publish tables", "Done"]);
        // ... unless a run that started later already moved it (runs may end out of order).
        const read = def.States["Read latest"];
        expect(read).toMatchObject({ Resource: "arn:aws:states:::aws-sdk:s3:getObject", Parameters: { Bucket: bucket, Key: "warehouse/latest.json" }, ResultSelector: { "latest.$": "States.StringToJson($.Body)" }, ResultPath: "$.previous" });
        // No latest.json yet (404, or 403 without s3:ListBucket): publish; anything else alerts.
        expect(read.Catch, at).toEqual([
          { ErrorEquals: ["S3.NoSuchKeyException", "S3.S3Exception"], ResultPath: null, Next: "Publish tables" },
          { ErrorEquals: ["States.ALL"], ResultPath: "$.error", Next: "Notify failure" },
        ]);
        const newer = def.States["Newer run published?"];
        expect(newer.Choices, at).toEqual([{ And: [{ Variable: "$.previous.latest.started", IsPresent: true }, { Variable: "$.previous.latest.started", IsTimestamp: true }, { Variable: "$.previous.latest.started", TimestampGreaterThanPath: "$.published.started" }], Next: "Latest stays" }]);
        expect(def.States["Latest stays"].Type, at).toBe("Succeed");
        expect(def.States["Record run"].Parameters).toEqual({ "run_id.$": "$.run.id", "execution.$": "$$.Execution.Name", "started.$": "$$.Execution.StartTime", pipeline: expect.any(String) });
        expect(def.States["Publish tables"]).toMatchObject({ Resource: "arn:aws:states:::aws-sdk:s3:putObject", Parameters: { Bucket: bucket, Key: "warehouse/latest.json", ContentType: "application/json", "Body.$": "States.JsonToString($.published)" } });
        for (const [n, st] of Object.entries(all)) {
          const targets = [...(st.Catch ?? []).map((c: any) => c.Next), st.Default, ...(st.Choices ?? []).map((c: any) => c.Next)];
          if (n !== "Read latest" && n !== "Newer run published?") expect(targets.filter((x) => x === "Record run" || x === "Publish tables"), `${at} "${n}" jumps to the publication`).toEqual([]);
        }
        expect(Object.values(all).filter((st) => /s3:putObject/.test(st.Resource ?? "")), at).toHaveLength(1);
        // A registered version names the exact tables it was trained on: this run's.
        for (const [n, st] of Object.entries(all)) {
          if (!/createModelPackage$/.test(st.Resource ?? "")) continue;
          const data = st.Parameters.CustomerMetadataProperties["data.$"];
          expect(evalIntrinsic(data, { run: { id: "0a1b2c3d", bucket } }), `${at} "${n}"`).toMatch(new RegExp(`^s3://${bucket}/warehouse/runs/0a1b2c3d/\\w+/(train/)?$`));
        }
      }
      // The machines' role may write latest.json and nothing else of the warehouse.
      const states = ofType(r, "aws:iam/role:Role").find((x) => /-states$/.test(x.name))?.name;
      if (states) expect(may(g, states, "s3:PutObject", `arn:aws:s3:::${bucket}/warehouse/runs/0a1b2c3d/x`), k).toBe(false);
    }
    expect(trainings).toBeGreaterThanOrEqual(8);
    expect(scorings).toBeGreaterThanOrEqual(3);
    // The sample: the training channel, the gate's data and the registered data are the run's own tables.
    const t = states(definitionOf(run("churn"), "churn-training"));
    expect(evalIntrinsic(t["Tune churn_tuned"].Parameters.TrainingJobDefinition.InputDataConfig[1].DataSource.S3DataSource["S3Uri.$"])).toBe("s3://acme-ml-artifacts/warehouse/runs/0a1b2c3d/churn_split/train/");
    expect(evalIntrinsic(t["Evaluate churn_gate"].Parameters.ProcessingInputs[2].S3Input["S3Uri.$"])).toBe("s3://acme-ml-artifacts/warehouse/runs/0a1b2c3d/churn_split/test/");
    expect(evalIntrinsic(t["Register churn_registry"].Parameters.CustomerMetadataProperties["data.$"])).toBe("s3://acme-ml-artifacts/warehouse/runs/0a1b2c3d/churn_split/train/");
    expect(evalIntrinsic(t["Notebook churn_report"].Parameters.Environment["MLP_WAREHOUSE.$"])).toBe("s3://acme-ml-artifacts/warehouse/runs/0a1b2c3d");
    // Each Glue job's SQL names its tables in the run's folder only, and stops without a plain run id.
    for (const [id, files] of projects)
      for (const f of files.filter((x) => /\/glue\/[^/]+\.sql$/.test(x.path))) {
        expect([...f.contents.matchAll(/'\{\{warehouse\}\}\/([^']*)'/g)].every((p) => p[1]!.startsWith("runs/${env:MLP_RUN_ID}/")), `${id} ${f.path}`).toBe(true);
        expect(f.contents, `${id} ${f.path}`).toContain("SELECT RAISE_ERROR(");
      }
  });
});

describe("churn (batch features online, tuned PyTorch with horovod, endpoint and batch scoring)", () => {
  test("batch steps are Glue jobs running their own SQL, online features a DynamoDB table with TTL", () => {
    const r = run("churn");
    const jobs = ofType(r, "aws:glue/job:Job").map((j) => j.name);
    expect(jobs).toEqual(["churn-customers", "churn-orders", "churn-customers-clean", "churn-order-stats", "churn-enriched", "churn-churn-split", "churn-customer-features"].sort((a, b) => jobs.indexOf(a) - jobs.indexOf(b)));
    expect(jobs).toHaveLength(7);
    const features = named(r, "churn-customer-features");
    expect(features.inputs.glueVersion).toBe("5.0");
    expect(features.inputs.defaultArguments["--sql"]).toMatch(/^s3:\/\/acme-ml-artifacts\/assets\/glue\/customer_features\.sql$/);
    expect(features.inputs.defaultArguments["--online_table"]).toBe(named(r, "churn-customer-features-online").state.name);
    expect(features.inputs.defaultArguments["--ttl_seconds"]).toBe(String(7 * 86400));
    const table = named(r, "churn-customer-features-online");
    expect(table.inputs).toMatchObject({ hashKey: "customer_id", billingMode: "PAY_PER_REQUEST", ttl: { attributeName: "expires_at", enabled: true }, serverSideEncryption: { enabled: true } });
  });

  test("the training machine runs the data steps, tunes, gates on every require and registers", () => {
    const s = states(definitionOf(run("churn"), "churn-training"));
    expect(s["Prepare customers"].Parameters.JobName).toBe(named(run("churn"), "churn-customers").state.name);
    const tune = s["Tune churn_tuned"].Parameters;
    expect(tune.HyperParameterTuningJobConfig).toMatchObject({ Strategy: "Bayesian", HyperParameterTuningJobObjective: { Type: "Maximize", MetricName: "auc" }, ResourceLimits: { MaxNumberOfTrainingJobs: 40, MaxParallelTrainingJobs: 8 } });
    expect(tune.HyperParameterTuningJobConfig.ParameterRanges.ContinuousParameterRanges).toContainEqual({ Name: "lr", MinValue: "0.00001", MaxValue: "0.01", ScalingType: "Logarithmic" });
    expect(tune.HyperParameterTuningJobConfig.ParameterRanges.CategoricalParameterRanges).toContainEqual({ Name: "layers", Values: ["2", "3", "4"] });
    const def = tune.TrainingJobDefinition;
    // gpus = 4 per node, 2 nodes, 64GiB: four A10G GPUs per instance; horovod = MPI, one process per GPU.
    expect(def.ResourceConfig).toMatchObject({ InstanceType: "ml.g5.12xlarge", InstanceCount: 2 });
    expect(def.StaticHyperParameters).toMatchObject({ epochs: "20", sagemaker_mpi_enabled: "true", sagemaker_mpi_num_of_processes_per_host: "4", sagemaker_program: '"mlp_entry.py"' });
    expect(def.StaticHyperParameters.lr).toBeUndefined();
    // Trials see the train channel alone: the wrapper carves the validation split the objective is computed on.
    expect(def.InputDataConfig.map((c: { ChannelName: string }) => c.ChannelName)).toEqual(["code", "train"]);
    expect(def.Environment).toEqual({ MLP_ENTRY: "train.py", MLP_CHECKPOINT_DIR: "/opt/ml/checkpoints", MLP_OBJECTIVE: "auc", MLP_VALIDATION_FRACTION: "0.2" });
    expect(def.AlgorithmSpecification.MetricDefinitions.map((m: { Name: string }) => m.Name)).toEqual(["auc"]);
    expect(def.AlgorithmSpecification.TrainingImage).toMatch(/pytorch-training:2\.3\.0-gpu-py311$/);
    const gate = s["Gate churn_gate"];
    expect(gate.Type).toBe("Choice");
    expect(gate.Choices[0].And).toContainEqual({ Variable: "$.gates.churn_gate.metrics.auc", NumericGreaterThanEquals: 0.82 });
    expect(gate.Choices[0].And).toContainEqual({ Variable: "$.gates.churn_gate.metrics.recall", NumericGreaterThanEquals: 0.6 });
    expect(gate.Choices[0].And).toContainEqual({ Variable: "$.gates.churn_gate.passed", BooleanEquals: true });
    expect(gate.Choices[0].Next).toBe("Register churn_registry");
    // The gate's metrics come from mlp's own evaluation job: the tuned model and the gate's data in, evaluation.json out.
    const evaluate = s["Evaluate churn_gate"];
    expect(evaluate.Resource).toBe("arn:aws:states:::sagemaker:createProcessingJob.sync");
    expect(evaluate.Next).toBe("Metrics of churn_gate");
    const job = evaluate.Parameters;
    expect(job.AppSpecification.ContainerEntrypoint).toEqual(["python3", "/opt/ml/processing/input/code/mlp_gate.py"]);
    expect(job.AppSpecification.ContainerArguments).toEqual(["--step", "churn_gate", "--require", "auc", ">=", "0.82", "--require", "recall", ">=", "0.6"]);
    expect(job.AppSpecification.ImageUri).toMatch(/pytorch-training:2\.3\.0-gpu-py311$/);
    const inputs = Object.fromEntries(job.ProcessingInputs.map((i: { InputName: string; S3Input: Record<string, string> }) => [i.InputName, i.S3Input]));
    expect(Object.keys(inputs)).toEqual(["code", "model", "data"]);
    expect(inputs.code).toMatchObject({ S3Uri: "s3://acme-ml-artifacts/code/churn_model/", LocalPath: "/opt/ml/processing/input/code" });
    expect(inputs.model).toMatchObject({ "S3Uri.$": "$.models.churn_tuned.ModelArtifacts.S3ModelArtifacts", LocalPath: "/opt/ml/processing/input/model" });
    expect(inputs.data.LocalPath).toBe("/opt/ml/processing/input/data");
    expect(evalIntrinsic(inputs.data["S3Uri.$"])).toMatch(/^s3:\/\/acme-ml-artifacts\/warehouse\/runs\/0a1b2c3d\/.+\/$/);
    expect(job.ProcessingOutputConfig.Outputs[0].S3Output["S3Uri.$"]).toBe("States.Format('s3://{}/runs/{}/gates/churn_gate', $.run.bucket, $.run.id)");
    expect(s["Metrics of churn_gate"].Parameters.Payload["evaluation.$"]).toBe("States.Format('s3://{}/runs/{}/gates/churn_gate/evaluation.json', $.run.bucket, $.run.id)");
    expect(s[gate.Default].Type).toBe("Fail");
    expect(s["Register churn_registry"].Parameters).toMatchObject({ ModelPackageGroupName: "churn-default", ModelApprovalStatus: "PendingManualApproval" });
    expect(s["Notebook churn_report"].Parameters.AppSpecification.ContainerEntrypoint).toEqual(["python3", "/opt/ml/processing/input/mlp/run_notebook.py"]);
  });

  test("schedules start the machines (cron in EventBridge Scheduler's syntax, UTC)", () => {
    const r = run("churn");
    expect(named(r, "churn-training-schedule").inputs).toMatchObject({ scheduleExpression: "cron(0 3 * * ? *)", scheduleExpressionTimezone: "UTC", target: { arn: named(r, "churn-training").state.arn } });
    expect(named(r, "churn-churn-nightly-scoring-schedule").inputs.scheduleExpression).toBe("cron(0 5 * * ? *)");
    const score = states(definitionOf(r, "churn-churn-nightly-scoring"));
    expect(score["Find model"].Parameters).toMatchObject({ ModelApprovalStatus: "Approved", ModelPackageGroupName: "churn-default" });
    expect(score["Score churn_nightly"].Parameters.TransformOutput.S3OutputPath).toBe("s3://acme-scores/churn/");
    expect(evalIntrinsic(score["Score churn_nightly"].Parameters.TransformInput.DataSource.S3DataSource["S3Uri.$"])).toBe("s3://acme-ml-artifacts/warehouse/runs/feedbeef/customer_features/");
  });

  test("the endpoint autoscales from instances = 2..8; the eu stack from 1..4 with its own bucket", () => {
    const r = run("churn");
    expect(named(r, "churn-churn-api-config").inputs.productionVariants[0]).toMatchObject({ variantName: "main", initialInstanceCount: 2, instanceType: "ml.m5.large" });
    expect(named(r, "churn-churn-api-scaling").inputs).toMatchObject({ minCapacity: 2, maxCapacity: 8, serviceNamespace: "sagemaker", scalableDimension: "sagemaker:variant:DesiredInstanceCount", resourceId: `endpoint/${named(r, "churn-churn-api").state.name}/variant/main` });
    expect(named(r, "churn-churn-api-scaling-policy").inputs.policyType).toBe("TargetTrackingScaling");
    const eu = run("churn", "eu");
    expect(named(eu, "churn-churn-api-scaling").inputs).toMatchObject({ minCapacity: 1, maxCapacity: 4 });
    expect(named(eu, "churn-artifacts").inputs.bucket).toBe("acme-ml-artifacts-eu");
    expect(named(eu, "churn-churn-registry-group").inputs.modelPackageGroupName).toBe("churn-eu");
  });

  test("which role may touch what", () => {
    const r = run("churn");
    const g = grants(r);
    const roleArn = (n: string) => named(r, n).state.arn as string;
    const glueJobs = ofType(r, "aws:glue/job:Job").map((j) => j.state.arn as string);
    for (const job of glueJobs) expect(may(g, "churn-states", "glue:StartJobRun", job)).toBe(true);
    expect(may(g, "churn-states", "glue:StartJobRun", "arn:aws:glue:us-east-1:123456789012:job/someone-else")).toBe(false);
    expect(may(g, "churn-states", "iam:PassRole", roleArn("churn-sagemaker"))).toBe(true);
    expect(may(g, "churn-states", "iam:PassRole", roleArn("churn-glue"))).toBe(false);
    // The gate's evaluation job: its own name prefix, nothing wider.
    expect(may(g, "churn-states", "sagemaker:CreateProcessingJob", "arn:aws:sagemaker:us-east-1:123456789012:processing-job/churn-churn-gate-0a1b2c3d")).toBe(true);
    expect(may(g, "churn-states", "sagemaker:CreateProcessingJob", "arn:aws:sagemaker:us-east-1:123456789012:processing-job/churn-other-0a1b2c3d")).toBe(false);
    expect(may(g, "churn-scheduler", "states:StartExecution", named(r, "churn-training").state.arn)).toBe(true);
    expect(may(g, "churn-scheduler", "states:StartExecution", "arn:aws:states:us-east-1:123456789012:stateMachine:other")).toBe(false);
    expect(may(g, "churn-glue", "s3:GetObject", "arn:aws:s3:::acme-raw/customers/part-0.parquet")).toBe(true);
    expect(may(g, "churn-glue", "s3:GetObject", "arn:aws:s3:::acme-raw/secrets/x")).toBe(false);
    expect(may(g, "churn-glue", "s3:PutObject", "arn:aws:s3:::acme-ml-artifacts/warehouse/runs/0a1b2c3d/customers/part-0")).toBe(true);
    expect(may(g, "churn-glue", "s3:PutObject", "arn:aws:s3:::acme-ml-artifacts/warehouse/latest.json")).toBe(false);
    expect(may(g, "churn-glue", "s3:PutObject", "arn:aws:s3:::acme-ml-artifacts/runs/x")).toBe(false);
    expect(may(g, "churn-glue", "dynamodb:BatchWriteItem", named(r, "churn-customer-features-online").state.arn)).toBe(true);
    expect(may(g, "churn-sagemaker", "s3:PutObject", "arn:aws:s3:::acme-ml-artifacts/runs/abc/models/x")).toBe(true);
    expect(may(g, "churn-sagemaker", "s3:PutObject", "arn:aws:s3:::acme-scores/churn/out.json")).toBe(true);
    expect(may(g, "churn-sagemaker", "s3:PutObject", "arn:aws:s3:::acme-ml-artifacts/assets/glue/x.sql")).toBe(false);
    expect(may(g, "churn-lambda", "s3:GetObject", "arn:aws:s3:::acme-ml-artifacts/runs/abc/x/output/output.tar.gz")).toBe(true);
    expect(may(g, "churn-lambda", "s3:GetObject", "arn:aws:s3:::acme-ml-artifacts/code/x")).toBe(false);
    // Nobody in this pipeline calls the endpoint: clients do, with their own credentials.
    for (const role of ["churn-glue", "churn-lambda", "churn-sagemaker", "churn-states", "churn-scheduler"]) expect(may(g, role, "sagemaker:InvokeEndpoint", named(r, "churn-churn-api").state.arn)).toBe(false);
  });
});

describe("point in time (a hopping history, an as-of join, online features over the history)", () => {
  test("the Glue jobs run Spark's window() and ranked as-of SQL; the online load keeps the newest row per key", () => {
    const r = run("fixture-history_online");
    const online = named(r, "history-online-sales-online").inputs.defaultArguments;
    expect(online["--online_table"]).toBe(named(r, "history-online-sales-online-online").state.name);
    expect(online["--newest_by"]).toBe("window_end");
    // A feature set that is not a history loads as it is.
    expect(named(run("churn"), "churn-customer-features").inputs.defaultArguments["--newest_by"]).toBeUndefined();
  });
});

describe("ad_click_through (streams, Flink, online features, ddp, stream and endpoint deployments)", () => {
  test("streaming steps: Kinesis streams and a Managed Flink application per Flink job", () => {
    const r = run("sample-ad_click_through");
    expect(ofType(r, "aws:kinesis/stream:Stream").map((s) => s.name).sort()).toEqual(["ad-ctr-ad-traffic-features-out", "ad-ctr-ctr-stream-scores", "ad-ctr-impression-features-out", "ad-ctr-impressions-live-events"]);
    for (const s of ofType(r, "aws:kinesis/stream:Stream")) expect(s.inputs).toMatchObject({ encryptionType: "KMS", streamModeDetails: { streamMode: "ON_DEMAND" } });
    const app = named(r, "ad-ctr-impression-features");
    expect(app.inputs.runtimeEnvironment).toBe("FLINK-1_20");
    const groups = app.inputs.applicationConfiguration.environmentProperties.propertyGroups;
    // impressions_live is plain Avro: the connector and flink-sql-avro, merged into one jar.
    expect(groups[0]).toEqual({ propertyGroupId: "kinesis.analytics.flink.run.options", propertyMap: { python: "run_sql.py", jarfile: "lib/mlp-flink-dependencies.jar" } });
    expect(groups[1].propertyMap).toEqual({
      region: "us-east-1",
      "stream.impressions_live": named(r, "ad-ctr-impressions-live-events").state.arn,
      "stream.impression_features": named(r, "ad-ctr-impression-features-out").state.arn,
    });
    expect(r.outputs.streams).toEqual({ "ad-impressions": named(r, "ad-ctr-impressions-live-events").state.name, "ad-ctr-scores": named(r, "ad-ctr-ctr-stream-scores").state.name });
  });

  test("streaming online features: a writer Lambda fills the DynamoDB table from the job's stream", () => {
    const r = run("sample-ad_click_through");
    const writer = named(r, "ad-ctr-ad-traffic-features-writer");
    expect(writer.inputs.environment.variables).toMatchObject({ TABLE: named(r, "ad-ctr-ad-traffic-features-online").state.name, KEYS: '["ad_id"]', TTL_SECONDS: "1800" });
    expect(named(r, "ad-ctr-ad-traffic-features-writer-source").inputs).toMatchObject({ eventSourceArn: named(r, "ad-ctr-ad-traffic-features-out").state.arn, functionName: writer.state.arn });
    const g = grants(r);
    expect(may(g, "ad-ctr-lambda", "dynamodb:BatchWriteItem", named(r, "ad-ctr-ad-traffic-features-online").state.arn)).toBe(true);
    expect(may(g, "ad-ctr-flink", "kinesis:PutRecords", named(r, "ad-ctr-ad-traffic-features-out").state.arn)).toBe(true);
    expect(may(g, "ad-ctr-flink", "kinesis:PutRecords", named(r, "ad-ctr-impressions-live-events").state.arn)).toBe(false);
    expect(may(g, "ad-ctr-flink", "kinesis:GetRecords", named(r, "ad-ctr-impressions-live-events").state.arn)).toBe(true);
  });

  test("the stream deployment scores the feature stream with its endpoint into the scores stream", () => {
    const r = run("sample-ad_click_through");
    const scorer = named(r, "ad-ctr-ctr-stream-scorer");
    expect(scorer.inputs.environment.variables).toMatchObject({ ENDPOINT: named(r, "ad-ctr-ctr-stream").state.name, OUTPUT_STREAM: named(r, "ad-ctr-ctr-stream-scores").state.arn, PREDICTION: "prediction" });
    // The model's feature columns only (issue 11: the key is an identifier, never a feature).
    expect(JSON.parse(scorer.inputs.environment.variables.FEATURES)).toEqual(["user_embedding", "hour_of_day", "weekday", "is_mobile", "in_search", "bid_log"]);
    expect(JSON.parse(scorer.inputs.environment.variables.KEYS)).toEqual(["impression_id"]);
    expect(named(r, "ad-ctr-ctr-stream-scorer-source").inputs.eventSourceArn).toBe(named(r, "ad-ctr-impression-features-out").state.arn);
    expect(named(r, "ad-ctr-ctr-stream-config").inputs.productionVariants[0]).toMatchObject({ initialInstanceCount: 6, instanceType: "ml.m5.xlarge" });
    const g = grants(r);
    expect(may(g, "ad-ctr-lambda", "sagemaker:InvokeEndpoint", named(r, "ad-ctr-ctr-stream").state.arn)).toBe(true);
    expect(may(g, "ad-ctr-lambda", "sagemaker:InvokeEndpoint", named(r, "ad-ctr-ctr-api").state.arn)).toBe(false);
  });

  test("ddp training on 4 nodes, bayesian tuning; launch promotes to production and widens scaling", () => {
    const s = states(definitionOf(run("sample-ad_click_through"), "ad-ctr-training"));
    const tune = s["Tune ctr_tuned"].Parameters;
    expect(tune.TrainingJobDefinition.ResourceConfig).toMatchObject({ InstanceType: "ml.g5.48xlarge", InstanceCount: 4 });
    expect(tune.TrainingJobDefinition.StaticHyperParameters.sagemaker_torch_distributed_enabled).toBe("true");
    expect(tune.HyperParameterTuningJobConfig.ResourceLimits).toEqual({ MaxNumberOfTrainingJobs: 16, MaxParallelTrainingJobs: 8 });
    expect(tune.HyperParameterTuningJobConfig.ParameterRanges.IntegerParameterRanges).toEqual([{ Name: "hidden_units", MinValue: "64", MaxValue: "512", ScalingType: "Linear" }]);
    expect(s["Register ctr_registry"].Parameters.ModelApprovalStatus).toBe("PendingManualApproval");
    const launch = run("sample-ad_click_through", "launch");
    const l = states(definitionOf(launch, "ad-ctr-training"));
    expect(l["Tune ctr_tuned"].Parameters.HyperParameterTuningJobConfig.ResourceLimits.MaxNumberOfTrainingJobs).toBe(96);
    expect(l["Register ctr_registry"].Parameters.ModelApprovalStatus).toBe("Approved");
    expect(named(run("sample-ad_click_through"), "ad-ctr-ctr-api-scaling").inputs).toMatchObject({ minCapacity: 4, maxCapacity: 32 });
    expect(named(launch, "ad-ctr-ctr-api-scaling").inputs).toMatchObject({ minCapacity: 8, maxCapacity: 64 });
  });
});

describe("demand_forecast (imports, grid tuning, batch scoring, an eu variant)", () => {
  test("grid search gives SageMaker no job count; xgboost runs in its container", () => {
    const s = states(definitionOf(run("sample-demand_forecast"), "demand-forecast-training"));
    const tune = s["Tune demand_tuned"].Parameters;
    expect(tune.HyperParameterTuningJobConfig.Strategy).toBe("Grid");
    expect(tune.HyperParameterTuningJobConfig.ResourceLimits).toEqual({ MaxParallelTrainingJobs: 3 });
    expect(tune.TrainingJobDefinition.AlgorithmSpecification.TrainingImage).toMatch(/sagemaker-xgboost:1\.7-1$/);
    // cpus = 32, memory = 128GiB: the cheapest type with both (the table in targets/aws/README.md).
    expect(tune.TrainingJobDefinition.ResourceConfig.InstanceType).toBe("ml.r5.8xlarge");
    expect(tune.TrainingJobDefinition.StaticHyperParameters).toMatchObject({ rounds: "400", subsample: "0.8" });
    expect(s["Gate demand_gate"].Choices[0].And).toContainEqual({ Variable: "$.gates.demand_gate.metrics.r2", NumericGreaterThanEquals: 0.7 });
    expect(s["Gate demand_gate"].Choices[0].And).toContainEqual({ Variable: "$.gates.demand_gate.metrics.rmse", NumericLessThanEquals: 12 });
    expect(named(run("sample-demand_forecast"), "demand-forecast-weekly-forecast-scoring-schedule").inputs.scheduleExpression).toBe("cron(0 4 ? * MON *)");
    expect(named(run("sample-demand_forecast"), "demand-forecast-training-schedule").inputs.scheduleExpression).toBe("cron(30 1 ? * SUN *)");
  });

  test("the eu stack reads its own lake, writes its own forecasts, trains with its own rounds", async () => {
    const eu = run("sample-demand_forecast", "eu");
    const g = grants(eu);
    expect(may(g, "demand-forecast-glue", "s3:GetObject", "arn:aws:s3:::retail-lake-eu/pos/sales/x.parquet")).toBe(true);
    expect(may(g, "demand-forecast-glue", "s3:GetObject", "arn:aws:s3:::retail-lake/pos/sales/x.parquet")).toBe(false);
    expect(may(g, "demand-forecast-sagemaker", "s3:PutObject", "arn:aws:s3:::retail-forecasts-eu/weekly/x")).toBe(true);
    const s = states(definitionOf(eu, "demand-forecast-training"));
    expect(s["Tune demand_tuned"].Parameters.TrainingJobDefinition.StaticHyperParameters.rounds).toBe("600");
    expect(await named(eu, "demand-forecast-sales-raw-sql").inputs.source.path).toMatch(/assets\/stacks\/eu\/glue\/sales_raw\.sql$/);
  });
});

// `stores` is imported from samples/lib/catalog.mlp: the variant's override changes it in its own file.
test("demand_forecast: the eu stack reads its own stores too (an override of an imported step)", () => {
  const g = grants(run("sample-demand_forecast", "eu"));
  expect(may(g, "demand-forecast-glue", "s3:GetObject", "arn:aws:s3:::retail-lake-eu/reference/stores/x.parquet")).toBe(true);
});

describe("machine_failure (no target aws, hdfs data, a notebook after scoring, a gdansk variant)", () => {
  test("the notebook runs after the nightly scoring, in the scoring machine", () => {
    const s = states(definitionOf(run("sample-machine_failure"), "machine-failure-nightly-risk-scoring"));
    expect(Object.keys(s)).toContain("Notebook risk_review");
    expect(named(run("sample-machine_failure"), "machine-failure-nightly-risk-scoring-schedule").inputs.scheduleExpression).toBe("cron(0 3 * * ? *)");
    expect(named(run("sample-machine_failure", "gdansk"), "machine-failure-nightly-risk-scoring-schedule").inputs.scheduleExpression).toBe("cron(0 2 * * ? *)");
    // sklearn: no registry step; the gated model is registered for deployment, approved by its gate.
    const t = states(definitionOf(run("sample-machine_failure"), "machine-failure-training"));
    expect(t["Register failure_registry"].Parameters.ModelApprovalStatus).toBe("Approved");
  });

  test("a plain training gets the train channel alone and reports no metric; its gate scores the trained model on the test port", () => {
    const r = run("sample-machine_failure");
    const t = states(definitionOf(r, "machine-failure-training"));
    const job = t["Train failure_model"].Parameters;
    expect(job.InputDataConfig.map((c: { ChannelName: string }) => c.ChannelName)).toEqual(["code", "train"]);
    expect(job.AlgorithmSpecification.MetricDefinitions).toBeUndefined();
    expect(job.Environment).toEqual({ MLP_ENTRY: "train.py", MLP_CHECKPOINT_DIR: "/opt/ml/checkpoints" });
    expect(t["Train failure_model"].Next).toBe("Evaluate failure_gate");
    const gate = t["Evaluate failure_gate"].Parameters;
    const inputs = Object.fromEntries(gate.ProcessingInputs.map((i: { InputName: string; S3Input: Record<string, string> }) => [i.InputName, i.S3Input]));
    expect(inputs.model["S3Uri.$"]).toBe("$.models.failure_model.ModelArtifacts.S3ModelArtifacts");
    expect(evalIntrinsic(inputs.data["S3Uri.$"])).toMatch(/\/warehouse\/runs\/0a1b2c3d\/failure_split\/test\/$/);
    expect(evalIntrinsic(job.InputDataConfig[1].DataSource.S3DataSource["S3Uri.$"])).toMatch(/\/warehouse\/runs\/0a1b2c3d\/failure_split\/train\/$/);
    // mlp's runtime and the contract travel with the code.
    const keys = ofType(r, "aws:s3/bucketObject:BucketObject").map((o) => o.inputs.key as string).filter((k) => /^code\/failure_model\/mlp_/.test(k));
    expect(keys.sort()).toEqual(["mlp_contract.json", "mlp_data.py", "mlp_entry.py", "mlp_gate.py", "mlp_metrics.py", "mlp_model.py", "mlp_serving.py"].map((f) => `code/failure_model/${f}`));
  });
});

describe("fraud (a stream deployment without a registry)", () => {
  test("the gated model is registered for its deployment, and the scorer reads the feature stream", () => {
    const r = run("fraud");
    const t = states(definitionOf(r, "fraud-training"));
    expect(t["Register fraud_gate"].Parameters.ModelApprovalStatus).toBe("Approved");
    expect(named(r, "fraud-fraud-scoring-scorer-source").inputs.eventSourceArn).toBe(named(r, "fraud-txn-features-out").state.arn);
  });
});
