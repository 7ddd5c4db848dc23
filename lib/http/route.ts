import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { authenticateHttpRequest } from '../auth/http-identity';
import { resolveDeps, type Deps, type DepsSource } from '../deps';
import type { Principal } from '../entities/principal';
import { PayloadTooLargeError } from '../errors';
import { limits } from '../limits';
import type { Logger } from '../log';
import type { HttpRouteSpec } from '../routes';
import { errorResponse, jsonResponse, type HttpResponse } from './respond';

export interface HttpContext {
  deps: Deps;
  principal: Principal;
  event: APIGatewayProxyEventV2;
  log: Logger;
}

/**
 * Wraps an endpoint: authenticate (authenticateHttpRequest in lib/auth/http-identity.ts,
 * before any input is read), run, and map the result or any error to a response
 * through the one shared mapper. Handlers never build responses.
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
      const principal = await authenticateHttpRequest(spec.auth, event, deps);
      // Every route, whether or not it reads its body.
      if (event.body && Buffer.byteLength(event.body, event.isBase64Encoded ? 'base64' : 'utf8') > limits.httpBodyMaxBytes) throw new PayloadTooLargeError();
      const result = await run({ deps, principal, event, log });
      return jsonResponse(200, result);
    } catch (error) {
      return errorResponse(error, log);
    }
  };
}
