import { messageOf, type SentFull } from '../support/chat';
import { lamp, useChatStack } from '../support/chat-stack';
import { activeSessionId, chatEntries } from '../support/inspect';

describe('products', () => {
  const { stack, use, api, importProduct, claimedSession, adminSays } = useChatStack();

  it('posts a product card: type "product" with a snapshot of the product (no store_id), pushed and listed alike', async () => {
    const ann = await use.admin('Ann');
    const store = await stack.createStore();
    const productId = await importProduct(store.id);

    const withText = await api.send(store.token, { content: 'Is this one in stock?', product_id: productId });
    const bare = await api.send(store.token, { product_id: productId });
    const history = await api.adminHistory(ann.token, (withText.json as SentFull).session.id);

    expect(withText.status).toBe(200);
    expect(bare.status).toBe(200);
    const card = (withText.json as SentFull).message;
    expect(card).toMatchObject({ type: 'product', content: 'Is this one in stock?', attachment_url: '' });
    expect(card.product).toEqual({ id: productId, ...lamp });
    expect((bare.json as SentFull).message).toMatchObject({ type: 'product', content: '', product: { id: productId, sku: 'LAMP-1' } });
    const pushed = await ann.socket.next((f) => f.type === 'message.created' && messageOf(f).id === card.id);
    expect(messageOf(pushed).product).toEqual(card.product);
    expect(history.messages.find((m) => m.id === card.id)?.product).toEqual(card.product);
  });

  it('keeps earlier cards as they were when the product is re-imported with new fields', async () => {
    const store = await stack.createStore();
    const productId = await importProduct(store.id);
    const before = ((await api.send(store.token, { product_id: productId })).json as SentFull).message;

    const reimported = await importProduct(store.id, { ...lamp, name: 'Desk lamp v2', price: 39.99, images: [] });
    const after = ((await api.send(store.token, { product_id: productId })).json as SentFull).message;
    const history = await api.storeHistory(store.token);

    expect(reimported).toBe(productId);
    const cards = history.messages.filter((m) => m.type === 'product');
    expect(cards.map((m) => m.id)).toEqual([before.id, after.id]);
    expect(cards[0]!.product).toEqual({ id: productId, ...lamp });
    expect(cards[1]!.product).toEqual({ id: productId, ...lamp, name: 'Desk lamp v2', price: 39.99, images: [] });
  });

  it("answers 404 for an unknown product and for another store's product, revealing nothing, and stores nothing", async () => {
    const store = await stack.createStore();
    const other = await stack.createStore();
    const theirs = await importProduct(other.id);
    const { session } = await use.storeSays(store.token, 'hi');

    const unknown = await api.send(store.token, { content: 'this one', product_id: 987_654 });
    const foreign = await api.send(store.token, { content: 'this one', product_id: theirs });

    const notFound = { error: 'Product not found', errors: { product_id: ['Product not found'] } };
    expect([unknown.status, unknown.json]).toEqual([404, notFound]);
    expect([foreign.status, foreign.json]).toEqual([404, notFound]);
    expect((await chatEntries(stack, session.id)).map((e) => e.content)).toEqual(['hi']);
  });

  it('opens no session for a new store whose first message names an unknown product', async () => {
    const store = await stack.createStore();

    const unknown = await api.send(store.token, { product_id: 987_654 });

    expect(unknown.status).toBe(404);
    expect(await activeSessionId(stack, store.id)).toBeUndefined();
  });

  it('leaves a just-closed session current after a refused product message, so the store can still rate it', async () => {
    const ann = await use.admin('Ann');
    const store = await stack.createStore();
    const { session } = await claimedSession(ann, store.token);
    await ann.socket.request({ action: 'close', session_id: session.id });

    const refused = await api.send(store.token, { content: 'this?', product_id: 987_654 });
    const current = await stack.get('/v1/chat/store/session/', { token: store.token });
    const rated = await api.rate(store.token, { rating: 5 });

    expect(refused.status).toBe(404);
    expect(current.json).toMatchObject({ session: { id: session.id, status: 'closed' } });
    expect(rated.status).toBe(200);
  });

  it('refuses a product_id that is not a positive integer with 400 errors.product_id', async () => {
    const store = await stack.createStore();

    const answers = [];
    for (const productId of ['x', -1, 0, 1.5, true]) answers.push(await api.send(store.token, { product_id: productId }));

    expect(answers.map((a) => a.status)).toEqual([400, 400, 400, 400, 400]);
    expect(answers.map((a) => (a.json as { errors: Record<string, string[]> }).errors)).toEqual([
      { product_id: ['Must be an integer'] },
      { product_id: ['Must be positive'] },
      { product_id: ['Must be positive'] },
      { product_id: ['Must be an integer'] },
      { product_id: ['Must be an integer'] },
    ]);
    expect(await activeSessionId(stack, store.id)).toBeUndefined();
  });

  it("lets an admin who claimed the session post the store's product, but not another store's, nor unclaimed", async () => {
    const ann = await use.admin('Ann');
    const store = await stack.createStore();
    const other = await stack.createStore();
    const ours = await importProduct(store.id);
    const theirs = await importProduct(other.id, { ...lamp, sku: 'THEIRS' });
    const { session } = await use.storeSays(store.token, 'which lamp?');

    const unclaimed = await ann.socket.request({ action: 'send', session_id: session.id, product_id: ours });
    await ann.socket.request({ action: 'claim', session_id: session.id });
    const card = await adminSays(ann, session.id, { content: 'This one', product_id: ours });
    const foreign = await ann.socket.request({ action: 'send', session_id: session.id, product_id: theirs });
    const history = await api.storeHistory(store.token);

    expect(unclaimed).toMatchObject({ type: 'error', status: 409, error: 'Claim the session before replying' });
    expect(card).toMatchObject({ sender_type: 'admin', type: 'product', content: 'This one', product: { id: ours, ...lamp } });
    expect(foreign).toMatchObject({ type: 'error', status: 404, error: 'Product not found', errors: { product_id: ['Product not found'] } });
    expect(history.messages.filter((m) => m.sender_type === 'admin').map((m) => [m.id, m.product?.id])).toEqual([[card.id, ours]]);
  });
});
