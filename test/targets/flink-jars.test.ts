// Issue 11, Flink: "Connector and format jars (Kafka, Avro) must be named on the command line."
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { lower } from "../../compiler/lower";
import { checkProgram } from "../../language/checker/program";
import { defaultFlinkJars } from "../../language/catalog/settings";
import { emitSlurm } from "../../targets/slurm/index";
import { compileIr, emit, loader, ROOT } from "./helpers";

const FRAUD = readFileSync(join(ROOT, "../shared/conformance/valid/fraud.mlp"), "utf8");

function compileWith(block: string) {
  const path = "mem/fraud.mlp";
  const program = checkProgram(path, { read: (p) => (p === path ? `${FRAUD}\n${block}\n` : loader.read(p)) });
  return { ir: lower(program), errors: program.diagnostics.filter((d) => d.severity === "error").map((d) => `${d.code} ${d.message}`) };
}

/** The words bash gives sql-client.sh for a job script's Flink line (the stand-in prints them). */
function sqlClientWords(sbatch: string): string[] {
  const line = sbatch.split("\n").find((l) => l.startsWith('"${MLP_FLINK_SQL:-sql-client.sh}"'))!;
  const script = `MLP_SLURM_DIR=/slurm MLP_PROJECT_DIR=/project mlp_sql=/job.sql\nMLP_FLINK_SQL=echo_words\necho_words() { printf '%s\\n' "$@"; }\n${line}\n`;
  const r = spawnSync("bash", ["-c", script], { encoding: "utf8" });
  expect(r.stderr).toBe("");
  return r.stdout.split("\n").slice(0, -1);
}

const jarsOf = (words: string[]) => words.flatMap((w, i) => (words[i - 1] === "-j" ? [w] : []));

describe("flink: connector and format jars must be named on the command line", () => {
  const fraud = compileIr("../shared/conformance/valid/fraud.mlp").ir;

  it("every job (features, scoring) is started with the default Kafka and avro jars, one -j each", () => {
    expect(defaultFlinkJars.map((j) => j.split("/").pop())).toEqual(["flink-sql-connector-kafka-3.3.0-1.20.jar", "flink-sql-avro-1.20.0.jar", "flink-sql-avro-confluent-registry-1.20.0.jar"]);
    const slurm = emitSlurm({ ir: fraud, variants: [] });
    const jobs = emit("flink", fraud).filter((f) => f.path.endsWith(".sql"));
    expect(jobs.length).toBe(3);
    for (const job of jobs) {
      const id = job.path.replace(/\.sql$/, "");
      const header = /^-- Run with: (.*)$/m.exec(job.contents)![1]!;
      expect(jarsOf(header.split(" "))).toEqual(defaultFlinkJars);
      const words = sqlClientWords(slurm.find((f) => f.path === `${id}.sbatch`)!.contents);
      expect(jarsOf(words)).toEqual(defaultFlinkJars);
      expect(words.slice(-2)).toEqual(["-f", "/job.sql"]);
    }
    const manifest = JSON.parse(emit("flink", fraud).find((f) => f.path === "jobs.json")!.contents);
    expect(manifest.jars).toEqual(defaultFlinkJars);
  });

  it("flink_jars replaces the list, and every value reaches sql-client.sh as one word (shell-quoted)", () => {
    const { errors } = compileWith(`target onprem {\n  flink_jars = ["/opt/it's/kafka.jar", "/opt/avro;.jar"]\n}`);
    // `;` cannot be an option value anywhere a job names a path; refused by the setting.
    expect(errors.join("\n")).toMatch(/absolute path/);
    const ok = compileWith(`target onprem {\n  flink_jars = ["/opt/it's/kafka.jar", "/opt/$(id)/\`id\`/avro.jar"]\n}`);
    expect(ok.errors).toEqual([]);
    const slurm = emitSlurm({ ir: ok.ir, variants: [] });
    for (const id of ["txn_features", "fraud_scoring"]) {
      const words = sqlClientWords(slurm.find((f) => f.path === `${id}.sbatch`)!.contents);
      expect(jarsOf(words)).toEqual(["/opt/it's/kafka.jar", "/opt/$(id)/`id`/avro.jar"]);
    }
    // The scoring job also ships the UDF and the entry's folder, as one -pyfs list.
    const words = sqlClientWords(slurm.find((f) => f.path === "fraud_scoring.sbatch")!.contents);
    expect(words[words.indexOf("-pyfs") + 1]).toBe("/slurm/../flink/mlp_flink.py,/slurm/../flink/mlp_data.py,/project/models/fraud");
  });

  it("a relative jar path is refused with a diagnostic", () => {
    const { errors } = compileWith(`target onprem {\n  flink_jars = ["jars/kafka.jar"]\n}`);
    expect(errors.length).toBe(1);
    expect(errors[0]).toMatch(/flink_jars/);
  });
});
