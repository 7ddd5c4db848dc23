import { createHash } from 'node:crypto';
import type { Entry } from '../entities/session';

/**
 * Idempotent sends without a second table, a second write or a second read.
 * Every log entry carries `recent`: the last `windowSize` client message ids
 * seen in the conversation, each as "<8-char hash>.<message id, base 36>",
 * newest first. The entry is the head every send reads anyway, so a retry is
 * recognised for free, and two copies racing for the same slot meet at the
 * conditional put: the loser reads the winner's window and finds itself.
 * A new session's first entry inherits the window of the session before it.
 */
export const windowSize = 20;

export interface ClientIdentity {
  sender_type: 'store' | 'admin';
  sender_id: number;
  client_message_id: string;
}

/** 48 bits: collisions are harmless (the original is fetched and compared) and rare within 20. */
export function idHash(identity: ClientIdentity): string {
  return createHash('sha256').update(`${identity.sender_type}:${identity.sender_id}:${identity.client_message_id}`).digest('base64url').slice(0, 8);
}

/** The message id a window remembers for this identity, if any. */
export function remembered(recent: readonly string[] | undefined, identity: ClientIdentity): number | undefined {
  const hash = idHash(identity);
  for (const record of recent ?? []) {
    const dot = record.indexOf('.');
    if (record.slice(0, dot) === hash) return parseInt(record.slice(dot + 1), 36);
  }
  return undefined;
}

/** The window the next entry carries. */
export function nextWindow(recent: readonly string[] | undefined, identity: ClientIdentity | undefined, messageId: number): string[] {
  const carried = [...(recent ?? [])];
  return identity ? [`${idHash(identity)}.${messageId.toString(36)}`, ...carried].slice(0, windowSize) : carried;
}

/** Whether a stored entry is the message this identity sent (and not a hash collision). */
export function isSameSender(entry: Entry, identity: ClientIdentity): boolean {
  return entry.sender_type === identity.sender_type && entry.sender_id === identity.sender_id && entry.client_message_id === identity.client_message_id;
}
