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
 * CloudFront sends; the functions accept it, the previous generation's and the next one's, so a rotation
 * never refuses traffic whichever of CloudFront and the functions updates first. (A DependsOn from the
 * distribution on the functions cannot order it: the HTTP route functions that reach the attachments
 * bucket depend on it, and its CORS rule names the distribution.)
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
      'Rotated through the stack, not by a rotation Lambda: each generation is created one deployment before CloudFront sends it, so the functions accept it before bumping originSecretGeneration makes it current (README, Origin check).',
    );
    return made.secretValue.unsafeUnwrap();
  };
  const current = secret(generation);
  // Created one deployment ahead, so the functions already accept what CloudFront sends after the next bump.
  const next = secret(generation + 1);
  return { current, accepted: [current, ...(generation > 1 ? [secret(generation - 1)] : []), next].join(',') };
}
