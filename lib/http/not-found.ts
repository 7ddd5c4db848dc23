import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { Deps } from '../deps';
import { AppError, ForbiddenError, NotFoundError } from '../errors';
import { httpRoutes, type HttpMethod } from '../routes';
import { originVerified } from './origin';
import { errorResponse, type HttpResponse } from './respond';
import { HttpRouter } from './router';

/** Every method a client may try; an ANY route would accept them all. */
const everyMethod: readonly string[] = ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT'];

export class MethodNotAllowedError extends AppError {
  constructor(allowed: readonly string[]) {
    super(405, 'Method not allowed', { headers: { Allow: allowed.join(', ') } });
  }
}

/** The manifest's routes, matched exactly as the HTTP API and the local gateway match them. */
const manifestRouter = new HttpRouter<HttpMethod>(httpRoutes.map((route) => ({ method: route.method, path: route.path, target: route.method })));

/**
 * The error for a request no route took: 405 with `Allow` when some route has
 * the path under another method, otherwise 404. An OPTIONS preflight is such
 * a request too: the API does not answer CORS (README, "API reference").
 */
export function unmatchedRequestError(path: string, router: HttpRouter<unknown> = manifestRouter): AppError {
  const allowed = router.allowedMethods(path, everyMethod);
  return allowed.length > 0 ? new MethodNotAllowedError(allowed) : new NotFoundError('Not found');
}

/** The `$default` route's answer; no token needed, but only through CloudFront. */
export function notFoundResponse(deps: Deps, event: APIGatewayProxyEventV2): HttpResponse {
  const log = deps.log.child({ route: '$default', requestId: event.requestContext?.requestId });
  if (!originVerified(event.headers, deps.originSecrets)) return errorResponse(new ForbiddenError(), log);
  return errorResponse(unmatchedRequestError(event.rawPath ?? event.requestContext?.http?.path ?? '/'), log);
}
