// `mlp run`: executes a local plan (targets/local/plan.ts) step by step, like a build tool.
// Each step has a fingerprint (its definition, its inputs' fingerprints, the content of the
// files it reads); a step whose fingerprint an earlier good run produced is reused from that
// run. A failed step stops only its descendants. run.json is rewritten after every change of
// state, so whatever stops the run, it says which steps finished; `--resume` redoes the rest.
import { createHash } from "node:crypto";
import { closeSync, createReadStream, existsSync, mkdirSync, openSync, readdirSync, readSync, rmSync, statSync } from "node:fs";
import { isAbsolute, join, relative, resolve } from "node:path";
import type { IrDocument } from "../ir";
import type { LocalPlan, PlannedStep, PythonStep, RegisterStep, SourceStep, SqlStep } from "../../targets/local/plan";
import { firstProblemQuery, formatOfPath, inFileOrder, isParsed, rawRead, rawValueQuery, ROW, stagedQuery, typedQuery } from "../../targets/local/sources";
import { DUCKDB as d } from "../../targets/sql/dialect";
import { parquetViewSql, viewSql } from "../../targets/local/views";
import { Engine, EngineError } from "./engine";
import { json, type JsonValue } from "../json-text";
import { checkpointDir, listRuns, lookupCache, newRunId, readJson, runDir, runJson, stepDir, storeCache, writeFileAtomic, writeJsonAtomic, type OutputRecord, type RunRecord, type StepRecord } from "./folder";
import { PythonMissing, RUNTIME_HASH, runPython, runtimeFolder, type PythonFinder } from "./python";
import { register } from "./registry";
import { DataSession } from "./session";

export interface RunEvents {
  start(run: RunRecord): void;
  step(step: StepRecord, progress?: string): void;
  end(run: RunRecord): void;
}

export interface RunOptions {
  /** The .mlp file, absolute. */
  file: string;
  workdir: string;
  ir: IrDocument;
  plan: LocalPlan;
  /** Bound source files by source id, absolute (command line first, then `target local`). */
  sources: Record<string, string>;
  until?: string;
  only: string[];
  noCache: boolean;
  resume?: string;
  clock: Date;
  python: PythonFinder;
  events: RunEvents;
  /** Steps running at once. */
  parallel: number;
  /** The process ends with the run (the CLI): what only the exit would free is left to it. */
  exiting?: boolean;
}

/** A failure of one step (or of the run's set-up): its one-line cause. */
export class StepFailure extends Error {}

const MLP_RUN_FORMAT = "mlp.run/1";

