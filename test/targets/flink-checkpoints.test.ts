// Issue 11, Flink: "No checkpointing: windows and offsets are lost on restart. Configure
// checkpoints (interval, exactly-once, a checkpoint directory setting) and restart strategy."
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkpointDir } from "../../targets/flink/index";
import { resolveSettings } from "../../language/catalog/settings";
import { lower } from "../../compiler/lower";
import { checkProgram } from "../../language/checker/program";
import { compileIr, emit, loader, ROOT } from "./helpers";

const loadIr = (path: string) => compileIr(path).ir;

const SAMPLES = "samples";

describe("flink: no checkpointing: windows and offsets are lost on restart", () => {
  // `mlp run` keeps its runs in `samples/.mlp/`: a folder, not a pipeline.
  const samples = readdirSync(join(ROOT, SAMPLES), { withFileTypes: true }).filter((e) => e.isFile() && e.name.endsWith(".mlp")).map((e) => e.name);
  it("finds samples with Flink jobs", () => {
    const jobs = samples.flatMap((f) => emit("flink", loadIr(join(SAMPLES, f))).filter((g) => g.path.endsWith(".sql")));
    expect(jobs.length).toBeGreaterThan(0);
  });
  for (const f of samples) {
    it(`${f}: every generated job configures exactly-once checkpoints, a per-job checkpoint directory and a restart strategy`, () => {
      const ir = loadIr(join(SAMPLES, f));
      for (const job of emit("flink", ir).filter((g) => g.path.endsWith(".sql"))) {
        const sql = job.contents;
        expect(sql, job.path).toMatch(/^SET 'execution\.checkpointing\.interval' = '60s';$/m);
        expect(sql, job.path).toContain("SET 'execution.checkpointing.mode' = 'EXACTLY_ONCE';");
        expect(sql, job.path).toContain("SET 'execution.checkpointing.externalized-checkpoint-retention' = 'RETAIN_ON_CANCELLATION';");
        expect(sql, job.path).toContain("SET 'restart-strategy.type' = 'exponential-delay';");
        const dir = /^SET 'state\.checkpoints\.dir' = '([^']*)';$/m.exec(sql)?.[1];
        expect(dir, job.path).toBeDefined();
        // Under the warehouse, one directory per job (its pipeline.name), as a URI Flink's filesystems read.
        const pipelineName = /^SET 'pipeline\.name' = '([^']*)';$/m.exec(sql)![1]!;
        expect(dir).toBe(`${ir.settings.onprem.warehouse}/_flink/checkpoints/${pipelineName}`);
        expect(dir).toMatch(/^[a-z][a-z0-9+.-]*:\/\//);
        // Set before the statement set that starts the job.
        expect(sql.indexOf("state.checkpoints.dir")).toBeLessThan(sql.indexOf("EXECUTE STATEMENT SET"));
      }
    });
  }
  it("a warehouse written as a plain path becomes a file:// checkpoint directory", () => {
    const ir = loadIr(join(SAMPLES, samples[0]!));
    // The checkpoint directory's default is resolved from the warehouse (`flink_checkpoints` unset).
    const at = (warehouse: string) => checkpointDir({ ...ir, settings: resolveSettings("p", { onprem: { warehouse } }) }, "mlp-p-j");
    expect(at("/data/w")).toBe("file:///data/w/_flink/checkpoints/mlp-p-j");
    expect(at("hdfs://nn/w")).toBe("hdfs://nn/w/_flink/checkpoints/mlp-p-j");
    expect(at("file:///srv/mlp/p/warehouse")).toBe("file:///srv/mlp/p/warehouse/_flink/checkpoints/mlp-p-j");
    // What a Flink option value cannot hold is percent-encoded rather than refused.
    expect(at("/srv/a;b\\c\nd")).toBe("file:///srv/a%3Bb%5Cc%0Ad/_flink/checkpoints/mlp-p-j");
  });

  it("the checkpoint directory is the flink_checkpoints setting of target onprem", () => {
    const fraud = readFileSync(join(ROOT, "../shared/conformance/valid/fraud.mlp"), "utf8");
    const path = "mem/fraud.mlp";
    const at = (block: string) => {
      const program = checkProgram(path, { read: (p) => (p === path ? `${fraud}\n${block}\n` : loader.read(p)) });
      expect(program.diagnostics.filter((d) => d.severity === "error").map((d) => d.message)).toEqual([]);
      const sql = emit("flink", lower(program)).find((f) => f.path === "fraud_scoring.sql")!.contents;
      return /^SET 'state\.checkpoints\.dir' = '([^']*)';$/m.exec(sql)?.[1];
    };
    expect(at('target onprem {\n  flink_checkpoints = "hdfs://nn/flink/checkpoints/"\n}')).toBe("hdfs://nn/flink/checkpoints/mlp-fraud-fraud_scoring");
    expect(at('target onprem {\n  flink_checkpoints = "/mnt/cp"\n  warehouse = "/data/w"\n}')).toBe("file:///mnt/cp/mlp-fraud-fraud_scoring");
    // Unset: under the warehouse, as before the setting existed.
    expect(at('target onprem {\n  warehouse = "/data/w"\n}')).toBe("file:///data/w/_flink/checkpoints/mlp-fraud-fraud_scoring");
  });
});
