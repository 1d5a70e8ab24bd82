// The aws target's tests share this: which .mlp files to compile, writing the generated
// projects where they resolve the repository's node_modules, and running a generated program
// under Pulumi's mocks to collect the resources it declares.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import * as pulumi from "@pulumi/pulumi";
import { parse as parseYaml } from "yaml";
import { compilation } from "../../../compiler/compile";
import type { IrDocument } from "../../../compiler/ir";
import type { Compilation, GeneratedFile } from "../../../compiler/target-api";
import { checkProgram } from "../../../language/checker/program";
import type { CheckedProgram, FileLoader } from "../../../language/checker/model";
import { emitAws } from "../../../targets/aws/index";
import { loader, ROOT } from "../helpers";

export { ROOT };

export interface AwsCase {
  /** Golden/temp folder name. */
  id: string;
  path: string;
}

const mlpFiles = (dir: string) => (existsSync(join(ROOT, dir)) ? readdirSync(join(ROOT, dir)).filter((f) => f.endsWith(".mlp") && !f.startsWith(".")).sort() : []);

/** Every sample, every valid conformance file and the aws fixtures. */
export function awsCases(): AwsCase[] {
  return [
    ...mlpFiles("samples/").map((f) => ({ id: `sample-${f.replace(/\.mlp$/, "")}`, path: `samples/${f}` })),
    ...mlpFiles("../shared/conformance/valid/").map((f) => ({ id: f.replace(/\.mlp$/, ""), path: `../shared/conformance/valid/${f}` })),
    ...mlpFiles("test/fixtures/aws/").map((f) => ({ id: `fixture-${f.replace(/\.mlp$/, "")}`, path: `test/fixtures/aws/${f}` })),
  ];
}

const programCache = new Map<string, CheckedProgram>();

/**
 * The onprem samples keep their data on HDFS, which AWS cannot reach (MLP0505, tested in
 * target-reach.test.ts). Compiled for AWS here, they read it from S3, as that error's help
 * asks, so every sample still exercises the AWS target.
 */
const awsLoader: FileLoader = {
  read: (path) => loader.read(path)?.replaceAll('"hdfs://', '"s3://'),
};

/** The checked program of a .mlp file that must have no errors when compiled for AWS. */
export function programOf(path: string): CheckedProgram {
  let p = programCache.get(path);
  if (!p) {
    p = checkProgram(path, awsLoader, undefined, { compiledFor: ["aws"] });
    const errors = p.diagnostics.filter((d) => d.severity === "error").map((d) => `${d.code} ${d.message}`);
    if (errors.length) throw new Error(`${path} does not check:\n${errors.join("\n")}`);
    programCache.set(path, p);
  }
  return p;
}

/** The compilation `mlp compile --target aws [--variant V]` hands the target. */
export function compilationOf(path: string, variant?: string): Compilation {
  return compilation(programOf(path), variant);
}

export function irOf(path: string): IrDocument {
  return compilationOf(path).ir;
}

const projectCache = new Map<string, GeneratedFile[]>();

export function projectOf(path: string): GeneratedFile[] {
  let files = projectCache.get(path);
  if (!files) {
    files = emitAws(compilationOf(path));
    projectCache.set(path, files);
  }
  return files;
}

export const fileOf = (files: GeneratedFile[], path: string) => files.find((f) => f.path === path)?.contents;

/** A fresh temporary folder whose node_modules is the repository's (so generated programs resolve @pulumi/*). */
export function workspace(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `mlp-aws-${prefix}-`));
  symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"), "dir");
  return dir;
}

export function writeProject(dir: string, files: GeneratedFile[]): void {
  for (const f of files) {
    const path = join(dir, f.path);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, f.contents);
  }
}

export function removeWorkspace(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** The files of the .mlp project the program uploads (entry scripts, notebooks), made up. */
export function fakeProject(dir: string, ir: IrDocument): void {
  for (const n of ir.nodes) {
    const rel = n.kind === "train" ? n.config.entry : n.kind === "notebook" ? n.config.path : undefined;
    if (!rel) continue;
    const path = join(dir, rel);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, n.kind === "train" ? "print('train')\n" : "{}\n");
    if (n.kind === "train") writeFileSync(join(dirname(path), "helper.py"), "X = 1\n");
  }
}

