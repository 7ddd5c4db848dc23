import { RemovalPolicy } from 'aws-cdk-lib';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { acknowledge } from '../nag';

/** The x-origin-verify value CloudFront sends, and every value the functions accept (comma-separated). */
export interface OriginVerifyValues {
  readonly current: string;
  readonly accepted: string;
}

/**
 * The x-origin-verify values (README, "Origin check"): one generated secret per generation, created in
 * `scope` (the stack) so their logical IDs stay those of the deployed stack. The current one is what
 * CloudFront sends; the functions accept it and the previous generation's, so a rotation never refuses
 * traffic.
 */
export function originVerifySecrets(scope: Construct, generation: number): OriginVerifyValues {
  if (!Number.isInteger(generation) || generation < 1) throw new Error(`originSecretGeneration must be a positive integer, not ${generation}`);
  const secret = (n: number): string => {
    const made = new Secret(scope, `OriginVerifySecret${n}`, {
      description: `x-origin-verify value CloudFront sends to the HTTP API (generation ${n})`,
      // No punctuation: the functions' list is comma-separated, and header values stay plain.
      generateSecretString: { excludePunctuation: true, passwordLength: 48 },
      // A shared header value, not data: nothing is lost with it, and the next generation replaces it.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    acknowledge(
      made,
      'AwsSolutions-SMG4',
      'Rotated through the stack, not by a rotation Lambda: bumping originSecretGeneration generates a new value that the functions accept before CloudFront sends it (README, Origin check).',
    );
    return made.secretValue.unsafeUnwrap();
  };
  const current = secret(generation);
  return { current, accepted: generation > 1 ? `${current},${secret(generation - 1)}` : current };
}
