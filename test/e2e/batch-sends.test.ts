import { idsOf, type BatchSent } from '../support/chat';
import { createdIds, useChatStack } from '../support/chat-stack';
import { activeSessionId, chatEntries } from '../support/inspect';

describe('batch: POST /v1/chat/store/messages/', () => {
  const { stack, use, api, importProduct } = useChatStack();

  it('stores the items in array order, answers them in that order, and pushes one message.created each', async () => {
    const ann = await use.admin('Ann');
    const store = await stack.createStore();
    const productId = await importProduct(store.id);
    const items = [
      { content: 'first, written offline' },
      { attachment_url: 'https://example.com/photo.png' },
      { content: 'this lamp', product_id: productId },
      { content: 'and a clip', attachment_url: 'https://example.com/clip.mp4', client_message_id: 'clip-1' },
    ];

    const response = await api.batch(store.token, items);

    expect(response.status).toBe(200);
    const { session, messages } = response.json as BatchSent;
    expect(messages.map((m) => [m.type, m.content, m.client_message_id])).toEqual([
      ['text', 'first, written offline', ''],
      ['image', '', ''],
      ['product', 'this lamp', ''],
      ['video', 'and a clip', 'clip-1'],
    ]);
    expect(messages.every((m) => m.session_id === session.id && m.sender_type === 'store')).toBe(true);
    expect(idsOf(messages)).toEqual([...idsOf(messages)].sort((a, b) => a - b));
    expect((await chatEntries(stack, session.id)).map((e) => e.id)).toEqual(idsOf(messages));
    await ann.socket.barrier();
    expect(createdIds(ann.socket.frames, session.id)).toEqual(idsOf(messages));
    expect(session.last_message_at).toBe(messages.at(-1)!.created);
  });

  it('appends a batch after the messages the session already has', async () => {
    const store = await stack.createStore();
    const { session } = await use.storeSays(store.token, 'before');

    const response = await api.batch(store.token, [{ content: 'one' }, { content: 'two' }]);

    expect((response.json as BatchSent).session.id).toBe(session.id);
    expect((await chatEntries(stack, session.id)).map((e) => e.content)).toEqual(['before', 'one', 'two']);
  });

  it('refuses the whole batch, naming each bad item by index and field, and stores nothing', async () => {
    const cases: [unknown[], Record<string, string[]>][] = [
      [[{ content: 'fine' }, { content: 5 }, { attachment_url: 'http://example.com/a.png' }], { 'messages.1.content': ['Must be a string'], 'messages.2.attachment_url': ['Must be an https URL'] }],
      [[{ content: 'fine' }, {}], { 'messages.1.content': ['Message content or attachment is required'] }],
      [[{ content: 'fine' }, { content: 'hi', attachment_type: 'image/png' }], { 'messages.1.attachment_type': ['Requires attachment_url'] }],
      [[{ content: 'x', special_type: 'open_url', special_param: 'https://example.com' }], { 'messages.0.special_type': ['Only admins can send action messages'], 'messages.0.special_param': ['Only admins can send action messages'] }],
      [[{ content: 'fine' }, { product_id: 'x' }], { 'messages.1.product_id': ['Must be an integer'] }],
      [[{ content: 'fine' }, 'not an object'], { 'messages.1': expect.any(Array) }],
    ];

    for (const [items, errors] of cases) {
      const store = await stack.createStore();
      const response = await api.batch(store.token, items);
      expect([response.status, response.json]).toEqual([400, { error: 'Invalid request body', errors }]);
      expect(await activeSessionId(stack, store.id)).toBeUndefined();
    }
  });

  it('refuses a batch whose item names an unknown product with 404 at that index, and stores none of it', async () => {
    const store = await stack.createStore();
    const productId = await importProduct(store.id);
    const { session } = await use.storeSays(store.token, 'before');

    const response = await api.batch(store.token, [{ content: 'look' }, { product_id: 987_654 }, { product_id: productId }]);

    expect(response.status).toBe(404);
    expect(response.json).toEqual({ error: 'Product not found', errors: { 'messages.1.product_id': ['Product not found'] } });
    expect((await chatEntries(stack, session.id)).map((e) => e.content)).toEqual(['before']);
  });

  it('opens no session for a new store whose batch names an unknown product', async () => {
    const store = await stack.createStore();

    const response = await api.batch(store.token, [{ content: 'look' }, { product_id: 987_654 }]);

    expect(response.status).toBe(404);
    expect(await activeSessionId(stack, store.id)).toBeUndefined();
  });

  it('takes 1 to 20 messages: refuses 21, none, or something else than a list', async () => {
    const store = await stack.createStore();
    const twenty = Array.from({ length: 20 }, (_, i) => ({ content: `m${i}` }));

    const tooMany = await api.batch(store.token, [...twenty, { content: 'm20' }]);
    const empty = await api.batch(store.token, []);
    const notList = await api.batch(store.token, { content: 'hi' });
    const missing = await stack.post('/v1/chat/store/messages/', { token: store.token, body: { content: 'hi' } });
    const storedBefore = await activeSessionId(stack, store.id);
    const exactly = await api.batch(store.token, twenty);

    expect([tooMany.status, tooMany.json]).toEqual([400, { error: 'Invalid request body', errors: { messages: ['Must contain at most 20 messages'] } }]);
    expect([empty.status, empty.json]).toEqual([400, { error: 'Invalid request body', errors: { messages: ['Must contain at least one message'] } }]);
    expect([notList.status, notList.json]).toEqual([400, { error: 'Invalid request body', errors: { messages: ['Must be a list of messages'] } }]);
    expect([missing.status, missing.json]).toEqual([400, { error: 'Invalid request body', errors: { messages: ['Must be a list of messages'] } }]);
    expect(storedBefore).toBeUndefined();
    expect(exactly.status).toBe(200);
    const { session } = exactly.json as BatchSent;
    expect((await chatEntries(stack, session.id)).map((e) => e.content)).toEqual(twenty.map((m) => m.content));
  });
});
