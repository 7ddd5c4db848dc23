import { chatTableRef } from '../../lib/deps';
import { importProducts } from '../../lib/ops/products';
import { idsOf, messageOf, type Admin, type BatchSent, type SentFull } from '../support/chat';
import { createdIds, useChatStack } from '../support/chat-stack';
import { activeSessionId, chatEntries, openInboxEntries, storedEntries } from '../support/inspect';

describe('idempotent sends with client_message_id', () => {
  const { stack, use, api } = useChatStack();

  const sent = (response: { status: number; json: unknown; text: string }): SentFull => {
    if (response.status !== 200) throw new Error(`send failed: ${response.status} ${response.text}`);
    return response.json as SentFull;
  };

  const alreadyUsed = { error: 'client_message_id was already used for a different message', errors: { client_message_id: ['Was already used for a different message'] } };

  describe('store: POST /v1/chat/store/message/', () => {
    it('answers a retry with the original message, stores it once, pushes it once and leaves the inbox on it', async () => {
      const ann = await use.admin('Ann');
      const store = await stack.createStore();
      const body = { content: 'Where is order 1042?', client_message_id: 'app-1:msg-0001' };

      const first = sent(await api.send(store.token, body));
      const retry = await api.send(store.token, body);
      await ann.socket.barrier();

      expect(retry.status).toBe(200);
      const again = retry.json as SentFull;
      expect(again.message).toEqual(first.message);
      expect(again.message).toMatchObject({ client_message_id: 'app-1:msg-0001', content: 'Where is order 1042?' });
      expect(again.session.id).toBe(first.session.id);
      expect((await chatEntries(stack, first.session.id)).map((e) => e.id)).toEqual([first.message.id]);
      expect(createdIds(ann.socket.frames, first.session.id)).toEqual([first.message.id]);
      const inbox = await openInboxEntries(stack, first.session.id);
      expect(inbox).toHaveLength(1);
      expect(inbox[0]).toMatchObject({ last_entry: { id: first.message.id, preview: 'Where is order 1042?' } });
    });

    it('does not move the inbox back to an older message when that message is retried', async () => {
      const ann = await use.admin('Ann');
      const store = await stack.createStore();
      const older = sent(await api.send(store.token, { content: 'first', client_message_id: 'c-1' }));
      const newer = sent(await api.send(store.token, { content: 'second', client_message_id: 'c-2' }));

      const retry = sent(await api.send(store.token, { content: 'first', client_message_id: 'c-1' }));
      await ann.socket.barrier();

      expect(retry.message.id).toBe(older.message.id);
      const inbox = await openInboxEntries(stack, older.session.id);
      expect(inbox.map((item) => (item.last_entry as { id: number }).id)).toEqual([newer.message.id]);
      expect(createdIds(ann.socket.frames, older.session.id)).toEqual([older.message.id, newer.message.id]);
    });

    it('refuses the same id with a different message (409) and stores nothing', async () => {
      const store = await stack.createStore();
      const productId = (await importProducts(chatTableRef(stack.deps), store.id, [{ sku: 'P-1', price: 5 }])).products[0]!.id;
      const original = sent(await api.send(store.token, { content: 'hello', attachment_url: 'https://example.com/a.png', client_message_id: 'same' }));

      const changed = [
        await api.send(store.token, { content: 'hello!', attachment_url: 'https://example.com/a.png', client_message_id: 'same' }),
        await api.send(store.token, { content: 'hello', attachment_url: 'https://example.com/b.png', client_message_id: 'same' }),
        await api.send(store.token, { content: 'hello', client_message_id: 'same' }),
        await api.send(store.token, { content: 'hello', attachment_url: 'https://example.com/a.png', product_id: productId, client_message_id: 'same' }),
      ];

      expect(changed.map((r) => [r.status, r.json])).toEqual(changed.map(() => [409, alreadyUsed]));
      expect((await chatEntries(stack, original.session.id)).map((e) => e.id)).toEqual([original.message.id]);
    });

    it('accepts 1 to 64 letters, digits, dots, dashes, colons and underscores, and refuses anything else with 400', async () => {
      const store = await stack.createStore();
      const longest = `${'a'.repeat(60)}._:-`;

      const accepted = await api.send(store.token, { content: 'hi', client_message_id: longest });
      const refused = [];
      for (const id of ['a'.repeat(65), '', 'has space', 'slash/no', 'é', 42]) refused.push(await api.send(store.token, { content: 'hi', client_message_id: id }));

      expect(accepted.status).toBe(200);
      expect((accepted.json as SentFull).message.client_message_id).toBe(longest);
      for (const response of refused) {
        expect(response.status).toBe(400);
        expect(response.json).toMatchObject({ error: 'Invalid request body', errors: { client_message_id: [expect.any(String)] } });
      }
      expect((await chatEntries(stack, (accepted.json as SentFull).session.id)).map((e) => e.client_message_id)).toEqual([longest]);
    });

    it('keeps two stores, and a store and an admin, apart even when they use the same id', async () => {
      const ann = await use.admin('Ann');
      const one = await stack.createStore();
      const two = await stack.createStore();

      const fromOne = sent(await api.send(one.token, { content: 'same words', client_message_id: 'shared-id' }));
      const fromTwo = sent(await api.send(two.token, { content: 'same words', client_message_id: 'shared-id' }));
      await ann.socket.request({ action: 'claim', session_id: fromOne.session.id });
      const fromAnn = await ann.socket.request({ action: 'send', session_id: fromOne.session.id, content: 'same words', client_message_id: 'shared-id' });

      expect(fromTwo.session.id).not.toBe(fromOne.session.id);
      expect(fromTwo.message.id).not.toBe(fromOne.message.id);
      expect(fromAnn).toMatchObject({ type: 'result', message: { sender_type: 'admin', client_message_id: 'shared-id' } });
      expect(messageOf(fromAnn).id).not.toBe(fromOne.message.id);
      expect((await chatEntries(stack, fromOne.session.id)).map((e) => [e.sender_type, e.client_message_id])).toEqual([
        ['store', 'shared-id'],
        ['admin', 'shared-id'],
      ]);
      expect(await chatEntries(stack, fromTwo.session.id)).toHaveLength(1);
    });

    it('deduplicates product messages too', async () => {
      const store = await stack.createStore();
      const productId = (await importProducts(chatTableRef(stack.deps), store.id, [{ sku: 'P-1', price: 5 }])).products[0]!.id;
      const body = { product_id: productId, client_message_id: 'card-1' };

      const first = sent(await api.send(store.token, body));
      const retry = sent(await api.send(store.token, body));

      expect(retry.message).toEqual(first.message);
      expect(first.message).toMatchObject({ type: 'product', product: { id: productId, sku: 'P-1' } });
      expect((await chatEntries(stack, first.session.id)).map((e) => e.id)).toEqual([first.message.id]);
    });

    it('stores exactly one message for ten identical requests fired at once, and answers all ten with it', async () => {
      const ann = await use.admin('Ann');
      const store = await stack.createStore();
      const { session } = await use.storeSays(store.token, 'before');
      const body = { content: 'sent ten times', client_message_id: 'burst-1' };

      const answers = await Promise.all(Array.from({ length: 10 }, () => api.send(store.token, body)));
      await ann.socket.barrier();

      expect(answers.map((a) => a.status)).toEqual(Array(10).fill(200));
      const ids = new Set(answers.map((a) => (a.json as SentFull).message.id));
      expect(ids.size).toBe(1);
      const entries = await chatEntries(stack, session.id);
      expect(entries.map((e) => e.content)).toEqual(['before', 'sent ten times']);
      expect(entries[1]!.id).toBe([...ids][0]);
      expect(createdIds(ann.socket.frames, session.id).filter((id) => ids.has(id))).toHaveLength(1);
    });

    it("stores exactly one message and one session for ten identical first messages of a new store", async () => {
      const store = await stack.createStore();
      const body = { content: 'my very first message', client_message_id: 'first-1' };

      const answers = await Promise.all(Array.from({ length: 10 }, () => api.send(store.token, body)));

      expect(answers.map((a) => a.status)).toEqual(Array(10).fill(200));
      const messages = answers.map((a) => (a.json as SentFull).message);
      expect(new Set(messages.map((m) => m.id)).size).toBe(1);
      expect(new Set(messages.map((m) => m.session_id)).size).toBe(1);
      expect(await activeSessionId(stack, store.id)).toBe(messages[0]!.session_id);
      expect((await chatEntries(stack, messages[0]!.session_id)).map((e) => e.content)).toEqual(['my very first message']);
    });
  });

  describe('across a session close', () => {
    /** The store sends, then Ann claims and closes the session. */
    const sendThenClose = async (ann: Admin, token: string, body: Record<string, unknown>) => {
      const original = sent(await api.send(token, body));
      await ann.socket.request({ action: 'claim', session_id: original.session.id });
      await ann.socket.request({ action: 'close', session_id: original.session.id });
      return original;
    };

    it('answers every retry after the session was closed with the original, and opens no session with a copy', async () => {
      const ann = await use.admin('Ann');
      const store = await stack.createStore();
      const body = { content: 'did you get this?', client_message_id: 'before-close' };
      const original = await sendThenClose(ann, store.token, body);

      const retry = sent(await api.send(store.token, body));
      const current = await stack.get('/v1/chat/store/session/', { token: store.token });
      const secondRetry = sent(await api.send(store.token, body));

      expect(retry.message.id).toBe(original.message.id);
      expect(retry.message.session_id).toBe(original.session.id);
      expect(secondRetry.message.id).toBe(original.message.id);
      const sessionNow = (await activeSessionId(stack, store.id))!;
      const copies = sessionNow === original.session.id ? [] : await storedEntries(stack, sessionNow);
      expect(copies).toEqual([]);
      expect(current.json).toMatchObject({ session: { id: original.session.id, status: 'closed' } });
    });

    it("still lets the store rate the closed session after retrying a message from it", async () => {
      const ann = await use.admin('Ann');
      const store = await stack.createStore();
      const body = { content: 'thanks!', client_message_id: 'last-words' };
      const original = await sendThenClose(ann, store.token, body);

      await api.send(store.token, body);
      const rated = await api.rate(store.token, { rating: 5 });

      expect(rated.status).toBe(200);
      expect((rated.json as SentFull).message.session_id).toBe(original.session.id);
    });

    it('remembers ids from the closed session once the next message has opened a new one', async () => {
      const ann = await use.admin('Ann');
      const store = await stack.createStore();
      const body = { content: 'about order 7', client_message_id: 'old-1' };
      const original = await sendThenClose(ann, store.token, body);
      const next = sent(await api.send(store.token, { content: 'new topic', client_message_id: 'new-1' }));

      const retry = sent(await api.send(store.token, body));
      const conflict = await api.send(store.token, { content: 'about order 8', client_message_id: 'old-1' });

      expect(next.session.id).not.toBe(original.session.id);
      expect(retry.message.id).toBe(original.message.id);
      expect([conflict.status, conflict.json]).toEqual([409, alreadyUsed]);
      expect((await chatEntries(stack, next.session.id)).map((e) => e.content)).toEqual(['new topic']);
    });

    it('answers concurrent retries after a close with the original, and stores no copy', async () => {
      const ann = await use.admin('Ann');
      const store = await stack.createStore();
      const body = { content: 'retried by a flaky network', client_message_id: 'flaky-1' };
      const original = await sendThenClose(ann, store.token, body);

      const answers = await Promise.all(Array.from({ length: 5 }, () => api.send(store.token, body)));

      expect(answers.map((a) => a.status)).toEqual(Array(5).fill(200));
      expect(answers.map((a) => (a.json as SentFull).message.id)).toEqual(Array(5).fill(original.message.id));
      const sessionNow = (await activeSessionId(stack, store.id))!;
      const copies = sessionNow === original.session.id ? [] : await storedEntries(stack, sessionNow);
      expect(copies).toEqual([]);
    });
  });

  describe('batches', () => {
    it('answers a retried batch with the original messages, storing and pushing nothing new', async () => {
      const ann = await use.admin('Ann');
      const store = await stack.createStore();
      const items = [
        { content: 'one', client_message_id: 'q-1' },
        { attachment_url: 'https://example.com/two.png', client_message_id: 'q-2' },
        { content: 'three', client_message_id: 'q-3' },
      ];

      const first = (await api.batch(store.token, items)).json as BatchSent;
      const retry = await api.batch(store.token, items);
      await ann.socket.barrier();

      expect(retry.status).toBe(200);
      expect((retry.json as BatchSent).messages).toEqual(first.messages);
      expect((await chatEntries(stack, first.session.id)).map((e) => e.id)).toEqual(idsOf(first.messages));
      expect(createdIds(ann.socket.frames, first.session.id)).toEqual(idsOf(first.messages));
    });

    it('stores only the items not sent before, answering every item in order', async () => {
      const ann = await use.admin('Ann');
      const store = await stack.createStore();
      const a = { content: 'a', client_message_id: 'q-a' };
      const b = { content: 'b', client_message_id: 'q-b' };
      const single = sent(await api.send(store.token, { content: 'c', client_message_id: 'q-c' }));
      const first = (await api.batch(store.token, [a, b])).json as BatchSent;

      const response = await api.batch(store.token, [a, b, { content: 'c', client_message_id: 'q-c' }, { content: 'd', client_message_id: 'q-d' }, { content: 'e' }]);
      await ann.socket.barrier();

      expect(response.status).toBe(200);
      const { messages } = response.json as BatchSent;
      expect(messages.map((m) => m.content)).toEqual(['a', 'b', 'c', 'd', 'e']);
      expect(idsOf(messages).slice(0, 3)).toEqual([...idsOf(first.messages), single.message.id]);
      const entries = await chatEntries(stack, first.session.id);
      expect(entries.map((e) => e.content)).toEqual(['c', 'a', 'b', 'd', 'e']);
      expect(idsOf(entries).slice(3)).toEqual(idsOf(messages).slice(3));
      expect(createdIds(ann.socket.frames, first.session.id)).toEqual(idsOf(entries));
    });

    it('recognises a retried batch of 20 even when the admin replied with its own client_message_id in between', async () => {
      const ann = await use.admin('Ann');
      const store = await stack.createStore();
      const items = Array.from({ length: 20 }, (_, i) => ({ content: `queued ${i}`, client_message_id: `queue-${i}` }));
      const first = (await api.batch(store.token, items)).json as BatchSent;
      await ann.socket.request({ action: 'claim', session_id: first.session.id });
      await ann.socket.request({ action: 'send', session_id: first.session.id, content: 'Got them all', client_message_id: 'ann-reply-1' });

      const retry = await api.batch(store.token, items);

      expect(retry.status).toBe(200);
      expect(idsOf((retry.json as BatchSent).messages)).toEqual(idsOf(first.messages));
      expect((await chatEntries(stack, first.session.id)).filter((e) => e.sender_type === 'store')).toHaveLength(20);
    });

    it('refuses a batch reusing an id for a different message with 409 at that index, and stores none of it', async () => {
      const store = await stack.createStore();
      const original = sent(await api.send(store.token, { content: 'original', client_message_id: 'taken' }));

      const response = await api.batch(store.token, [{ content: 'brand new', client_message_id: 'fresh' }, { content: 'impostor', client_message_id: 'taken' }]);

      expect(response.status).toBe(409);
      expect(response.json).toEqual({ error: alreadyUsed.error, errors: { 'messages.1.client_message_id': alreadyUsed.errors.client_message_id } });
      expect((await chatEntries(stack, original.session.id)).map((e) => e.content)).toEqual(['original']);
    });

    it('stores an id repeated within one batch once, answering both items with it', async () => {
      const store = await stack.createStore();
      const item = { content: 'double tap', client_message_id: 'dup' };

      const response = await api.batch(store.token, [item, item]);

      expect(response.status).toBe(200);
      const { session, messages } = response.json as BatchSent;
      expect(messages[1]!.id).toBe(messages[0]!.id);
      expect((await chatEntries(stack, session.id)).map((e) => e.content)).toEqual(['double tap']);
    });

    it('refuses a batch repeating an id for two different messages, and stores none of it', async () => {
      const store = await stack.createStore();
      const { session } = await use.storeSays(store.token, 'before');

      const response = await api.batch(store.token, [
        { content: 'first meaning', client_message_id: 'twice' },
        { content: 'second meaning', client_message_id: 'twice' },
      ]);

      expect(response.status).toBe(409);
      expect((await chatEntries(stack, session.id)).map((e) => e.content)).toEqual(['before']);
    });
  });

  describe('admins: the send action', () => {
    it('answers a retried send with the original message, storing and pushing it once', async () => {
      const ann = await use.admin('Ann');
      const store = await stack.createStore();
      const { session } = await use.storeSays(store.token, 'hi');
      await ann.socket.request({ action: 'claim', session_id: session.id });
      const frame = { action: 'send', session_id: session.id, content: 'On it!', client_message_id: 'ann-7' };

      const first = await ann.socket.request(frame);
      const retry = await ann.socket.request(frame);
      const conflict = await ann.socket.request({ ...frame, content: 'On it!!' });
      await ann.socket.barrier();

      expect(first).toMatchObject({ type: 'result', message: { client_message_id: 'ann-7', sender_type: 'admin' } });
      expect(retry).toMatchObject({ type: 'result', action: 'send' });
      expect(messageOf(retry)).toEqual(messageOf(first));
      expect(conflict).toMatchObject({ type: 'error', status: 409, ...alreadyUsed });
      const answers = (await chatEntries(stack, session.id)).filter((e) => e.sender_type === 'admin');
      expect(answers.map((e) => e.id)).toEqual([messageOf(first).id]);
      expect(createdIds(ann.socket.frames, session.id).filter((id) => id === messageOf(first).id)).toHaveLength(1);
    });

    it('deduplicates an admin product card and an action message', async () => {
      const ann = await use.admin('Ann');
      const store = await stack.createStore();
      const productId = (await importProducts(chatTableRef(stack.deps), store.id, [{ sku: 'P-9', price: 9 }])).products[0]!.id;
      const { session } = await use.storeSays(store.token, 'hi');
      await ann.socket.request({ action: 'claim', session_id: session.id });
      const card = { action: 'send', session_id: session.id, product_id: productId, client_message_id: 'card' };
      const quick = { action: 'send', session_id: session.id, content: 'OK?', special_type: 'quick_replies', special_param: ['Yes', 'No'], client_message_id: 'quick' };

      const firstCard = await ann.socket.request(card);
      const firstQuick = await ann.socket.request(quick);
      const retries = [await ann.socket.request(card), await ann.socket.request(quick)];
      const changedQuick = await ann.socket.request({ ...quick, special_param: ['Yes', 'No', 'Maybe'] });

      expect(retries.map((r) => messageOf(r).id)).toEqual([messageOf(firstCard).id, messageOf(firstQuick).id]);
      expect(changedQuick).toMatchObject({ type: 'error', status: 409 });
      expect((await chatEntries(stack, session.id)).filter((e) => e.sender_type === 'admin')).toHaveLength(2);
    });
  });
});
