import { chat } from '../support/chat';
import { useTestStack } from '../support/harness';
import { activeSessionId, chatEntries, storedEntries } from '../support/inspect';

interface Sent {
  session: { id: number };
  message: { id: number; content: string };
}

describe('races', () => {
  const stack = useTestStack();
  const use = chat(stack);

  afterEach(() => use.closeSockets());

  it('puts a message racing a close in exactly one session, and the next message in a new one', async () => {
    const ann = await use.admin();
    for (let round = 0; round < 5; round++) {
      // Arrange: an open session, claimed.
      const store = await stack.createStore(`Racer ${round}`);
      const first = await use.storeSays(store.token, 'opening');
      await ann.socket.request({ action: 'claim', session_id: first.session.id });

      // Act: a close and five sends at once.
      const [, ...answers] = await Promise.all([
        ann.socket.request({ action: 'close', session_id: first.session.id }),
        ...Array.from({ length: 5 }, (_, i) => stack.post('/v1/chat/store/message/', { token: store.token, body: { content: `racing ${i}` } })),
      ]);
      const next = await use.storeSays(store.token, 'after the race');

      // Assert: every racing message was accepted and lives in exactly one session...
      const sent = answers.map((answer) => {
        expect(answer.status).toBe(200);
        return answer.json as Sent;
      });
      const sessions = [...new Set([first.session.id, next.session.id, ...sent.map((s) => s.session.id)])];
      const bySession = await Promise.all(sessions.map((id) => storedEntries(stack, id)));
      const holders = (content: string) => bySession.filter((entries) => entries.some((e) => e.content === content)).length;
      for (const s of sent) expect(holders(s.message.content)).toBe(1);
      // ...never after the close in the closed session...
      const closed = bySession[0]!;
      const closeSeq = closed.find((e) => e.event === 'session.closed')!.seq;
      expect(closed.filter((e) => e.sender_type === 'store' && e.seq > closeSeq)).toEqual([]);
      // ...and the store's next message opened a new session.
      expect(next.session.id).not.toBe(first.session.id);
      expect(await activeSessionId(stack, store.id)).toBe(next.session.id);
    }
  });

  it('stores every message of many stores sending at once exactly once, each history in the order it was sent', async () => {
    const stores = await Promise.all(Array.from({ length: 8 }, (_, i) => stack.createStore(`Parallel ${i}`)));
    const perStore = 10;

    // Stores in parallel; each store one message at a time, so acceptance order is send order.
    const sent = await Promise.all(
      stores.map(async (store) => {
        const ids: number[] = [];
        for (let i = 0; i < perStore; i++) ids.push((await use.storeSays(store.token, `${store.id}:${i}`)).message.id);
        return { store, ids };
      }),
    );

    for (const { store, ids } of sent) {
      const entries = await chatEntries(stack, (await activeSessionId(stack, store.id))!);
      expect(entries.map((e) => e.content)).toEqual(Array.from({ length: perStore }, (_, i) => `${store.id}:${i}`));
      expect(entries.map((e) => e.id)).toEqual(ids);
      expect([...ids].sort((a, b) => a - b)).toEqual(ids);
    }
  });
});
