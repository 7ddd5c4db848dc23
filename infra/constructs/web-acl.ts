import { Token, type Stack } from 'aws-cdk-lib';
import { CfnWebACL } from 'aws-cdk-lib/aws-wafv2';

/**
 * An AWS WAF web ACL on the distribution: `{ arn }` attaches an existing CLOUDFRONT-scoped ACL (made in
 * us-east-1); `{ rateLimitPer5Min }` creates one with a per-IP rate-based rule, which only a stack in
 * us-east-1 can do. Costs extra (README, "Throttling").
 */
export type WebAclOption = { readonly arn: string } | { readonly rateLimitPer5Min: number };

/**
 * An existing CLOUDFRONT ACL's ARN, or a new one with a per-IP rate-based rule (us-east-1 only), created
 * in `scope` (the stack) so its logical ID stays that of the deployed stack.
 */
export function webAclArn(scope: Stack, webAcl: WebAclOption): string {
  if ('arn' in webAcl) return webAcl.arn;
  if (Token.isUnresolved(scope.region) || scope.region !== 'us-east-1') {
    throw new Error('webAcl.rateLimitPer5Min creates a CLOUDFRONT web ACL, which must be in us-east-1: deploy this stack there, or create the ACL in us-east-1 and pass webAcl: { arn }');
  }
  const limit = webAcl.rateLimitPer5Min;
  if (!Number.isInteger(limit) || limit < 10 || limit > 2_000_000_000) throw new Error(`webAcl.rateLimitPer5Min must be an integer from 10 to 2,000,000,000, not ${limit}`);
  const visibility = (metricName: string): CfnWebACL.VisibilityConfigProperty => ({ cloudWatchMetricsEnabled: true, metricName, sampledRequestsEnabled: true });
  const acl = new CfnWebACL(scope, 'WebAcl', {
    scope: 'CLOUDFRONT',
    description: 'Support chat: requests per client IP over 5 minutes',
    defaultAction: { allow: {} },
    visibilityConfig: visibility('SupportChatWebAcl'),
    customResponseBodies: { tooManyRequests: { contentType: 'APPLICATION_JSON', content: JSON.stringify({ error: 'Too many requests' }) } },
    rules: [
      {
        name: 'RatePerIp',
        priority: 0,
        // 429 in the project's envelope rather than WAF's bare 403.
        action: { block: { customResponse: { responseCode: 429, customResponseBodyKey: 'tooManyRequests' } } },
        statement: { rateBasedStatement: { limit, aggregateKeyType: 'IP', evaluationWindowSec: 300 } },
        visibilityConfig: visibility('SupportChatRatePerIp'),
      },
    ],
  });
  return acl.attrArn;
}
