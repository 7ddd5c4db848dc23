import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { chatTableRef } from '../../lib/deps';
import { importProducts } from '../../lib/ops/products';
import { type BatchSent, type SentFull } from '../support/chat';
import { useChatStack } from '../support/chat-stack';
import { png } from '../support/files';
import { type TestStack } from '../support/harness';
import { activeSessionId, openInboxEntries } from '../support/inspect';

interface Ticket {
  attachment_url: string;
  upload: { url: string; method: string; fields: Record<string, string> };
}

interface Preview {
  id: number;
  sender_type: string;
  type: string;
  preview: string;
  created: string;
}

/** A client's upload: a ticket, then the form (fields first, file last) straight to the S3 emulator. */
async function upload(stack: TestStack, token: string, bytes: Buffer, fileName: string, contentType: string): Promise<string> {
  const response = await stack.post('/v1/chat/store/attachment/', { token, body: { file_name: fileName, content_type: contentType, size: bytes.length } });
  if (response.status !== 200) throw new Error(`ticket failed: ${response.status} ${response.text}`);
  const ticket = response.json as Ticket;
  const form = new FormData();
  for (const [name, value] of Object.entries(ticket.upload.fields)) form.append(name, value);
  form.append('file', new Blob([bytes]), fileName);
  const stored = await fetch(ticket.upload.url, { method: ticket.upload.method, body: form });
  if (stored.status !== 204) throw new Error(`upload failed: ${stored.status}`);
  return ticket.attachment_url;
}

