// `npm run bench`, part two: `mlp run` on this machine. A benchmark, not a test: figures as
// ratios within one run, PASS/FAIL beside each goal, exit 0 either way.
//   1. the data steps of a sensor pipeline on 1,000,000 generated rows, against DuckDB
//      running the same computation written by hand as one statement (goal: within 1.5x),
//      and the run's peak memory;
//   2. a second `mlp run` with nothing changed (every step cached) against `mlp check` of
//      the same file (goal: within 3x);
//   3. `mlp serve`: requests per second and p99 latency of single-row invocations over
//      loopback (a sample trained first).
// Figures also go to test/.tmp/bench-local.json.
import { spawn, spawnSync } from "node:child_process";
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const TMP = join(ROOT, "test", ".tmp", "bench-local");
const CLI = join(ROOT, "compiler", "bin", "mlp.mjs");
const ROWS = Number(process.env.MLP_BENCH_ROWS ?? 1_000_000);

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const mlp = (args, cwd) => spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
const timed = (f) => {
  const t0 = performance.now();
  const r = f();
  return { ms: performance.now() - t0, r };
};

const PIPELINE = `pipeline sensors {}
schema Reading {
  machine_id: string
  sensor:     enum(temperature, vibration, pressure)
  value:      float?
  read_at:    timestamp
}
schema Machine {
  machine_id: string
  site:       enum(lyon, porto, gdansk)
  installed:  date
}
source readings: Table<Reading> {
  uri    = "hdfs://lake/readings/"
  format = parquet
}
source machines: Table<Machine> {
  uri    = "hdfs://lake/machines/"
  format = csv
}
cleanse readings_clean(readings) {
  filter value is not null and value > -50.0
}
aggregate machine_week(readings_clean) {
  by     machine_id
  window = 7d
  readings_7d:        int    = count(value)
  max_temperature_7d: float? = max(if(sensor == "temperature", value, null))
  avg_vibration_7d:   float? = avg(if(sensor == "vibration", value, null))
}
join machine_rows(machine_week, machines) {
  on   = machine_id
  type = inner
}
features machine_features(machine_rows) {
  key  machine_id
  keep site
  readings_7d:        int   = readings_7d
  max_temperature_7d: float = coalesce(max_temperature_7d, 0.0)
  avg_vibration_7d:   float = coalesce(avg_vibration_7d, 0.0)
  age_days:           int   = days_between(installed, today())
}
target local {
  sources = { readings: "data/readings.csv", machines: "data/machines.csv" }
  now     = "2026-11-30T06:00:00Z"
}
`;

/** The same computation as one statement, written by hand. */
const HAND = (dir) => `
SET TimeZone = 'UTC';
COPY (
  WITH r AS (
    SELECT machine_id, sensor, TRY_CAST(value AS DOUBLE) AS value, CAST(read_at AS TIMESTAMP) AS read_at
    FROM read_csv('${dir}/data/readings.csv', header = true, all_varchar = true)
  ), w AS (
    SELECT machine_id, COUNT(value) AS readings_7d,
      MAX(CASE WHEN sensor = 'temperature' THEN value END) AS max_temperature_7d,
      AVG(CASE WHEN sensor = 'vibration' THEN value END) AS avg_vibration_7d
    FROM r WHERE value IS NOT NULL AND value > -50.0 AND read_at >= TIMESTAMP '2026-11-30 06:00:00' - INTERVAL 7 DAY
    GROUP BY machine_id
  ), m AS (SELECT machine_id, site, CAST(installed AS DATE) AS installed FROM read_csv('${dir}/data/machines.csv', header = true, all_varchar = true))
  SELECT w.machine_id, m.site, w.readings_7d, COALESCE(w.max_temperature_7d, 0.0) AS max_temperature_7d,
    COALESCE(w.avg_vibration_7d, 0.0) AS avg_vibration_7d, DATE_DIFF('day', m.installed, DATE '2026-11-30') AS age_days
  FROM w JOIN m ON w.machine_id = m.machine_id
) TO '${dir}/hand.parquet' (FORMAT parquet);
`;

function generate(dir) {
  mkdirSync(join(dir, "data"), { recursive: true });
  let seed = 42;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const machines = 2000;
  const m = ["machine_id,site,installed"];
  const sites = ["lyon", "porto", "gdansk"];
  for (let i = 0; i < machines; i++) m.push(`m${i},${sites[i % 3]},20${10 + (i % 15)}-0${1 + (i % 9)}-1${i % 10}`);
  writeFileSync(join(dir, "data/machines.csv"), m.join("\n") + "\n");
  const out = createWriteStream(join(dir, "data/readings.csv"));
  out.write("machine_id,sensor,value,read_at\n");
  const sensors = ["temperature", "vibration", "pressure"];
  const end = Date.parse("2026-11-30T06:00:00Z");
  let chunk = "";
  for (let i = 0; i < ROWS; i++) {
    const at = new Date(end - Math.floor(rand() * 14 * 86_400_000)).toISOString().replace("T", " ").slice(0, 19);
    const value = rand() < 0.02 ? "" : (rand() * 120 - 20).toFixed(2);
    chunk += `m${Math.floor(rand() * machines)},${sensors[i % 3]},${value},${at}\n`;
    if (chunk.length > 1 << 20) {
      out.write(chunk);
      chunk = "";
    }
  }
  out.write(chunk);
  return new Promise((res) => out.end(res));
}

