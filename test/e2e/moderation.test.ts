import { type SentFull } from '../support/chat';
import { useChatStack } from '../support/chat-stack';

describe('moderation', () => {
  const { stack, use, api, importProduct, claimedSession, adminSays } = useChatStack();

  it("hides a message: the store sees it removed and empty, admins see it hidden and whole, and unhide restores both", async () => {
    const ann = await use.admin('Ann');
    const bob = await use.admin('Bob');
    const store = await stack.createStore();
    const { session } = await claimedSession(ann, store.token, 'hello');
    const rude = ((await api.send(store.token, { content: 'something rude', attachment_url: 'https://example.com/rude.png' })).json as SentFull).message;

    const hidden = await ann.socket.request({ action: 'hide', message_id: rude.id });
    const storeHidden = (await api.storeHistory(store.token)).messages.find((m) => m.id === rude.id);
    const adminHidden = (await api.adminHistory(ann.token, session.id)).messages.find((m) => m.id === rude.id);
    const unhidden = await ann.socket.request({ action: 'unhide', message_id: rude.id });
    const storeBack = (await api.storeHistory(store.token)).messages.find((m) => m.id === rude.id);
    const adminBack = (await api.adminHistory(ann.token, session.id)).messages.find((m) => m.id === rude.id);

    expect(hidden).toMatchObject({ type: 'result', action: 'hide', message: { id: rude.id, moderation: 'hidden', content: 'something rude' } });
    expect(await ann.socket.nextOfType('message.hidden')).toMatchObject({ session_id: session.id, admin_id: ann.id, message: { id: rude.id, moderation: 'hidden' } });
    expect(storeHidden).toMatchObject({ moderation: 'removed', content: '', attachment_url: '', attachment_type: '', product: null });
    expect(adminHidden).toMatchObject({ moderation: 'hidden', content: 'something rude', attachment_url: 'https://example.com/rude.png' });
    expect(unhidden).toMatchObject({ type: 'result', message: { id: rude.id, moderation: 'visible' } });
    expect(await ann.socket.nextOfType('message.unhidden')).toMatchObject({ message: { id: rude.id, moderation: 'visible' } });
    expect(storeBack).toMatchObject({ moderation: 'visible', content: 'something rude', attachment_url: 'https://example.com/rude.png' });
    expect(adminBack).toMatchObject({ moderation: 'visible', content: 'something rude' });
    await bob.socket.barrier();
    expect([...bob.socket.ofType('message.hidden'), ...bob.socket.ofType('message.unhidden')]).toEqual([]);
  });

  it("removes a hidden product card's product from the store's view only", async () => {
    const ann = await use.admin('Ann');
    const store = await stack.createStore();
    const productId = await importProduct(store.id);
    const { session } = await claimedSession(ann, store.token);
    const card = await adminSays(ann, session.id, { content: 'wrong product', product_id: productId });

    await ann.socket.request({ action: 'hide', message_id: card.id });
    const storeView = (await api.storeHistory(store.token)).messages.find((m) => m.id === card.id);
    const adminView = (await api.adminHistory(ann.token, session.id)).messages.find((m) => m.id === card.id);

    expect(storeView).toMatchObject({ moderation: 'removed', content: '', product: null });
    expect(adminView).toMatchObject({ moderation: 'hidden', content: 'wrong product', product: { id: productId } });
  });

  it('refuses to hide a system message (409) or an unknown message (404)', async () => {
    const ann = await use.admin('Ann');
    const store = await stack.createStore();
    const { session, message } = await claimedSession(ann, store.token);
    const claimed = (await api.adminHistory(ann.token, session.id)).messages.find((m) => m.type === 'claimed')!;

    const system = await ann.socket.request({ action: 'hide', message_id: claimed.id });
    const unknown = await ann.socket.request({ action: 'hide', message_id: message.id + 500 });
    const unknownUnhide = await ann.socket.request({ action: 'unhide', message_id: 987_654_000_001 });

    expect(system).toMatchObject({ type: 'error', status: 409, error: 'Only store and admin messages can be hidden' });
    expect(unknown).toMatchObject({ type: 'error', status: 404, error: 'Message not found' });
    expect(unknownUnhide).toMatchObject({ type: 'error', status: 404, error: 'Message not found' });
    expect((await api.storeHistory(store.token)).messages.every((m) => m.moderation === 'visible')).toBe(true);
  });
});
