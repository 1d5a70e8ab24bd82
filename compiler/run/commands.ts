// `mlp run`, `mlp show` and `mlp serve`: the commands that execute a pipeline on this
// machine. Argument handling and diagnostics are the CLI's (compiler/cli.ts); this module
// binds a checked program to local files, a workdir and a Python, then hands over to the
// runner, the run folder and the model runtime.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import type { CheckedProgram } from "../../language/checker/model";
import { frameworkModule, planLocal, type LocalPlan, type PlannedStep } from "../../targets/local/plan";
import { compilation } from "../compile";
import type { IrDocument } from "../ir";
import { IrGraph } from "../query";
import { TargetError } from "../target-api";
import { DUCKDB as d } from "../../targets/sql/dialect";
import { Engine } from "./engine";
import { listRuns, readJson, runJson, writeJsonAtomic, type RunRecord } from "./folder";
import { humanEvents, jsonEvents } from "./progress";
import { children, PythonFinder, PythonMissing, runtimeFolder } from "./python";
import { currentVersion, readVersion, registryFolder } from "./registry";
import { interrupt, runPlan, StepFailure } from "./runner";

import { RunUsageError } from "./usage-error";
export { RunUsageError };

export interface RunIo {
  out(s: string): void;
  err(s: string): void;
  color: boolean;
  tty: boolean;
}

interface Prepared {
  program: CheckedProgram;
  ir: IrDocument;
  plan: LocalPlan;
  file: string;
  workdir: string;
}

/** The IR and local plan of a checked program (`variant` applied), and its workdir. */
export function prepare(program: CheckedProgram, file: string, variant: string | undefined, workdirFlag: string | undefined): Prepared {
  if (variant !== undefined && !program.variants.has(variant)) {
    const names = [...program.variants.keys()];
    throw new RunUsageError(`${file} has no variant ${variant}${names.length ? ` (variants: ${names.join(", ")})` : ""}`);
  }
  const ir = compilation(program, variant).ir;
  let plan: LocalPlan;
  try {
    plan = planLocal(ir);
  } catch (e) {
    if (e instanceof TargetError) throw new RunUsageError(e.message);
    throw e;
  }
  const abs = resolve(file);
  const workdir = workdirFlag !== undefined ? resolve(workdirFlag) : resolve(dirname(abs), ir.settings.local.workdir);
  return { program, ir, plan, file: abs, workdir };
}

export interface RunFlags {
  variant?: string;
  sources: string[];
  until?: string;
  only: string[];
  noCache: boolean;
  workdir?: string;
  format: string;
  resume?: string;
}

