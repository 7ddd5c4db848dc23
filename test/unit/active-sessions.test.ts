import { ActiveSessions } from '../../lib/chat/active-sessions';

describe("an instance's active-session hints", () => {
  it('answers the session last remembered for a store, and nothing for a store it never saw', () => {
    const hints = new ActiveSessions();

    hints.remember(1, 10);
    hints.remember(1, 11);

    expect(hints.get(1)).toBe(11);
    expect(hints.get(2)).toBeUndefined();
  });

  it('keeps at most its bound, dropping the store remembered longest ago', () => {
    const hints = new ActiveSessions(2);

    hints.remember(1, 10);
    hints.remember(2, 20);
    hints.remember(1, 10);
    hints.remember(3, 30);

    expect([hints.get(1), hints.get(2), hints.get(3)]).toEqual([10, undefined, 30]);
    expect(hints.size).toBe(2);
  });

  it('forgets a store', () => {
    const hints = new ActiveSessions();
    hints.remember(1, 10);

    hints.forget(1);

    expect(hints.get(1)).toBeUndefined();
  });
});
