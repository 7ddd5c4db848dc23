import { isoTime } from '../clock';
import { messageId, type Entry, type SessionState } from '../entities/session';
import { nextWindow } from './idempotency';

/** What distinguishes one system entry from another; the rest follows from the entry before it. */
export type SystemFields = Pick<Entry, 'sender_id' | 'type'> & Partial<Pick<Entry, 'event' | 'from_admin_id'>>;

/**
 * The system entry that follows `current`: no content, the next seq, and a
 * timestamp never earlier than the entry it follows (clocks of two Lambdas differ).
 */
export function systemEntryAfter(current: Entry, nowMs: number, writeId: string, session: Partial<SessionState>, fields: SystemFields): Entry {
  const created = isoTime(Math.max(nowMs, Date.parse(current.created)));
  const seq = current.seq + 1;
  return {
    seq,
    id: messageId(current.session.id, seq),
    session: { ...current.session, ...session, updated: created },
    sender_type: 'system',
    ...fields,
    content: '',
    attachment_url: '',
    attachment_type: '',
    recent: nextWindow(current.recent, undefined, 0),
    delivery: 'sent',
    created,
    write_id: writeId,
  };
}
