// Every payload of payloads.ts in every string slot of every target. The template is the F08b
// reproducer, whose every user string is "benign": the test replaces "benign" in the IR (so
// the checker's own limits do not hide a target's) and adds each payload as a hyperparameter,
// notebook parameter and tag key. Each target then either writes files or refuses with a
// TargetError (Flink options only, where the payload has what no Kafka option can hold), and
// what it writes is run through the real tools that are here: bash -n and a whole submit.sh
// run with a stand-in sbatch (no marker file appears), Python's parser and the configs the
// scripts load, the Spark and Flink SQL grammars, JSON and YAML parsers, and tsc for AWS.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { afterAll, describe, expect, test } from "vitest";
import type { IrDocument } from "../../compiler/ir";
import { lower } from "../../compiler/lower";
import { TargetError, type Emit, type GeneratedFile } from "../../compiler/target-api";
import { checkProgram } from "../../language/checker/program";
import { emitAws } from "../../targets/aws/index";
import { emitCassandra } from "../../targets/cassandra/index";
import { emitFlink } from "../../targets/flink/index";
import { emitSlurm } from "../../targets/slurm/index";
import { emitSpark } from "../../targets/spark/index";
import { removeWorkspace, workspace } from "./aws/harness";
import { loader, ROOT } from "./helpers";
import { PAYLOADS, type Payload } from "./payloads";
import { bashSyntaxErrors, fakeSbatch, PYTHON, pythonSyntaxErrors, run, standIns, tmp } from "./slurm/helpers";
import { flinkErrors, sparkErrors } from "./sql-grammar";

const TARGETS: Record<string, Emit> = { spark: emitSpark, flink: emitFlink, cassandra: emitCassandra, slurm: emitSlurm, aws: emitAws };
const TEMPLATE = "../shared/findings/reliability/F08b-target-refusal-after-partial-write.mlp";

const own = (o: object, k: string, v: unknown) => Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });

const base = (() => {
  const p = checkProgram(TEMPLATE, loader);
  expect(p.diagnostics.filter((d) => d.severity === "error").map((d) => d.message)).toEqual([]);
  return lower(p);
})();

/** The template's IR with every "benign" replaced by the payload, and the payload as a key. */
function withPayload(text: string): IrDocument {
  const swap = (x: unknown): unknown => {
    if (typeof x === "string") return x.replaceAll("benign", () => text);
    if (Array.isArray(x)) return x.map(swap);
    if (x && typeof x === "object") {
      const o = {};
      for (const [k, v] of Object.entries(x)) own(o, k, swap(v));
      return o;
    }
    return x;
  };
  const ir = swap(structuredClone(base)) as IrDocument;
  // Settings the target refuses outright (tested in slurm/hostile.test.ts) stay plain names;
  // Flink option values are refused for some payloads, so the Kafka servers get their own case.
  ir.settings.onprem.slurm_partition = "debug";
  ir.settings.onprem.slurm_account = "acct";
  ir.settings.onprem.kafka = "broker:9092";
  // Slots the template leaves at their defaults: the warehouse and the Cassandra keyspace and hosts.
  ir.settings.onprem.warehouse = `file:///srv/${text}/warehouse`;
  // A keyspace Cassandra could not create (over 48 characters) is refused by every target
  // (refusals.test.ts): longer payloads go in cut to 24 code points.
  ir.settings.onprem.feature_store.cassandra.keyspace = [...text].slice(0, 24).join("");
  ir.settings.onprem.feature_store.cassandra.hosts = [`${text}:9042`];
  // A deployment publishing to the topic it reads is refused on AWS (refusals.test.ts).
  const live = ir.nodes.find((n) => n.kind === "deploy" && n.config.mode === "stream")!;
  (live.config as { topic: string }).topic = `${text} scores`;
  const train = ir.nodes.find((n) => n.kind === "train")!;
  own((train.config as { hyperparams: object }).hyperparams, text, text);
  const nb = ir.nodes.find((n) => n.kind === "notebook")!;
  own((nb.config as { parameters: object }).parameters, text, text);
  own(ir.settings.aws.tags, text, text);
  return ir;
}

/** Payloads no Flink option value can carry: refused by name, never mangled. */
const flinkOptionUnsafe = (s: string) => [...s].some((ch) => ch.codePointAt(0)! < 0x20 || ch === "\u007f" || ch === ";" || ch === "\\");

