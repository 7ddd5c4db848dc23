import type { ClientIdentity } from '../../lib/chat/idempotency';
import type { SendLimit } from '../../lib/chat/rate-limit';
import { messageEntry } from '../../lib/chat/send-appends';
import type { Settled } from '../../lib/chat/send-checks';
import type { Next } from '../../lib/chat/session-log';
import type { ProductSnapshot } from '../../lib/entities/product';
import type { SessionState } from '../../lib/entities/session';

const at = '2026-01-01T10:00:00.000Z';
const created = '2026-01-01T10:00:05.000Z';
const limit: SendLimit = { messages: 3, windowMs: 60_000 };
const store = { kind: 'store', id: 7 } as const;
const admin = { kind: 'admin', id: 2 } as const;
const session: SessionState = { id: 5, store_id: 7, admin_id: null, status: 'open', created: at, updated: at, last_message_at: at, unavailable_noted: true };
const next = (change: Partial<SessionState> = {}): Next => ({ session: { ...session, ...change }, created, recent: undefined });
const text = (content: string): Settled => ({ content, attachment_url: '', attachment_type: '' });
const identity: ClientIdentity = { sender_type: 'store', sender_id: 7, client_message_id: 'c-1' };

describe("a message's entry", () => {
  it("writes a store message as delivered when an admin is online, stamps the store's times and counts the send", () => {
    const decision = messageEntry(store, text('hello'), identity, next(), true, limit);

    expect(decision).toEqual({
      kind: 'write',
      draft: {
        sender: { sender_type: 'store', sender_id: 7 },
        body: { type: 'text', content: 'hello', attachment_url: '', attachment_type: '', delivery: 'delivered' },
        change: { last_message_at: created, last_store_message_at: created, unavailable_noted: undefined, send_window: { start: created, count: 1 } },
        identity,
      },
    });
  });

  it('keeps the "unavailable" stretch open for a store message that reached no admin', () => {
    const decision = messageEntry(store, text('anyone?'), undefined, next(), false, limit);

    expect(decision).toMatchObject({ kind: 'write', draft: { body: { delivery: 'sent' }, change: { unavailable_noted: true } } });
  });

  it("ends the stretch with an admin's answer, which marks the session replied and counts no send", () => {
    const decision = messageEntry(admin, text('here'), undefined, next(), false, limit);

    expect(decision.kind).toBe('write');
    const { change, sender } = (decision as Extract<typeof decision, { kind: 'write' }>).draft;
    expect(sender).toEqual({ sender_type: 'admin', sender_id: 2 });
    expect(change).toEqual({ last_message_at: created, admin_replied: true, unavailable_noted: undefined });
  });

  it('refuses a store message over the send limit with 429', () => {
    const decision = messageEntry(store, text('one more'), undefined, next({ send_window: { start: at, count: 3 } }), true, limit);

    expect(decision).toMatchObject({ kind: 'refuse', error: { status: 429 } });
  });

  it('carries a product card and a special with their own type and fields', () => {
    const product: ProductSnapshot = {
      id: 9,
      sku: 'tea',
      name: 'Tea',
      type: null,
      discount_percentage: 0,
      price_catalog: 0,
      reference_unit_price: 0,
      price: 4,
      youtube_id: null,
      url: null,
      description: null,
      images: [],
      stock: 1,
      stock_available: 1,
      old_image: null,
    };

    const card = messageEntry(store, { ...text(''), product }, undefined, next(), true, limit);
    const replies = messageEntry(admin, { ...text('Pick one'), special: { type: 'quick_replies', param: ['Yes', 'No'] } }, undefined, next(), true, limit);

    expect(card).toMatchObject({ draft: { body: { type: 'product', product } } });
    expect(replies).toMatchObject({ draft: { body: { type: 'text', special_type: 'quick_replies', special_param: ['Yes', 'No'] } } });
  });
});
