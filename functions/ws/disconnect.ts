import { connectionsTableRef, defaultDeps, resolveDeps, type DepsSource } from '../../lib/deps';
import { deleteConnection } from '../../lib/entities/connection';
import type { WsEvent, WsResponse } from '../../lib/ws/route';

/** $disconnect: forget the connection. Best effort; the TTL sweeps anything missed. */
export const makeHandler =
  (source: DepsSource = defaultDeps) =>
  async (event: WsEvent): Promise<WsResponse> => {
    const deps = resolveDeps(source);
    try {
      await deleteConnection(connectionsTableRef(deps), event.requestContext.connectionId);
    } catch (error) {
      deps.log.warn('could not delete connection', { error });
    }
    return { statusCode: 200 };
  };

export const handler = makeHandler();
