import { createHash } from 'node:crypto';
import type { Entry, RecentIds } from '../entities/session';

/**
 * Idempotent sends without a second table, a second write or a second read.
 * Every log entry carries `recent`: the conversation's latest client message
 * ids, one list per sender type, each id as "<6-char hash>.<message id, base
 * 36>", newest first. The entry is the head every send reads anyway, so a
 * retry is recognised for free, and two copies racing for the same slot meet
 * at the conditional put: the loser reads the winner's window and finds
 * itself. A new session's first entry inherits the session before it.
 */

/** A store's batch holds at most 20, so a retried batch is always recognised; admins send one at a time. */
export const windowSizes = { store: 20, admin: 8 } as const;

export interface ClientIdentity {
  sender_type: 'store' | 'admin';
  sender_id: number;
  client_message_id: string;
}

/** 36 bits: a collision costs one extra read (the original is fetched and compared), never a wrong answer. */
export function idHash(identity: ClientIdentity): string {
  return createHash('sha256').update(`${identity.sender_type}:${identity.sender_id}:${identity.client_message_id}`).digest('base64url').slice(0, 6);
}

/** The message id a window remembers for this identity, if any. */
export function remembered(recent: RecentIds | undefined, identity: ClientIdentity): number | undefined {
  const hash = idHash(identity);
  for (const record of recent?.[identity.sender_type] ?? []) {
    const dot = record.indexOf('.');
    if (record.slice(0, dot) === hash) return parseInt(record.slice(dot + 1), 36);
  }
  return undefined;
}

/** The window the next entry carries. */
export function nextWindow(recent: RecentIds | undefined, identity: ClientIdentity | undefined, messageId: number): RecentIds {
  const next: RecentIds = {};
  for (const side of ['store', 'admin'] as const) {
    const carried = recent?.[side] ?? [];
    const list = identity?.sender_type === side ? [`${idHash(identity)}.${messageId.toString(36)}`, ...carried].slice(0, windowSizes[side]) : carried;
    if (list.length > 0) next[side] = list;
  }
  return next;
}

/** Whether a stored entry is the message this identity sent (and not a hash collision). */
export function isSameSender(entry: Entry, identity: ClientIdentity): boolean {
  return entry.sender_type === identity.sender_type && entry.sender_id === identity.sender_id && entry.client_message_id === identity.client_message_id;
}