/** Stack config as the generated Pulumi.<stack>.yaml sets it (plus aws: provider keys). */
export function stackConfig(files: GeneratedFile[], stack: string): Record<string, unknown> {
  const doc = parseYaml(fileOf(files, `Pulumi.${stack}.yaml`)!) as { config: Record<string, unknown> };
  return doc.config;
}

export function stackNames(files: GeneratedFile[]): string[] {
  return files
    .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f.path)?.[1])
    .filter((s): s is string => !!s)
    .sort();
}

// ---------- running a program under mocks ----------

export interface MockResource {
  type: string;
  name: string;
  inputs: Record<string, any>;
  state: Record<string, any>;
}

const ACCOUNT = "123456789012";
export const REGION = "us-east-1";

/** The computed outputs a resource has after creation: the ones the programs read. */
function outputsOf(type: string, name: string, inputs: Record<string, any>): Record<string, any> {
  const [pkg, mod] = type.split(":") as [string, string];
  const service = (mod ?? "").split("/")[0]!;
  const physical = inputs.name ?? inputs.bucket ?? `${name}-0a1b2c3`;
  const state: Record<string, any> = { ...inputs, name: physical, id: physical };
  const arn = (svc: string, what: string) => `arn:aws:${svc}:${REGION}:${ACCOUNT}:${what}`;
  switch (type) {
    case "aws:s3/bucket:Bucket":
      state.bucket = inputs.bucket ?? `${name}-0a1b2c3`;
      state.arn = `arn:aws:s3:::${state.bucket}`;
      state.id = state.bucket;
      break;
    case "aws:s3/bucketObject:BucketObject":
      state.versionId = "v1";
      state.arn = `arn:aws:s3:::${inputs.bucket}/${inputs.key}`;
      break;
    case "aws:iam/role:Role":
      state.arn = `arn:aws:iam::${ACCOUNT}:role/${physical}`;
      break;
    case "aws:glue/job:Job":
      state.arn = arn("glue", `job/${physical}`);
      break;
    case "aws:kinesis/stream:Stream":
      state.arn = arn("kinesis", `stream/${physical}`);
      break;
    case "aws:dynamodb/table:Table":
      state.arn = arn("dynamodb", `table/${physical}`);
      break;
    case "aws:sfn/stateMachine:StateMachine":
      state.arn = arn("states", `stateMachine:${physical}`);
      break;
    case "aws:lambda/function:Function":
      state.arn = arn("lambda", `function:${physical}`);
      break;
    case "aws:cloudwatch/logGroup:LogGroup":
      state.arn = arn("logs", `log-group:${physical}`);
      break;
    case "aws:cloudwatch/logStream:LogStream":
      state.arn = arn("logs", `log-group:${inputs.logGroupName}:log-stream:${physical}`);
      break;
    case "aws:sagemaker/endpoint:Endpoint":
      state.arn = arn("sagemaker", `endpoint/${String(physical).toLowerCase()}`);
      break;
    case "aws:sagemaker/modelPackageGroup:ModelPackageGroup":
      state.arn = arn("sagemaker", `model-package-group/${inputs.modelPackageGroupName}`);
      break;
    default:
      state.arn = arn(service || pkg, `${name}`);
  }
  return state;
}

