import type { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { originVerifyHeader } from '../../lib/http/origin';
import { authorizers, httpCatchAll, httpRoutes, routes, wsRoutes } from '../../lib/routes';
import { ChatStack } from '../../infra/stack';
import { logicalIdOf, resourceOf, resourcesOf, testApp, type Ref } from './synth';

/** README "Origin check", "Throttling" and the API reference's 404/405: what the template must hold. */

interface RouteProps {
  ApiId: Ref;
  RouteKey: string;
  AuthorizationType?: string;
  AuthorizerId?: Ref;
}
interface FunctionProps {
  Description: string;
  Environment: { Variables: Record<string, unknown> };
  ReservedConcurrentExecutions?: number;
}
interface DistributionProps {
  DistributionConfig: { Origins: { CustomOriginConfig?: unknown; OriginCustomHeaders?: { HeaderName: string; HeaderValue: unknown }[] }[]; WebACLId?: unknown };
}

const synth = (props: ConstructorParameters<typeof ChatStack>[2] = {}, app: App = testApp({ bundle: false })) => {
  const stack = new ChatStack(app, 'SupportChat', props);
  return { stack, template: Template.fromStack(stack) };
};

const secretRef = (secretId: string) => ({ 'Fn::Join': ['', ['{{resolve:secretsmanager:', { Ref: secretId }, ':SecretString:::}}']] });

function functionEnv(template: Template, stack: ChatStack, name: string): Record<string, unknown> {
  return resourceOf<FunctionProps>(template, 'AWS::Lambda::Function', logicalIdOf(stack.functions.get(name)!)).Properties.Environment.Variables;
}

function originHeaders(template: Template) {
  const [distribution] = Object.values(resourcesOf<DistributionProps>(template, 'AWS::CloudFront::Distribution'));
  return distribution!.Properties.DistributionConfig.Origins[0]!.OriginCustomHeaders ?? [];
}

describe('the $default route', () => {
  const { stack, template } = synth();

  it('exists on the HTTP API without an authorizer and reaches the not-found function', () => {
    const apiId = logicalIdOf(stack.httpApi);
    const [route] = Object.values(resourcesOf<RouteProps>(template, 'AWS::ApiGatewayV2::Route')).filter(
      (r) => r.Properties.ApiId.Ref === apiId && r.Properties.RouteKey === '$default',
    );

    expect(route).toBeDefined();
    expect(route!.Properties.AuthorizationType ?? 'NONE').toBe('NONE');
    expect(route!.Properties.AuthorizerId).toBeUndefined();
    template.hasResourceProperties('AWS::Lambda::Function', { Description: httpCatchAll.handler });
  });

  it('does not make the HTTP API answer CORS preflights itself: OPTIONS reaches $default', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', { ProtocolType: 'HTTP', CorsConfiguration: Match.absent() });
  });
});

describe('the origin check', () => {
  const { stack, template } = synth();
  const secretIds = Object.keys(resourcesOf(template, 'AWS::SecretsManager::Secret'));
  const secretId = secretIds.find((id) => id.startsWith('OriginVerifySecret1'))!;
  const nextId = secretIds.find((id) => id.startsWith('OriginVerifySecret2'))!;
  /** The comma-separated list the functions accept, as CloudFormation joins the dynamic references. */
  const acceptedRefs = (...ids: string[]) => ({
    'Fn::Join': ['', ids.flatMap((id, i) => [`${i === 0 ? '' : ':SecretString:::}},'}{{resolve:secretsmanager:`, { Ref: id }]).concat(':SecretString:::}}')],
  });

  it("generates the header value in Secrets Manager, and the next generation's, without punctuation (the accepted list is comma-separated)", () => {
    expect(secretIds).toHaveLength(2);
    expect(secretId).toBeDefined();
    expect(nextId).toBeDefined();
    template.hasResourceProperties('AWS::SecretsManager::Secret', { GenerateSecretString: Match.objectLike({ ExcludePunctuation: true, PasswordLength: 48 }) });
  });

  it('has CloudFront send it as x-origin-verify, by dynamic reference (resolved at deploy, never in the template)', () => {
    expect(originHeaders(template)).toEqual([{ HeaderName: originVerifyHeader, HeaderValue: secretRef(secretId) }]);
  });

  it('gives the current and the next value to every HTTP route function and the $default function only (each checks it before the token)', () => {
    for (const spec of [...httpRoutes, httpCatchAll]) expect(functionEnv(template, stack, spec.name).ORIGIN_VERIFY_SECRETS).toEqual(acceptedRefs(secretId, nextId));
    for (const spec of [...wsRoutes, authorizers.ws]) expect(functionEnv(template, stack, spec.name).ORIGIN_VERIFY_SECRETS).toBeUndefined();
  });

  it('rotates with originSecretGeneration: CloudFront sends the value the functions accepted one deployment earlier, and they keep the previous one', () => {
    const rotated = synth({ originSecretGeneration: 2 });
    const ids = Object.keys(resourcesOf(rotated.template, 'AWS::SecretsManager::Secret'));
    const current = ids.find((id) => id.startsWith('OriginVerifySecret2'))!;
    const previous = ids.find((id) => id.startsWith('OriginVerifySecret1'))!;
    const next = ids.find((id) => id.startsWith('OriginVerifySecret3'))!;

    // Each generation keeps its logical id, so its value survives the rotation: the new current one is
    // the "next" the functions already accepted, so neither side has to update first.
    expect(previous).toBe(secretId);
    expect(current).toBe(nextId);
    expect(ids).toHaveLength(3);
    expect(originHeaders(rotated.template)).toEqual([{ HeaderName: originVerifyHeader, HeaderValue: secretRef(current) }]);
    expect(functionEnv(rotated.template, rotated.stack, routes.storeSendMessage.name).ORIGIN_VERIFY_SECRETS).toEqual(acceptedRefs(current, previous, next));
  });
});

