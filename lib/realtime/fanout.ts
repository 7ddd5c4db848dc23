import type { Clock } from '../clock';
import { connectionsTableRef, type Deps } from '../deps';
import { deleteConnection, listAdminConnections, listPrincipalConnections, type Connection } from '../entities/connection';
import { limits } from '../limits';
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
 * A store's connections (README "Store WebSocket"): one index query on its own
 * audience, `store#<id>`, so nothing about one store reaches another.
 */
export async function storeAudience(deps: Deps, storeId: number): Promise<Connection[]> {
  try {
    return await listPrincipalConnections(connectionsTableRef(deps), { kind: 'store', id: storeId });
  } catch (error) {
    // As for admins: best effort, the message still lands, marked "sent".
    deps.log.warn('could not list store connections', { storeId, error });
    return [];
  }
}

/** A request's audience reads: the admins who see a session with an assignee, and a store. */
export interface Audiences {
  admins(adminId: number | null): Promise<Connection[]>;
  store(storeId: number): Promise<Connection[]>;
}

/**
 * sessionAudience and storeAudience, per key for a whole request, under one freshness rule
 * (README "Coming online and reconnecting"): a read is reused while it is at
 * most limits.audienceFreshMs old, measured from the start of its query, and
 * read again at the next use past that. A send uses it twice, for the
 * delivery status before the commit and for the pushes after it; a commit
 * within the limit of the read pushes to that same list at no cost, while a
 * slower one (a slow put, the append loop's retries, a long batch) pushes to
 * a list read after its commit. So every connection registered (and visible
 * in the index) at least that long before a commit gets the push. The status
 * stays what the entry says: only a send slower than the limit may push to a
 * list other than the one its status was decided on.
 */
export function audienceCache(deps: Deps): Audiences {
  return {
    admins: freshReads(deps.clock, limits.audienceFreshMs, (adminId: number | null) => sessionAudience(deps, adminId)),
    store: freshReads(deps.clock, limits.audienceFreshMs, (storeId: number) => storeAudience(deps, storeId)),
  };
}

/**
 * Who is pushed a new message of a session: the admins who see it (seed 000's
 * rule), and for an admin's or a system message also the session's store. The
 * two reads are independent queries, issued together: one round trip.
 */
export async function messageAudience(
  audiences: Audiences,
  session: { admin_id: number | null; store_id: number },
  senderType: 'store' | 'admin' | 'system',
): Promise<{ admins: Connection[]; store: Connection[] }> {
  const [admins, store] = await Promise.all([
    audiences.admins(session.admin_id),
    senderType === 'store' ? Promise.resolve([]) : audiences.store(session.store_id),
  ]);
  return { admins, store };
}

/**
 * One read per key, reused while it is at most `maxAgeMs` old (from when it
 * started, by `clock`) and started again at the first use past that. Uses
 * while a read is in flight share it.
 */
export function freshReads<K, V>(clock: Clock, maxAgeMs: number, read: (key: K) => Promise<V>): (key: K) => Promise<V> {
  const reads = new Map<K, { startedMs: number; value: Promise<V> }>();
  return (key) => {
    const now = clock.now();
    const found = reads.get(key);
    if (found && now - found.startedMs <= maxAgeMs) return found.value;
    const value = read(key);
    reads.set(key, { startedMs: now, value });
    return value;
  };
}

/** Events that change every admin's inbox go to all admins. */
export function allAdmins(deps: Deps): Promise<Connection[]> {
  return sessionAudience(deps, null);
}