export async function runPlan(o: RunOptions): Promise<RunRecord> {
  const { plan, workdir } = o;
  const byId = new Map(plan.steps.map((s) => [s.id, s]));
  for (const name of [...o.only, ...(o.until ? [o.until] : [])])
    if (!byId.has(name)) throw new StepFailure(`the pipeline has no step ${name}${suggest(name, [...byId.keys()])}`);

  // What to run: everything, or what `--until` and `--only` need.
  const wanted = new Set<string>();
  const addUpstream = (id: string) => {
    if (wanted.has(id)) return;
    wanted.add(id);
    for (const i of byId.get(id)!.inputs) addUpstream(i.step);
  };
  if (o.until || o.only.length) {
    if (o.until) addUpstream(o.until);
    for (const s of o.only) addUpstream(s);
  } else for (const s of plan.steps) wanted.add(s.id);
  const forced = new Set(o.noCache ? wanted : o.only);

  const irHash = sha(JSON.stringify(o.ir.nodes.map((n) => n.id)) + JSON.stringify(plan.steps.map((s) => s.definition)));
  let record: RunRecord;
  let reuse = new Map<string, StepRecord>();
  if (o.resume) {
    const old = readJson<RunRecord>(runJson(workdir, o.resume));
    if (!old || old.format !== MLP_RUN_FORMAT) throw new StepFailure(`no run ${o.resume} in ${workdir}${listRuns(workdir).length ? ` (latest: ${listRuns(workdir)[0]})` : ""}`);
    reuse = new Map(old.steps.filter((s) => s.status === "ok" || s.status === "cached").map((s) => [s.id, s]));
    record = { ...old, status: "running", finished: undefined as never };
    delete record.finished;
    record.steps = plan.steps.filter((s) => wanted.has(s.id)).map((s) => reuse.get(s.id) ?? pendingRecord(s));
  } else {
    const id = newRunId();
    record = {
      format: MLP_RUN_FORMAT,
      run_id: id,
      pipeline: plan.pipeline,
      file: o.file,
      variant: plan.variant,
      clock: o.clock.toISOString(),
      ir_hash: irHash,
      started: new Date().toISOString(),
      status: "running",
      steps: plan.steps.filter((s) => wanted.has(s.id)).map(pendingRecord),
    };
  }
  const runId = record.run_id;
  const clock = new Date(record.clock);
  mkdirSync(runDir(workdir, runId), { recursive: true });
  const recs = new Map(record.steps.map((s) => [s.id, s]));
  const save = () => writeJsonAtomic(runJson(workdir, runId), record);
  save();
  o.events.start(record);

  const rel = (p: string) => relative(workdir, p);
  const abs = (p: string) => (isAbsolute(p) ? p : join(workdir, p));
  const fingerprints = new Map<string, string>();
  // The data steps still to run read their inputs in the run's database, from memory while an
  // output is still needed there.
  const toRun = plan.steps.filter((s) => wanted.has(s.id) && s.run === "sql" && !["ok", "cached"].includes(recs.get(s.id)!.status));
  const session = new DataSession(clock, toRun);
  // Steps whose rows the data steps after them can read already (in memory), while their
  // parquet files are still being written: the step ends (ok) once they are.
  const ready = new Set<string>();
  const ended = new Map<string, Promise<void>>();
  let wake = () => {};

  const execute = async (step: PlannedStep): Promise<void> => {
    const r = recs.get(step.id)!;
    if (r.status === "ok" || r.status === "cached") {
      fingerprints.set(step.id, r.fingerprint ?? "");
      o.events.step(r);
      return;
    }
    const blocked = step.inputs.map((i) => recs.get(i.step)).find((x) => x && x.status !== "ok" && x.status !== "cached" && !ready.has(x.id));
    if (blocked) {
      r.status = "skipped";
      r.skipped_because = blocked.skipped_because ?? blocked.id;
      save();
      o.events.step(r);
      return;
    }
    const dir = stepDir(workdir, runId, step.id);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    r.log = rel(join(dir, "log.txt"));
    r.started = new Date().toISOString();
    r.status = "running";
    r.inputs = step.inputs.map((i) => ({ port: i.port, step: i.step, from_port: i.fromPort, fingerprint: fingerprints.get(i.step) }));
    const t0 = performance.now();
    // When the step's own work ended (waiting for its inputs' files is not its time).
    let own: { at: Date; ms: number } | undefined;
    try {
      const fp = await fingerprint(step, o, fingerprints, clock);
      r.fingerprint = fp;
      fingerprints.set(step.id, fp);
      const hit = forced.has(step.id) ? undefined : lookupCache(workdir, fp);
      if (hit && hit.run !== runId) {
        r.status = "cached";
        r.cached_from = hit.run;
        r.outputs = hit.outputs;
        if (hit.detail) r.detail = hit.detail;
      } else {
        save();
        o.events.step(r);
        const ctx: StepContext = { o, step, record: r, dir, recs, abs, rel, clock, runId, session, progress: (p) => o.events.step(r, p) };
        await runStep(ctx);
        if (ctx.written) {
          ready.add(step.id);
          wake();
          await ctx.written;
        }
        r.status = "ok";
      }
      own = { at: new Date(), ms: performance.now() };
      // An input read while its file was being written must have been written, as if this
      // step had waited for it: else this step is skipped like any step after a failure.
      await Promise.all(step.inputs.map((i) => ended.get(i.step)));
      const lost = step.inputs.map((i) => recs.get(i.step)).find((x) => x && x.status !== "ok" && x.status !== "cached");
      if (lost) {
        r.status = "skipped";
        r.skipped_because = lost.skipped_because ?? lost.id;
        r.outputs = {};
      } else if (r.status === "ok") storeCache(workdir, fp, { run: runId, step: step.id, outputs: r.outputs, ...(r.detail ? { detail: r.detail } : {}) });
    } catch (e) {
      r.status = "failed";
      r.error = e instanceof StepFailure || e instanceof PythonMissing ? e.message : e instanceof EngineError ? `DuckDB: ${e.message.split("\n")[0]}` : `internal error: ${(e as Error)?.message ?? String(e)}`;
    }
    r.finished = (own?.at ?? new Date()).toISOString();
    r.seconds = Math.round((own?.ms ?? performance.now()) - t0) / 1000;
    save();
    o.events.step(r);
  };

  // A step starts once its inputs have ended (a data step: once their rows are ready); at
  // most `parallel` at once, in plan order, not counting steps that are only writing files.
  const todo = plan.steps.filter((s) => wanted.has(s.id));
  const done = new Set<string>();
  const running = new Map<string, Promise<void>>();
  const canStart = (s: PlannedStep) => s.inputs.every((i) => done.has(i.step) || !wanted.has(i.step) || (s.run === "sql" && ready.has(i.step)));
  const busy = () => [...running.keys()].filter((id) => !ready.has(id)).length;
  try {
    while (done.size < todo.length) {
      for (const s of todo) {
        if (busy() >= o.parallel) break;
        if (done.has(s.id) || running.has(s.id)) continue;
        if (!canStart(s)) continue;
        const p = execute(s)
          .then(() => session.ended(s.id))
          .then(() => {
            running.delete(s.id);
            done.add(s.id);
          });
        running.set(s.id, p);
        ended.set(s.id, p);
      }
      if (running.size === 0) break;
      await Promise.race([...running.values(), new Promise<void>((res) => (wake = res))]);
    }
  } finally {
    await session.close(o.exiting);
  }

  record.status = record.steps.some((s) => s.status === "failed" || s.status === "skipped") ? "failed" : "succeeded";
  record.finished = new Date().toISOString();
  record.peak_rss_mb = Math.round(process.resourceUsage().maxRSS / 1024);
  saveFileMemo(workdir);
  save();
  o.events.end(record);
  return record;
}

