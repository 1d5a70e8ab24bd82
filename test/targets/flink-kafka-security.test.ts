// Issue 11 (Slurm section, the Kafka part for Flink): "Kafka SASL/TLS and Cassandra credentials
// come from settings that name files or environment variables (never values in the .mlp),
// passed to Spark, Flink and the jobs."
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { lower } from "../../compiler/lower";
import { checkProgram } from "../../language/checker/program";
import { secretRef } from "../../language/catalog/settings";
import { compileIr, emit, loader, ROOT } from "./helpers";
import { flinkErrors } from "./sql-grammar";

const FRAUD = readFileSync(join(ROOT, "../shared/conformance/valid/fraud.mlp"), "utf8");

function compileWith(block: string) {
  const path = "mem/fraud.mlp";
  const program = checkProgram(path, { read: (p) => (p === path ? `${FRAUD}\n${block}\n` : loader.read(p)) });
  return { ir: lower(program), errors: program.diagnostics.filter((d) => d.severity === "error").map((d) => `${d.code} ${d.message}`) };
}

const SECURED = `target onprem {
  kafka = "kafka-1:9093"
  kafka_security = { protocol: "SASL_SSL", mechanism: "SCRAM-SHA-512", jaas: "/etc/mlp/kafka_client_jaas.conf", truststore: "/etc/mlp/kafka-ca.pem" }
  cassandra_credentials = { username: "env:CASSANDRA_USER", password: "file:/run/secrets/cassandra_password" }
}`;