describe('the optional web ACL', () => {
  it('is absent by default', () => {
    const { template } = synth();

    template.resourceCountIs('AWS::WAFv2::WebACL', 0);
    expect(Object.values(resourcesOf<DistributionProps>(template, 'AWS::CloudFront::Distribution'))[0]!.Properties.DistributionConfig.WebACLId).toBeUndefined();
  });

  it('attaches an existing ACL by ARN in any region', () => {
    const arn = 'arn:aws:wafv2:us-east-1:111122223333:global/webacl/chat/abc';
    const app = testApp({ bundle: false });
    const { template } = synth({ env: { account: '111122223333', region: 'eu-west-1' }, webAcl: { arn } }, app);

    template.hasResourceProperties('AWS::CloudFront::Distribution', { DistributionConfig: Match.objectLike({ WebACLId: arn }) });
  });

  it('creates a CLOUDFRONT ACL with a per-IP rate rule answering 429 in the envelope, in us-east-1', () => {
    const { template } = synth({ env: { account: '111122223333', region: 'us-east-1' }, webAcl: { rateLimitPer5Min: 2000 } });
    const [aclId] = Object.keys(resourcesOf(template, 'AWS::WAFv2::WebACL'));

    template.hasResourceProperties('AWS::WAFv2::WebACL', {
      Scope: 'CLOUDFRONT',
      DefaultAction: { Allow: {} },
      CustomResponseBodies: { tooManyRequests: { ContentType: 'APPLICATION_JSON', Content: '{"error":"Too many requests"}' } },
      Rules: [
        Match.objectLike({
          Action: { Block: { CustomResponse: { ResponseCode: 429, CustomResponseBodyKey: 'tooManyRequests' } } },
          Statement: { RateBasedStatement: { Limit: 2000, AggregateKeyType: 'IP', EvaluationWindowSec: 300 } },
        }),
      ],
    });
    template.hasResourceProperties('AWS::CloudFront::Distribution', { DistributionConfig: Match.objectLike({ WebACLId: { 'Fn::GetAtt': [aclId, 'Arn'] } }) });
  });

  it('refuses to create one outside us-east-1 or in an environment-agnostic stack, naming the arn option', () => {
    expect(() => synth({ env: { account: '111122223333', region: 'eu-west-1' }, webAcl: { rateLimitPer5Min: 2000 } })).toThrow(/us-east-1.*webAcl: \{ arn \}/);
    expect(() => synth({ webAcl: { rateLimitPer5Min: 2000 } })).toThrow(/us-east-1/);
  });
});

describe('reserved concurrency', () => {
  it('reserves none by default (README, "Throttling": new accounts could not deploy otherwise)', () => {
    const { template } = synth();

    for (const fn of Object.values(resourcesOf<FunctionProps>(template, 'AWS::Lambda::Function'))) expect(fn.Properties.ReservedConcurrentExecutions).toBeUndefined();
  });

  it('reserves what the reservedConcurrency prop names, on those functions only', () => {
    const { stack, template } = synth({ reservedConcurrency: { [routes.storeSendMessage.name]: 20, [routes.adminListSessions.name]: 40 } });

    const reserved = Object.fromEntries(
      [...stack.functions].flatMap(([name, fn]) => {
        const value = resourceOf<FunctionProps>(template, 'AWS::Lambda::Function', logicalIdOf(fn)).Properties.ReservedConcurrentExecutions;
        return value === undefined ? [] : [[name, value]];
      }),
    );
    expect(reserved).toEqual({ [routes.storeSendMessage.name]: 20, [routes.adminListSessions.name]: 40 });
  });

  it('refuses a name that is not a function', () => {
    expect(() => synth({ reservedConcurrency: { NoSuchFunction: 5 } })).toThrow(/NoSuchFunction/);
  });
});

