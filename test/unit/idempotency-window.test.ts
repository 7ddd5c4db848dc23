import { idHash, isSameSender, nextWindow, remembered, windowSizes, type ClientIdentity } from '../../lib/chat/idempotency';
import type { Entry } from '../../lib/entities/session';

const store = (client_message_id: string, sender_id = 7): ClientIdentity => ({ sender_type: 'store', sender_id, client_message_id });
const admin = (client_message_id: string, sender_id = 2): ClientIdentity => ({ sender_type: 'admin', sender_id, client_message_id });

describe('the idempotency window', () => {
  it('remembers a client id with its message id, newest first', () => {
    const first = nextWindow(undefined, store('a'), 1_000_001);
    const second = nextWindow(first, store('b'), 1_000_002);

    expect(second.store).toEqual([`${idHash(store('b'))}.${(1_000_002).toString(36)}`, `${idHash(store('a'))}.${(1_000_001).toString(36)}`]);
    expect(remembered(second, store('a'))).toBe(1_000_001);
    expect(remembered(second, store('b'))).toBe(1_000_002);
  });

  it('does not recognise the same client id from another sender or another side', () => {
    const window = nextWindow(undefined, store('a', 7), 1_000_001);

    expect(remembered(window, store('a', 8))).toBeUndefined();
    expect(remembered(window, admin('a', 7))).toBeUndefined();
    expect(remembered(undefined, store('a'))).toBeUndefined();
  });

  it('keeps the last 20 store ids and the last 8 admin ids, each side apart', () => {
    let window = nextWindow(undefined, undefined, 0);
    for (let i = 1; i <= 25; i++) window = nextWindow(window, store(`s${i}`), 1_000_000 + i);
    for (let i = 1; i <= 10; i++) window = nextWindow(window, admin(`a${i}`), 2_000_000 + i);

    expect(window.store).toHaveLength(windowSizes.store);
    expect(window.admin).toHaveLength(windowSizes.admin);
    expect(remembered(window, store('s6'))).toBe(1_000_006);
    expect(remembered(window, store('s5'))).toBeUndefined();
    expect(remembered(window, admin('a3'))).toBe(2_000_003);
    expect(remembered(window, admin('a2'))).toBeUndefined();
  });

  it('carries the window unchanged through an entry without a client id', () => {
    const window = nextWindow(undefined, store('a'), 1_000_001);

    expect(nextWindow(window, undefined, 1_000_002)).toEqual(window);
    expect(nextWindow(undefined, undefined, 1_000_002)).toEqual({});
  });

  it('tells the original from a hash collision by the stored sender and client id', () => {
    const entry = { sender_type: 'store', sender_id: 7, client_message_id: 'a' } as Entry;

    expect(isSameSender(entry, store('a'))).toBe(true);
    expect(isSameSender(entry, store('b'))).toBe(false);
    expect(isSameSender(entry, store('a', 8))).toBe(false);
  });
});