/** Marks a run interrupted (Ctrl-C): running steps become failed, so `--resume` redoes them. */
export function interrupt(workdir: string, runId: string): void {
  const record = readJson<RunRecord>(runJson(workdir, runId));
  if (!record || record.status !== "running") return;
  for (const s of record.steps)
    if (s.status === "running") {
      s.status = "failed";
      s.error = "interrupted";
    }
  record.status = "interrupted";
  record.finished = new Date().toISOString();
  writeJsonAtomic(runJson(workdir, runId), record);
}

function pendingRecord(s: PlannedStep): StepRecord {
  return { id: s.id, kind: s.kind, status: "pending", inputs: [], outputs: {} };
}

// ---------- fingerprints ----------

const sha = (s: string | Buffer) => createHash("sha256").update(s).digest("hex");

/**
 * A file's content hash, remembered by path, size and modification time in
 * `<workdir>/cache/files.json` (as build tools do): an unchanged data file is not read again.
 */
async function fileHash(path: string, workdir?: string): Promise<string> {
  const statedAt = BigInt(Date.now()) * 1_000_000n;
  const st = statSync(path, { bigint: true });
  const stamp = `${st.size}:${st.mtimeNs}:${st.ino}`;
  const memo = workdir ? fileMemo(workdir) : undefined;
  const known = memo?.entries[path];
  if (known && known.stamp === stamp) return known.hash;
  const h = createHash("sha256");
  await new Promise<void>((res, rej) => createReadStream(path).on("data", (b) => h.update(b)).on("end", res).on("error", rej));
  const hash = h.digest("hex");
  // A file written less than a timestamp tick before it was stated can be written again
  // within that tick, keeping its size and modification time: its stamp would not change,
  // so its hash is only remembered once the file is older than the coarsest tick (git's
  // "racily clean" entries).
  if (memo && st.mtimeNs + RACY_NS < statedAt) {
    memo.entries[path] = { stamp, hash };
    memo.dirty = true;
  }
  return hash;
}

/** The coarsest modification-time tick of common file systems (FAT's 2 s; ext4 and NFS clocks are coarse too). */
const RACY_NS = 2_000_000_000n;

interface FileMemo {
  entries: Record<string, { stamp: string; hash: string }>;
  dirty: boolean;
}
const memos = new Map<string, FileMemo>();
const memoPath = (workdir: string) => join(workdir, "cache", "files.json");

function fileMemo(workdir: string): FileMemo {
  let m = memos.get(workdir);
  if (!m) {
    m = { entries: readJson<FileMemo["entries"]>(memoPath(workdir)) ?? {}, dirty: false };
    memos.set(workdir, m);
  }
  return m;
}

