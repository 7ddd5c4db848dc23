import type { TableRef } from '../db/types';
import { deleteConnection, listPrincipalConnections, type Connection } from '../entities/connection';
import type { Principal } from '../entities/principal';
import type { Pusher } from './push';

export interface Closed {
  /** Closed now, or already gone (410); their rows are deleted. */
  closed: number;
  /** @connections failed: the socket may still be open, so its row is kept. */
  failed: number;
}

/**
 * Closes each connection through `DELETE @connections/{id}` and deletes its
 * row, so the rows keep saying who is online (README "Limits", "Rotating tokens").
 */
export async function closeConnections(ref: TableRef, pusher: Pick<Pusher, 'disconnect'>, connections: readonly Connection[]): Promise<Closed> {
  const outcomes = await Promise.all(
    connections.map(async (connection) => {
      if ((await pusher.disconnect(connection.connection_id)) === 'failed') return false;
      await deleteConnection(ref, connection.connection_id);
      return true;
    }),
  );
  const closed = outcomes.filter(Boolean).length;
  return { closed, failed: outcomes.length - closed };
}

/** A principal's connections opened with one token (by its SHA-256). */
export async function closeTokenConnections(ref: TableRef, pusher: Pick<Pusher, 'disconnect'>, principal: Principal, tokenHash: string): Promise<Closed> {
  const connections = await listPrincipalConnections(ref, principal);
  return closeConnections(
    ref,
    pusher,
    connections.filter((connection) => connection.token_hash === tokenHash),
  );
}

const newestFirst = (a: Connection, b: Connection) => b.connected_at.localeCompare(a.connected_at) || b.connection_id.localeCompare(a.connection_id);

/**
 * The connections to close so that `own` and at most `cap - 1` others remain:
 * the oldest. `own` is never picked, and counts even if the index does not
 * list it yet (a GSI is eventually consistent).
 */
export function connectionsOverCap(listed: readonly Connection[], own: Connection, cap: number): Connection[] {
  return listed
    .filter((connection) => connection.connection_id !== own.connection_id)
    .sort(newestFirst)
    .slice(Math.max(0, cap - 1));
}

/**
 * Run by $connect after it recorded `own`: closes the principal's oldest
 * connections past the cap. Every connect trims after writing its own row, so
 * once concurrent connects have finished, the last one to list saw every row
 * and at most `cap` remain.
 */
export async function enforceConnectionCap(ref: TableRef, pusher: Pick<Pusher, 'disconnect'>, principal: Principal, own: Connection, cap: number): Promise<Closed> {
  const listed = await listPrincipalConnections(ref, principal);
  return closeConnections(ref, pusher, connectionsOverCap(listed, own, cap));
}
