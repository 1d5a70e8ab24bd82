// `mlp compile --target local`: what `mlp run` would execute, as files a reviewer can read:
// `pipeline.sql` (every data step's DuckDB views in run order, each input declared over
// the parquet file the run folder holds for it) and `plan.json` (every step: what it
// reads and writes, and the model runtime's task and settings).
import { json, sortKeys, type JsonValue } from "../../compiler/json-text";
import type { Compilation, GeneratedFile } from "../../compiler/target-api";
import { DUCKDB as d } from "../sql/dialect";
import { fileText } from "../sql/names";
import { planLocal, type PlannedStep } from "./plan";
import { sortedJson } from "./sorted-json";

export function emitLocal(c: Compilation): GeneratedFile[] {
  const plan = planLocal(c.ir);
  const sql: string[] = [
    `-- ${plan.pipeline}: the data steps of \`mlp run\` on DuckDB, in run order.`,
    `-- Each step runs in its own database; its inputs are the parquet files earlier steps wrote.`,
    "",
  ];
  for (const s of plan.steps) {
    if (s.run !== "sql") continue;
    sql.push(`-- ---------- ${s.id} (${s.kind}) ----------`);
    for (const i of s.inputs)
      if (i.relation) sql.push(`CREATE VIEW ${d.ident(i.relation)} AS SELECT * FROM read_parquet(${d.literal(`steps/${i.step}/${i.fromPort}.parquet`)});`);
    for (const v of s.views) sql.push(`CREATE VIEW ${d.ident(v.name)} AS\n${v.query};`);
    for (const [port, view] of Object.entries(s.results)) sql.push(`COPY ${d.ident(view)} TO ${d.literal(`steps/${s.id}/${port}.parquet`)} (FORMAT parquet);`);
    sql.push("");
  }
  const steps = plan.steps.map((s) => describe(s));
  return [
    { path: "pipeline.sql", contents: fileText(sql) },
    { path: "plan.json", contents: planJson({ pipeline: plan.pipeline, variant: plan.variant, steps }) + "\n" },
  ];
}

/** The plan as JSON with sorted keys (one pass; the sorted copy for values sortedJson does not take). */
const planJson = (v: JsonValue): string => sortedJson(v, { ascii: false }) ?? json(sortKeys(v), false);

function describe(s: PlannedStep): JsonValue {
  const base: { [k: string]: JsonValue } = {
    id: s.id,
    kind: s.kind,
    run: s.run,
    // Keys in sorted order where it costs nothing: planJson then writes these objects as they are.
    inputs: s.inputs.map((i) => ({ from_port: i.fromPort, port: i.port, step: i.step })),
    outputs: s.outputs.map((o) => o.port),
    reads_clock: s.readsClock,
  };
  switch (s.run) {
    case "source":
      return { ...base, stream: s.stream, ...(s.eventTime ? { event_time: s.eventTime } : {}), ...(s.localUri ? { local_uri: s.localUri } : {}) };
    case "python":
      return { ...base, task: s.task, config: s.config, ...(s.needs ? { needs: s.needs } : {}) };
    case "register":
      return { ...base, name: s.name, stage: s.stage ?? null, model: s.model, gates: s.gates };
    case "endpoint":
      return { ...base, model: s.model };
    default:
      return base;
  }
}