function emitOrRefuse(target: string, ir: IrDocument): GeneratedFile[] | TargetError {
  try {
    return TARGETS[target]!({ ir, variants: [] });
  } catch (e) {
    if (!(e instanceof TargetError)) throw e;
    expect(e.message).not.toMatch(/^(aws|spark|flink|slurm|cassandra):/);
    return e;
  }
}

/** Parses every .py file and evaluates each `CONFIG = json.loads("...")` as the script would; prints the configs. */
const PY_CHECK = `
import ast, json, sys
out = []
for path in sys.argv[1:]:
    src = open(path, encoding="utf-8").read()
    tree = ast.parse(src, path)
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "CONFIG" for t in node.targets):
            call = node.value
            out.append(json.loads(ast.literal_eval(call.args[0])))
print(json.dumps(out))
`;

function writeFiles(dir: string, files: GeneratedFile[]): string[] {
  return files.map((f) => {
    const p = join(dir, f.path);
    mkdirSync(join(p, ".."), { recursive: true });
    writeFileSync(p, f.contents);
    return p;
  });
}

function markers(dir: string): string[] {
  const found: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d)) {
      const p = join(d, e);
      if (e.startsWith("PWNED")) found.push(p);
      if (e !== "node_modules" && statSync(p, { throwIfNoEntry: false })?.isDirectory()) walk(p);
    }
  };
  walk(dir);
  return found;
}

const awsDir = workspace("payloads");
const awsProjects: string[] = [];
afterAll(() => removeWorkspace(awsDir));

