import { messageOf, type Admin, type SentFull } from '../support/chat';
import { createdIds, messageKeys, useChatStack } from '../support/chat-stack';
import { chatEntries } from '../support/inspect';

describe('ratings: POST /v1/chat/store/rating/', () => {
  const { stack, use, api, claimedSession, adminSays } = useChatStack();

  /** A session Ann claimed, answered and closed. */
  const closedSession = async (ann: Admin, token: string) => {
    const { session } = await claimedSession(ann, token);
    await adminSays(ann, session.id, { content: 'Done, anything else?' });
    await ann.socket.request({ action: 'close', session_id: session.id });
    return session;
  };

  it('rates a closed session once: a "rating" message from the store, pushed to the admin who closed it', async () => {
    const ann = await use.admin('Ann');
    const bob = await use.admin('Bob');
    const store = await stack.createStore();
    const session = await closedSession(ann, store.token);

    const rated = await api.rate(store.token, { session_id: session.id, rating: 4, comment: 'Quick and kind' });
    const history = await api.storeHistory(store.token, { session_id: session.id });

    expect(rated.status).toBe(200);
    const { message } = rated.json as SentFull;
    expect(Object.keys(message)).toEqual(messageKeys);
    expect(message).toMatchObject({ session_id: session.id, sender_type: 'store', sender_id: store.id, type: 'rating', rating: 4, content: 'Quick and kind' });
    expect((rated.json as SentFull).session).toMatchObject({ id: session.id, status: 'closed' });
    expect(messageOf(await ann.socket.next((f) => f.type === 'message.created' && messageOf(f).id === message.id))).toEqual(message);
    await bob.socket.barrier();
    expect(createdIds(bob.socket.frames, session.id)).not.toContain(message.id);
    expect(history.messages.at(-1)).toMatchObject({ id: message.id, type: 'rating', rating: 4, content: 'Quick and kind' });
  });

  it('rates the current session when no session_id is given; the comment is optional', async () => {
    const ann = await use.admin('Ann');
    const store = await stack.createStore();
    const session = await closedSession(ann, store.token);

    const rated = await api.rate(store.token, { rating: 5 });

    expect(rated.status).toBe(200);
    expect((rated.json as SentFull).message).toMatchObject({ session_id: session.id, type: 'rating', rating: 5, content: '' });
  });

  it('refuses an open session (409), a second rating (409), and a store with no session (404)', async () => {
    const ann = await use.admin('Ann');
    const store = await stack.createStore();
    const newcomer = await stack.createStore();
    const { session } = await claimedSession(ann, store.token);

    const whileOpen = await api.rate(store.token, { session_id: session.id, rating: 5 });
    await ann.socket.request({ action: 'close', session_id: session.id });
    const first = await api.rate(store.token, { rating: 5 });
    const second = await api.rate(store.token, { session_id: session.id, rating: 1 });
    const none = await api.rate(newcomer.token, { rating: 3 });

    expect([whileOpen.status, whileOpen.json]).toEqual([409, { error: 'Only a closed session can be rated' }]);
    expect(first.status).toBe(200);
    expect([second.status, second.json]).toEqual([409, { error: 'Session already rated' }]);
    expect([none.status, none.json]).toEqual([404, { error: 'Session not found' }]);
    expect((await chatEntries(stack, session.id)).filter((e) => e.type === 'rating').map((e) => e.rating)).toEqual([5]);
  });

  it('refuses a rating outside 1..5 or not an integer with 400 errors.rating', async () => {
    const ann = await use.admin('Ann');
    const store = await stack.createStore();
    const session = await closedSession(ann, store.token);

    const answers = [];
    for (const rating of [6, 0, 2.5, '5', null]) answers.push(await api.rate(store.token, { session_id: session.id, rating }));
    const missing = await api.rate(store.token, { session_id: session.id });

    for (const answer of [...answers, missing]) {
      expect(answer.status).toBe(400);
      expect(answer.json).toMatchObject({ error: 'Invalid request body', errors: { rating: [expect.any(String)] } });
    }
    expect((answers[0]!.json as { errors: Record<string, string[]> }).errors.rating).toEqual(['Must be an integer from 1 to 5']);
    expect((await chatEntries(stack, session.id)).filter((e) => e.type === 'rating')).toEqual([]);
  });

  it("answers 404 for another store's session", async () => {
    const ann = await use.admin('Ann');
    const store = await stack.createStore();
    const other = await stack.createStore();
    const session = await closedSession(ann, store.token);

    const response = await api.rate(other.token, { session_id: session.id, rating: 1 });

    expect([response.status, response.json]).toEqual([404, { error: 'Session not found' }]);
    expect((await chatEntries(stack, session.id)).filter((e) => e.type === 'rating')).toEqual([]);
  });

  it('rates an earlier session by id after the store has opened a new one', async () => {
    const ann = await use.admin('Ann');
    const store = await stack.createStore();
    const earlier = await closedSession(ann, store.token);
    const { session: current } = await use.storeSays(store.token, 'new question');

    const currentRating = await api.rate(store.token, { rating: 3 });
    const earlierRating = await api.rate(store.token, { session_id: earlier.id, rating: 3 });

    expect(current.id).not.toBe(earlier.id);
    expect([currentRating.status, currentRating.json]).toEqual([409, { error: 'Only a closed session can be rated' }]);
    expect(earlierRating.status).toBe(200);
    expect((earlierRating.json as SentFull).message.session_id).toBe(earlier.id);
  });

  it('lets exactly one of two racing ratings through', async () => {
    const ann = await use.admin('Ann');
    const store = await stack.createStore();
    const session = await closedSession(ann, store.token);

    const answers = await Promise.all([
      api.rate(store.token, { session_id: session.id, rating: 5 }),
      api.rate(store.token, { session_id: session.id, rating: 1 }),
    ]);

    expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
    expect(answers.find((a) => a.status === 409)?.json).toEqual({ error: 'Session already rated' });
    expect((await chatEntries(stack, session.id)).filter((e) => e.type === 'rating')).toHaveLength(1);
  });
});
