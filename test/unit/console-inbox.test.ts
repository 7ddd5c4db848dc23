import { backoffDelay } from '../../web/src/backoff';
import { byActivity, inTab, mergeRow, type Row } from '../../web/src/inbox';
import { lastMessageOf, previewText } from '../../web/src/preview';
import type { Session } from '../../web/src/types';

function session(id: number, fields: Partial<Session> = {}): Session {
  return { id, store_id: 5, admin_id: null, status: 'open', last_message_at: '2025-12-16T10:00:00.000Z', created: '2025-12-16T10:00:00.000Z', updated: '2025-12-16T10:00:00.000Z', ...fields };
}
const store = { id: 5, name: 'Acme', blocked: false };

describe('console inbox', () => {
  it('shows the type when a preview is empty, and marks non-text previews', () => {
    expect(previewText({ type: 'image', preview: '' })).toBe('[image]');
    expect(previewText({ type: 'product', preview: '' })).toBe('[product]');
    expect(previewText({ type: 'image', preview: 'the broken page' })).toBe('[image] the broken page');
    expect(previewText({ type: 'text', preview: 'Hello' })).toBe('Hello');
    expect(previewText(null)).toBe('');
  });

  it('previews a system message as readable text, naming the assignee when there is one', () => {
    expect(previewText({ type: 'unavailable', preview: '' })).toBe('Nobody was online');
    expect(previewText({ type: 'claimed', preview: '' }, 'Ann')).toBe('Claimed by Ann');
    expect(previewText({ type: 'claimed', preview: '' })).toBe('Claimed');
    expect(previewText({ type: 'transferred', preview: '' }, 'you')).toBe('Transferred to you');
    expect(previewText({ type: 'released', preview: '' }, 'Ann')).toBe('Released');
    expect(previewText({ type: 'closed', preview: '' })).toBe('Closed');
    expect(previewText({ type: 'missed', preview: '' })).toBe('Closed without a reply');
  });

  it('previews a pushed message as the server does: its first 140 code points', () => {
    const content = '😀'.repeat(150);
    const last = lastMessageOf({ id: 1, sender_type: 'store', type: 'text', content, created: '2025-12-16T10:00:00.000Z' });
    expect(Array.from(last.preview)).toHaveLength(140);
  });

  it('puts a session in the tabs its state says', () => {
    const me = 3;
    const tabsOf = (s: Session) => (['unclaimed', 'mine', 'open', 'closed'] as const).filter((tab) => inTab({ session: s }, tab, me));
    expect(tabsOf(session(1))).toEqual(['unclaimed', 'open']);
    expect(tabsOf(session(1, { admin_id: 3 }))).toEqual(['mine', 'open']);
    expect(tabsOf(session(1, { admin_id: 4 }))).toEqual(['open']);
    expect(tabsOf(session(1, { status: 'closed', admin_id: 3 }))).toEqual(['closed']);
  });

  it('orders by newest activity first', () => {
    const rows = [session(1, { last_message_at: '2025-12-16T10:00:00.000Z' }), session(2, { last_message_at: '2025-12-16T11:00:00.000Z' }), session(3, { last_message_at: '2025-12-16T10:00:00.000Z' })];
    expect(rows.map((s) => ({ session: s })).sort(byActivity).map((row) => row.session.id)).toEqual([2, 3, 1]);
  });

  it('keeps the later session state and the newest last message whichever sighting comes first', () => {
    const claimed = session(1, { admin_id: 3, updated: '2025-12-16T10:05:00.000Z', last_message_at: '2025-12-16T10:05:00.000Z' });
    const staleListing = session(1, { updated: '2025-12-16T10:01:00.000Z', last_message_at: '2025-12-16T10:01:00.000Z' });
    const old: Row = { session: claimed, store, last: { id: 1000003, sender_type: 'system', type: 'claimed', preview: '', created: claimed.updated }, unread: 2 };
    const row = mergeRow(old, staleListing, store, { id: 1000001, sender_type: 'store', type: 'text', preview: 'Hi', created: staleListing.updated });
    expect(row.session.admin_id).toBe(3);
    expect(row.last?.id).toBe(1000003);
    expect(row.unread).toBe(2);
  });

  it('backs off exponentially with jitter, up to a cap', () => {
    expect(backoffDelay(0, () => 0)).toBe(250);
    expect(backoffDelay(0, () => 1)).toBe(500);
    expect(backoffDelay(3, () => 0.5)).toBe(3000);
    expect(backoffDelay(20, () => 1)).toBe(30_000);
    expect(backoffDelay(20, () => 0)).toBe(15_000);
  });
});
