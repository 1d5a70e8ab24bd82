// How a Flink job is started: `sql-client.sh` with the connector and format jars
// (`target onprem { flink_jars }`, one `-j` each), and for a stream deployment `-pyfs` with
// the scoring UDF (mlp_flink.py, the serving contract written in), mlp_data.py (which entry
// scripts import) and the training entry script's folder, so the workers import the model code
// the entry script defines or imports.
// The Slurm jobs and each job file's "Run with" line render this one list.
import type { IrDocument, ValidNode } from "../../compiler/ir";
import { graphOf, isDeploy, type IrGraph } from "../../compiler/query";
import { dirname, normalize } from "../../language/paths";
import { UDF_FILE } from "../python/serving";

/** The data helper entry scripts import (`import mlp_data`), written beside the jobs for -pyfs. */
export const DATA_FILE = "mlp_data.py";

export interface SqlClientArgs {
  /** `-j` jars, in the order of the setting. Every job gets all of them. */
  jars: string[];
  /** `-pyfs` of a stream deployment: files beside the job file (the UDF, mlp_data) and paths relative to the project folder. */
  pyfs?: { files: string[]; project: string[] };
}

/**
 * Every job is started with every jar of `flink_jars`: the Kafka connector is what each job
 * reads or writes, and a format jar a job does not use is only on its classpath (its factory
 * is never looked up), so one list serves a pipeline whose jobs mix json and avro.
 */
export function sqlClientArgs(ir: IrDocument, n: ValidNode, g = graphOf(ir)): SqlClientArgs {
  const jars = [...ir.settings.onprem.flink_jars];
  if (!isDeploy(n, "stream")) return { jars };
  const entry = g.lineage(n)?.train.config.entry;
  return { jars, pyfs: { files: [UDF_FILE, DATA_FILE], project: entry ? [entryShipment(entry)] : [] } };
}

/**
 * What of the entry script the workers get: its folder (the modules beside it come along), or
 * the script alone when it sits at the project's top, which would ship the whole project.
 * Entry scripts are project-relative (checkProjectPaths refuses the others).
 */
export function entryShipment(entry: string): string {
  const path = normalize(entry);
  const folder = dirname(path);
  return folder === "." ? path : folder;
}

/** The command as text, for a job file's header (comment text: the caller escapes it). */
export function sqlClientLine(a: SqlClientArgs, file: string): string {
  const parts = ["sql-client.sh", ...a.jars.flatMap((j) => ["-j", j])];
  if (a.pyfs) parts.push("-pyfs", [...a.pyfs.files, ...a.pyfs.project].join(","));
  parts.push("-f", file);
  return parts.join(" ");
}

/**
 * The arguments as shell words, for a job script: `quote` makes a literal one word, `udfDir` and
 * `projectDir` are shell expressions of the folder holding mlp_flink.py and of the project
 * (`"$MLP_SLURM_DIR/../flink/"`, `"$MLP_PROJECT_DIR"/`), each ending in a slash.
 */
export function sqlClientShellArgs(a: SqlClientArgs, quote: (s: string) => string, udfDir: string, projectDir: string): string {
  const words = a.jars.flatMap((j) => ["-j", quote(j)]);
  if (a.pyfs) words.push("-pyfs", [...a.pyfs.files.map((f) => `${udfDir}${quote(f)}`), ...a.pyfs.project.map((p) => `${projectDir}${quote(p)}`)].join(","));
  return words.join(" ");
}
