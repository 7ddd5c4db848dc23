import { untilOffline } from '../support/chat';
import { useChatStack } from '../support/chat-stack';

describe('sender presence in lists', () => {
  const { stack, use, api, claimedSession, adminSays } = useChatStack();

  it("names every sender, shows the store online after it acted, and an admin online only while its socket is open", async () => {
    const ann = await use.admin('Ann');
    const store = await stack.createStore('Corner Shop');
    const { session } = await claimedSession(ann, store.token);
    await adminSays(ann, session.id, { content: 'Hello from Ann' });

    const whileOnline = await api.adminHistory(ann.token, session.id);
    await ann.socket.close();
    await untilOffline(stack, ann.id);
    const afterClose = await api.storeHistory(store.token);

    const presence = (view: typeof whileOnline) => view.messages.map((m) => [m.sender_type, m.sender_name, m.sender_online]);
    expect(presence(whileOnline)).toEqual([
      ['store', 'Corner Shop', true],
      ['system', 'Ann', true],
      ['admin', 'Ann', true],
    ]);
    expect(presence(afterClose)).toEqual([
      ['store', 'Corner Shop', true],
      ['system', 'Ann', false],
      ['admin', 'Ann', false],
    ]);
  });

  it('leaves system messages with no acting admin unnamed and offline', async () => {
    const store = await stack.createStore('Corner Shop');
    await use.storeSays(store.token, 'hello?');

    const history = await api.storeHistory(store.token);

    expect(history.messages.map((m) => [m.type, m.sender_name, m.sender_online])).toEqual([
      ['text', 'Corner Shop', true],
      ['unavailable', '', false],
    ]);
  });
});
