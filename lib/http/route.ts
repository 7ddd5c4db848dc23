import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { identityFromContext } from '../auth/context';
import { resolveDeps, type Deps, type DepsSource } from '../deps';
import type { Principal } from '../entities/principal';
import { ForbiddenError, PayloadTooLargeError, ServiceUnavailableError, UnauthorizedError } from '../errors';
import { limits } from '../limits';
import type { Logger } from '../log';
import type { HttpRouteSpec } from '../routes';
import { originRejected } from './origin';
import { errorResponse, jsonResponse, type HttpResponse } from './respond';

export interface HttpContext {
  deps: Deps;
  principal: Principal;
  event: APIGatewayProxyEventV2;
  log: Logger;
}

type EventWithLambdaAuthorizer = APIGatewayProxyEventV2 & {
  requestContext: { authorizer?: { lambda?: unknown } };
};

/** Authenticates against the route's declared principal kind; 401 before any input is read. */
export function requirePrincipal(spec: Pick<HttpRouteSpec, 'auth'>, event: APIGatewayProxyEventV2): Principal {
  const context = (event as EventWithLambdaAuthorizer).requestContext.authorizer?.lambda;
  // The authorizer saw no valid x-origin-verify header: the caller bypassed CloudFront (README, "Origin check").
  if (typeof context === 'object' && context !== null && (context as { origin?: unknown }).origin === originRejected) throw new ForbiddenError();
  const identity = identityFromContext(context);
  if (identity.kind === 'unavailable') throw new ServiceUnavailableError('Authentication is temporarily unavailable');
  if (identity.kind === 'anonymous') throw new UnauthorizedError();
  if (identity.principal.kind !== spec.auth) throw new ForbiddenError(`This endpoint requires ${spec.auth === 'admin' ? 'an admin' : 'a store'} token`);
  return identity.principal;
}

/**
 * Wraps an endpoint: authenticate, run, and map the result or any error to a
 * response through the one shared mapper. Handlers never build responses.
 */
export function httpRoute(
  spec: HttpRouteSpec,
  source: DepsSource,
  run: (ctx: HttpContext) => Promise<unknown>,
): (event: APIGatewayProxyEventV2) => Promise<HttpResponse> {
  return async (event) => {
    const deps = resolveDeps(source);
    const log = deps.log.child({ route: spec.name, requestId: event.requestContext?.requestId });
    try {
      const principal = requirePrincipal(spec, event);
      // Every route, whether or not it reads its body.
      if (event.body && Buffer.byteLength(event.body, event.isBase64Encoded ? 'base64' : 'utf8') > limits.httpBodyMaxBytes) throw new PayloadTooLargeError();
      const result = await run({ deps, principal, event, log });
      return jsonResponse(200, result);
    } catch (error) {
      return errorResponse(error, log);
    }
  };
}
