import { useChatStack } from '../support/chat-stack';
import { activeSessionId, chatEntries, storedEntries } from '../support/inspect';

describe('blocking', () => {
  const { stack, use, api } = useChatStack();

  it('blocks a store: every admin is told, its writes get 403 and store nothing, it can still read, and the inbox shows it', async () => {
    const ann = await use.admin('Ann');
    const bob = await use.admin('Bob');
    const store = await stack.createStore('Spammy Ltd');
    const { session, message } = await use.storeSays(store.token, 'hi');
    await ann.socket.request({ action: 'close', session_id: session.id });

    const blocked = await ann.socket.request({ action: 'block', store_id: store.id });
    const writes = await Promise.all([
      api.send(store.token, { content: 'let me in' }),
      api.batch(store.token, [{ content: 'let me in' }]),
      api.rate(store.token, { rating: 1 }),
      stack.post('/v1/chat/store/attachment/', { token: store.token, body: { file_name: 'a.png', content_type: 'image/png', size: 68 } }),
    ]);
    const history = await stack.get('/v1/chat/store/messages/', { token: store.token });
    const current = await stack.get('/v1/chat/store/session/', { token: store.token });

    const view = { id: store.id, name: 'Spammy Ltd', blocked: true };
    expect(blocked).toMatchObject({ type: 'result', action: 'block', store: view });
    for (const admin of [ann, bob]) expect(await admin.socket.nextOfType('store.blocked')).toEqual({ type: 'store.blocked', store: view, admin_id: ann.id });
    expect(writes.map((w) => [w.status, w.json])).toEqual(writes.map(() => [403, { error: 'This store is blocked from chat' }]));
    expect(await activeSessionId(stack, store.id)).toBe(session.id);
    expect((await storedEntries(stack, session.id)).map((e) => e.type)).toEqual(['text', 'missed']);
    expect(history.status).toBe(200);
    expect((history.json as { messages: { id: number }[] }).messages[0]?.id).toBe(message.id);
    expect(current.status).toBe(200);
  });

  it('shows blocked true in the open inbox while blocked, false once unblocked, and lets the store write again', async () => {
    const ann = await use.admin('Ann');
    const bob = await use.admin('Bob');
    const store = await stack.createStore('Corner Shop');
    const { session } = await use.storeSays(store.token, 'hi');
    const inboxItem = async () => (await api.openInbox(ann.token)).find((item) => item.session.id === session.id);
    const before = await inboxItem();

    await ann.socket.request({ action: 'block', store_id: store.id });
    const whileBlocked = await inboxItem();
    const unblocked = await bob.socket.request({ action: 'unblock', store_id: store.id });
    const after = await inboxItem();
    const again = await api.send(store.token, { content: 'thanks' });

    expect(before?.store).toEqual({ id: store.id, name: 'Corner Shop', blocked: false });
    expect(whileBlocked?.store).toEqual({ id: store.id, name: 'Corner Shop', blocked: true });
    expect(unblocked).toMatchObject({ type: 'result', action: 'unblock', store: { id: store.id, name: 'Corner Shop', blocked: false } });
    for (const admin of [ann, bob]) {
      expect(await admin.socket.nextOfType('store.unblocked')).toEqual({ type: 'store.unblocked', store: { id: store.id, name: 'Corner Shop', blocked: false }, admin_id: bob.id });
    }
    expect(after?.store.blocked).toBe(false);
    expect(again.status).toBe(200);
    expect((await chatEntries(stack, session.id)).map((e) => e.content)).toEqual(['hi', 'thanks']);
  });

  it("refuses a blocked store's first message without opening a session or telling admins", async () => {
    const ann = await use.admin('Ann');
    const store = await stack.createStore();
    await ann.socket.request({ action: 'block', store_id: store.id });

    const response = await api.send(store.token, { content: 'first ever' });

    expect([response.status, response.json]).toEqual([403, { error: 'This store is blocked from chat' }]);
    expect(await activeSessionId(stack, store.id)).toBeUndefined();
    await ann.socket.barrier();
    expect(ann.socket.ofType('message.created')).toEqual([]);
  });

  it('answers 404 for an unknown store and 400 for a malformed store_id', async () => {
    const ann = await use.admin('Ann');

    const unknown = await ann.socket.request({ action: 'block', store_id: 987_654 });
    const unknownUnblock = await ann.socket.request({ action: 'unblock', store_id: 987_654 });
    const malformed = await ann.socket.request({ action: 'block', store_id: 'five' });

    expect(unknown).toMatchObject({ type: 'error', action: 'block', status: 404, error: 'Store not found' });
    expect(unknownUnblock).toMatchObject({ type: 'error', action: 'unblock', status: 404, error: 'Store not found' });
    expect(malformed).toMatchObject({ type: 'error', status: 400, errors: { store_id: expect.any(Array) as unknown } });
    await ann.socket.barrier();
    expect(ann.socket.ofType('store.blocked')).toEqual([]);
  });
});
