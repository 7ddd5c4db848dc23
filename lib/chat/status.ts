import type { Entry } from '../entities/session';
import type { Receipts, Watermark } from '../entities/receipts';

export type MessageStatus = 'sent' | 'delivered' | 'read';

export interface DerivedStatus {
  status: MessageStatus;
  updated: string;
  readAt: string | null;
}

export interface StatusContext {
  receipts: Receipts;
  /** Last connect of an admin who should receive the session's store messages. */
  eligibleAdminConnectedAt: string | undefined;
}

const covers = (mark: Watermark | undefined, id: number): mark is Watermark => mark !== undefined && id <= mark.upto;
const later = (a: string, b: string) => (a > b ? a : b);
const read = (at: string): DerivedStatus => ({ status: 'read', updated: at, readAt: at });

/**
 * A message's status as its recipient sees it, from the session's watermarks:
 * store messages are read or delivered by admins, admin messages by the store.
 * A message the recipient's side held a socket for at send time is
 * delivered from then on; a store message also counts as delivered once an
 * eligible admin connected after it was sent. `updated` is when the status
 * last changed.
 */
export function deriveStatus(entry: Entry, context: StatusContext): DerivedStatus {
  const { receipts } = context;
  if (entry.sender_type === 'store') {
    if (covers(receipts.admin_read, entry.id)) return read(later(entry.created, receipts.admin_read.at));
    if (entry.delivery === 'delivered') return { status: 'delivered', updated: entry.created, readAt: null };
    if (covers(receipts.admin_delivered, entry.id)) return { status: 'delivered', updated: later(entry.created, receipts.admin_delivered.at), readAt: null };
    const connected = context.eligibleAdminConnectedAt;
    if (connected !== undefined && connected >= entry.created) return { status: 'delivered', updated: connected, readAt: null };
    return { status: 'sent', updated: entry.created, readAt: null };
  }
  if (entry.sender_type === 'admin') {
    if (covers(receipts.store_read, entry.id)) return read(later(entry.created, receipts.store_read.at));
    // The mirror of the store side: delivered at send time when the store held a socket (README "Message status").
    if (entry.delivery === 'delivered') return { status: 'delivered', updated: entry.created, readAt: null };
    if (covers(receipts.store_delivered, entry.id)) return { status: 'delivered', updated: later(entry.created, receipts.store_delivered.at), readAt: null };
  }
  return { status: entry.delivery, updated: entry.created, readAt: null };
}
