import { useChatStack } from '../support/chat-stack';
import { isoUtc } from '../support/harness';

describe('read receipts', () => {
  const { stack, use, api, claimedSession, adminSays } = useChatStack();

  it("shows the store's messages read, with read_at, up to where an admin read, and read_at null elsewhere", async () => {
    const ann = await use.admin('Ann');
    const store = await stack.createStore();
    const one = await claimedSession(ann, store.token, 'one');
    const two = await use.storeSays(store.token, 'two');
    await use.storeSays(store.token, 'three');
    const reply = await adminSays(ann, one.session.id, { content: 'reply' });

    const read = await ann.socket.request({ action: 'read', session_id: one.session.id, up_to_id: two.message.id });
    const storeView = await api.storeHistory(store.token);
    const adminView = await api.adminHistory(ann.token, one.session.id);

    expect(read).toMatchObject({ type: 'result', advanced: true });
    for (const view of [storeView, adminView]) {
      const chatOnly = view.messages.filter((m) => m.sender_type !== 'system');
      expect(chatOnly.map((m) => [m.content, m.status, m.read_at === null ? null : 'time'])).toEqual([
        ['one', 'read', 'time'],
        ['two', 'read', 'time'],
        ['three', 'delivered', null],
        ['reply', 'delivered', null],
      ]);
      const readAt = chatOnly[0]!.read_at!;
      expect(readAt).toMatch(isoUtc);
      expect(readAt >= two.message.created).toBe(true);
      expect(chatOnly[1]!.read_at).toBe(readAt);
    }
    expect(reply.read_at).toBeNull();
  });

  it("shows the admin's messages read when the store reads them, and tells the session's admin", async () => {
    const ann = await use.admin('Ann');
    const store = await stack.createStore();
    const { session } = await claimedSession(ann, store.token);
    const a1 = await adminSays(ann, session.id, { content: 'first answer' });
    const a2 = await adminSays(ann, session.id, { content: 'second answer' });

    const read = await api.storeRead(store.token, a1.id);
    const adminView = await api.adminHistory(ann.token, session.id);

    expect(read.json).toEqual({ session_id: session.id, up_to_id: a1.id, advanced: true });
    expect(await ann.socket.nextOfType('messages.read')).toEqual({ type: 'messages.read', session_id: session.id, reader_type: 'store', reader_id: store.id, up_to_id: a1.id });
    const answers = adminView.messages.filter((m) => m.sender_type === 'admin');
    expect(answers.map((m) => [m.id, m.status])).toEqual([[a1.id, 'read'], [a2.id, 'sent']]);
    expect(answers[0]!.read_at).toMatch(isoUtc);
    expect(answers[1]!.read_at).toBeNull();
    expect(adminView.messages.find((m) => m.sender_type === 'store')?.read_at).toBeNull();
  });
});