function saveFileMemo(workdir: string): void {
  const m = memos.get(workdir);
  if (m?.dirty) {
    writeJsonAtomic(memoPath(workdir), m.entries);
    m.dirty = false;
  }
}

async function fingerprint(step: PlannedStep, o: RunOptions, known: Map<string, string>, clock: Date): Promise<string> {
  const parts: Record<string, unknown> = { v: 1, step: step.definition, inputs: step.inputs.map((i) => [i.port, i.fromPort, known.get(i.step)]) };
  if (step.readsClock) parts.clock = clock.toISOString();
  if (step.run === "source") {
    const files = sourceFiles(step, o);
    parts.data = await Promise.all(files.map(async (f) => [relative(projectDir(o), f), await fileHash(f, o.workdir)]));
  }
  if (step.run === "python") {
    parts.runtime = RUNTIME_HASH;
    parts.files = await Promise.all(step.files.map(async (f) => [f, await fileHash(projectFile(o, f, step.id), o.workdir)]));
    if (step.model) parts.model = known.get(step.model);
  }
  if (step.run === "register" || step.run === "endpoint") parts.model = known.get(step.model);
  return sha(JSON.stringify(parts)).slice(0, 32);
}

const projectDir = (o: RunOptions) => resolve(o.file, "..");

function projectFile(o: RunOptions, path: string, step: string): string {
  const p = join(projectDir(o), path);
  if (!existsSync(p)) throw new StepFailure(`${step}: ${path} does not exist (relative to ${relative(process.cwd(), projectDir(o)) || "."})`);
  return p;
}

/** The local file(s) of a source: one file, or every file of one format in a folder. */
function sourceFiles(step: SourceStep, o: RunOptions): string[] {
  const bound = o.sources[step.id] ?? (step.localUri !== undefined ? join(projectDir(o), step.localUri) : undefined);
  if (bound === undefined)
    throw new StepFailure(
      `${step.id}: no local data for this source (it reads ${step.uri ?? `topic ${step.topic ?? "?"}`}); bind a file with --source ${step.id}=PATH or in the file: target local { sources = { ${step.id}: "data/${step.id}.csv" } }`,
    );
  let st;
  try {
    st = statSync(bound);
  } catch {
    throw new StepFailure(`${step.id}: no such file ${relative(process.cwd(), bound)}`);
  }
  if (st.isDirectory()) {
    const files = readdirSync(bound)
      .filter((n) => !n.startsWith(".") && !n.startsWith("_") && formatOfPath(n))
      .sort()
      .map((n) => join(bound, n));
    if (!files.length) throw new StepFailure(`${step.id}: ${relative(process.cwd(), bound)} holds no .csv, .jsonl or .parquet file`);
    const formats = new Set(files.map((f) => formatOfPath(f)));
    if (formats.size > 1) throw new StepFailure(`${step.id}: ${relative(process.cwd(), bound)} mixes formats (${[...formats].join(", ")})`);
    return files;
  }
  if (!formatOfPath(bound)) throw new StepFailure(`${step.id}: ${relative(process.cwd(), bound)} is not a .csv, .jsonl or .parquet file`);
  return [bound];
}

// ---------- the steps ----------

interface StepContext {
  o: RunOptions;
  step: PlannedStep;
  record: StepRecord;
  dir: string;
  recs: Map<string, StepRecord>;
  abs(p: string): string;
  rel(p: string): string;
  clock: Date;
  runId: string;
  /** The run's database, where the data steps run. */
  session: DataSession;
  /** Files the step still writes after its rows are ready (in memory) for the steps after it. */
  written?: Promise<void>;
  progress(p: string): void;
}

async function runStep(c: StepContext): Promise<void> {
  switch (c.step.run) {
    case "source":
      return runSource(c, c.step);
    case "sql":
      return runSql(c, c.step);
    case "python":
      return runPythonStep(c, c.step);
    case "register":
      return runRegister(c, c.step);
    case "endpoint": {
      const model = outputOf(c, c.step.model, "out");
      c.record.outputs = { out: model };
      c.record.detail = { serve: `mlp serve ${relative(process.cwd(), c.o.file) || c.o.file} ${c.step.id}` };
      return;
    }
  }
}

