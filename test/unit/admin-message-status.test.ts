import { deriveStatus } from '../../lib/chat/status';
import type { Receipts } from '../../lib/entities/receipts';
import type { Entry } from '../../lib/entities/session';

/** README "Message status": an admin message's status as the store sees it, seed 000's rule mirrored. */
const created = '2026-01-01T10:00:00.000Z';
const fetched = '2026-01-01T10:05:00.000Z';
const readAt = '2026-01-01T10:06:00.000Z';
const adminMessage = (delivery: 'sent' | 'delivered') =>
  ({ id: 5_000_003, seq: 3, session: { id: 5 }, sender_type: 'admin', sender_id: 2, created, delivery }) as unknown as Entry;
const none: Receipts = { admin_read: undefined, admin_delivered: undefined, store_read: undefined, store_delivered: undefined };
const statusOf = (delivery: 'sent' | 'delivered', receipts: Partial<Receipts>) =>
  deriveStatus(adminMessage(delivery), { receipts: { ...none, ...receipts }, eligibleAdminConnectedAt: undefined });

describe("an admin message's status", () => {
  it('is delivered from its sending when the store held a socket then, whatever a later fetch says', () => {
    const status = statusOf('delivered', { store_delivered: { upto: 5_000_003, at: fetched } });

    expect(status).toEqual({ status: 'delivered', updated: created, readAt: null });
  });

  it('stays sent while the store had no socket and has not fetched it, and turns delivered at the fetch', () => {
    expect(statusOf('sent', {})).toEqual({ status: 'sent', updated: created, readAt: null });
    expect(statusOf('sent', { store_delivered: { upto: 5_000_003, at: fetched } })).toEqual({ status: 'delivered', updated: fetched, readAt: null });
  });

  it('is read once the store marked it read, delivered at sending or not', () => {
    const receipts: Partial<Receipts> = { store_read: { upto: 5_000_004, at: readAt } };

    expect(statusOf('delivered', receipts)).toEqual({ status: 'read', updated: readAt, readAt });
    expect(statusOf('sent', receipts)).toEqual({ status: 'read', updated: readAt, readAt });
  });
});
