import { nextAt, nextEntry, systemDraft, type EntryDraft } from '../../lib/chat/session-log';
import { idHash } from '../../lib/chat/idempotency';
import type { Entry, SessionState } from '../../lib/entities/session';
import { NotFoundError } from '../../lib/errors';

const at = '2026-01-01T10:00:00.000Z';
const now = Date.parse(at);
const state: SessionState = { id: 5, store_id: 7, admin_id: 2, status: 'open', created: at, updated: at, last_message_at: at };
const head: Entry = {
  seq: 41,
  id: 5_000_041,
  session: state,
  sender_type: 'store',
  sender_id: 7,
  content: 'earlier',
  attachment_url: '',
  attachment_type: '',
  recent: { admin: ['abcdef.1'] },
  delivery: 'sent',
  created: at,
  write_id: 'earlier-write',
};
const text = (content: string, change: Partial<SessionState> = {}): EntryDraft => ({
  sender: { sender_type: 'store', sender_id: 7 },
  body: { type: 'text', content, attachment_url: '', attachment_type: '', delivery: 'sent' },
  change,
  identity: { sender_type: 'store', sender_id: 7, client_message_id: 'c-1' },
});

describe('the next entry of a session log', () => {
  it('takes the next seq, the message id it implies, and the write id', () => {
    const next = nextAt({ sessionId: 5, head }, now + 1000);

    const entry = nextEntry(head, next, text('hello'), 'my-write');

    expect(entry).toMatchObject({ seq: 42, id: 5_000_042, write_id: 'my-write', sender_type: 'store', sender_id: 7, content: 'hello', client_message_id: 'c-1' });
    expect(entry.created).toBe('2026-01-01T10:00:01.000Z');
  });

  it('is never older than the entry before it, whatever this clock says', () => {
    const next = nextAt({ sessionId: 5, head }, now - 5000);

    expect(next.created).toBe(at);
    expect(nextEntry(head, next, text('late clock'), 'w').created).toBe(at);
  });

  it('carries the session forward with the change applied and updated set to its time', () => {
    const next = nextAt({ sessionId: 5, head }, now + 1000);

    const entry = nextEntry(head, next, text('hello', { last_message_at: next.created }), 'w');

    expect(entry.session).toEqual({ ...state, last_message_at: '2026-01-01T10:00:01.000Z', updated: '2026-01-01T10:00:01.000Z' });
  });

  it("remembers the client id in the window it carries, beside the other side's ids", () => {
    const next = nextAt({ sessionId: 5, head }, now);

    const entry = nextEntry(head, next, text('hello'), 'w');

    expect(entry.recent).toEqual({ store: [`${idHash({ sender_type: 'store', sender_id: 7, client_message_id: 'c-1' })}.${(5_000_042).toString(36)}`], admin: ['abcdef.1'] });
  });

  it("starts a new session at seq 1, unclaimed and open, with the previous session's window", () => {
    const next = nextAt({ sessionId: 9, head: undefined, opening: { storeId: 7, recent: { store: ['xyz123.a'] } } }, now);

    const entry = nextEntry(undefined, next, { ...text('first'), identity: undefined }, 'w');

    expect(entry).toMatchObject({ seq: 1, id: 9_000_001, recent: { store: ['xyz123.a'] } });
    expect(entry.session).toEqual({ id: 9, store_id: 7, admin_id: null, status: 'open', created: at, updated: at, last_message_at: at });
  });

  it('has no place for an entry in a session that has none and is not being opened', () => {
    expect(() => nextAt({ sessionId: 9, head: undefined }, now)).toThrow(new NotFoundError('Session not found'));
  });

  it('writes a system entry without content, sent, carrying the window unchanged', () => {
    const next = nextAt({ sessionId: 5, head }, now);

    const entry = nextEntry(head, next, systemDraft({ sender_id: null, type: 'unavailable' }, { unavailable_noted: true }), 'w');

    expect(entry).toEqual({
      seq: 42,
      id: 5_000_042,
      session: { ...state, unavailable_noted: true },
      sender_type: 'system',
      sender_id: null,
      type: 'unavailable',
      content: '',
      attachment_url: '',
      attachment_type: '',
      delivery: 'sent',
      recent: { admin: ['abcdef.1'] },
      created: at,
      write_id: 'w',
    });
  });
});