async function withEngine<T>(c: StepContext, f: (e: Engine) => Promise<T>): Promise<T> {
  const e = await Engine.open(c.clock);
  try {
    return await f(e);
  } finally {
    e.close();
  }
}

async function runSource(c: StepContext, step: SourceStep): Promise<void> {
  const files = sourceFiles(step, c.o);
  const format = formatOfPath(files[0]!)!;
  const shown = (f: string) => relative(process.cwd(), f) || f;
  const out = join(c.dir, "out.parquet");
  const { result: rows, written } = await c.session.run(step.id, async (e, keep, later) => {
    if (format === "csv") for (const f of files) checkHeader(step, f, shown(f));
    // Each file read and parsed once into a staged table, checked there (so a problem names
    // its file and row), then written typed, file after file.
    const staged: string[] = [];
    let stagedRows = 0;
    for (const [k, f] of files.entries()) {
      const name = `__mlp_staged_${k}`;
      const raw = rawRead(f, format, step.columns);
      stagedRows += await e.createTable(name, stagedQuery(raw, step.columns));
      staged.push(name);
      const row = (await e.rows(firstProblemQuery(name, step.columns, step.schemaName)))[0];
      if (!row) continue;
      const i = step.columns.findIndex((_, j) => row[`p${j}`] !== null && row[`p${j}`] !== undefined);
      const col = step.columns[i]!;
      const value = isParsed(col.type) ? (await e.rows(rawValueQuery(raw, col.name, Number(row[ROW]))))[0]?.v : row[`v${i}`];
      const at = format === "csv" ? `line ${Number(row[ROW]) + 1}` : format === "json" ? `line ${row[ROW]}` : `row ${row[ROW]}`;
      throw new StepFailure(`${step.id}: ${shown(f)} ${at}: column ${col.name} ${value === null || value === undefined ? "" : `${JSON.stringify(value)} `}${String(row[`p${i}`])}`);
    }
    const eventTime = step.stream ? step.eventTime : undefined;
    await e.view(step.id, typedQuery(staged, step.columns, eventTime));
    if (!c.session.wanted(step.id, "out")) return e.toParquet(step.id, out);
    // Rows in file order are a projection of the staged table, kept as is; others are sorted once.
    let kept = step.id;
    let rows = stagedRows;
    if (!inFileOrder(staged.length, eventTime)) rows = await e.toTable(step.id, (kept = "__mlp_out"));
    keep("out", kept);
    later(() => e.toParquet(kept, out));
    return rows;
  });
  c.record.outputs = { out: { path: c.rel(out), rows } };
  c.written = written;
}

/** A csv file must have a header naming every declared column (DuckDB would read nulls for a missing one). */
function checkHeader(step: SourceStep, file: string, shown: string): void {
  // The first line only: a header is short, the file may be gigabytes.
  const fd = openSync(file, "r");
  const buf = Buffer.alloc(64 * 1024);
  const n = readSync(fd, buf, 0, buf.length, 0);
  closeSync(fd);
  const first = buf.subarray(0, n).toString("utf8").split(/\r?\n/, 1)[0] ?? "";
  const header = splitCsvLine(first.replace(/^\uFEFF/, ""));
  const missing = step.columns.filter((c) => !header.includes(c.name)).map((c) => c.name);
  if (missing.length) throw new StepFailure(`${step.id}: ${shown} has no column ${missing.join(", ")} in its header row (it has ${header.join(", ") || "none"})`);
}

function splitCsvLine(line: string): string[] {
  const out: string[] = [];
  let cur = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") {
      out.push(cur.trim());
      cur = "";
    } else cur += ch;
  }
  out.push(cur.trim());
  return out;
}

/** The stored output of a port of an earlier step (its parquet file, or its model folder). */
function outputOf(c: StepContext, step: string, port: string): OutputRecord {
  const r = c.recs.get(step);
  const o = r?.outputs[port];
  if (!o) throw new StepFailure(`${c.step.id}: ${step} has no output ${port}`);
  return o;
}

