// What targets refuse, and how they say it: paths outside the project (F10) on IRs that never
// went through the checker, a topic named twice on AWS (F11), scrontab-inexpressible
// schedules, and no message starting with its own target's name (the CLI prints
// `mlp: TARGET: message`).
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { compilation } from "../../compiler/compile";
import type { IrDocument } from "../../compiler/ir";
import { lower } from "../../compiler/lower";
import { TargetError, type Emit } from "../../compiler/target-api";
import { checkProgram } from "../../language/checker/program";
import { emitAws } from "../../targets/aws/index";
import { emitCassandra } from "../../targets/cassandra/index";
import { emitFlink } from "../../targets/flink/index";
import { emitSlurm } from "../../targets/slurm/index";
import { emitSpark } from "../../targets/spark/index";
import { loader, ROOT } from "./helpers";

const TARGETS: Record<string, Emit> = { spark: emitSpark, flink: emitFlink, cassandra: emitCassandra, slurm: emitSlurm, aws: emitAws };
const FINDINGS = "../shared/findings/reliability/";

/** The IR of a .mlp text that checks clean. */
function irOfText(path: string, text?: string): IrDocument {
  const p = checkProgram(path, loader, text);
  const errors = p.diagnostics.filter((d) => d.severity === "error");
  expect(errors.map((d) => `${d.code} ${d.message}`)).toEqual([]);
  return lower(p);
}

/** A sample whose HDFS data is on S3 instead: what every target, AWS included, can compile. */
function onS3(path: string): IrDocument {
  return irOfText(path, readFileSync(join(ROOT, path), "utf8").replaceAll('"hdfs://', '"s3://'));
}

/** A copy of an IR with one step's attribute replaced, as an edited graph file would have it. */
function edited(ir: IrDocument, id: string, attr: string, value: unknown): IrDocument {
  const copy = structuredClone(ir);
  const n = copy.nodes.find((x) => x.id === id)!;
  expect(n, id).toBeDefined();
  (n.config as Record<string, unknown>)[attr] = value;
  return copy;
}

/** The TargetError a target throws, or undefined when it writes files. */
function refusal(target: string, ir: IrDocument): TargetError | undefined {
  try {
    TARGETS[target]!({ ir, variants: [] });
    return undefined;
  } catch (e) {
    expect(e, `${target}: ${String(e)}`).toBeInstanceOf(TargetError);
    expectNoTargetPrefix((e as Error).message);
    return e as TargetError;
  }
}

function expectNoTargetPrefix(message: string) {
  expect(message).not.toMatch(/^(aws|spark|flink|slurm|cassandra):/);
}

describe("F10: paths outside the project are refused by every target that reads them", () => {
  const path = `${FINDINGS}F10-entry-traversal-aws-uploads-outside-project.mlp`;
  const text = readFileSync(join(ROOT, path), "utf8");
  const hostile = /entry\s*=\s*"([^"]*)"/.exec(text)![1]!;

  test("the reproducer's entry, put into a clean IR (bypassing the checker)", () => {
    expect(hostile).toContain("../");
    const clean = irOfText(path, text.replace(hostile, "train.py"));
    for (const t of Object.keys(TARGETS)) expect(refusal(t, clean), t).toBeUndefined();
    const ir = edited(clean, "m", "entry", hostile);
    for (const t of ["slurm", "aws"]) {
      const e = refusal(t, ir);
      expect(e?.message, t).toMatch(/^`m`\.entry = "\.\.\/\.\.\/.*" is outside the project: it has a `\.\.` segment/);
    }
    // Spark and Cassandra never read the entry; they still compile.
    expect(refusal("spark", ir)).toBeUndefined();
    expect(refusal("cassandra", ir)).toBeUndefined();
  });

  test("the reproducer as written, when it reaches a target", () => {
    const p = checkProgram(path, loader);
    if (p.diagnostics.some((d) => d.severity === "error")) return; // the checker refuses it first
    expect(() => emitAws(compilation(p))).toThrow(TargetError);
  });

  const machine = onS3("samples/machine_failure.mlp");
  const clicks = onS3("samples/ad_click_through.mlp");
  const id = (ir: IrDocument, kind: string, pick?: (n: { config: Record<string, unknown> }) => boolean) =>
    ir.nodes.find((n) => n.kind === kind && (!pick || pick(n as never)))!.id;

  test.each([
    ["/etc/ssh/train.py", /absolute path/],
    ["~/train.py", /home folder/],
    ["s3://bucket/train.py", /URL/],
    ["models/../../train.py", /`\.\.` segment/],
    ["models/../train.py", /`\.\.` segment/],
    ["", /empty/],
  ])("entry %j", (entry, why) => {
    const train = id(machine, "train");
    for (const t of ["slurm", "aws"]) expect(refusal(t, edited(machine, train, "entry", entry))?.message, t).toMatch(why);
    // The flink target names a stream deployment's entry (jobs.json, the scoring UDF).
    const streamTrain = id(clicks, "train");
    for (const t of ["flink", "slurm", "aws"]) expect(refusal(t, edited(clicks, streamTrain, "entry", entry))?.message, t).toMatch(new RegExp(`^\`${streamTrain}\`\\.entry`));
  });

  test("notebook paths", () => {
    const nb = id(machine, "notebook");
    for (const bad of ["../report.ipynb", "/tmp/report.ipynb", "notebooks/../../x.ipynb"])
      for (const t of ["slurm", "aws"]) expect(refusal(t, edited(machine, nb, "path", bad))?.message, `${t} ${bad}`).toMatch(new RegExp(`^\`${nb}\`\\.path = .* is outside the project`));
  });

  test("relative data paths stay in the project; absolute paths and URLs are data elsewhere", () => {
    const src = id(machine, "source", (n) => typeof n.config.uri === "string");
    const dep = id(machine, "deploy", (n) => typeof n.config.output === "string");
    for (const t of ["spark", "slurm", "aws"]) expect(refusal(t, edited(machine, src, "uri", "../../etc/passwd"))?.message, t).toMatch(new RegExp(`^\`${src}\`\\.uri = `));
    for (const t of ["slurm", "aws"]) expect(refusal(t, edited(machine, dep, "output", "out/../../x"))?.message, t).toMatch(new RegExp(`^\`${dep}\`\\.output = `));
    for (const ok of ["/data/rows.parquet", "s3://bucket/rows/", "data/rows.parquet", "file:///srv/x"])
      for (const t of ["spark", "slurm", "aws"]) expect(refusal(t, edited(machine, src, "uri", ok)), `${t} ${ok}`).toBeUndefined();
  });

  test("a variant's entry outside the project is refused too (each AWS stack uploads its own)", () => {
    const train = id(machine, "train");
    const bad = edited(machine, train, "entry", "../x/train.py");
    expect(() => emitAws({ ir: machine, variants: [bad] })).toThrow(/outside the project/);
  });
});

