import { setTimeout as sleep } from 'node:timers/promises';
import { limits } from '../../lib/limits';
import { useTestStack } from '../support/harness';

const windowMs = limits.uploadTicketWindowSeconds * 1000;

/** Windows are fixed (epoch multiples); start a burst well inside one so it cannot straddle two. */
async function awayFromWindowEdge(marginMs = 10_000): Promise<void> {
  const left = windowMs - (Date.now() % windowMs);
  if (left < marginMs) await sleep(left + 50);
}

/** README "Limits": upload tickets per store or admin, counted per fixed window. */
describe('the per-principal upload ticket limit', () => {
  const stack = useTestStack();
  const ticket = (kind: 'store' | 'admin', token: string) =>
    stack.post(`/v1/chat/${kind}/attachment/`, { token, body: { file_name: 'shot.png', content_type: 'image/png', size: 100 } });

  it.each(['store', 'admin'] as const)('gives a %s 30 tickets per window, then 429 with Retry-After; another principal is unaffected', async (kind) => {
    const create = kind === 'store' ? () => stack.createStore() : () => stack.createAdmin();
    const busy = await create();
    const calm = await create();
    const max = limits.uploadTicketsPerWindow;

    await awayFromWindowEdge();

    const answers: number[] = [];
    for (let i = 0; i < max; i++) answers.push((await ticket(kind, busy.token)).status);
    const refused = await ticket(kind, busy.token);
    const other = await ticket(kind, calm.token);

    expect(answers).toEqual(Array.from({ length: max }, () => 200));
    expect(refused.status).toBe(429);
    expect(refused.json).toEqual({ error: `Too many uploads: at most ${max} every ${limits.uploadTicketWindowSeconds} seconds` });
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(limits.uploadTicketWindowSeconds);
    expect(other.status).toBe(200);
  });

  it('holds across concurrent requests: of 40 at once, exactly 30 get a ticket', async () => {
    const store = await stack.createStore();
    await awayFromWindowEdge();

    const answers = await Promise.all(Array.from({ length: 40 }, () => ticket('store', store.token)));

    expect(answers.filter((a) => a.status === 200)).toHaveLength(limits.uploadTicketsPerWindow);
    expect(answers.filter((a) => a.status === 429)).toHaveLength(40 - limits.uploadTicketsPerWindow);
  });
});