async function runSql(c: StepContext, step: SqlStep): Promise<void> {
  const outputs: Record<string, OutputRecord> = {};
  const { written } = await c.session.run(step.id, async (e, keep, later) => {
    const declared = new Map<string, string>();
    for (const i of step.inputs) {
      if (!i.relation || declared.has(i.relation)) continue;
      const held = c.session.relation(i.step, i.fromPort);
      declared.set(i.relation, held ? viewSql(i.relation, `SELECT * FROM ${held}`) : parquetViewSql(i.relation, c.abs(outputOf(c, i.step, i.fromPort).path)));
    }
    await e.execAll([...declared.values(), ...step.views.map((v) => viewSql(v.name, v.query))]);
    for (const [k, o] of step.outputs.entries()) {
      const view = step.results[o.port];
      if (!view) continue;
      const path = join(c.dir, `${o.port}.parquet`);
      const columns = o.columns.map((x) => x.name);
      const out: OutputRecord = (outputs[o.port] = { path: c.rel(path) });
      const kept = `__mlp_out_${k}`;
      if (!c.session.wanted(step.id, o.port)) out.rows = await e.toParquet(view, path, columns);
      else if (step.rowwise) {
        // Later steps read its views (over its inputs, in memory): the rows are computed as
        // they read them, as cheap as reading a copy, and the file is written meanwhile.
        await e.view(kept, `SELECT ${columns.map((x) => d.ident(x)).join(", ")} FROM ${d.ident(view)}`);
        keep(o.port, kept, true);
        later(async () => (out.rows = await e.toParquet(kept, path)));
      } else {
        // Later steps read it: computed once into memory, then written from there.
        out.rows = await e.toTable(view, kept, columns);
        keep(o.port, kept);
        later(() => e.toParquet(kept, path));
      }
    }
  });
  c.record.outputs = outputs;
  c.written = written;
}

/** A data output as a CSV channel folder for Python (parquet needs pyarrow, which Debian lacks). */
async function channel(c: StepContext, from: OutputRecord, folder: string): Promise<string> {
  mkdirSync(folder, { recursive: true });
  await withEngine(c, (e) => e.toCsv(`SELECT * FROM read_parquet(${d.literal(c.abs(from.path))})`, join(folder, "part-0.csv")));
  return folder;
}

