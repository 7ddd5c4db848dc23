import { connectionsTableRef, defaultDeps, resolveDeps, type DepsSource } from '../../lib/deps';
import { putConnection } from '../../lib/entities/connection';
import { routes } from '../../lib/routes';
import { principalOf, type WsEvent, type WsResponse } from '../../lib/ws/route';

/** $connect: the authorizer has admitted an admin; record the connection for fan-out. */
export const makeHandler =
  (source: DepsSource = defaultDeps) =>
  async (event: WsEvent): Promise<WsResponse> => {
    const deps = resolveDeps(source);
    const principal = principalOf(event);
    if (!principal || principal.kind !== routes.wsConnect.auth) return { statusCode: 403 };
    try {
      await putConnection(connectionsTableRef(deps), event.requestContext.connectionId, principal, deps.clock.now());
      return { statusCode: 200 };
    } catch (error) {
      deps.log.error('could not record connection', { error });
      return { statusCode: 500 };
    }
  };

export const handler = makeHandler();
