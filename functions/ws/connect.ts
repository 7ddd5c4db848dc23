import { isoTime } from '../../lib/clock';
import { chatTableRef, connectionsTableRef, defaultDeps, resolveDeps, type DepsSource } from '../../lib/deps';
import { putConnection } from '../../lib/entities/connection';
import { recordAdminConnected } from '../../lib/entities/presence';
import { routes } from '../../lib/routes';
import { principalOf, type WsEvent, type WsResponse } from '../../lib/ws/route';

/**
 * $connect: the authorizer has admitted an admin. Record the connection for
 * fan-out and stamp the admin's presence; nothing is pushed, so coming online
 * never floods the socket (the client fetches its notifications instead).
 */
export const makeHandler =
  (source: DepsSource = defaultDeps) =>
  async (event: WsEvent): Promise<WsResponse> => {
    const deps = resolveDeps(source);
    const principal = principalOf(event);
    if (!principal || principal.kind !== routes.wsConnect.auth) return { statusCode: 403 };
    try {
      const now = deps.clock.now();
      await Promise.all([
        putConnection(connectionsTableRef(deps), event.requestContext.connectionId, principal, now),
        recordAdminConnected(chatTableRef(deps), principal.id, isoTime(now)),
      ]);
      return { statusCode: 200 };
    } catch (error) {
      deps.log.error('could not record connection', { error });
      return { statusCode: 500 };
    }
  };

export const handler = makeHandler();