function callResult(token: string, inputs: Record<string, any>): Record<string, any> {
  switch (token) {
    case "aws:index/getPartition:getPartition":
      return { partition: "aws", dnsSuffix: "amazonaws.com", id: "aws" };
    case "aws:index/getRegion:getRegion":
      return { region: REGION, name: REGION, id: REGION };
    case "aws:index/getCallerIdentity:getCallerIdentity":
      return { accountId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:user/ci`, userId: "AIDA", id: ACCOUNT };
    case "aws:sagemaker/getPrebuiltEcrImage:getPrebuiltEcrImage":
      return { ...inputs, registryId: "763104351884", registryPath: `763104351884.dkr.ecr.${REGION}.amazonaws.com/${inputs.repositoryName}:${inputs.imageTag}`, region: REGION, id: "image" };
    default:
      throw new Error(`the programs call no ${token}`);
  }
}

export interface Run {
  resources: MockResource[];
  outputs: Record<string, unknown>;
}

let runs = 0;

/**
 * Runs `dir/index.ts` as stack `stack` of `project` with `config` (keys without the project
 * namespace are the project's) and returns what it declared. The working directory is the
 * project's while it runs, as under `pulumi up`.
 */
export async function runProgram(dir: string, project: string, stack: string, config: Record<string, unknown>): Promise<Run> {
  const resources: MockResource[] = [];
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        const state = outputsOf(args.type, args.name, args.inputs);
        resources.push({ type: args.type, name: args.name, inputs: args.inputs, state });
        return { id: String(state.id), state };
      },
      call(args) {
        return callResult(args.token, args.inputs);
      },
    },
    project,
    stack,
    false,
  );
  const all: Record<string, string> = {};
  for (const [k, v] of Object.entries(config)) all[k.includes(":") ? k : `${project}:${k}`] = typeof v === "string" ? v : JSON.stringify(v);
  pulumi.runtime.setAllConfig(all);
  const cwd = process.cwd();
  process.chdir(dir);
  try {
    // A copy per run: each import is a fresh module.
    const file = join(dir, `index.run${++runs}.ts`);
    writeFileSync(file, readFileSync(join(dir, "index.ts"), "utf8"));
    const mod = (await import(/* @vite-ignore */ pathToFileURL(file).href)) as Record<string, unknown>;
    const outputs: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(mod)) outputs[k] = await resolve(v);
    await pulumi.runtime.disconnect();
    return { resources, outputs };
  } finally {
    process.chdir(cwd);
  }
}

function resolve(v: unknown): Promise<unknown> {
  if (pulumi.Output.isInstance(v)) return new Promise((r) => (v as pulumi.Output<unknown>).apply((x) => r(x)));
  if (v && typeof v === "object" && !Array.isArray(v)) return Promise.all(Object.entries(v).map(async ([k, x]) => [k, await resolve(x)] as const)).then(Object.fromEntries);
  return Promise.resolve(v);
}

// ---------- reading the resource graph ----------

export const ofType = (run: Run, type: string) => run.resources.filter((r) => r.type === type);
export const named = (run: Run, name: string) => {
  const r = run.resources.find((x) => x.name === name);
  if (!r) throw new Error(`no resource named ${name}: ${run.resources.map((x) => x.name).join(", ")}`);
  return r;
};

export interface Grant {
  role: string;
  actions: string[];
  resources: string[];
  condition?: unknown;
  effect: string;
}

/** Every Allow of every role policy (inline policies of the program), by role name. */
export function grants(run: Run): Grant[] {
  const roleNameOf = (id: string) => run.resources.find((r) => r.type === "aws:iam/role:Role" && r.state.id === id)?.name ?? id;
  const out: Grant[] = [];
  for (const p of ofType(run, "aws:iam/rolePolicy:RolePolicy")) {
    const doc = JSON.parse(p.inputs.policy) as { Statement: { Effect: string; Action: string | string[]; Resource: string | string[]; Condition?: unknown }[] };
    for (const s of doc.Statement)
      out.push({ role: roleNameOf(p.inputs.role), effect: s.Effect, actions: [s.Action].flat(), resources: [s.Resource].flat(), condition: s.Condition });
  }
  return out;
}

/** Whether `role` may do `action` on `resource` (IAM wildcards in the grant's patterns). */
export function may(all: Grant[], role: string, action: string, resource: string): boolean {
  const match = (pattern: string, s: string) => new RegExp(`^${pattern.split("*").map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`).test(s);
  return all.some((g) => g.role === role && g.effect === "Allow" && g.actions.some((a) => match(a, action)) && g.resources.some((r) => match(r, resource)));
}
