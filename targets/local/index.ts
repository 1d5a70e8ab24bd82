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
import { parquetViewSql, viewSql } from "./views";

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
      if (i.relation) sql.push(`${parquetViewSql(i.relation, `steps/${i.step}/${i.fromPort}.parquet`)};`);
    for (const v of s.views) sql.push(`${viewSql(v.name, v.query)};`);
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

// Keys in sorted order (plan.json sorts them anyway): planJson then writes these objects as they
// are instead of copying each one in order.
function describe(s: PlannedStep): JsonValue {
  const id = s.id;
  const inputs = s.inputs.map((i): JsonValue => ({ from_port: i.fromPort, port: i.port, step: i.step }));
  const kind = s.kind;
  const outputs = s.outputs.map((o) => o.port);
  const reads_clock = s.readsClock;
  const run = s.run;
  switch (s.run) {
    case "source":
      return {
        ...(s.eventTime ? { event_time: s.eventTime } : {}),
        id,
        inputs,
        kind,
        ...(s.localUri ? { local_uri: s.localUri } : {}),
        outputs,
        reads_clock,
        run,
        stream: s.stream,
      };
    case "python":
      return { config: s.config, id, inputs, kind, ...(s.needs ? { needs: s.needs } : {}), outputs, reads_clock, run, task: s.task };
    case "register":
      return { gates: s.gates, id, inputs, kind, model: s.model, name: s.name, outputs, reads_clock, run, stage: s.stage ?? null };
    case "endpoint":
      return { id, inputs, kind, model: s.model, outputs, reads_clock, run };
    default:
      return { id, inputs, kind, outputs, reads_clock, run };
  }
}
