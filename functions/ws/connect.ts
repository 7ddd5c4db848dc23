import { tokenHashFromContext } from '../../lib/auth/context';
import { isoTime } from '../../lib/clock';
import { chatTableRef, connectionsTableRef, defaultDeps, resolveDeps, type DepsSource } from '../../lib/deps';
import { putConnection } from '../../lib/entities/connection';
import { recordAdminConnected } from '../../lib/entities/admin-presence';
import { limits } from '../../lib/limits';
import { enforceConnectionCap } from '../../lib/realtime/disconnect';
import { routes } from '../../lib/routes';
import { chatSubprotocol, offeredSubprotocols, subprotocolHeader } from '../../lib/ws/protocol';
import { principalOf, type WsEvent, type WsResponse } from '../../lib/ws/route';

/**
 * $connect: the authorizer has admitted an admin. Record the connection (with
 * the token's hash, so revoking the token closes it) for fan-out, stamp the
 * admin's presence, and close the admin's oldest connections past the cap.
 * Nothing is pushed, so coming online never floods the socket (the client
 * fetches its notifications instead). README "Admin WebSocket", "Limits".
 */
export const makeHandler =
  (source: DepsSource = defaultDeps) =>
  async (event: WsEvent): Promise<WsResponse> => {
    const deps = resolveDeps(source);
    const principal = principalOf(event);
    if (!principal || principal.kind !== routes.wsConnect.auth) return { statusCode: 403 };
    // A client that offers subprotocols fails the handshake unless one is echoed; ours is chat.v1.
    const offered = offeredSubprotocols(event.headers);
    if (offered.length > 0 && !offered.includes(chatSubprotocol)) return { statusCode: 400 };
    const log = deps.log.child({ route: routes.wsConnect.name, connectionId: event.requestContext.connectionId });
    const connections = connectionsTableRef(deps);
    try {
      const now = deps.clock.now();
      const [own] = await Promise.all([
        putConnection(connections, event.requestContext.connectionId, principal, now, tokenHashFromContext(event.requestContext.authorizer)),
        recordAdminConnected(chatTableRef(deps), principal.id, isoTime(now)),
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
