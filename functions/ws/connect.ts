import { tokenHashFromContext } from '../../lib/auth/context';
import { isoTime } from '../../lib/clock';
import { chatTableRef, connectionsTableRef, defaultDeps, resolveDeps, type DepsSource } from '../../lib/deps';
import { putConnection } from '../../lib/entities/connection';
import { recordAdminConnected } from '../../lib/entities/admin-presence';
import { limits } from '../../lib/limits';
import { enforceConnectionCap } from '../../lib/realtime/disconnect';
import { routes, wsAdmits } from '../../lib/routes';
import { chatSubprotocol, offeredSubprotocols, subprotocolHeader } from '../../lib/ws/protocol';
import { principalOf, type WsEvent, type WsResponse } from '../../lib/ws/route';

/**
 * $connect: the authorizer has admitted an admin or a store. Record the
 * connection (with the token's hash, so revoking the token closes it) for
 * fan-out, stamp an admin's presence, and close the principal's oldest
 * connections past the cap. A store's presence needs no stamp: its connection
 * row is the presence (`sender_online` in lib/chat/history.ts). Nothing is
 * pushed, so coming online never floods the socket (the client fetches its
 * notifications or history instead). README "Admin WebSocket", "Store
 * WebSocket", "Limits".
 */
export const makeHandler =
  (source: DepsSource = defaultDeps) =>
  async (event: WsEvent): Promise<WsResponse> => {
    const deps = resolveDeps(source);
    const principal = principalOf(event);
    if (!principal || !wsAdmits(routes.wsConnect.auth, principal.kind)) return { statusCode: 403 };
    // A client that offers subprotocols fails the handshake unless one is echoed; ours is chat.v1.
    const offered = offeredSubprotocols(event.headers);
    if (offered.length > 0 && !offered.includes(chatSubprotocol)) return { statusCode: 400 };
    const log = deps.log.child({ route: routes.wsConnect.name, connectionId: event.requestContext.connectionId });
    const connections = connectionsTableRef(deps);
    try {
      const now = deps.clock.now();
      const [own] = await Promise.all([
        putConnection(connections, event.requestContext.connectionId, principal, now, tokenHashFromContext(event.requestContext.authorizer)),
        principal.kind === 'admin' ? recordAdminConnected(chatTableRef(deps), principal.id, isoTime(now)) : Promise.resolve(),
      ]);
      try {
        const { failed } = await enforceConnectionCap(connections, deps.push, principal, own, limits.connectionsPerPrincipal);
        // Kept rows are retried by the next connect; the TTL ends them in any case.
        if (failed > 0) log.warn('could not close connections over the cap', { failed });
      } catch (error) {
        log.warn('could not enforce the connection cap', { error });
      }
      return offered.length > 0 ? { statusCode: 200, headers: { [subprotocolHeader]: chatSubprotocol } } : { statusCode: 200 };
    } catch (error) {
      log.error('could not record connection', { error });
      return { statusCode: 500 };
    }
  };

export const handler = makeHandler();
