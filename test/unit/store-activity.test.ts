import { storeIsOnline, storeOnlineMs } from '../../lib/chat/store-activity';

const now = Date.parse('2026-11-21T12:00:00.000Z');
const ago = (ms: number) => new Date(now - ms).toISOString();

describe('storeIsOnline', () => {
  it('counts a recent message as activity when the profile stamp is stale', () => {
    const online = storeIsOnline({ last_seen_at: ago(storeOnlineMs * 3) }, now, ago(1000));

    expect(online).toBe(true);
  });

  it('counts a recent profile stamp when the last message is old', () => {
    const online = storeIsOnline({ last_seen_at: ago(1000) }, now, ago(storeOnlineMs * 3));

    expect(online).toBe(true);
  });

  it('is offline once both stamps are older than the window', () => {
    const online = storeIsOnline({ last_seen_at: ago(storeOnlineMs) }, now, ago(storeOnlineMs + 1));

    expect(online).toBe(false);
  });

  it('is offline for a store that has never acted', () => {
    expect(storeIsOnline(undefined, now, undefined)).toBe(false);
    expect(storeIsOnline({}, now)).toBe(false);
  });
});
