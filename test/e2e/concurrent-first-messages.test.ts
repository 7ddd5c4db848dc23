import { useTestStack } from '../support/harness';
import { activeSessionId, chatEntries } from '../support/inspect';

interface Sent {
  session: { id: number };
  message: { id: number; content: string };
}

describe('concurrent first messages from one store', () => {
  const stack = useTestStack();

  it('open exactly one session and store every message once, with unique increasing ids', async () => {
    // Arrange
    const store = await stack.createStore();
    const contents = Array.from({ length: 20 }, (_, i) => `message ${i}`);

    // Act: all at once, before any session exists
    const responses = await Promise.all(contents.map((content) => stack.post('/v1/chat/store/message/', { token: store.token, body: { content } })));

    // Assert
    expect(responses.map((r) => r.status)).toEqual(contents.map(() => 200));
    const bodies = responses.map((r) => r.json as Sent);
    const sessionIds = new Set(bodies.map((b) => b.session.id));
    expect(sessionIds.size).toBe(1);
    const [sessionId] = [...sessionIds];
    expect(await activeSessionId(stack, store.id)).toBe(sessionId);
    const stored = await chatEntries(stack, sessionId!);
    expect(stored.map((e) => e.content).sort()).toEqual([...contents].sort());
    const seqs = stored.map((e) => e.seq);
    expect(seqs.every((seq, i) => i === 0 || seq > seqs[i - 1]!)).toBe(true);
    expect(new Set(bodies.map((b) => b.message.id)).size).toBe(contents.length);
    for (const body of bodies) {
      expect(stored.find((e) => e.id === body.message.id)?.content).toBe(body.message.content);
    }
  });

  it('keep created times non-decreasing in log order and last_message_at equal to each entry\'s time', async () => {
    const store = await stack.createStore();

    const responses = await Promise.all(
      Array.from({ length: 10 }, (_, i) => stack.post('/v1/chat/store/message/', { token: store.token, body: { content: `m${i}` } })),
    );

    const sessionId = (responses[0]!.json as Sent).session.id;
    const stored = await chatEntries(stack, sessionId);
    const times = stored.map((e) => e.created);
    expect([...times].sort()).toEqual(times);
    for (const entry of stored) expect(entry.session.last_message_at).toBe(entry.created);
  });
});
