import { untilOffline, type FullMessage, type SentFull } from '../support/chat';
import { messageKeys, useChatStack } from '../support/chat-stack';

describe('message types', () => {
  const { stack, use, api, claimedSession, adminSays } = useChatStack();

  it("gives every message seed 000's fields, then type, product, rating, special_type, special_param, client_message_id, read_at and moderation", async () => {
    const store = await stack.createStore('Corner Shop');

    const sent = await api.send(store.token, { content: 'Hello' });
    const history = await api.storeHistory(store.token);

    const message = (sent.json as SentFull).message;
    expect(Object.keys(message)).toEqual(messageKeys);
    expect(message).toMatchObject({
      type: 'text', product: null, rating: null, special_type: '', special_param: null, client_message_id: '', read_at: null, moderation: 'visible',
    });
    const listed = history.messages.find((m) => m.id === message.id)!;
    expect(Object.keys(listed)).toEqual([...messageKeys, 'sender_name', 'sender_online']);
  });

  it('types content by what it carries: text, image, video, or file for any other attachment', async () => {
    const store = await stack.createStore();
    const bodies = [
      { content: 'just words' },
      { attachment_url: 'https://example.com/a.png' },
      { content: 'photo', attachment_url: 'https://example.com/b.JPG' },
      { attachment_url: 'https://example.com/clip.mp4' },
      { attachment_url: 'https://example.com/clip.mov' },
      { attachment_url: 'https://example.com/invoice.pdf' },
      { attachment_url: 'https://example.com/orders.csv' },
      { attachment_url: 'https://example.com/voice.mp3' },
      { attachment_url: 'https://example.com/stream', attachment_type: 'video/webm' },
    ];

    const sent: FullMessage[] = [];
    for (const body of bodies) sent.push(((await api.send(store.token, body)).json as SentFull).message);
    const history = await api.storeHistory(store.token);

    const expected = ['text', 'image', 'image', 'video', 'video', 'file', 'file', 'file', 'video'];
    expect(sent.map((m) => m.type)).toEqual(expected);
    const listed = history.messages.filter((m) => m.sender_type === 'store');
    expect(listed.map((m) => [m.id, m.type])).toEqual(sent.map((m, i) => [m.id, expected[i]]));
  });

  it('records claims, transfers, releases and a close after a reply as system messages of those types', async () => {
    const ann = await use.admin('Ann');
    const bob = await use.admin('Bob');
    const store = await stack.createStore();
    const { session } = await claimedSession(ann, store.token);

    await adminSays(ann, session.id, { content: 'Hello!' });
    await ann.socket.request({ action: 'transfer', session_id: session.id, admin_id: bob.id });
    await bob.socket.request({ action: 'release', session_id: session.id });
    await ann.socket.request({ action: 'claim', session_id: session.id });
    await ann.socket.request({ action: 'close', session_id: session.id });
    const history = await api.adminHistory(ann.token, session.id);

    expect(history.messages.map((m) => [m.sender_type, m.type])).toEqual([
      ['store', 'text'],
      ['system', 'claimed'],
      ['admin', 'text'],
      ['system', 'transferred'],
      ['system', 'released'],
      ['system', 'claimed'],
      ['system', 'closed'],
    ]);
    expect(history.messages.filter((m) => m.sender_type === 'system').map((m) => m.sender_id)).toEqual([ann.id, ann.id, bob.id, ann.id, ann.id]);
  });

  it('calls a close with no admin reply "missed", claimed or not', async () => {
    const ann = await use.admin('Ann');
    const one = await stack.createStore();
    const two = await stack.createStore();
    const claimed = await claimedSession(ann, one.token);
    const unclaimed = await use.storeSays(two.token, 'hello?');

    await ann.socket.request({ action: 'close', session_id: claimed.session.id });
    await ann.socket.request({ action: 'close', session_id: unclaimed.session.id });

    expect((await api.adminHistory(ann.token, claimed.session.id)).messages.map((m) => m.type)).toEqual(['text', 'claimed', 'missed']);
    expect((await api.adminHistory(ann.token, unclaimed.session.id)).messages.map((m) => m.type)).toEqual(['text', 'missed']);
  });

  describe('unavailable', () => {
    it('follows the first store message that reached no admin, once, and again after an admin has replied', async () => {
      const store = await stack.createStore();
      const first = await use.storeSays(store.token, 'hello?');
      await use.storeSays(store.token, 'anyone there?');
      const afterTwo = await api.storeHistory(store.token);

      const ann = await use.admin('Ann');
      await ann.socket.request({ action: 'claim', session_id: first.session.id });
      await adminSays(ann, first.session.id, { content: 'Sorry for the wait' });
      await ann.socket.close();
      await untilOffline(stack, ann.id);
      await use.storeSays(store.token, 'one more thing');
      const history = await api.storeHistory(store.token);

      expect(first.message.status).toBe('sent');
      expect(afterTwo.messages.map((m) => [m.sender_type, m.type])).toEqual([['store', 'text'], ['system', 'unavailable'], ['store', 'text']]);
      expect(afterTwo.messages[1]).toMatchObject({ sender_id: null, content: '', status: 'sent' });
      expect(history.messages.map((m) => m.type)).toEqual(['text', 'unavailable', 'text', 'claimed', 'text', 'text', 'unavailable']);
    });

    it('is not posted while an admin is online, and is posted again once nobody is', async () => {
      const store = await stack.createStore();
      await use.storeSays(store.token, 'hello?');
      const ann = await use.admin('Ann');
      const delivered = await use.storeSays(store.token, 'now?');
      await ann.socket.close();
      await untilOffline(stack, ann.id);
      await use.storeSays(store.token, 'and now?');

      const history = await api.storeHistory(store.token);

      expect(delivered.message.status).toBe('delivered');
      expect(history.messages.map((m) => [m.content, m.type])).toEqual([
        ['hello?', 'text'], ['', 'unavailable'], ['now?', 'text'], ['and now?', 'text'], ['', 'unavailable'],
      ]);
    });

    it('is posted again after a claim: any admin action in the session ends the stretch', async () => {
      const store = await stack.createStore();
      const first = await use.storeSays(store.token, 'hello?');
      const ann = await use.admin('Ann');
      await ann.socket.request({ action: 'claim', session_id: first.session.id });
      await ann.socket.close();
      await untilOffline(stack, ann.id);

      await use.storeSays(store.token, 'you took it, are you there?');
      const history = await api.storeHistory(store.token);

      expect(history.messages.map((m) => m.type)).toEqual(['text', 'unavailable', 'claimed', 'text', 'unavailable']);
    });
  });
});
