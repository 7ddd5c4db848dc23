import { connectionsTableRef, type Deps } from '../deps';
import { deleteConnection, listAdminConnections, type Connection } from '../entities/connection';
import type { ServerEvent } from './events';

export interface FanOutReport {
  delivered: number;
  gone: number;
  failed: number;
}

/**
 * Pushes one event to many connections in parallel. A 410 means the socket is
 * gone: exactly that connection's row is deleted, and the delete is awaited.
 * Failures never propagate; the caller's write has already been committed.
 */
export async function fanOut(deps: Deps, connections: readonly Connection[], event: ServerEvent): Promise<FanOutReport> {
  const report: FanOutReport = { delivered: 0, gone: 0, failed: 0 };
  if (connections.length === 0) return report;
  const payload = JSON.stringify(event);
  await Promise.all(
    connections.map(async ({ connection_id: connectionId }) => {
      const outcome = await deps.push.send(connectionId, payload);
      report[outcome]++;
      if (outcome !== 'gone') return;
      try {
        await deleteConnection(connectionsTableRef(deps), connectionId);
      } catch (error) {
        deps.log.warn('could not delete stale connection', { connectionId, error });
      }
    }),
  );
  if (report.failed > 0) deps.log.warn('some pushes failed', { event: event.type, ...report });
  return report;
}

/** Admin connections that should see a session: all admins while unclaimed, the assignee once claimed. */
export async function sessionAudience(deps: Deps, adminId: number | null): Promise<Connection[]> {
  try {
    return await listAdminConnections(connectionsTableRef(deps), adminId ?? undefined);
  } catch (error) {
    // Presence is best effort: the message still lands, marked "sent".
    deps.log.warn('could not list admin connections', { adminId, error });
    return [];
  }
}

/**
 * sessionAudience, read once per assignee for a whole request: the delivery
 * status of a send's messages and their pushes use the same list.
 */
export function audienceCache(deps: Deps): (adminId: number | null) => Promise<Connection[]> {
  const audiences = new Map<number | null, Promise<Connection[]>>();
  return (adminId) => {
    let found = audiences.get(adminId);
    if (!found) audiences.set(adminId, (found = sessionAudience(deps, adminId)));
    return found;
  };
}

/** Events that change every admin's inbox go to all admins. */
export function allAdmins(deps: Deps): Promise<Connection[]> {
  return sessionAudience(deps, null);
}
