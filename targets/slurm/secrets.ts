// Credentials a job needs at run time (`cassandra_credentials`): the settings name an
// environment variable or a file, and the job reads it when it starts. No value is ever in a
// generated file, on a command line or in a log; the environment variable travels from
// submit.sh with the job's environment (--export=ALL), which Slurm does not print.
import type { IrDocument, ValidNode } from "../../compiler/ir";
import { storeOf } from "../../compiler/query";
import { sh } from "./quote";

/** `MLP_<NAME>=` the secret `ref` names, or a clear failure when the job cannot read it. */
function readSecret(variable: string, ref: string, setting: string): string[] {
  if (ref.startsWith("env:")) {
    const name = ref.slice("env:".length);
    return [`${variable}="\${${name}:-}"`, `if [ -z "$${variable}" ]; then echo ${sh(`mlp: ${setting} names the environment variable ${name}, which this job does not have (export it before submit.sh)`)} >&2; exit 2; fi`];
  }
  const file = sh(ref.slice("file:".length));
  return [`if [ ! -r ${file} ]; then echo ${sh(`mlp: ${setting} names the file ${ref.slice("file:".length)}, which this job cannot read`)} >&2; exit 2; fi`, `${variable}="$(cat ${file})"`];
}

/**
 * spark-sql substitutes the variables into a quoted SQL string: a value that would end the
 * string or the statement is refused before Spark starts rather than misread.
 */
function refuseUnquotable(variable: string, setting: string): string {
  return `case "$${variable}" in *"'"*|*'\\'*|*$'\\n'*|*$'\\r'*) echo ${sh(`mlp: ${setting} holds a quote, a backslash or a line break, which Spark's SQL cannot carry`)} >&2; exit 2;; esac`;
}

/**
 * The lines that give a job that writes Cassandra itself (the Spark job of an online feature
 * set) MLP_CASSANDRA_USERNAME and MLP_CASSANDRA_PASSWORD, which its SQL names as `${env:...}`.
 */
export function secretLines(ir: IrDocument, n: ValidNode): string[] {
  const creds = ir.settings.onprem.cassandra_credentials;
  if (!creds || storeOf(n)?.kind !== "online") return [];
  return [
    "# Cassandra login (cassandra_credentials), read now: never written into a file.",
    ...readSecret("MLP_CASSANDRA_USERNAME", creds.username, "cassandra_credentials.username"),
    ...readSecret("MLP_CASSANDRA_PASSWORD", creds.password, "cassandra_credentials.password"),
    refuseUnquotable("MLP_CASSANDRA_USERNAME", "cassandra_credentials.username"),
    refuseUnquotable("MLP_CASSANDRA_PASSWORD", "cassandra_credentials.password"),
    "export MLP_CASSANDRA_USERNAME MLP_CASSANDRA_PASSWORD",
  ];
}