describe('deceptive links, hidden attachments, integer errors, typed previews', () => {
  const { stack, use, api } = useChatStack();

  describe('links that deceive (attachment_url, open_url)', () => {
    it.each([
      ['credentials', 'https://user:pass@example.com/a.png', 'Must not contain a user name or password'],
      ['a host that reads as another', 'https://shop.example.com@evil.example/login', 'Must not contain a user name or password'],
      ['a right-to-left override (shows …/exe.png)', 'https://example.com/\u202egnp.exe', 'Must not contain control, bidirectional or invisible characters'],
      ['a zero-width space in the host', 'https://exam\u200bple.com/a.png', 'Must not contain control, bidirectional or invisible characters'],
      ['a backslash', 'https://example.com\\@evil.example/a.png', 'Must not contain a backslash'],
      ['a tab the parser would strip', 'https://exa\tmple.com/a.png', 'Must not contain white space'],
      ['an IDN host the parser would turn to punycode', 'https://bücher.example/a.png', 'Must contain only ASCII characters: percent-encode the others, and write an international domain in its xn-- form'],
      ['a dot segment the parser would resolve', 'https://example.com/safe/../evil.png', 'Must be written in normal form: the URL parser would rewrite it'],
    ])('refuses an attachment_url with %s, in the envelope, storing nothing', async (_case, attachment_url, reason) => {
      const store = await stack.createStore();

      const single = await api.send(store.token, { content: 'look', attachment_url });
      const batch = await api.batch(store.token, [{ content: 'fine' }, { attachment_url }]);

      expect([single.status, single.json]).toEqual([400, { error: 'Invalid request body', errors: { attachment_url: [reason] } }]);
      expect(batch.status).toBe(400);
      expect(batch.json).toMatchObject({ error: 'Invalid request body', errors: { 'messages.1.attachment_url': [reason] } });
      expect(await activeSessionId(stack, store.id)).toBeUndefined();
    });

    it('stores and returns the normalised href, and a retry with the raw or the normalised link is the same message', async () => {
      const store = await stack.createStore();
      const raw = 'HTTPS://Example.COM:443/Photos/a.jpg';

      const first = await api.send(store.token, { attachment_url: raw, client_message_id: 'links:1' });
      const retry = await api.send(store.token, { attachment_url: raw, client_message_id: 'links:1' });
      const retryNormalised = await api.send(store.token, { attachment_url: 'https://example.com/Photos/a.jpg', client_message_id: 'links:1' });
      const history = await api.storeHistory(store.token);

      expect(first.status).toBe(200);
      const message = (first.json as SentFull).message;
      expect(message).toMatchObject({ attachment_url: 'https://example.com/Photos/a.jpg', attachment_type: 'image/jpeg', type: 'image' });
      expect([retry.status, (retry.json as SentFull).message.id]).toEqual([200, message.id]);
      expect([retryNormalised.status, (retryNormalised.json as SentFull).message.id]).toEqual([200, message.id]);
      expect(history.messages.filter((m) => m.sender_type === 'store').map((m) => m.attachment_url)).toEqual(['https://example.com/Photos/a.jpg']);
    });

    it('refuses deceptive open_url and attachment_url links over the admin WebSocket, and stores open_url as its href', async () => {
      const ann = await use.admin('Ann');
      const store = await stack.createStore();
      const { session } = await use.storeSays(store.token, 'where is my parcel?');
      await ann.socket.request({ action: 'claim', session_id: session.id });
      const send = (fields: Record<string, unknown>) => ann.socket.request({ action: 'send', session_id: session.id, content: 'Track it here', ...fields });

      const phishing = await send({ special_type: 'open_url', special_param: 'https://shop.example.com@evil.example/login' });
      const bidi = await send({ special_type: 'open_url', special_param: 'https://shop.example/\u202egnp.exe' });
      const credentials = await send({ attachment_url: 'https://user:pass@cdn.example/a.png' });
      const ok = await send({ special_type: 'open_url', special_param: 'HTTPS://Shop.Example/track/1042' });
      const history = await api.storeHistory(store.token);

      expect(phishing).toMatchObject({ type: 'error', status: 400, error: 'Invalid frame', errors: { special_param: ['Must not contain a user name or password'] } });
      expect(bidi).toMatchObject({ type: 'error', status: 400, error: 'Invalid frame', errors: { special_param: ['Must not contain control, bidirectional or invisible characters'] } });
      expect(credentials).toMatchObject({ type: 'error', status: 400, error: 'Invalid frame', errors: { attachment_url: ['Must not contain a user name or password'] } });
      expect(ok).toMatchObject({ type: 'result', message: { special_type: 'open_url', special_param: 'https://shop.example/track/1042' } });
      expect(history.messages.filter((m) => m.sender_type === 'admin').map((m) => m.special_param)).toEqual(['https://shop.example/track/1042']);
    });
  });

  describe('hidden attachments', () => {
    it("gives the store \"\" for a hidden upload in history, in a retried send's answer and in a retried batch; admins keep the link", async () => {
      const ann = await use.admin('Ann');
      const store = await stack.createStore();
      const attachment_url = await upload(stack, store.token, png, 'private.png', 'image/png');
      const sent = await api.send(store.token, { attachment_url, client_message_id: 'hide:1' });
      const message = (sent.json as SentFull).message;
      expect(sent.status).toBe(200);
      expect((await fetch(message.attachment_url)).status).toBe(200);

      const hidden = await ann.socket.request({ action: 'hide', message_id: message.id });
      const history = await api.storeHistory(store.token);
      const retried = await api.send(store.token, { attachment_url, client_message_id: 'hide:1' });
      const batch = await api.batch(store.token, [{ attachment_url, client_message_id: 'hide:1' }]);
      const admins = await api.adminHistory(ann.token, message.session_id);

      expect(hidden).toMatchObject({ type: 'result', message: { id: message.id, moderation: 'hidden' } });
      const removed = { id: message.id, moderation: 'removed', attachment_url: '', attachment_type: '', content: '' };
      expect(history.messages.find((m) => m.id === message.id)).toMatchObject(removed);
      expect([retried.status, (retried.json as SentFull).message]).toEqual([200, expect.objectContaining(removed)]);
      expect([batch.status, (batch.json as BatchSent).messages]).toEqual([200, [expect.objectContaining(removed)]]);
      const kept = admins.messages.find((m) => m.id === message.id)!;
      expect(kept).toMatchObject({ moderation: 'hidden', attachment_type: 'image/png' });
      expect((await fetch(kept.attachment_url)).status).toBe(200);
    });
  });

  describe('integers above 2^53 − 1, and one wording per kind of input', () => {
    const tooLarge = ['Must be at most 9007199254740991'];

    it('says "Must be at most 9007199254740991" in bodies, query strings and paths', async () => {
      const ann = await stack.createAdmin();
      const store = await stack.createStore();
      const rawBody = (body: string) => stack.post('/v1/chat/store/message/', { token: store.token, rawBody: body });

      const product = await rawBody('{"content": "this one", "product_id": 9007199254740993}');
      const rating = await stack.post('/v1/chat/store/rating/', { token: store.token, rawBody: '{"session_id": 9007199254740992, "rating": 5}' });
      const upTo = await stack.post('/v1/chat/store/messages/read/', { token: store.token, rawBody: '{"up_to_id": 18014398509481984}' });
      const after = await stack.get('/v1/chat/store/messages/', { token: store.token, query: { after: '9007199254740993' } });
      const path = await stack.get('/v1/chat/admin/sessions/9007199254740992/messages/', { token: ann.token });
      const fraction = await rawBody('{"content": "x", "product_id": 1.5}');

      expect([product.status, product.json]).toEqual([400, { error: 'Invalid request body', errors: { product_id: tooLarge } }]);
      expect([rating.status, rating.json]).toEqual([400, { error: 'Invalid request body', errors: { session_id: tooLarge } }]);
      expect([upTo.status, upTo.json]).toEqual([400, { error: 'Invalid request body', errors: { up_to_id: tooLarge } }]);
      expect([after.status, after.json]).toEqual([400, { error: 'Invalid query string', errors: { after: tooLarge } }]);
      expect([path.status, path.json]).toEqual([400, { error: 'Invalid path', errors: { session_id: tooLarge } }]);
      expect(fraction.json).toEqual({ error: 'Invalid request body', errors: { product_id: ['Must be an integer'] } });
    });

    it('says "Must be at most 9007199254740991" in WebSocket frames', async () => {
      const ann = await use.admin('Ann');

      ann.socket.send('{"action": "claim", "request_id": "big-claim", "session_id": 9007199254740993}');
      ann.socket.send('{"action": "hide", "request_id": "big-hide", "message_id": 1e300}');
      ann.socket.send('{"action": "transfer", "request_id": "big-transfer", "session_id": 1, "admin_id": 9007199254740992}');
      const claim = await ann.socket.next((frame) => frame.request_id === 'big-claim');
      const hide = await ann.socket.next((frame) => frame.request_id === 'big-hide');
      const transfer = await ann.socket.next((frame) => frame.request_id === 'big-transfer');

      expect(claim).toEqual({ type: 'error', action: 'claim', request_id: 'big-claim', status: 400, error: 'Invalid frame', errors: { session_id: tooLarge } });
      expect(hide).toMatchObject({ status: 400, error: 'Invalid frame', errors: { message_id: tooLarge } });
      expect(transfer).toMatchObject({ status: 400, error: 'Invalid frame', errors: { admin_id: tooLarge } });
    });

    it('answers an up_to_id outside the session with "Invalid request body" over HTTP and "Invalid frame" over the socket', async () => {
      const ann = await use.admin('Ann');
      const store = await stack.createStore();
      const { session, message } = await use.storeSays(store.token, 'hello');
      await ann.socket.request({ action: 'claim', session_id: session.id });
      const beyond = message.id + 50;

      const http = await api.storeRead(store.token, beyond);
      const frame = await ann.socket.request({ action: 'read', session_id: session.id, up_to_id: beyond });

      expect([http.status, http.json]).toEqual([400, { error: 'Invalid request body', errors: { up_to_id: ['Is not a message of this session'] } }]);
      expect(frame).toMatchObject({ type: 'error', status: 400, error: 'Invalid frame', errors: { up_to_id: ['Is not a message of this session'] } });
    });
  });

  describe('previews carry the message type', () => {
    const inboxPreview = async (token: string, sessionId: number): Promise<Preview> => {
      const sessions = await api.openInbox(token);
      return sessions.find((item) => item.session.id === sessionId)!.last_message;
    };
    const notificationPreview = async (token: string, sessionId: number): Promise<Preview> => {
      const response = await stack.get('/v1/chat/admin/notifications/', { token, query: { limit: 100 } });
      const { notifications } = response.json as { notifications: { session_id: number; last_message: Preview }[] };
      return notifications.find((n) => n.session_id === sessionId)!.last_message;
    };

    it('an attachment-only upload, an external image and a product card show as image, image and product in inbox and notifications', async () => {
      // An admin is online, so no "unavailable" notice follows the store's message.
      const ann = await use.admin('Ann');
      const uploader = await stack.createStore();
      const linker = await stack.createStore();
      const seller = await stack.createStore();
      const productId = (await importProducts(chatTableRef(stack.deps), seller.id, [{ sku: 'LAMP-1', name: 'Desk lamp', price: 42 }])).products[0]!.id;

      const uploaded = (await api.send(uploader.token, { attachment_url: await upload(stack, uploader.token, png, 'a.png', 'image/png') })).json as SentFull;
      const linked = (await api.send(linker.token, { attachment_url: 'https://cdn.example.com/shoe.webp' })).json as SentFull;
      const card = (await api.send(seller.token, { product_id: productId })).json as SentFull;

      for (const [sent, type] of [[uploaded, 'image'], [linked, 'image'], [card, 'product']] as const) {
        const expected = { id: sent.message.id, sender_type: 'store', type, preview: '', created: sent.message.created };
        expect(await inboxPreview(ann.token, sent.session.id)).toEqual(expected);
        expect(await notificationPreview(ann.token, sent.session.id)).toEqual(expected);
      }
    });

    it('a text message and a system message show their own types', async () => {
      const ann = await use.admin('Ann');
      const store = await stack.createStore();
      const { session, message } = await use.storeSays(store.token, 'Hello, I need help');

      const before = await inboxPreview(ann.token, session.id);
      await ann.socket.request({ action: 'claim', session_id: session.id });
      const after = await inboxPreview(ann.token, session.id);

      expect(before).toEqual({ id: message.id, sender_type: 'store', type: 'text', preview: 'Hello, I need help', created: message.created });
      expect(after).toMatchObject({ sender_type: 'system', type: 'claimed', preview: '' });
    });

    it('an inbox item stored before previews had a type gets it from the message', async () => {
      const ann = await use.admin('Ann');
      const store = await stack.createStore();
      const sent = (await api.send(store.token, { attachment_url: 'https://cdn.example.com/clip.mp4' })).json as SentFull;
      const [item] = await openInboxEntries(stack, sent.session.id);
      // What an item written by the previous version looks like: no last_entry.type.
      await stack.deps.db.send(
        new UpdateCommand({ TableName: stack.tables.chat, Key: { pk: item!.pk, sk: item!.sk }, UpdateExpression: 'REMOVE last_entry.#type', ExpressionAttributeNames: { '#type': 'type' } }),
      );

      const inbox = await inboxPreview(ann.token, sent.session.id);
      const notification = await notificationPreview(ann.token, sent.session.id);

      expect((await openInboxEntries(stack, sent.session.id))[0]!.last_entry).not.toHaveProperty('type');
      expect(inbox).toMatchObject({ id: sent.message.id, type: 'video' });
      expect(notification).toMatchObject({ id: sent.message.id, type: 'video' });
    });
  });
});
