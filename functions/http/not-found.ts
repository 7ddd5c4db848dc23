import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { defaultDeps, resolveDeps, type DepsSource } from '../../lib/deps';
import { notFoundResponse } from '../../lib/http/not-found';
import type { HttpResponse } from '../../lib/http/respond';

/** The HTTP API's $default route: 404 for an unknown path, 405 with Allow for a known path and another method. */
export const makeHandler =
  (deps: DepsSource = defaultDeps) =>
  (event: APIGatewayProxyEventV2): Promise<HttpResponse> =>
    Promise.resolve(notFoundResponse(resolveDeps(deps), event));

export const handler = makeHandler();
