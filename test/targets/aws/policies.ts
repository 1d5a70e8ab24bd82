// Security rules for the generated programs, written as @pulumi/policy policies (they would
// run unchanged in a PolicyPack), and an in-process evaluator that feeds them the resources a
// program declared under mocks: the PolicyPack server needs the Pulumi CLI, the rules do not.
import * as aws from "@pulumi/aws";
import {
  validateResourceOfType,
  type ReportViolation,
  type ResourceValidationArgs,
  type ResourceValidationPolicy,
  type StackValidationArgs,
  type StackValidationPolicy,
} from "@pulumi/policy";
import type { MockResource } from "./harness";

/** The Pulumi type token of a resource class (`aws:s3/bucket:Bucket`), as the policy server compares them. */
const typeOf = (cls: unknown) => (cls as { __pulumiType?: string }).__pulumiType;

interface Statement {
  Effect: string;
  Action?: string | string[];
  Resource?: string | string[];
  Principal?: unknown;
}

/**
 * Actions that have no resource-level permissions, where "*" is the only resource AWS accepts
 * (the generated code says so in a comment next to each).
 */
export const NO_RESOURCE_LEVEL = new Set(["ecr:GetAuthorizationToken", "sagemaker:ListModelPackages"]);

const statementsOf = (policy: unknown): Statement[] => {
  const doc = (typeof policy === "string" ? JSON.parse(policy) : policy) as { Statement?: Statement | Statement[] };
  return [doc.Statement ?? []].flat();
};

export const noWildcardIam: ResourceValidationPolicy = {
  name: "no-wildcard-iam",
  description: 'IAM policies allow named actions on named resources: no "*" action, no "service:*", no "*" resource except for actions without resource-level permissions.',
  enforcementLevel: "mandatory",
  validateResource: [
    validateResourceOfType(aws.iam.RolePolicy, (policy, _args, report) => checkStatements(policy.policy, report)),
    validateResourceOfType(aws.iam.Policy, (policy, _args, report) => checkStatements(policy.policy, report)),
  ],
};

function checkStatements(policy: unknown, report: ReportViolation): void {
  for (const s of statementsOf(policy)) {
    if (s.Effect !== "Allow") continue;
    const actions = [s.Action ?? []].flat();
    const resources = [s.Resource ?? []].flat();
    for (const a of actions) if (a === "*" || a.endsWith(":*")) report(`allows every action (${a})`);
    if (resources.includes("*") && !actions.every((a) => NO_RESOURCE_LEVEL.has(a))) report(`allows ${actions.join(", ")} on every resource`);
    for (const r of resources) if (r !== "*" && /^arn:[^:]*:[^:]*:[^:]*:[^:]*:\*$/.test(r)) report(`allows ${actions.join(", ")} on every resource of a service (${r})`);
  }
}

export const rolesAssumedByServices: ResourceValidationPolicy = {
  name: "roles-assumed-by-services",
  description: "Every role is assumed by one AWS service principal, never by an account or by anyone.",
  enforcementLevel: "mandatory",
  validateResource: validateResourceOfType(aws.iam.Role, (role, _args, report) => {
    for (const s of statementsOf(role.assumeRolePolicy)) {
      const p = s.Principal as { Service?: unknown } | string | undefined;
      if (typeof p !== "object" || !p || typeof p.Service !== "string" || Object.keys(p).length !== 1) report(`may be assumed by ${JSON.stringify(p)}`);
    }
  }),
};

export const bucketEncryptedAndPrivate: StackValidationPolicy = {
  name: "bucket-encrypted-and-private",
  description: "Every bucket has default encryption and a public access block with all four settings on.",
  enforcementLevel: "mandatory",
  validateStack: (args: StackValidationArgs, report: ReportViolation) => {
    const of = (cls: unknown) => args.resources.filter((r) => r.type === typeOf(cls));
    for (const bucket of of(aws.s3.Bucket)) {
      const id = bucket.props.bucket ?? bucket.props.id;
      const encryption = of(aws.s3.BucketServerSideEncryptionConfiguration).find((r) => r.props.bucket === id);
      const sse = encryption?.props.rules?.[0]?.applyServerSideEncryptionByDefault?.sseAlgorithm;
      if (!sse) report(`bucket ${bucket.name} has no default encryption`);
      const block = of(aws.s3.BucketPublicAccessBlock).find((r) => r.props.bucket === id);
      const on = block && ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"].every((k) => block.props[k] === true);
      if (!on) report(`bucket ${bucket.name} does not block all public access`);
      for (const policy of of(aws.s3.BucketPolicy).filter((r) => r.props.bucket === id))
        for (const s of statementsOf(policy.props.policy)) if (s.Effect === "Allow" && JSON.stringify(s.Principal ?? "").includes("*")) report(`bucket ${bucket.name} allows anyone`);
    }
  },
};

