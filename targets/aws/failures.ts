// Failure handling of every state machine. Transient errors of the services a Task calls
// (throttling, 5xx) are retried with exponential backoff; a job that ran and failed
// (States.TaskFailed of a .sync integration) is not: running the same job again fails the same
// way. Whatever still fails is caught by the top-level states and sent to the stack's alert
// topic (SNS, encrypted with a key of the stack, named in the outputs), then the run fails:
// a failed run alerts someone instead of only turning red in the console.
import { ph, t, Text, type Asl } from "./asl";
import type { PlanContext } from "./context";
import { arr, json, lit, name, obj, ref, tpl, type Group } from "./model";

export const NOTIFY = "Notify failure";
export const RUN_FAILED = "Run failed";

type State = { [k: string]: Asl };

/** The integration a Task state calls (`glue:startJobRun.sync`), from its Resource. */
export function integrationOf(resource: Asl): string | undefined {
  const text = resource instanceof Text ? resource.parts.map((p) => (typeof p === "string" ? p : "")).join("") : typeof resource === "string" ? resource : "";
  return /:states:::(.+)$/.exec(text)?.[1];
}

/**
 * The retriers of a Task state by the service it calls. The names are the service errors Step
 * Functions raises for a failed API call (`<Service>.<Exception>`), never States.TaskFailed or
 * States.ALL. Creating a model package is not retried: it has no name to make it idempotent,
 * and a retry after a lost response would register the model twice.
 */
export function retriesFor(integration: string): Asl[] | undefined {
  const backoff = (errors: string[], interval: number, attempts: number): Asl => ({ ErrorEquals: errors, IntervalSeconds: interval, MaxAttempts: attempts, BackoffRate: 2 });
  if (integration === "aws-sdk:sagemaker:createModelPackage") return undefined;
  if (integration.startsWith("lambda:"))
    return [backoff(["Lambda.ServiceException", "Lambda.AWSLambdaException", "Lambda.SdkClientException", "Lambda.TooManyRequestsException"], 2, 6)];
  if (integration.startsWith("glue:"))
    return [backoff(["Glue.AWSGlueException", "Glue.ConcurrentRunsExceededException", "Glue.InternalServiceException", "Glue.OperationTimeoutException", "Glue.ThrottlingException"], 30, 4)];
  // S3 raises throttling (503 SlowDown) and 5xx as S3Exception. Writing latest.json again is
  // harmless: it is the same object with the same body.
  if (integration.startsWith("aws-sdk:s3:")) return [backoff(["S3.S3Exception", "S3.SdkClientException"], 2, 5)];
  if (integration.startsWith("sagemaker:") || integration.startsWith("aws-sdk:sagemaker:"))
    // Capacity (ResourceLimitExceeded) frees up in minutes, not seconds: a longer first wait.
    return [backoff(["SageMaker.AmazonSageMakerException", "SageMaker.ThrottlingException"], 15, 4), backoff(["SageMaker.ResourceLimitExceededException"], 120, 3)];
  return undefined;
}

/**
 * A machine with retriers on its Tasks (Parallel branches included) and, on each top-level Task
 * and Parallel state without a Catch of its own, a Catch to the alert states. A branch's states
 * cannot name a state outside the branch: their Parallel state catches for them.
 */
export function withFailureHandling(machine: State, subject: string, topic: Asl): State {
  // One list of retriers per integration, shared by its Tasks (they are only written out): a
  // large training machine has thousands of Glue Tasks.
  const retriers = new Map<string, Asl[] | undefined>();
  const retry = (states: Record<string, State>) => {
    for (const s of Object.values(states)) {
      if (s.Type === "Task" && !s.Retry) {
        const integration = integrationOf(s.Resource!) ?? "";
        if (!retriers.has(integration)) retriers.set(integration, retriesFor(integration));
        const r = retriers.get(integration);
        if (r) s.Retry = r;
      }
      for (const b of (s.Branches as State[] | undefined) ?? []) retry(b.States as Record<string, State>);
    }
  };
  const states = machine.States as Record<string, State>;
  retry(states);
  for (const s of Object.values(states)) if ((s.Type === "Task" || s.Type === "Parallel") && !s.Catch) s.Catch = [{ ErrorEquals: ["States.ALL"], ResultPath: "$.error", Next: NOTIFY }];
  states[NOTIFY] = {
    Type: "Task",
    Comment: "Tells the alert topic which run failed and why (the run id and the error are in the state).",
    Resource: t`arn:${ph("Partition")}:states:::sns:publish`,
    Parameters: { TopicArn: topic, Subject: subject.slice(0, 100), "Message.$": "States.JsonToString($)" },
    ResultPath: null,
    // An alert that cannot be sent must not hide the failure: the run fails either way.
    Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: "$.alertError", Next: RUN_FAILED }],
    Next: RUN_FAILED,
  };
  states[RUN_FAILED] = { Type: "Fail", Error: "RunFailed", Cause: "A step failed after its retries; the alert topic has the error." };
  return machine;
}

/** The stack's alert topic (declared once): SNS encrypted with a key of the stack. */
export function alertTopic(cx: PlanContext): string {
  if (cx.alertTopic) return cx.alertTopic;
  const g: Group = { title: ["Alerts: failed runs publish here (encrypted with the stack's own key); subscribe to be told."], resources: [] };
  const key = cx.v("alerts", "key");
  const root = tpl("arn:", name("partition"), ":iam::", name("account"), ":root");
  cx.res(g, {
    v: key,
    type: "aws.kms.Key",
    name: cx.lname(undefined, "alerts"),
    args: obj({
      description: lit(`mlp ${cx.pipe}: the alert topic's messages`),
      enableKeyRotation: lit(true),
      // A key policy must let the account administer the key (or no one can); IAM policies then
      // grant its use, as the Step Functions role's does.
      // CloudWatch alarms (the endpoints') publish as the CloudWatch service, which IAM policies
      // cannot grant to: the key policy lets it encrypt to this key.
      policy: json(
        obj({
          Version: lit("2012-10-17"),
          Statement: arr([
            obj({ Sid: lit("Account"), Effect: lit("Allow"), Principal: obj({ AWS: root }), Action: lit("kms:*"), Resource: lit("*") }),
            obj({ Sid: lit("CloudWatchAlarms"), Effect: lit("Allow"), Principal: obj({ Service: lit("cloudwatch.amazonaws.com") }), Action: arr([lit("kms:Decrypt"), lit("kms:GenerateDataKey*")]), Resource: lit("*") }),
          ]),
        }),
      ),
    }),
  });
  const topic = cx.v("alerts");
  cx.res(g, { v: topic, type: "aws.sns.Topic", name: cx.lname(undefined, "alerts"), args: obj({ kmsMasterKeyId: ref(key, "arn") }) });
  cx.outputs.push({ name: "alertTopic", value: ref(topic, "arn") });
  cx.head.push(g);
  cx.alertTopic = topic;
  cx.alertKey = key;
  return topic;
}

/** The state machines publish their failures: the Step Functions role may publish to the alert topic only. */
export function allowAlerts(cx: PlanContext): void {
  const topic = alertTopic(cx);
  cx.iam.allow("states", "NotifyFailures", ["sns:Publish"], [ref(topic, "arn")]);
  cx.iam.allow("states", "EncryptAlerts", ["kms:Decrypt", "kms:GenerateDataKey"], [ref(cx.alertKey!, "arn")], { note: ["Publishing to an encrypted topic encrypts with its key."] });
}
