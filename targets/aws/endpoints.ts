// Endpoint deployments: a SageMaker model, endpoint configuration and endpoint for the
// approved model package version stack config names (until a stack names one, nothing is
// created), autoscaling between `instances = MIN..MAX`. Endpoints take IAM-authenticated
// calls only. The instance type comes from the step's `resources` (compute.ts).
import type { NodeOf } from "../../compiler/ir";
import { compute } from "./compute";
import type { PlanContext } from "./context";
import { alertTopic } from "./failures";
import { arr, lit, name, obj, ref, tpl, type Code, type Group } from "./model";
import { commentText } from "./quote";
import { registryOf } from "./registry";

/** The group of a deployment's resources, created once stack config names the model version to serve. */
export function deployGroup(cx: PlanContext, n: NodeOf<"deploy">, what: string): Group {
  const reg = registryOf(cx, n);
  const key = `${cx.stem(n)}ModelPackage`;
  const bind = cx.v(cx.stem(n), "model", "package");
  cx.optionalConfig.push([key, `the approved model package version (ARN) of ${reg.implicit ? "the model" : `registry ${reg.node.kind === "register" ? reg.node.config.name : reg.node.id}`} that ${n.id} serves`]);
  return {
    title: [
      ...cx.title(n, what),
      `Created once stack config names the approved model version to serve (versions are registered in`,
      `the ${commentText(reg.node.id)} model package group by the training pipeline): pulumi config set ${key} ARN`,
    ],
    resources: [],
    when: { key, bind },
  };
}

/** The endpoint (and its autoscaling) in a deploy group; returns the endpoint's variable. */
export function endpoint(cx: PlanContext, n: NodeOf<"deploy">, group: Group): string {
  const s = cx.stem(n);
  const c = compute(n.config.resources);
  const instances = n.config.instances;
  const min = typeof instances === "object" ? instances.min : (instances ?? 1);
  const model = cx.res(group, {
    v: cx.v(s, "model"),
    type: "aws.sagemaker.Model",
    name: cx.lname(n, "model"),
    args: obj({ executionRoleArn: ref(cx.iam.role("sagemaker"), "arn"), primaryContainer: obj({ modelPackageName: name(group.when!.bind) }) }),
  });
  const config = cx.res(group, {
    v: cx.v(s, "endpoint", "config"),
    type: "aws.sagemaker.EndpointConfiguration",
    name: cx.lname(n, "config"),
    args: obj({ productionVariants: arr([obj({ variantName: lit("main"), modelName: ref(model, "name"), instanceType: lit(c.instanceType), initialInstanceCount: lit(min) })]) }),
  });
  const ep = cx.v(s, "endpoint");
  cx.res(group, { v: ep, type: "aws.sagemaker.Endpoint", name: cx.lname(n), hoist: true, args: obj({ endpointConfigName: ref(config, "name") }), dependsOn: ["sageMakerRolePolicy"] });
  if (typeof instances === "object") {
    const target = cx.res(group, {
      v: cx.v(s, "scaling"),
      type: "aws.appautoscaling.Target",
      name: cx.lname(n, "scaling"),
      note: ["Between the step's instances = MIN..MAX."],
      args: obj({
        serviceNamespace: lit("sagemaker"),
        scalableDimension: lit("sagemaker:variant:DesiredInstanceCount"),
        resourceId: tpl("endpoint/", ref(ep, "name"), "/variant/main"),
        minCapacity: lit(instances.min),
        maxCapacity: lit(instances.max),
      }),
    });
    cx.res(group, {
      v: cx.v(s, "scaling", "policy"),
      type: "aws.appautoscaling.Policy",
      name: cx.lname(n, "scaling-policy"),
      note: ["Adds instances above 100 invocations per instance and minute, removes them below."],
      args: obj({
        policyType: lit("TargetTrackingScaling"),
        serviceNamespace: ref(target, "serviceNamespace"),
        scalableDimension: ref(target, "scalableDimension"),
        resourceId: ref(target, "resourceId"),
        targetTrackingScalingPolicyConfiguration: obj({
          predefinedMetricSpecification: obj({ predefinedMetricType: lit("SageMakerVariantInvocationsPerInstance") }),
          targetValue: lit(100),
          scaleInCooldown: lit(300),
          scaleOutCooldown: lit(60),
        }),
      }),
    });
  }
  endpointAlarms(cx, n, group, ep);
  cx.endpointOutputs.push([n.id, { k: "name", name: ep, attr: "name", optional: true }]);
  return ep;
}

export function endpointDeploy(cx: PlanContext, n: NodeOf<"deploy">): void {
  const group = deployGroup(cx, n, "a SageMaker endpoint, never public (IAM-authenticated calls only).");
  endpoint(cx, n, group);
  cx.deploys.push(group);
}

/**
 * Alarms on the endpoint's health, to the stack's alert topic: any 5xx in five minutes (the
 * model or its container failed a call), and a p90 model latency above a second for fifteen
 * minutes (an overloaded or degraded model; ModelLatency is in microseconds). No data (no
 * traffic) is healthy.
 */
function endpointAlarms(cx: PlanContext, n: NodeOf<"deploy">, group: Group, ep: string): void {
  const topic = alertTopic(cx);
  const dimensions = obj({ EndpointName: ref(ep, "name"), VariantName: lit("main") });
  const alarm = (what: string, description: string, metric: Record<string, Code>) =>
    cx.res(group, {
      v: cx.v(cx.stem(n), what, "alarm"),
      type: "aws.cloudwatch.MetricAlarm",
      name: cx.lname(n, `${what}-alarm`),
      args: obj({
        alarmDescription: lit(`mlp ${cx.pipe}: ${n.id} ${description}`),
        namespace: lit("AWS/SageMaker"),
        dimensions,
        ...metric,
        treatMissingData: lit("notBreaching"),
        alarmActions: arr([ref(topic, "arn")]),
        okActions: arr([ref(topic, "arn")]),
      }),
    });
  alarm("errors", "returned 5xx errors", { metricName: lit("Invocation5XXErrors"), statistic: lit("Sum"), period: lit(300), evaluationPeriods: lit(1), threshold: lit(0), comparisonOperator: lit("GreaterThanThreshold") });
  alarm("latency", "p90 model latency above 1 s", { metricName: lit("ModelLatency"), extendedStatistic: lit("p90"), period: lit(300), evaluationPeriods: lit(3), threshold: lit(1_000_000), comparisonOperator: lit("GreaterThanThreshold") });
}