const tables = (sql: string) => [...sql.matchAll(/CREATE TEMPORARY TABLE `[^`]*` \([\s\S]*?\n\) WITH \(\n([\s\S]*?)\n\);/g)].map((m) => m[1]!);

describe("flink: kafka sasl/tls and cassandra credentials come from settings that name files or environment variables", () => {
  const { ir, errors } = compileWith(SECURED);
  const files = emit("flink", ir);

  it("the settings check", () => {
    expect(errors).toEqual([]);
    expect(ir.settings.onprem.kafka_security).toEqual({ protocol: "SASL_SSL", mechanism: "SCRAM-SHA-512", jaas: "/etc/mlp/kafka_client_jaas.conf", truststore: "/etc/mlp/kafka-ca.pem" });
  });

  it("every Kafka table of every job names the protocol, the mechanism and the PEM truststore, and the JVMs get the JAAS file", () => {
    const jobs = files.filter((f) => f.path.endsWith(".sql"));
    expect(jobs.length).toBe(3);
    for (const job of jobs) {
      const ts = tables(job.contents);
      expect(ts.length).toBeGreaterThanOrEqual(2);
      for (const t of ts) {
        expect(t, job.path).toContain("'properties.security.protocol' = 'SASL_SSL'");
        expect(t, job.path).toContain("'properties.sasl.mechanism' = 'SCRAM-SHA-512'");
        expect(t, job.path).toContain("'properties.ssl.truststore.type' = 'PEM'");
        expect(t, job.path).toContain("'properties.ssl.truststore.location' = '/etc/mlp/kafka-ca.pem'");
        // The login stays in the JAAS file: no inline jaas.config, no credential.
        expect(t, job.path).not.toContain("sasl.jaas.config");
      }
      expect(job.contents, job.path).toContain("SET 'env.java.opts.all' = '-Djava.security.auth.login.config=/etc/mlp/kafka_client_jaas.conf';");
      expect(job.contents.indexOf("env.java.opts.all")).toBeLessThan(job.contents.indexOf("EXECUTE STATEMENT SET"));
      expect(flinkErrors(job.contents), job.path).toEqual([]);
    }
  }, 60_000);

  it("the Kafka Connect sink reads the same Kafka with the same files, and logs into Cassandra through config providers", () => {
    const sinks = files.filter((f) => f.path.endsWith(".cassandra-sink.properties"));
    expect(sinks.length).toBe(2);
    for (const s of sinks) {
      const lines = s.contents.split("\n");
      expect(lines).toContain("consumer.override.security.protocol=SASL_SSL");
      expect(lines).toContain("consumer.override.sasl.mechanism=SCRAM-SHA-512");
      expect(lines).toContain("consumer.override.ssl.truststore.type=PEM");
      expect(lines).toContain("consumer.override.ssl.truststore.location=/etc/mlp/kafka-ca.pem");
      expect(lines).toContain("auth.provider=PLAIN");
      expect(lines).toContain("auth.username=${env:CASSANDRA_USER}");
      expect(lines).toContain("auth.password=${directory:/run/secrets:cassandra_password}");
      // What the worker must be given, said in the file.
      expect(lines).toContain("#   connector.client.config.override.policy=All");
      expect(lines).toContain("#   config.providers=directory,env");
      expect(lines).toContain("#   config.providers.env.class=org.apache.kafka.common.config.provider.EnvVarConfigProvider");
      expect(lines).toContain("#   config.providers.directory.class=org.apache.kafka.common.config.provider.DirectoryConfigProvider");
      expect(lines).toContain("# and its JVM the Kafka login: KAFKA_OPTS=-Djava.security.auth.login.config=/etc/mlp/kafka_client_jaas.conf");
    }
  });

  it("without kafka_security nothing changes: PLAINTEXT, no JVM option, no auth", () => {
    const plain = emit("flink", compileIr("../shared/conformance/valid/fraud.mlp").ir);
    for (const f of plain) {
      expect(f.contents).not.toMatch(/security\.protocol|sasl|truststore|env\.java\.opts|auth\.|config\.providers/);
    }
  });

  it("SSL alone: the truststore, no SASL", () => {
    const ssl = compileWith(`target onprem {\n  kafka_security = { protocol: "SSL", truststore: "/etc/ca.pem" }\n}`);
    expect(ssl.errors).toEqual([]);
    const sql = emit("flink", ssl.ir).find((f) => f.path === "txn_features.sql")!.contents;
    expect(sql).toContain("'properties.security.protocol' = 'SSL'");
    expect(sql).toContain("'properties.ssl.truststore.location' = '/etc/ca.pem'");
    expect(sql).not.toMatch(/sasl|env\.java\.opts/);
  });

  it("a secret written as a value, or a SASL protocol without its JAAS file, is refused with a diagnostic", () => {
    const bad = [
      `target onprem {\n  cassandra_credentials = { username: "mlp", password: "hunter2" }\n}`,
      `target onprem {\n  cassandra_credentials = { username: "env:USER", password: "file:relative/secret" }\n}`,
      `target onprem {\n  kafka_security = { protocol: "SASL_SSL", mechanism: "PLAIN" }\n}`,
      `target onprem {\n  kafka_security = { protocol: "SSL", mechanism: "PLAIN", jaas: "/etc/jaas.conf" }\n}`,
      `target onprem {\n  kafka_security = { protocol: "SASL_PLAINTEXT", mechanism: "GSSAPI", jaas: "/etc/jaas.conf" }\n}`,
      `target onprem {\n  kafka_security = { protocol: "SASL_SSL", mechanism: "PLAIN", jaas: "/etc/jaas.conf", password: "x" }\n}`,
    ];
    for (const block of bad) {
      const r = compileWith(block);
      expect(r.errors.length, block).toBeGreaterThan(0);
      expect(r.errors[0], block).toMatch(/^MLP\d{4} /);
    }
    expect(secretRef.safeParse("env:CASSANDRA_PASSWORD").success).toBe(true);
    expect(secretRef.safeParse("file:/run/secrets/p").success).toBe(true);
    for (const v of ["hunter2", "env:", "env:A-B", "file:/", "file:/a/", "file:/a:b", "file:/a b", "file:/${x}"]) expect(secretRef.safeParse(v).success, v).toBe(false);
  });
});
