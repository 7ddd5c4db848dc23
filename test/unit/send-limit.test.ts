import { countSends, type SendLimit } from '../../lib/chat/rate-limit';
import { TooManyRequestsError } from '../../lib/errors';

const limit: SendLimit = { messages: 3, windowMs: 60_000 };
const start = Date.parse('2026-01-01T10:00:00.000Z');

describe('the store send limit', () => {
  it('opens a window with the first send, at the time of that send', () => {
    const counted = countSends(undefined, 1, start, limit);

    expect(counted).toEqual({ ok: true, window: { start: '2026-01-01T10:00:00.000Z', count: 1 } });
  });

  it('adds sends to the open window and keeps its start', () => {
    const window = { start: '2026-01-01T10:00:00.000Z', count: 1 };

    const counted = countSends(window, 2, start + 30_000, limit);

    expect(counted).toEqual({ ok: true, window: { start: '2026-01-01T10:00:00.000Z', count: 3 } });
  });

  it('refuses sends past the limit with 429 and the seconds until the window ends', () => {
    const window = { start: '2026-01-01T10:00:00.000Z', count: 3 };

    const counted = countSends(window, 1, start + 45_500, limit);

    expect(counted.ok).toBe(false);
    const { error } = counted as { error: TooManyRequestsError };
    expect(error).toBeInstanceOf(TooManyRequestsError);
    expect(error.status).toBe(429);
    expect(error.message).toBe('Too many messages: at most 3 every 60 seconds');
    expect(error.headers).toEqual({ 'Retry-After': '15' });
  });

  it('refuses a batch whole when it would pass the limit, even in a fresh window', () => {
    const counted = countSends(undefined, 4, start, limit);

    expect(counted.ok).toBe(false);
    expect((counted as { error: TooManyRequestsError }).error.headers).toEqual({ 'Retry-After': '60' });
  });

  it('starts a new window once the old one has lasted windowMs', () => {
    const window = { start: '2026-01-01T10:00:00.000Z', count: 3 };

    const counted = countSends(window, 1, start + 60_000, limit);

    expect(counted).toEqual({ ok: true, window: { start: '2026-01-01T10:01:00.000Z', count: 1 } });
  });
});
