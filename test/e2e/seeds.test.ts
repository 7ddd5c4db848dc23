import { chatTableRef } from '../../lib/deps';
import { importProducts } from '../../lib/ops/products';
import { chat, idsOf, messageOf, seeds, untilOffline, type Admin, type BatchSent, type FullMessage, type SentFull } from '../support/chat';
import { isoUtc, useTestStack, type Frame } from '../support/harness';
import { activeSessionId, chatEntries, storedEntries } from '../support/inspect';

/** Seed 000's message fields, in order, then what seeds 001–003 add. */
const messageKeys = [
  'id', 'session_id', 'sender_type', 'sender_id', 'content', 'attachment_url', 'attachment_type', 'status', 'created', 'updated',
  'type', 'product', 'rating', 'special_type', 'special_param', 'client_message_id', 'read_at', 'moderation',
];

const lamp = {
  sku: 'LAMP-1',
  name: 'Desk lamp',
  type: 'lighting',
  price: 42.41,
  price_catalog: 49.9,
  reference_unit_price: 42.41,
  discount_percentage: 15,
  url: 'https://shop.example.com/p/lamp-1',
  description: 'A warm desk lamp',
  images: [
    { lang: 'en_GB', content: 'https://cdn.example.com/lamp-1/en.jpg' },
    { lang: 'fr_FR', content: 'https://cdn.example.com/lamp-1/fr.jpg' },
  ],
  stock: 12,
  stock_available: 10,
  youtube_id: 'dQw4w9WgXcQ',
  old_image: null,
};

describe('seeds 001–003: message types, products, batches, actions, receipts, blocking, ratings, moderation, presence', () => {
  const stack = useTestStack();
  const use = chat(stack);
  const api = seeds(stack);

  afterEach(async () => {
    await use.closeSockets();
    // Presence and "unavailable" depend on who is connected: every test starts with nobody online.
    await untilOffline(stack);
  });

  const importProduct = async (storeId: number, product: Record<string, unknown> = lamp) =>
    (await importProducts(chatTableRef(stack.deps), storeId, [product])).products[0]!.id;

  /** The store's first message, claimed by the admin: a session the admin may write in. */
  const claimedSession = async (admin: Admin, token: string, content = 'hi') => {
    const first = await use.storeSays(token, content);
    await admin.socket.request({ action: 'claim', session_id: first.session.id });
    return first;
  };

  const adminSays = async (admin: Admin, sessionId: number, frame: Record<string, unknown>) => {
    const answer = await admin.socket.request({ action: 'send', session_id: sessionId, ...frame });
    if (answer.type !== 'result') throw new Error(`admin send failed: ${JSON.stringify(answer)}`);
    return messageOf(answer);
  };

  const createdIds = (frames: Frame[], sessionId: number) =>
    frames.filter((f) => f.type === 'message.created' && messageOf(f).session_id === sessionId).map((f) => messageOf(f).id);

  describe('message types', () => {
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

  describe('products', () => {
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

  describe('batch: POST /v1/chat/store/messages/', () => {
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

  describe('action messages', () => {
    it('lets an admin send an open_url action, which the store lists with its special_type and special_param', async () => {
      const ann = await use.admin('Ann');
      const store = await stack.createStore();
      const { session } = await claimedSession(ann, store.token);

      const message = await adminSays(ann, session.id, { content: 'Track your parcel', special_type: 'open_url', special_param: 'https://shop.example.com/track/1042' });
      const listed = (await api.storeHistory(store.token)).messages.find((m) => m.id === message.id);

      expect(message).toMatchObject({ type: 'text', content: 'Track your parcel', special_type: 'open_url', special_param: 'https://shop.example.com/track/1042' });
      expect(listed).toMatchObject({ special_type: 'open_url', special_param: 'https://shop.example.com/track/1042', content: 'Track your parcel' });
    });

    it('lets an admin offer 1 to 10 quick replies of up to 40 characters', async () => {
      const ann = await use.admin('Ann');
      const store = await stack.createStore();
      const { session } = await claimedSession(ann, store.token);
      const ten = Array.from({ length: 10 }, (_, i) => `${i}`.padEnd(40, 'x'));

      const yesNo = await adminSays(ann, session.id, { content: 'Did that fix it?', special_type: 'quick_replies', special_param: ['Yes', 'No'] });
      const most = await adminSays(ann, session.id, { content: 'Pick one', special_type: 'quick_replies', special_param: ten });
      const listed = (await api.storeHistory(store.token)).messages.filter((m) => m.sender_type === 'admin');

      expect(yesNo).toMatchObject({ special_type: 'quick_replies', special_param: ['Yes', 'No'] });
      expect(listed.map((m) => [m.id, m.special_type, m.special_param])).toEqual([
        [yesNo.id, 'quick_replies', ['Yes', 'No']],
        [most.id, 'quick_replies', ten],
      ]);
    });

    it('refuses a bad action with a 400 error frame naming the field, and stores nothing', async () => {
      const ann = await use.admin('Ann');
      const store = await stack.createStore();
      const { session } = await claimedSession(ann, store.token);
      const cases: [Record<string, unknown>, Record<string, string[]>][] = [
        [{ content: 'Go', special_type: 'open_url', special_param: 'http://shop.example.com' }, { special_param: ['Must be an https URL'] }],
        [{ content: 'Go', special_type: 'open_url', special_param: 'javascript:alert(1)' }, { special_param: ['Must be an https URL'] }],
        [{ content: 'Go', special_type: 'open_url' }, { special_param: ['Must be a string'] }],
        [{ content: 'Pick', special_type: 'quick_replies', special_param: [] }, { special_param: ['Must offer at least one reply'] }],
        [{ content: 'Pick', special_type: 'quick_replies', special_param: Array.from({ length: 11 }, (_, i) => `r${i}`) }, { special_param: ['Must offer at most 10 replies'] }],
        [{ content: 'Pick', special_type: 'quick_replies', special_param: ['ok', 'x'.repeat(41)] }, { 'special_param.1': ['Must be at most 40 characters'] }],
        [{ content: 'Pick', special_type: 'quick_replies', special_param: 'Yes' }, { special_param: ['Must be a list of replies'] }],
        [{ special_type: 'quick_replies', special_param: ['Yes'] }, { content: ['An action message needs content to show'] }],
        [{ content: 'Go', special_type: 'teleport', special_param: 'x' }, { special_type: ['Must be open_url or quick_replies'] }],
        [{ content: 'Go', special_param: 'https://example.com' }, { special_param: ['Requires special_type'] }],
      ];

      const answers: Frame[] = [];
      for (const [frame] of cases) answers.push(await ann.socket.request({ action: 'send', session_id: session.id, ...frame }));

      expect(answers.map((a) => [a.type, a.status, a.errors])).toEqual(cases.map(([, errors]) => ['error', 400, errors]));
      expect((await chatEntries(stack, session.id)).filter((e) => e.sender_type === 'admin')).toEqual([]);
    });

    it('refuses special_type from a store with 400: only admins can send action messages', async () => {
      const store = await stack.createStore();

      const response = await api.send(store.token, { content: 'Click me', special_type: 'open_url' });

      expect(response.status).toBe(400);
      expect(response.json).toEqual({ error: 'Invalid request body', errors: { special_type: ['Only admins can send action messages'] } });
      expect(await activeSessionId(stack, store.id)).toBeUndefined();
    });
  });

  describe('read receipts', () => {
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

  describe('blocking', () => {
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

  describe('ratings: POST /v1/chat/store/rating/', () => {
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

  describe('moderation', () => {
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

  describe('sender presence in lists', () => {
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
});