export const endpointsNotPublic: StackValidationPolicy = {
  name: "endpoints-not-public",
  description: "SageMaker endpoints are called with IAM credentials only: no policy grants InvokeEndpoint on every endpoint, only service roles hold it, and no Lambda in front of one is open to anyone.",
  enforcementLevel: "mandatory",
  validateStack: (args: StackValidationArgs, report: ReportViolation) => {
    const of = (cls: unknown) => args.resources.filter((r) => r.type === typeOf(cls));
    const roles = of(aws.iam.Role);
    for (const p of of(aws.iam.RolePolicy)) {
      for (const s of statementsOf(p.props.policy)) {
        const actions = [s.Action ?? []].flat();
        if (s.Effect !== "Allow" || !actions.some((a) => a === "sagemaker:InvokeEndpoint" || a === "sagemaker:*" || a === "*")) continue;
        if ([s.Resource ?? []].flat().some((r) => r === "*" || r.endsWith(":endpoint/*"))) report(`${p.name} may invoke every endpoint`);
        const role = roles.find((r) => r.props.id === p.props.role || r.props.name === p.props.role);
        const trust = role ? statementsOf(role.props.assumeRolePolicy) : [];
        if (!trust.length || trust.some((t) => typeof (t.Principal as { Service?: unknown })?.Service !== "string")) report(`${p.name} lets a role that is not a service role invoke an endpoint`);
      }
    }
    for (const perm of of(aws.lambda.Permission)) if (perm.props.principal === "*") report(`${perm.name} lets anyone invoke a function`);
    for (const url of of(aws.lambda.FunctionUrl)) if (url.props.authorizationType === "NONE") report(`${url.name} is a public function URL`);
    for (const e of of(aws.sagemaker.Endpoint)) if (!e.props.endpointConfigName) report(`${e.name} has no configuration`);
  },
};

export const RESOURCE_POLICIES = [noWildcardIam, rolesAssumedByServices];
export const STACK_POLICIES = [bucketEncryptedAndPrivate, endpointsNotPublic];

export interface Violation {
  policy: string;
  resource?: string;
  message: string;
}

class NotApplicable extends Error {}

/** Runs every policy over the resources, as the PolicyPack server would, and returns the violations. */
export async function evaluate(resources: MockResource[]): Promise<Violation[]> {
  const violations: Violation[] = [];
  const stackTags = new Map<string, string>();
  const argsOf = (r: MockResource) => {
    const props = r.type === "aws:s3/bucket:Bucket" || r.type === "aws:iam/role:Role" ? { ...r.inputs, id: r.state.id, name: r.state.name, bucket: r.state.bucket } : r.inputs;
    return {
      type: r.type,
      props,
      urn: `urn:pulumi:test::mlp::${r.type}::${r.name}`,
      name: r.name,
      opts: { protect: false, ignoreChanges: [], aliases: [], customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 }, additionalSecretOutputs: [] },
      stackTags,
      isType: (cls: unknown) => r.type === typeOf(cls),
      asType: (cls: unknown) => (r.type === typeOf(cls) ? props : undefined),
      getConfig: () => ({}) as never,
      notApplicable: (reason?: string) => {
        throw new NotApplicable(reason);
      },
    };
  };
  for (const policy of RESOURCE_POLICIES) {
    const fns = [policy.validateResource ?? []].flat();
    for (const r of resources) {
      for (const fn of fns) {
        try {
          await fn(argsOf(r) as unknown as ResourceValidationArgs, (message) => violations.push({ policy: policy.name, resource: r.name, message }));
        } catch (e) {
          if (!(e instanceof NotApplicable)) throw e;
        }
      }
    }
  }
  for (const policy of STACK_POLICIES) {
    const args = {
      resources: resources.map((r) => ({ ...argsOf(r), dependencies: [], propertyDependencies: {} })),
      stackTags,
      getConfig: () => ({}) as never,
      notApplicable: (reason?: string) => {
        throw new NotApplicable(reason);
      },
    };
    try {
      await policy.validateStack?.(args as unknown as StackValidationArgs, (message) => violations.push({ policy: policy.name, message }));
    } catch (e) {
      if (!(e instanceof NotApplicable)) throw e;
    }
  }
  return violations;
}
