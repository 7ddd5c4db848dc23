import { Stack, Validations, type Stage } from 'aws-cdk-lib';
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
