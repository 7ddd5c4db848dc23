import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { toAuthContext } from '../../lib/auth/context';
import { chatTableRef, defaultDeps, resolveDeps, type DepsSource } from '../../lib/deps';
import { resolveToken } from '../../lib/entities/token';
import { routes } from '../../lib/routes';

const policy = (principalId: string, effect: 'Allow' | 'Deny', resource: string) => ({
  principalId,
  policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: effect, Resource: resource }] },
});

/**
 * $connect authorizer. Browsers cannot set headers on a WebSocket, so the
 * token comes as ?token=. Unknown tokens get 401, a valid token of the wrong
 * kind (a store) gets 403, and admins are admitted with their id in context.
 */
export const makeHandler =
  (source: DepsSource = defaultDeps) =>
  async (event: APIGatewayRequestAuthorizerEvent): Promise<APIGatewayAuthorizerResult> => {
    const deps = resolveDeps(source);
    const token = event.queryStringParameters?.token;
    // API Gateway maps this exact message to a 401.
    if (!token) throw new Error('Unauthorized');
    const principal = await resolveToken(chatTableRef(deps), token);
    if (!principal) throw new Error('Unauthorized');
    if (principal.kind !== routes.wsConnect.auth) return policy(`${principal.kind}:${principal.id}`, 'Deny', event.methodArn);
    return { ...policy(`${principal.kind}:${principal.id}`, 'Allow', event.methodArn), context: toAuthContext(principal) };
  };

export const handler = makeHandler();
