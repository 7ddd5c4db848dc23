import { Stack, Validations, type Stage } from 'aws-cdk-lib';
import type { BucketDeployment } from 'aws-cdk-lib/aws-s3-deployment';
import { AwsSolutionsChecks } from 'cdk-nag';
// Not re-exported from the package root; the same function cdk-nag uses to name IAM5 findings.
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference';
import type { IConstruct } from 'constructs';

/** A finding id as cdk-nag reports it: `AwsSolutions-<rule>` or `AwsSolutions-<rule>[<finding>]`. */
export type NagRuleId = `AwsSolutions-${string}`;

export interface Acknowledgement {
  /** The construct the acknowledgement was recorded on. */
  readonly path: string;
  readonly id: string;
  readonly reason: string;
}

/**
 * Runs AwsSolutions on everything under `stage` when it synthesizes.
 * A finding that is not acknowledged fails synthesis.
 */
export function addNagChecks(stage: Stage, props: { auditTrail?: boolean } = {}): AwsSolutionsChecks {
  // The audit trail copies every acknowledgement into the template's Metadata, where reviewers see it.
  const pack = new AwsSolutionsChecks(stage, { verbose: true, writeSuppressionsToCloudFormation: props.auditTrail ?? false });
  Validations.of(stage).addPlugins(pack);
  return pack;
}

/** Accepts one finding on one construct (and what it contains), with the reason it is acceptable there. */
export function acknowledge(scope: IConstruct, id: NagRuleId, reason: string): void {
  Validations.of(scope).acknowledge({ id, reason });
}

/** The IAM5 finding an `arn` with a wildcard raises, however it is built from tokens; undefined without one. */
export function wildcardResourceFinding(scope: IConstruct, arn: string): NagRuleId | undefined {
  const flat = flattenCfnReference(Stack.of(scope).resolve(arn));
  return flat.includes('*') ? `AwsSolutions-IAM5[Resource::${flat}]` : undefined;
}

/** Every acknowledgement recorded under `root`, for review and for the tests. */
export function acknowledgementsUnder(root: IConstruct): Acknowledgement[] {
  return root.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({
          path: construct.node.path,
          // aws-cdk-lib stores ids as `Annotation::<id>`; cdk-nag matches them without the prefix.
          id: id.replace(/^annotation::/i, ''),
          reason,
        })),
      ),
  );
}

/**
 * The findings of a BucketDeployment's handler (aws-cdk-lib's singleton Lambda that copies an asset into a
 * bucket during deploys), each acknowledged on the handler's role or function with its own reason. The asset
 * bucket's name depends on the environment, so its finding is read from the role's policy.
 */
export function acknowledgeBucketDeployment(deployment: BucketDeployment, target: { bucketObjects: string; bucketName: string }): void {
  const role = deployment.handlerRole;
  const handler = role.node.scope;
  if (!handler) throw new Error('BucketDeployment: its handler role has no function');
  acknowledge(
    role,
    'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    "aws-cdk-lib's BucketDeployment handler gets AWS's basic execution policy to write its own CloudWatch logs; it runs only while CloudFormation deploys the console.",
  );
  acknowledge(
    handler,
    'AwsSolutions-L1',
    "The BucketDeployment handler's runtime (Python) is chosen and updated by aws-cdk-lib, not by this project; it runs only during deploys and serves no request.",
  );
  const actions: Record<string, string> = {
    's3:GetBucket*': 'reads the bucket location and metadata it needs before the copy',
    's3:GetObject*': 'reads the staged asset zip and the objects it compares before the copy',
    's3:List*': 'lists the destination prefix to prune files the new build no longer has',
    's3:Abort*': 'aborts its own multipart uploads of larger files when a copy fails',
    's3:DeleteObject*': 'deletes the files a new build no longer has (prune)',
  };
  for (const [action, why] of Object.entries(actions)) {
    acknowledge(role, `AwsSolutions-IAM5[Action::${action}]`, `aws-cdk-lib's BucketDeployment grant (grantRead and grantReadWrite) ${why}; the resources stop at the CDK asset bucket and the ${target.bucketName} bucket.`);
  }
  const policy = role.node.tryFindChild('DefaultPolicy') as { document?: unknown } | undefined;
  const statements = (Stack.of(role).resolve(policy?.document ?? {}) as { Statement?: { Resource?: unknown }[] }).Statement ?? [];
  const resources = new Set(statements.flatMap((statement): unknown[] => (Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource])));
  const consoleObjects = wildcardResourceFinding(role, target.bucketObjects);
  for (const resource of resources) {
    // Already resolved: wildcardResourceFinding resolves again, which leaves it as it is.
    const finding = wildcardResourceFinding(role, resource as string);
    if (!finding) continue;
    if (finding === consoleObjects) {
      acknowledge(role, finding, `The handler copies the console build into the ${target.bucketName} bucket, whose object keys come from the build; the grant stops at that bucket.`);
    } else if (finding === 'AwsSolutions-IAM5[Resource::*]') {
      acknowledge(role, finding, 'cloudfront:CreateInvalidation and GetInvalidation take no narrower resource in aws-cdk-lib; the handler invalidates /console/* of this distribution after each deploy.');
    } else if (finding.includes('assets')) {
      acknowledge(role, finding, "The handler reads the console's zip from the CDK bootstrap asset bucket, whose object key is the asset's hash; the grant is read-only.");
    } else {
      throw new Error(`BucketDeployment: unexpected wildcard ${finding}`);
    }
  }
}
