import type { APIGatewayRequestAuthorizerEventV2, APIGatewaySimpleAuthorizerWithContextResult } from 'aws-lambda';
import { toAuthContext, tokenFromAuthorizationHeader } from '../../lib/auth/context';
import { chatTableRef, defaultDeps, resolveDeps, type DepsSource } from '../../lib/deps';
import { resolveToken } from '../../lib/entities/token';
import { originRejected, originVerified } from '../../lib/http/origin';

type Result = APIGatewaySimpleAuthorizerWithContextResult<Record<string, string | number>>;

/**
 * Resolves "Authorization: Token <token>" to a principal for every HTTP route.
 * It never denies: an HTTP API cannot customise an authorizer's rejection,
 * and README "Send Message" requires {"error": "Unauthorized"}. The route wrapper turns
 * an anonymous or wrong-kind principal into 401/403 in the project envelope,
 * and a request that did not come through CloudFront (its x-origin-verify
 * header missing or wrong) into 403 {"error": "Forbidden"}.
 */
export const makeHandler =
  (source: DepsSource = defaultDeps) =>
  async (event: APIGatewayRequestAuthorizerEventV2): Promise<Result> => {
    const deps = resolveDeps(source);
    // Not through CloudFront: no token lookup (a direct flood costs no read); the wrapper answers 403.
    if (!originVerified(event.headers, deps.originSecrets)) return { isAuthorized: true, context: { principal_type: 'anonymous', origin: originRejected } };
    const token = tokenFromAuthorizationHeader(event.headers?.authorization);
    if (!token) return { isAuthorized: true, context: toAuthContext(undefined) };
    try {
      return { isAuthorized: true, context: toAuthContext(await resolveToken(chatTableRef(deps), token)) };
    } catch (error) {
      deps.log.error('token lookup failed', { error });
      return { isAuthorized: true, context: { principal_type: 'unavailable' } };
    }
  };

export const handler = makeHandler();
