// Kafka's SASL/TLS settings (`target onprem { kafka_security }`) as client properties: the
// Flink tables' `properties.*` options and the Kafka Connect sink's `consumer.override.*`.
// Only the protocol, the mechanism and file paths are ever written; the credentials stay in
// the JAAS file, which reaches the JVM as `-Djava.security.auth.login.config`.
import type { KafkaSecurity } from "../../language/catalog/settings";

/** Kafka client properties for `s`, each key prefixed (`properties.` for Flink tables). */
export function kafkaSecurityProperties(s: KafkaSecurity | undefined, prefix: string): [string, string][] {
  if (!s) return [];
  const out: [string, string][] = [[`${prefix}security.protocol`, s.protocol]];
  if (s.mechanism) out.push([`${prefix}sasl.mechanism`, s.mechanism]);
  if (s.truststore) out.push([`${prefix}ssl.truststore.type`, "PEM"], [`${prefix}ssl.truststore.location`, s.truststore]);
  return out;
}

/** The JVM option that makes the KafkaClient login of the JAAS file the clients' credentials. */
export const jaasOption = (s: KafkaSecurity | undefined): string | undefined => (s?.jaas ? `-Djava.security.auth.login.config=${s.jaas}` : undefined);