describe("F11: one topic for a stream source and a stream deployment", () => {
  const path = `${FINDINGS}F11-same-topic-aws-ts1117.mlp`;
  test("AWS refuses it, naming both steps and why", () => {
    const ir = irOfText(path);
    const e = refusal("aws", ir);
    expect(e?.message).toMatch(/^topic "events" is used twice: `events` reads it and stream deploy `live` publishes its scores to it \(on Kafka the deployment would score its own output\)/);
    expect(e?.message).toMatch(/give each its own topic/);
  });
  // The fixed program type-checks: test/targets/aws/typecheck.test.ts compiles it with another topic.
});

describe("target refusals do not repeat the target's name", () => {
  test("no `new TargetError(` message in targets/ starts with a target's name", () => {
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const e of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
        const p = `${dir}/${e.name}`;
        if (e.isDirectory()) walk(p);
        else if (p.endsWith(".ts")) {
          const src = readFileSync(join(ROOT, p), "utf8");
          for (const m of src.matchAll(/new TargetError\(\s*`([^`]{0,40})/g)) {
            if (/^(aws|spark|flink|slurm|cassandra):|^\$\{[^}]*\.name\}:/.test(m[1]!)) offenders.push(`${p}: ${m[1]}`);
          }
        }
      }
    };
    walk("targets");
    expect(offenders).toEqual([]);
  });

  test("refusals that can be triggered from a program", () => {
    const machine = onS3("samples/machine_failure.mlp");
    const withSchedule = structuredClone(machine);
    withSchedule.pipeline!.settings.schedule = { cron: "0 0 */2 * 1" };
    for (const t of ["slurm", "aws"]) expect(refusal(t, withSchedule)?.message, t).toMatch(/^the pipeline's schedule: cron "0 0 \*\/2 \* 1"/);
    const kafka = structuredClone(irOfText("samples/ad_click_through.mlp"));
    kafka.settings.onprem.kafka = "broker:9092;x";
    expect(refusal("flink", kafka)?.message).toMatch(/cannot be a Flink SQL option value/);
  });
});

describe("slurm: variants collide: a variant's keyspace (`<keyspace>_<variant>`) that Cassandra cannot create is refused", () => {
  const fraud = readFileSync(join(ROOT, "../shared/conformance/valid/fraud.mlp"), "utf8");
  // A 40-character pipeline name: `mlp_<name>` fits in 48, `mlp_<name>_<variant>` does not.
  const long = "fraud_detection_for_card_present_txns_eu";
  const text = `${fraud.replace("pipeline fraud {", `pipeline ${long} {`)}\nvariant staging_eu {\n}\n`;
  test("every target that writes the online store names the keyspace, its length and the setting to change", () => {
    const program = checkProgram("inline.mlp", loader, text);
    expect(program.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const base = lower(program);
    expect(base.settings.onprem.feature_store.cassandra.keyspace).toHaveLength(44);
    for (const t of ["cassandra", "spark", "flink"]) expect(refusal(t, base), t).toBeUndefined();
    const variant = lower(program, "staging_eu");
    for (const t of ["cassandra", "spark", "flink"]) {
      expect(refusal(t, variant)?.message, t).toBe(
        "the Cassandra keyspace `mlp_fraud_detection_for_card_present_txns_eu_staging_eu` (with variant `staging_eu`'s suffix) is 55 characters, and Cassandra allows 48: name a shorter one in `target onprem { feature_store = cassandra(keyspace: ...) }`",
      );
    }
  });
});
