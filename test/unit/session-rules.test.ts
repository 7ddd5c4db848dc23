import { decideChange } from '../../lib/chat/session-events';
import {
  assigneeRefusal,
  claim,
  close,
  decideClaim,
  decideClose,
  decideRelease,
  decideTransfer,
  isOpen,
  needsUnavailableNotice,
  ratingRefusal,
  requireNotClaimedByOther,
} from '../../lib/chat/session-rules';
import { maxSeq, type Entry, type SessionState } from '../../lib/entities/session';
import { ConflictError, ForbiddenError, NotFoundError } from '../../lib/errors';

const at = '2026-01-01T10:00:00.000Z';
const state = (change: Partial<SessionState> = {}): SessionState => ({
  id: 5,
  store_id: 7,
  admin_id: null,
  status: 'open',
  created: at,
  updated: at,
  last_message_at: at,
  ...change,
});
const head = (change: Partial<SessionState> = {}, entry: Partial<Entry> = {}): Entry => ({
  seq: 3,
  id: 5_000_003,
  session: state(change),
  sender_type: 'store',
  sender_id: 7,
  content: 'hi',
  attachment_url: '',
  attachment_type: '',
  delivery: 'sent',
  created: at,
  write_id: 'w',
  ...entry,
});

describe('is this session open', () => {
  it('takes messages while open and not full, and a store with no session yet gets one', () => {
    expect(isOpen(head())).toBe(true);
    expect(isOpen(undefined)).toBe(true);
  });

  it('takes no more messages once closed or at its last seq', () => {
    expect(isOpen(head({ status: 'closed' }))).toBe(false);
    expect(isOpen(head({}, { seq: maxSeq }))).toBe(false);
  });
});

describe('claim', () => {
  it('lets any admin claim an open, unclaimed session', () => {
    expect(decideClaim(state(), 2)).toEqual({ kind: 'apply', change: { admin_id: 2 } });
  });

  it('changes nothing when the admin already holds it', () => {
    expect(decideClaim(state({ admin_id: 2 }), 2)).toEqual({ kind: 'unchanged' });
  });

  it('refuses a session another admin holds, or a closed one, with 409', () => {
    expect(decideClaim(state({ admin_id: 3 }), 2)).toEqual({ kind: 'refuse', error: new ConflictError('Session is already claimed') });
    expect(decideClaim(state({ status: 'closed' }), 2)).toEqual({ kind: 'refuse', error: new ConflictError('Session is closed') });
  });
});

describe('release and transfer', () => {
  it('let the assignee give the session back or away', () => {
    expect(decideRelease(state({ admin_id: 2 }), 2)).toEqual({ kind: 'apply', change: { admin_id: null } });
    expect(decideTransfer(state({ admin_id: 2 }), 2, 4)).toEqual({ kind: 'apply', change: { admin_id: 4 } });
  });

  it('refuse an unclaimed session with 409 and another admin with 403', () => {
    expect(decideRelease(state(), 2)).toMatchObject({ kind: 'refuse', error: new ConflictError('Session is not claimed') });
    expect(decideTransfer(state({ admin_id: 3 }), 2, 4)).toMatchObject({ kind: 'refuse', error: new ForbiddenError('Session is claimed by another admin') });
  });

  it('refuse a closed session with 409', () => {
    const refused = decideRelease(state({ admin_id: 2, status: 'closed' }), 2);

    expect(refused).toEqual({ kind: 'refuse', error: new ConflictError('Session is closed') });
    expect((refused as { error: ConflictError }).error.status).toBe(409);
  });
});

describe('close', () => {
  it('lets the assignee close a claimed session and any admin an unclaimed one', () => {
    expect(decideClose(state({ admin_id: 2 }), 2)).toEqual({ kind: 'apply', change: { status: 'closed' } });
    expect(decideClose(state(), 9)).toEqual({ kind: 'apply', change: { status: 'closed' } });
  });

  it('changes nothing on a closed session, and refuses another admin with 403', () => {
    expect(decideClose(state({ status: 'closed', admin_id: 3 }), 2)).toEqual({ kind: 'unchanged' });
    expect(decideClose(state({ admin_id: 3 }), 2)).toEqual({ kind: 'refuse', error: new ForbiddenError('Session is claimed by another admin') });
  });
});

describe('the system entry of a change', () => {
  it('records a claim as a "claimed" entry that ends an unavailable stretch', () => {
    const decided = decideChange(claim, 2, head({ unavailable_noted: true }));

    expect(decided).toEqual({
      kind: 'write',
      draft: {
        sender: { sender_type: 'system', sender_id: 2 },
        body: { type: 'claimed', event: 'session.claimed', content: '', attachment_url: '', attachment_type: '', delivery: 'sent' },
        change: { admin_id: 2, unavailable_noted: undefined },
      },
    });
  });

  it('calls a close "missed" until an admin has replied, and "closed" after', () => {
    const missed = decideChange(close, 2, head());
    const closed = decideChange(close, 2, head({ admin_replied: true }));

    expect(missed).toMatchObject({ draft: { body: { type: 'missed', event: 'session.closed' } } });
    expect(closed).toMatchObject({ draft: { body: { type: 'closed', event: 'session.closed' } } });
  });

  it('writes nothing for an unchanged session, and refuses a session that does not exist', () => {
    expect(decideChange(claim, 2, head({ admin_id: 2 }))).toEqual({ kind: 'skip' });
    expect(decideChange(claim, 2, undefined)).toEqual({ kind: 'refuse', error: new NotFoundError('Session not found') });
  });
});

describe('who may act in a session', () => {
  it('holds the assignee to an open session it holds', () => {
    expect(assigneeRefusal(state({ admin_id: 2 }), 2, 'Claim first')).toBeUndefined();
    expect(assigneeRefusal(state(), 2, 'Claim first')).toEqual(new ConflictError('Claim first'));
  });

  it('lets any admin read an unclaimed session, but only the assignee a claimed one', () => {
    expect(() => requireNotClaimedByOther(state(), 2)).not.toThrow();
    expect(() => requireNotClaimedByOther(state({ admin_id: 3 }), 2)).toThrow(new ForbiddenError('Session is claimed by another admin'));
  });
});

describe('ratings and the unavailable notice', () => {
  it('rates a closed session once', () => {
    expect(ratingRefusal(head({ status: 'closed' }))).toBeUndefined();
    expect(ratingRefusal(head())).toEqual(new ConflictError('Only a closed session can be rated'));
    expect(ratingRefusal(head({ status: 'closed', rated: true }))).toEqual(new ConflictError('Session already rated'));
    expect(ratingRefusal(undefined)).toEqual(new NotFoundError('Session not found'));
  });

  it('posts the notice after a store message no admin received, once per stretch', () => {
    expect(needsUnavailableNotice(head())).toBe(true);
    expect(needsUnavailableNotice(head({ unavailable_noted: true }))).toBe(false);
    expect(needsUnavailableNotice(head({}, { delivery: 'delivered' }))).toBe(false);
    expect(needsUnavailableNotice(head({}, { sender_type: 'admin' }))).toBe(false);
    expect(needsUnavailableNotice(head({ status: 'closed' }))).toBe(false);
  });
});