async function runPythonStep(c: StepContext, step: PythonStep): Promise<void> {
  const { o } = c;
  const python = await o.python.find(step.needs);
  if (step.task === "tune" && step.config.strategy === "bayesian") await o.python.find("optuna");
  const runtime = runtimeFolder(o.workdir);
  const config: Record<string, unknown> = { ...step.config, project_dir: projectDir(o) };
  const inputOf = (port: string) => step.inputs.find((i) => i.port === port);
  const model = step.model ? c.abs(outputOf(c, step.model, "out").path) : undefined;
  const outputs: Record<string, OutputRecord> = {};
  switch (step.task) {
    case "train": {
      const data = inputOf("data");
      if (!data) throw new StepFailure(`${step.id}: no training data`);
      config.channels = { train: await channel(c, outputOf(c, data.step, data.fromPort), join(c.dir, "channels", "train")) };
      config.model_dir = join(c.dir, "model");
      config.output_dir = join(c.dir, "output");
      // MLP_CHECKPOINT_DIR, as on Slurm (a tune's trials get trials/<n>/checkpoint from mlp_model.py).
      config.checkpoint_dir = checkpointDir(o.workdir, c.runId, step.id);
      outputs.out = { path: c.rel(join(c.dir, "model")) };
      break;
    }
    case "tune": {
      // The training's own data: tune repeats that training with other hyperparameters.
      const train = c.recs.get(step.model!);
      const data = train?.inputs.find((i) => i.port === "data");
      if (!data) throw new StepFailure(`${step.id}: the training it tunes has no data`);
      config.channels = { train: await channel(c, outputOf(c, data.step, data.from_port), join(c.dir, "channels", "train")) };
      config.model_dir = join(c.dir, "model");
      config.output_dir = join(c.dir, "output");
      config.trials_dir = join(c.dir, "trials");
      outputs.out = { path: c.rel(join(c.dir, "model")) };
      break;
    }
    case "evaluate": {
      const data = inputOf("data");
      if (!data) throw new StepFailure(`${step.id}: no data to evaluate on`);
      config.model_dir = model;
      config.data = await channel(c, outputOf(c, data.step, data.fromPort), join(c.dir, "channels", "test"));
      config.out = join(c.dir, "evaluation.json");
      // The gated model is the model it evaluated.
      outputs.out = outputOf(c, step.model!, "out");
      break;
    }
    case "score": {
      const data = inputOf("data");
      if (!data) throw new StepFailure(`${step.id}: no data to score`);
      const folder = await channel(c, outputOf(c, data.step, data.fromPort), join(c.dir, "channels", "data"));
      config.model_dir = model;
      config.input = join(folder, "part-0.csv");
      config.output = join(c.dir, "scores.csv");
      break;
    }
    case "notebook": {
      const inputs: Record<string, string> = {};
      for (const i of step.inputs) {
        const out = outputOf(c, i.step, i.fromPort);
        inputs[i.step] = out.path.endsWith(".parquet") ? join(await channel(c, out, join(c.dir, "inputs", i.step)), "part-0.csv") : c.abs(out.path);
      }
      config.inputs = inputs;
      config.out = join(c.dir, "notebook.ipynb");
      config.timeout = 600;
      outputs.out = { path: c.rel(join(c.dir, "notebook.ipynb")) };
      break;
    }
  }
  const configPath = join(c.dir, "config.json");
  // json(): numbers keep their written spelling (`1.0` stays a float for the script).
  writeFileAtomic(configPath, json(config as JsonValue, false) + "\n");
  const result = await runPython(python, runtime, [step.task, configPath], {
    cwd: join(c.dir, "work"),
    log: join(c.dir, "log.txt"),
    env: { MLP_PROJECT_DIR: projectDir(o), MLP_RUN_ID: c.runId },
    onLine: (line) => {
      const t = line.trim();
      if (t.startsWith("trial ")) c.progress(t);
    },
  });
  if (step.task === "evaluate") {
    const evaluation = readJson<Record<string, unknown>>(join(c.dir, "evaluation.json"));
    if (evaluation) c.record.detail = { passed: evaluation.passed, checks: evaluation.checks, metrics: evaluation.metrics };
  }
  if (step.task === "tune") {
    const tune = readJson<Record<string, unknown>>(join(c.dir, "output", "tune.json"));
    if (tune) c.record.detail = { best: tune.best };
  }
  if (result.code !== 0) throw new StepFailure(result.cause ?? `${step.id}: Python exited with ${result.code} (see ${c.rel(join(c.dir, "log.txt"))})`);
  if (step.task === "score") {
    const path = join(c.dir, "out.parquet");
    // The scored rows typed as the checker typed the deployment's output.
    const columns = step.outputs.find((o) => o.port === "out")?.columns ?? [];
    const rows = await withEngine(c, async (e) => {
      const types = `{${columns.map((x) => `${d.literal(x.name)}: ${d.literal(d.type(x.type))}`).join(", ")}}`;
      await e.view("scores", `SELECT * FROM read_csv(${d.literal(String(config.output))}, header = true, auto_detect = false, delim = ',', quote = '"', escape = '"', columns = ${types})`);
      return e.toParquet("scores", path);
    });
    outputs.out = { path: c.rel(path), rows };
  }
  c.record.outputs = outputs;
}

async function runRegister(c: StepContext, step: RegisterStep): Promise<void> {
  const modelOut = outputOf(c, step.model, "out");
  const gates: Record<string, unknown> = {};
  let metrics: Record<string, unknown> = {};
  for (const g of step.gates) {
    const detail = c.recs.get(g)?.detail;
    if (detail) {
      gates[g] = detail;
      metrics = { ...metrics, ...((detail.metrics as Record<string, unknown>) ?? {}) };
    }
  }
  const inputs: Record<string, string | undefined> = {};
  for (const s of c.recs.values()) if (s.fingerprint && (s.kind === "source" || s.id === step.model)) inputs[s.id] = s.fingerprint;
  const r = register(c.o.workdir, c.abs(modelOut.path), {
    name: step.name,
    stage: step.stage ?? null,
    fingerprint: c.record.fingerprint!,
    pipeline: c.o.plan.pipeline,
    variant: c.o.plan.variant,
    run: c.runId,
    step: step.id,
    ir_hash: sha(step.definition).slice(0, 16),
    framework: step.framework,
    entry: step.entry,
    inputs,
    metrics,
    gates,
  });
  c.record.outputs = { out: { path: c.rel(join(r.path, "model")) } };
  c.record.detail = { name: step.name, version: r.version, stage: step.stage ?? null, new: r.fresh };
}

function suggest(name: string, names: string[]): string {
  const close = names.find((n) => n.startsWith(name.slice(0, 3)));
  return close ? ` (did you mean ${close}?)` : ` (steps: ${names.join(", ")})`;
}

