import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { toAuthContext } from '../../lib/auth/context';
import { chatTableRef, defaultDeps, resolveDeps, type DepsSource } from '../../lib/deps';
import { hashToken, resolveToken } from '../../lib/entities/token';
import { routes, wsAdmits } from '../../lib/routes';
import { offeredSubprotocols, tokensFromSubprotocols } from '../../lib/ws/protocol';

const policy = (principalId: string, effect: 'Allow' | 'Deny', resource: string) => ({
  principalId,
  policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: effect, Resource: resource }] },
});

/**
 * The token of a $connect: a `token.<token>` subprotocol (what browsers can
 * send) or `?token=`. Two different tokens, or two `token.` entries, are
 * ambiguous and refused. Never logged: it is a secret.
 */
function tokenOf(event: APIGatewayRequestAuthorizerEvent): string | undefined {
  const offered = tokensFromSubprotocols(offeredSubprotocols(event.headers));
  const query = event.queryStringParameters?.token;
  if (offered.length > 1) return undefined;
  const fromHeader = offered[0];
  if (fromHeader !== undefined && query !== undefined && query !== fromHeader) return undefined;
  return fromHeader ?? query;
}

/**
 * $connect authorizer. It has no identity source (infra/stack.ts), so it runs
 * for every handshake and reads the token from either place itself. Unknown
 * tokens get 401; admins and stores (routes.wsConnect.auth, README "Store
 * WebSocket") are admitted with their id and the token's SHA-256 in context:
 * $connect records the hash so that revoking the token closes the socket.
 */
export const makeHandler =
  (source: DepsSource = defaultDeps) =>
  async (event: APIGatewayRequestAuthorizerEvent): Promise<APIGatewayAuthorizerResult> => {
    const deps = resolveDeps(source);
    const token = tokenOf(event);
    // API Gateway maps this exact message to a 401.
    if (!token) throw new Error('Unauthorized');
    const principal = await resolveToken(chatTableRef(deps), token);
    if (!principal) throw new Error('Unauthorized');
    if (!wsAdmits(routes.wsConnect.auth, principal.kind)) return policy(`${principal.kind}:${principal.id}`, 'Deny', event.methodArn);
    return {
      ...policy(`${principal.kind}:${principal.id}`, 'Allow', event.methodArn),
      context: { ...toAuthContext(principal), token_hash: hashToken(token) },
    };
  };

export const handler = makeHandler();
