// The online feature store: a DynamoDB table per online feature set, one item per key that
// expires `ttl` after it was written. A batch feature set's Glue job loads it (glue.ts); a
// streaming one's rows are written by a Lambda reading the Flink job's stream (featureWriter).
import type { ValidNode } from "../../compiler/ir";
import { storeOf } from "../../compiler/query";
import { TargetError } from "../../compiler/target-api";
import { durationMs } from "../../language/catalog/values";
import { cap, freshName, type PlanContext } from "./context";
import { KINESIS_READ } from "./iam";
import { lambdaFunction } from "./lambda";
import { arr, lit, obj, ref, tpl, type Group } from "./model";
import { commentText } from "./quote";
import { WRITE_FEATURES } from "./scripts";

export interface OnlineTable {
  v: string;
  keys: string[];
  ttlAttribute: string;
  ttlSeconds: number;
}

export function onlineTable(cx: PlanContext, n: ValidNode, group: Group): OnlineTable {
  const store = storeOf(n);
  if (store?.kind !== "online") throw new TargetError(`\`${n.id}\` has no online store`);
  const a = cx.g.output(n);
  const keys = a.keys ?? [];
  const cols = a.columns ?? [];
  const ttlSeconds = Math.max(1, Math.ceil(durationMs(store.ttl) / 1000));
  // The expiry attribute must not clash with a feature column.
  const ttlAttribute = freshName("expires_at", cols.map((c) => c.name));
  const typeOf = (k: string) => {
    const c = cols.find((x) => x.name === k);
    return c && (c.type.kind === "int" || c.type.kind === "float") ? "N" : "S";
  };
  // DynamoDB keys have at most two attributes: more key columns are joined into one.
  const attrs: [string, string][] = keys.length > 2 ? [["mlp_key", "S"]] : keys.map((k) => [k, typeOf(k)]);
  const v = cx.v(cx.stem(n), "table");
  cx.res(group, {
    v,
    type: "aws.dynamodb.Table",
    name: cx.lname(n, "online"),
    note: [
      `The online feature store: one item per ${keys.length > 2 ? "key (the key columns joined with # in mlp_key)" : `${keys.map(commentText).join(" + ")}`}, expiring ${commentText(store.ttl)} after it was written.`,
    ],
    args: obj({
      billingMode: lit("PAY_PER_REQUEST"),
      hashKey: lit(attrs[0]![0]),
      rangeKey: attrs[1] ? lit(attrs[1][0]) : undefined,
      attributes: arr(attrs.map(([k, type]) => obj({ name: lit(k), type: lit(type) }))),
      ttl: obj({ attributeName: lit(ttlAttribute), enabled: lit(true) }),
      pointInTimeRecovery: obj({ enabled: lit(true) }),
      serverSideEncryption: obj({ enabled: lit(true) }),
    }),
  });
  cx.onlineOutputs.push([n.id, ref(v, "name")]);
  return { v, keys, ttlAttribute, ttlSeconds };
}

/** A Lambda that writes the newest row per key from a streaming feature set's Kinesis stream into its table. */
export function featureWriter(cx: PlanContext, n: ValidNode, group: Group, starter: Group, stream: string, table: OnlineTable): void {
  const s = cx.stem(n);
  const keys = table.keys;
  const fn = cx.v(s, "writer");
  const logs = lambdaFunction(cx, group, n, "writer", fn, "write_features.py", WRITE_FEATURES, [
    ["TABLE", ref(table.v, "name")],
    ["KEYS", lit(JSON.stringify(keys))],
    ["KEY_ATTRIBUTE", lit(keys.length > 2 ? "mlp_key" : "")],
    ["TTL_ATTRIBUTE", lit(table.ttlAttribute)],
    ["TTL_SECONDS", lit(String(table.ttlSeconds))],
  ], "Writes the newest row per key into the online table.");
  cx.iam.allow("lambda", `Read${cap(s)}Stream`, KINESIS_READ, [ref(stream, "arn")]);
  cx.iam.allow("lambda", `Write${cap(s)}Table`, ["dynamodb:BatchWriteItem", "dynamodb:PutItem"], [ref(table.v, "arn")]);
  cx.iam.allow("lambda", `Log${cap(s)}Writer`, ["logs:CreateLogStream", "logs:PutLogEvents"], [tpl(ref(logs, "arn"), ":*")]);
  cx.res(starter, {
    v: cx.v(s, "writer", "source"),
    type: "aws.lambda.EventSourceMapping",
    name: cx.lname(n, "writer-source"),
    args: obj({ functionName: ref(fn, "arn"), eventSourceArn: ref(stream, "arn"), startingPosition: lit("TRIM_HORIZON"), batchSize: lit(100), maximumBatchingWindowInSeconds: lit(5) }),
    dependsOn: ["lambdaRolePolicy"],
  });
}