describe.each(PAYLOADS.map((p, i) => ({ ...p, i })))("payload $name", (payload: Payload & { i: number }) => {
  const ir = withPayload(payload.text);
  const dir = tmp(`payload-${payload.i}`);

  test("the IR holds the payload in every slot", () => {
    const json = JSON.stringify(ir);
    expect(json).not.toContain("benign");
    expect(json.split(JSON.stringify(payload.text).slice(1, -1)).length - 1).toBeGreaterThan(20);
  });

  test("spark and flink: every statement parses, and Flink refuses only what its options cannot hold", () => {
    const spark = emitOrRefuse("spark", ir);
    expect(spark, String(spark)).not.toBeInstanceOf(TargetError);
    for (const f of spark as GeneratedFile[]) {
      if (f.path.endsWith(".sql")) expect(sparkErrors(f.contents), f.path).toEqual([]);
      if (f.path.endsWith(".json")) JSON.parse(f.contents);
    }
    const flink = emitOrRefuse("flink", ir);
    if (flink instanceof TargetError) {
      expect(flinkOptionUnsafe(payload.text), flink.message).toBe(true);
      expect(flink.message).toMatch(/cannot be a Flink SQL option value/);
    } else {
      for (const f of flink) {
        if (f.path.endsWith(".sql")) expect(flinkErrors(f.contents), f.path).toEqual([]);
        if (f.path.endsWith(".json")) JSON.parse(f.contents);
      }
    }
    // The Kafka servers: the same rule.
    const kafka = structuredClone(ir);
    kafka.settings.onprem.kafka = payload.text;
    const withKafka = emitOrRefuse("flink", kafka);
    if (withKafka instanceof TargetError) expect(flinkOptionUnsafe(payload.text), withKafka.message).toBe(true);
    else for (const f of withKafka) if (f.path.endsWith(".sql")) expect(flinkErrors(f.contents), f.path).toEqual([]);
    const cql = emitOrRefuse("cassandra", ir);
    expect(cql).not.toBeInstanceOf(TargetError);
    // The first payload also warms up both SQL grammars (seconds on a loaded machine).
  }, 30_000);

  test("slurm: bash -n, Python's parser, the configs arrive verbatim, and a whole run executes none of it", () => {
    const files = emitOrRefuse("slurm", ir);
    expect(files, String(files)).not.toBeInstanceOf(TargetError);
    const slurm = join(dir, "slurm");
    const paths = writeFiles(slurm, files as GeneratedFile[]);
    expect(bashSyntaxErrors(paths.filter((p) => /\.(sh|sbatch)$/.test(p)))).toEqual([]);
    const py = paths.filter((p) => p.endsWith(".py"));
    expect(pythonSyntaxErrors(py)).toEqual([]);
    const configs = JSON.parse(execFileSync(PYTHON, ["-c", PY_CHECK, ...py], { encoding: "utf8", maxBuffer: 64 << 20 })) as unknown[];
    const text = JSON.stringify(configs);
    // Hyperparameters, notebook parameters and their keys, paths, names: verbatim after Python decoded them.
    const strings: string[] = [];
    const walk = (x: unknown) => {
      if (typeof x === "string") strings.push(x);
      else if (Array.isArray(x)) x.forEach(walk);
      else if (x && typeof x === "object")
        for (const [k, v] of Object.entries(x)) {
          strings.push(k);
          walk(v);
        }
    };
    configs.forEach(walk);
    expect(strings.filter((s) => s === payload.text).length, text.slice(0, 300)).toBeGreaterThanOrEqual(2);
    // Submit the run with a stand-in sbatch and stand-in tools: nothing in the payload runs.
    const project = join(dir, "project");
    mkdirSync(project, { recursive: true });
    const env: NodeJS.ProcessEnv = { ...process.env, ...standIns(dir), MLP_SBATCH: fakeSbatch(dir), MLP_RUN_ID: "p1", MLP_PYTHON: PYTHON, MLP_DATA_DIR: join(dir, "data"), MLP_MODEL_DIR: join(dir, "models") };
    const r = run("bash", [join(slurm, "submit.sh")], { cwd: project, env, timeout: 120_000 });
    // Jobs may fail (there is no data and no entry script); the shell never runs the payload.
    expect(r.stderr).not.toMatch(/syntax error|unexpected EOF|command not found/);
    const sched = run("bash", [join(slurm, "submit.sh"), "--schedule"], { cwd: project, env });
    expect(sched.status, sched.stderr).toBe(0);
    expect(markers(dir)).toEqual([]);
  }, 180_000);

  test("aws: YAML, JSON and state machines decode to the payload; index.ts is type-checked below", () => {
    const files = emitOrRefuse("aws", ir);
    expect(files, String(files)).not.toBeInstanceOf(TargetError);
    const list = files as GeneratedFile[];
    for (const f of list) {
      expect(f.contents.includes("\u0000"), f.path).toBe(false);
      if (f.path.endsWith(".json")) JSON.parse(f.contents);
      if (f.path.endsWith(".yaml")) parseYaml(f.contents);
    }
    const stack = parseYaml(list.find((f) => f.path === "Pulumi.default.yaml")!.contents) as { config: { "aws:defaultTags": { tags: Record<string, string> } } };
    const tags = stack.config["aws:defaultTags"].tags;
    expect(Object.prototype.hasOwnProperty.call(tags, payload.text) && tags[payload.text]).toBe(payload.text);
    const machine = JSON.parse(list.find((f) => f.path === "assets/statemachines/training.asl.json")!.contents) as unknown;
    const hps: Record<string, string>[] = [];
    const walk = (x: unknown) => {
      if (Array.isArray(x)) x.forEach(walk);
      else if (x && typeof x === "object")
        for (const [k, v] of Object.entries(x)) {
          if (k === "StaticHyperParameters" || k === "HyperParameters") hps.push(v as Record<string, string>);
          walk(v);
        }
    };
    walk(machine);
    expect(hps.length).toBeGreaterThan(0);
    // The program fills the templates' placeholders, turning `$${` back into `${` (print.ts definition()).
    const filled = (v: string) => v.replace(/\$\$\{/g, "${");
    for (const hp of hps) expect(JSON.parse(filled(Object.prototype.hasOwnProperty.call(hp, payload.text) ? hp[payload.text]! : "null"))).toBe(payload.text);
    const index = list.find((f) => f.path === "index.ts")!.contents;
    expect(index).toMatch(/^[\x20-\x7e\n]*$/);
    const id = `p${payload.i}`;
    writeFiles(join(awsDir, id), list);
    awsProjects.push(id);
  });
});

test("aws: every payload's program type-checks against the real @pulumi/aws", () => {
  expect(awsProjects.length).toBe(PAYLOADS.length);
  writeFileSync(
    join(awsDir, "tsconfig.json"),
    JSON.stringify({ compilerOptions: { strict: true, target: "ES2022", module: "commonjs", moduleResolution: "node", esModuleInterop: true, skipLibCheck: true, noEmit: true, types: ["node"] }, include: awsProjects.map((p) => `${p}/index.ts`) }),
  );
  const r = spawnSync(process.execPath, [join(ROOT, "node_modules/typescript/bin/tsc"), "-p", awsDir], { encoding: "utf8", maxBuffer: 64 << 20 });
  expect(r.stdout + r.stderr).toBe("");
  expect(r.status).toBe(0);
}, 300_000);
