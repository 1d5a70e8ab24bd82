// Schedules: an EventBridge Scheduler schedule starts a state machine on the .mlp cron (in
// UTC, converted to the scheduler's syntax by compute.ts), with a role that may start only it.
import type { ValidNode } from "../../compiler/ir";
import { awsCron } from "./compute";
import { cap, type PlanContext } from "./context";
import { lit, obj, ref, type Group } from "./model";
import { commentText } from "./quote";

export function schedule(cx: PlanContext, group: Group, n: ValidNode | undefined, cron: string, machineVar: string, what: string): void {
  cx.res(group, {
    v: cx.v(machineVar, "schedule"),
    type: "aws.scheduler.Schedule",
    name: cx.lname(n, `${what}-schedule`),
    note: [`cron(${commentText(cron)}) in UTC`],
    args: obj({
      scheduleExpression: lit(schedulerCron(cx, cron, n)),
      scheduleExpressionTimezone: lit("UTC"),
      flexibleTimeWindow: obj({ mode: lit("OFF") }),
      target: obj({ arn: ref(machineVar, "arn"), roleArn: ref(cx.iam.role("scheduler"), "arn"), input: lit("{}") }),
    }),
  });
  cx.iam.allow("scheduler", `Start${cap(machineVar)}`, ["states:StartExecution"], [ref(machineVar, "arn")]);
}

/** The scheduler's form of a cron, converted once per stack (deployments mostly share a few; only a refusal names its step). */
function schedulerCron(cx: PlanContext, cron: string, n: ValidNode | undefined): string {
  let c = cx.crons.get(cron);
  if (c === undefined) cx.crons.set(cron, (c = awsCron(cron, n ? `\`${n.id}\` schedule` : "the pipeline's schedule")));
  return c;
}
