// Lambda functions: the fixed Python handlers of scripts/ (gate metrics, online feature
// writer, stream scorer), each with its own log group; settings arrive as environment.
import type { ValidNode } from "../../compiler/ir";
import type { PlanContext } from "./context";
import { lit, obj, ref, type Code, type Group } from "./model";

const LAMBDA_RUNTIME = "python3.12";

/** Declares the function `v` running `script` (assets/lambda/<script>); returns its log group's variable. */
export function lambdaFunction(cx: PlanContext, group: Group, n: ValidNode | undefined, what: string, v: string, script: string, contents: string, env: [string, Code][], note: string): string {
  const handler = script.replace(/\.py$/, "");
  const path = cx.asset(`assets/lambda/${script}`, contents);
  const logs = cx.logGroup(group, cx.v(v, "logs"), cx.lname(n, `${what}-logs`));
  cx.res(group, {
    v,
    type: "aws.lambda.Function",
    name: cx.lname(n, what),
    note: [note],
    args: obj({
      runtime: lit(LAMBDA_RUNTIME),
      handler: lit(`${handler}.handler`),
      role: ref(cx.iam.role("lambda"), "arn"),
      code: { k: "archive", files: [[script, lit(path)]] },
      timeout: lit(60),
      memorySize: lit(256),
      environment: env.length ? obj({ variables: obj(env) }) : undefined,
      loggingConfig: obj({ logFormat: lit("Text"), logGroup: ref(logs, "name") }),
    }),
  });
  return logs;
}