export async function runCommand(program: CheckedProgram, file: string, f: RunFlags, io: RunIo): Promise<number> {
  if (!["human", "json"].includes(f.format)) throw new RunUsageError(`unknown format ${f.format} (formats: human, json)`);
  const p = prepare(program, file, f.variant, f.workdir);
  const sourceIds = p.plan.steps.filter((s) => s.run === "source").map((s) => s.id);
  const sources: Record<string, string> = {};
  const bind = (name: string, path: string, where: string) => {
    if (!sourceIds.includes(name)) throw new RunUsageError(`${where} binds ${name}, but the pipeline has no source ${name} (sources: ${sourceIds.join(", ") || "none"})`);
    sources[name] = path;
  };
  for (const [name, path] of Object.entries(p.ir.settings.local.sources)) bind(name, resolve(dirname(p.file), path), "`target local`");
  for (const s of f.sources) {
    const eq = s.indexOf("=");
    if (eq <= 0 || eq === s.length - 1) throw new RunUsageError(`--source takes NAME=PATH, not ${s}`);
    bind(s.slice(0, eq), resolve(s.slice(eq + 1)), "--source");
  }
  const clock = p.ir.settings.local.now ? new Date(p.ir.settings.local.now) : new Date();
  mkdirSync(p.workdir, { recursive: true });
  const shownWorkdir = relative(process.cwd(), p.workdir) || ".";
  const events = f.format === "json" ? jsonEvents({ write: io.out }, { workdir: p.workdir }) : humanEvents({ write: io.out }, { tty: io.tty, color: io.color, workdir: shownWorkdir });
  let runId: string | undefined;
  const started = events.start.bind(events);
  events.start = (r) => {
    runId = r.run_id;
    started(r);
  };
  const onSignal = (signal: NodeJS.Signals) => {
    for (const c of children) c.kill("SIGTERM");
    if (runId) interrupt(p.workdir, runId);
    events.stop();
    io.err(`\nmlp: interrupted (${signal}); the run folder says which steps finished: mlp run ${relative(process.cwd(), p.file)} --resume ${runId ?? ""}\n`);
    process.exit(130);
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    const record = await runPlan({
      file: p.file,
      workdir: p.workdir,
      ir: p.ir,
      plan: p.plan,
      sources,
      ...(f.until !== undefined ? { until: f.until } : {}),
      only: f.only,
      noCache: f.noCache,
      ...(f.resume !== undefined ? { resume: f.resume } : {}),
      clock,
      python: new PythonFinder(p.ir.settings.local.python),
      events,
      parallel: 2,
      exiting: true,
    });
    return record.status === "succeeded" ? 0 : 1;
  } catch (e) {
    if (e instanceof StepFailure || e instanceof PythonMissing) throw new RunUsageError(e.message);
    throw e;
  } finally {
    events.stop();
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

// ---------- mlp show ----------

export interface ShowFlags {
  run?: string;
  workdir?: string;
  limit: number;
  format: string;
}

export async function showCommand(program: CheckedProgram, file: string, target: string, f: ShowFlags, io: RunIo): Promise<number> {
  if (!["table", "csv", "json"].includes(f.format)) throw new RunUsageError(`unknown format ${f.format} (formats: table, csv, json)`);
  const p = prepare(program, file, undefined, f.workdir);
  const [stepId, port] = target.includes(".") ? [target.slice(0, target.indexOf(".")), target.slice(target.indexOf(".") + 1)] : [target, undefined];
  const step = p.plan.steps.find((s) => s.id === stepId);
  if (!step) throw new RunUsageError(`the pipeline has no step ${stepId} (steps: ${p.plan.steps.map((s) => s.id).join(", ")})`);
  const ports = step.outputs.filter((o) => o.relation !== undefined).map((o) => o.port);
  const chosen = port ?? (ports.includes("out") ? "out" : ports[0]);
  if (!chosen || !ports.includes(chosen)) throw new RunUsageError(`${stepId} has no rows to show${ports.length ? ` on port ${port} (ports: ${ports.join(", ")})` : ` (it is a ${step.kind} step)`}`);
  const runs = f.run ? [f.run] : listRuns(p.workdir);
  let path: string | undefined;
  let runId: string | undefined;
  for (const id of runs) {
    const r = readJson<RunRecord>(runJson(p.workdir, id));
    const s = r?.steps.find((x) => x.id === stepId);
    const o = s && (s.status === "ok" || s.status === "cached") ? s.outputs[chosen] : undefined;
    if (o && existsSync(join(p.workdir, o.path))) {
      path = join(p.workdir, o.path);
      runId = id;
      break;
    }
    if (f.run) throw new RunUsageError(r ? `run ${id} has no output of ${stepId}${s ? ` (it ${s.status === "failed" ? "failed" : `was ${s.status}`})` : ""}` : `no run ${id} in ${relative(process.cwd(), p.workdir) || "."}`);
  }
  if (!path) throw new RunUsageError(`no run has produced ${stepId} yet; run it first: mlp run ${relative(process.cwd(), p.file)} --until ${stepId}`);
  const e = await Engine.open(new Date());
  try {
    const t = await e.table(`SELECT * FROM read_parquet(${d.literal(path)}) LIMIT ${f.limit}`);
    const values = t.rows.map((row) => row.map((v, i) => jsonValue(v, t.types[i]!)));
    if (f.format === "json") io.out(JSON.stringify(values.map((row) => Object.fromEntries(row.map((v, i) => [t.columns[i]!, v])))) + "\n");
    else if (f.format === "csv") io.out([t.columns.map(csvField), ...values.map((row) => row.map((v) => csvField(v)))].map((r) => r.join(",")).join("\n") + "\n");
    else io.out(table(t.columns, values) + `(${values.length} row${values.length === 1 ? "" : "s"} of ${stepId}${chosen !== "out" ? `.${chosen}` : ""}, run ${runId})\n`);
  } finally {
    e.close();
  }
  return 0;
}

/** A DuckDB JSON value as the JSON `show` promises: numbers as numbers, timestamps ISO-8601 UTC with Z. */
function jsonValue(v: unknown, type: string): unknown {
  if (v === null || v === undefined) return null;
  if (/^(BIGINT|INTEGER|HUGEINT|SMALLINT|TINYINT|UBIGINT|UINTEGER)$/.test(type) && typeof v === "string") return Number(v);
  if (type.startsWith("TIMESTAMP") && typeof v === "string") {
    const [date, time = "00:00:00"] = v.split(" ");
    const [hms, frac = ""] = time.replace(/[+-]\d\d(:?\d\d)?$/, "").split(".");
    return `${date}T${hms}${frac ? `.${frac.padEnd(3, "0").slice(0, 6)}` : ""}Z`;
  }
  if (type === "DOUBLE" && typeof v === "string") return Number(v);
  return v;
}

function csvField(v: unknown): string {
  if (v === null || v === undefined) return "";
  const s = typeof v === "string" ? v : Array.isArray(v) ? `[${v.join(", ")}]` : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

function table(columns: string[], rows: unknown[][]): string {
  // For people: floats to 6 significant digits (csv and json keep every digit).
  const num = (v: unknown) => (typeof v === "number" && !Number.isInteger(v) ? String(Number(v.toPrecision(6))) : String(v));
  const text = (v: unknown) => (v === null || v === undefined ? "null" : Array.isArray(v) ? `[${v.slice(0, 3).map(num).join(", ")}${v.length > 3 ? `, … (${v.length})` : ""}]` : num(v).replace(/[\n\r\t]/g, " "));
  const cells = rows.map((r) => r.map(text));
  const width = columns.map((c, i) => Math.min(40, Math.max(c.length, ...cells.map((r) => r[i]!.length))));
  const fit = (s: string, w: number) => (s.length > w ? s.slice(0, w - 1) + "…" : s);
  const numeric = columns.map((_, i) => cells.every((r) => r[i] === "null" || /^-?\d/.test(r[i]!)));
  const fmt = (r: string[]) => r.map((c, i) => (numeric[i] ? fit(c, width[i]!).padStart(width[i]!) : fit(c, width[i]!).padEnd(width[i]!))).join("  ").trimEnd();
  return [fmt(columns), width.map((w) => "-".repeat(w)).join("  "), ...cells.map(fmt)].join("\n") + "\n";
}

// ---------- mlp serve ----------

export interface ServeFlags {
  port: number;
  workdir?: string;
}

/** Serves a deployment's registered model with the SageMaker contract until stopped. */
export async function serveCommand(program: CheckedProgram, file: string, stepId: string, f: ServeFlags, io: RunIo): Promise<number> {
  const p = prepare(program, file, undefined, f.workdir);
  const g = new IrGraph(p.ir);
  const node = g.node(stepId);
  const endpoints = g.nodes.filter((n) => n.kind === "deploy" && n.config.mode === "endpoint").map((n) => n.id);
  if (!node || node.kind !== "deploy") throw new RunUsageError(`the pipeline has no deployment ${stepId}${endpoints.length ? ` (endpoints: ${endpoints.join(", ")})` : ""}`);
  const lineage = g.lineage(node);
  if (!lineage) throw new RunUsageError(`${stepId} deploys no model`);
  let modelDir: string;
  let name: string;
  let version: number | string;
  if (lineage.register) {
    name = lineage.register.config.name;
    const v = currentVersion(p.workdir, name, lineage.register.config.stage);
    if (v === undefined) throw new RunUsageError(`no version of ${name} is registered in ${relative(process.cwd(), registryFolder(p.workdir, name))}; run the pipeline first: mlp run ${relative(process.cwd(), p.file)}`);
    version = v;
    modelDir = join(registryFolder(p.workdir, name), String(v), "model");
    if (!readVersion(p.workdir, name, v)) throw new RunUsageError(`version ${v} of ${name} has no metadata.json; the registry is damaged`);
  } else {
    const step = p.plan.steps.find((s) => s.id === stepId) as PlannedStep;
    const model = "model" in step ? step.model : undefined;
    const rec = listRuns(p.workdir)
      .map((id) => readJson<RunRecord>(runJson(p.workdir, id)))
      .find((r) => r?.steps.some((s) => s.id === model && (s.status === "ok" || s.status === "cached")));
    const out = rec?.steps.find((s) => s.id === model)?.outputs.out;
    if (!rec || !out) throw new RunUsageError(`no run has trained ${model ?? "its model"} yet; run the pipeline first: mlp run ${relative(process.cwd(), p.file)}`);
    modelDir = join(p.workdir, out.path);
    name = model ?? stepId;
    version = rec.run_id;
  }
  const train = lineage.train;
  const python = await new PythonFinder(p.ir.settings.local.python).find(frameworkModule(train.config.framework));
  const runtime = runtimeFolder(p.workdir);
  const folder = join(p.workdir, "serve", stepId);
  const config = { step: stepId, project_dir: dirname(p.file), entry: train.config.entry, framework: train.config.framework, model_dir: modelDir, host: "127.0.0.1", port: f.port, name, version };
  writeJsonAtomic(join(folder, "config.json"), config);
  io.err(`mlp: serving ${stepId}: ${name} version ${version} (${relative(process.cwd(), modelDir)})\n`);
  return new Promise((resolveExit) => {
    const child = spawn(python, ["-u", join(runtime, "mlp_model.py"), "serve", join(folder, "config.json")], {
      cwd: folder,
      env: { ...process.env, PYTHONPATH: runtime, MLP_PROJECT_DIR: dirname(p.file), PYTHONDONTWRITEBYTECODE: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout.on("data", (b: Buffer) => io.out(b.toString("utf8")));
    let last = "";
    child.stderr.on("data", (b: Buffer) => {
      const s = b.toString("utf8");
      for (const l of s.split("\n")) if (l.trim()) last = l.trim();
      if (process.env.MLP_DEBUG) io.err(s);
    });
    const stop = () => child.kill("SIGTERM");
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
    child.on("error", (e) => {
      io.err(`mlp: cannot start ${python}: ${e.message}\n`);
      resolveExit(2);
    });
    child.on("close", (code, signal) => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      if (signal) return resolveExit(0);
      if (code !== 0) io.err(`${last.startsWith("mlp: ") ? last : `mlp: ${stepId}: ${last || `the server exited with ${code}`}`}\n`);
      resolveExit(code === 0 ? 0 : code === 2 ? 2 : 1);
    });
  });
}