async function handTime(dir) {
  const { DuckDBInstance } = await import("@duckdb/node-api");
  const times = [];
  for (let i = 0; i < 3; i++) {
    const inst = await DuckDBInstance.create(":memory:", { threads: "2" });
    const c = await inst.connect();
    const t0 = performance.now();
    for (const s of HAND(dir).split(";").map((x) => x.trim()).filter(Boolean)) await c.run(s);
    times.push(performance.now() - t0);
    c.closeSync();
    inst.closeSync();
  }
  return median(times);
}

const results = [];
const row = (name, value, goal, pass) => {
  results.push({ name, value, goal, pass });
  console.log(`${name.padEnd(56)} ${String(value).padStart(14)}   ${goal ?? ""}${pass === undefined ? "" : pass ? "  PASS" : "  FAIL"}`);
};

async function dataSteps() {
  const dir = join(TMP, "sensors");
  if (!existsSync(join(dir, "data/readings.csv")) || !existsSync(join(dir, `.rows-${ROWS}`))) {
    rmSync(dir, { recursive: true, force: true });
    await generate(dir);
    writeFileSync(join(dir, `.rows-${ROWS}`), "");
  }
  writeFileSync(join(dir, "sensors.mlp"), PIPELINE);
  const hand = await handTime(dir);
  const runs = [];
  let peak = 0;
  for (let i = 0; i < 3; i++) {
    const r = timed(() => mlp(["run", "sensors.mlp", "--no-cache", "--format", "json"], dir));
    if (r.r.status !== 0) throw new Error(`mlp run failed:\n${r.r.stdout}\n${r.r.stderr}`);
    const end = r.r.stdout.trim().split("\n").map((l) => JSON.parse(l)).find((e) => e.event === "end");
    const record = JSON.parse(readFileSync(join(dir, ".mlp/runs", end.run, "run.json"), "utf8"));
    peak = Math.max(peak, record.peak_rss_mb ?? 0);
    runs.push(r.ms);
  }
  const mine = median(runs);
  console.log(`\nmlp run data steps, ${ROWS.toLocaleString("en-US")} rows (median of 3, whole process)`);
  row("hand-written DuckDB statement (ms)", hand.toFixed(0));
  row("mlp run --no-cache (ms)", mine.toFixed(0));
  row("mlp run / hand-written", (mine / hand).toFixed(2) + "x", "goal <= 1.5x", mine / hand <= 1.5);
  row("peak memory of mlp run (MB)", peak.toFixed(0));
  return dir;
}

function cachedRun(dir) {
  mlp(["run", "sensors.mlp"], dir);
  const run = [];
  const check = [];
  for (let i = 0; i < 7; i++) {
    run.push(timed(() => mlp(["run", "sensors.mlp"], dir)).ms);
    check.push(timed(() => mlp(["check", "sensors.mlp"], dir)).ms);
  }
  console.log("\nsecond mlp run, nothing changed (median of 7)");
  row("mlp check (ms)", median(check).toFixed(0));
  row("mlp run, all cached (ms)", median(run).toFixed(0));
  row("cached run / check", (median(run) / median(check)).toFixed(2) + "x", "goal <= 3x", median(run) / median(check) <= 3);
}

/** One machine's features, as the quick start's request. */
const REQUEST = { site: "lyon", readings_7d: 24, max_temperature_7d: 97.5, avg_vibration_7d: 7.9, min_pressure_7d: 2.1, age_years: 11.2 };

async function serve() {
  const [file, step] = ["samples/machine_failure.mlp", "risk_api"];
  const trained = mlp(["run", file], ROOT);
  if (trained.status !== 0) {
    console.log(`\nmlp serve: skipped (mlp run ${file} failed: ${trained.stderr.trim().split("\n").at(-1)})`);
    return;
  }
  const port = 18000 + Math.floor(Math.random() * 1000);
  const child = spawn(process.execPath, [CLI, "serve", file, step, "--port", String(port)], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  await new Promise((res, rej) => {
    child.stdout.on("data", (b) => String(b).includes("listening") && res());
    child.on("close", () => rej(new Error("mlp serve exited")));
  });
  const body = REQUEST;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
  const call = () =>
    new Promise((res, rej) => {
      const t0 = performance.now();
      const req = http.request({ host: "127.0.0.1", port, path: "/invocations", method: "POST", agent, headers: { "content-type": "application/json" } }, (r) => {
        r.resume();
        r.on("end", () => (r.statusCode === 200 ? res(performance.now() - t0) : rej(new Error(`status ${r.statusCode}`))));
      });
      req.on("error", rej);
      req.end(JSON.stringify(body));
    });
  for (let i = 0; i < 50; i++) await call();
  const lat = [];
  const n = 1000;
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    [0, 1, 2, 3].map(async () => {
      while (next++ < n) lat.push(await call());
    }),
  );
  const secs = (performance.now() - t0) / 1000;
  child.kill("SIGTERM");
  lat.sort((a, b) => a - b);
  console.log(`\nmlp serve ${step}: ${n} single-row invocations, 4 at a time, over loopback`);
  row("requests per second", (n / secs).toFixed(0));
  row("p50 latency (ms)", lat[Math.floor(n * 0.5)].toFixed(2));
  row("p99 latency (ms)", lat[Math.floor(n * 0.99)].toFixed(2));
}

mkdirSync(TMP, { recursive: true });
const dir = await dataSteps();
cachedRun(dir);
await serve();
writeFileSync(join(ROOT, "test", ".tmp", "bench-local.json"), JSON.stringify(results, null, 2) + "\n");
