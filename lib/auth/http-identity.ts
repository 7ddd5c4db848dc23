import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { chatTableRef, type Deps } from '../deps';
import type { Principal } from '../entities/principal';
import { hashToken, looksLikeToken, resolveToken } from '../entities/token';
import { ForbiddenError, ServiceUnavailableError, UnauthorizedError } from '../errors';
import { originVerified } from '../http/origin';
import type { RouteAuth } from '../routes';
import { tokenFromAuthorizationHeader } from './context';

/**
 * Where an HTTP request is authenticated: httpRoute (lib/http/route.ts) calls
 * this before it reads any input, for every route of the manifest. There is no
 * API Gateway authorizer on the HTTP API (docs/ARCHITECTURE.md, "Authentication"):
 * an HTTP API authorizer either runs on every request (an extra Lambda
 * invocation) or caches by an identity source, and a request without that
 * source gets API Gateway's own 401 body instead of the project's
 * {"error": "Unauthorized"} (README "Send Message").
 *
 * The checks, in order, each answered in the project's envelope:
 * 1. x-origin-verify is not one CloudFront sends (README "Origin check"): 403, with no token read,
 *    so a flood that bypasses CloudFront costs no DynamoDB request.
 * 2. No `Authorization: Token <token>`, or a value that cannot be a token: 401, with no read.
 * 3. The token's hash is in this instance's identity cache (deps.identities), or a consistent
 *    GetItem finds it (then it is cached for at most limits.identityCacheTtlSeconds): else 401.
 *    A failed read is 503: the caller is not anonymous, we just cannot tell.
 * 4. The principal is not of the route's kind: 403.
 */
export async function authenticateHttpRequest(auth: RouteAuth, event: APIGatewayProxyEventV2, deps: Deps): Promise<Principal> {
  if (!originVerified(event.headers, deps.originSecrets)) throw new ForbiddenError();
  const principal = await principalOfToken(tokenFromAuthorizationHeader(event.headers?.authorization), deps);
  if (principal.kind !== auth) throw new ForbiddenError(`This endpoint requires ${auth === 'admin' ? 'an admin' : 'a store'} token`);
  return principal;
}

async function principalOfToken(token: string | undefined, deps: Deps): Promise<Principal> {
  if (!token || !looksLikeToken(token)) throw new UnauthorizedError();
  const hash = hashToken(token);
  const cached = deps.identities?.get(hash);
  if (cached) return cached;
  let principal: Principal | undefined;
  try {
    principal = await resolveToken(chatTableRef(deps), token);
  } catch (error) {
    deps.log.error('token lookup failed', { error });
    throw new ServiceUnavailableError('Authentication is temporarily unavailable');
  }
  // Not cached when unknown: a token issued a moment ago must work on the next request.
  if (!principal) throw new UnauthorizedError();
  deps.identities?.set(hash, principal);
  return principal;
}
