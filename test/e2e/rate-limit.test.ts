import { setTimeout as sleep } from 'node:timers/promises';
import { useTestStack } from '../support/harness';
import { chatEntries, activeSessionId } from '../support/inspect';

describe('the per-store send limit', () => {
  const stack = useTestStack({ extraEnv: { STORE_SEND_LIMIT: '3', STORE_SEND_WINDOW_SECONDS: '2' } });
  const send = (token: string, content: string) => stack.post('/v1/chat/store/message/', { token, body: { content } });

  it('answers 429 with Retry-After past the limit, stores nothing more, and lets the store go on once the window ends', async () => {
    const store = await stack.createStore();
    for (const content of ['one', 'two', 'three']) expect((await send(store.token, content)).status).toBe(200);

    const refused = await send(store.token, 'four');
    const sessionId = (await activeSessionId(stack, store.id))!;
    const storedAfterRefusal = (await chatEntries(stack, sessionId)).map((e) => e.content);
    await sleep(Number(refused.headers.get('retry-after')) * 1000 + 100);
    const later = await send(store.token, 'five');

    expect(refused.status).toBe(429);
    expect(refused.json).toEqual({ error: 'Too many messages: at most 3 every 2 seconds' });
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(storedAfterRefusal).toEqual(['one', 'two', 'three']);
    expect(later.status).toBe(200);
  });

  it('counts every item of a batch and refuses a batch that would cross the limit, whole', async () => {
    const store = await stack.createStore();
    await send(store.token, 'first');

    const batch = await stack.post('/v1/chat/store/messages/', { token: store.token, body: { messages: [{ content: 'a' }, { content: 'b' }, { content: 'c' }] } });

    expect(batch.status).toBe(429);
    expect((await chatEntries(stack, (await activeSessionId(stack, store.id))!)).map((e) => e.content)).toEqual(['first']);
  });

  it('limits each store on its own, and never counts a remembered retry', async () => {
    const busy = await stack.createStore('Busy');
    const calm = await stack.createStore('Calm');
    for (let i = 0; i < 3; i++) await stack.post('/v1/chat/store/message/', { token: busy.token, body: { content: `m${i}`, client_message_id: `m${i}` } });

    const retry = await stack.post('/v1/chat/store/message/', { token: busy.token, body: { content: 'm2', client_message_id: 'm2' } });
    const other = await send(calm.token, 'unaffected');

    expect(retry.status).toBe(200);
    expect(other.status).toBe(200);
  });

  it('holds across concurrent requests: of ten at once, exactly three are stored', async () => {
    const store = await stack.createStore();

    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => send(store.token, `burst ${i}`)));

    expect(answers.filter((a) => a.status === 200)).toHaveLength(3);
    expect(answers.filter((a) => a.status === 429)).toHaveLength(7);
    expect(await chatEntries(stack, (await activeSessionId(stack, store.id))!)).toHaveLength(3);
  });
});
