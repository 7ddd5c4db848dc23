import { chatTableRef } from '../../lib/deps';
import { importProducts } from '../../lib/ops/products';
import { chat } from '../support/chat';
import { useTestStack } from '../support/harness';
import { activeSessionId } from '../support/inspect';

describe('errors that name every failing item and field', () => {
  const stack = useTestStack();
  const use = chat(stack);

  afterEach(() => use.closeSockets());

  const batch = (token: string, messages: unknown) => stack.post('/v1/chat/store/messages/', { token, body: { messages } });
  const send = (token: string, body: Record<string, unknown>) => stack.post('/v1/chat/store/message/', { token, body });
  const productOf = async (storeId: number, sku: string) => (await importProducts(chatTableRef(stack.deps), storeId, [{ sku, price: 5 }])).products[0]!.id;
  const someoneElsesUpload = () => `https://${stack.bucket}.s3.us-east-1.amazonaws.com/uploads/store/999999/0b7e3f9e-5d0c-4a53-9a1f-0d7a1c9b2e11/x.png`;

  describe('a batch', () => {
    it('answers one 400 naming fields, rules, attachments and products of every item, and stores nothing', async () => {
      const store = await stack.createStore();
      const other = await stack.createStore('Other');
      const theirs = await productOf(other.id, 'THEIRS');

      const refused = await batch(store.token, [
        { content: 7 },
        { content: '   ' },
        { attachment_url: someoneElsesUpload() },
        { attachment_url: 'https://cdn.example.com/x', attachment_type: 'text/html' },
        { product_id: theirs },
        { content: 'fine' },
      ]);

      expect(refused.status).toBe(400);
      expect(refused.json).toEqual({
        error: 'Invalid request body',
        errors: {
          'messages.0.content': ['Must be a string'],
          'messages.1.content': ['Message content or attachment is required'],
          'messages.2.attachment_url': ['Is not one of your uploads'],
          'messages.3.attachment_type': ['The file type text/html is not allowed'],
          'messages.4.product_id': ['Product not found'],
        },
      });
      expect(await activeSessionId(stack, store.id)).toBeUndefined();
    });

    it('answers 404 naming every missing product when that is all that is wrong', async () => {
      const store = await stack.createStore();
      const other = await stack.createStore('Other');
      const theirs = await productOf(other.id, 'THEIRS-2');

      const refused = await batch(store.token, [{ product_id: theirs }, { content: 'fine' }, { product_id: 987654321 }]);

      expect(refused.status).toBe(404);
      expect(refused.json).toEqual({
        error: 'Product not found',
        errors: { 'messages.0.product_id': ['Product not found'], 'messages.2.product_id': ['Product not found'] },
      });
    });

    it('answers 400 for an invalid item before telling a blocked store it is blocked, as the single endpoint does', async () => {
      const ann = await use.admin();
      const store = await stack.createStore();
      await ann.socket.request({ action: 'block', store_id: store.id });

      const refused = await batch(store.token, [{ content: 'fine' }, { content: 7 }]);
      const valid = await batch(store.token, [{ content: 'fine' }]);

      expect(refused.status).toBe(400);
      expect(refused.json).toEqual({ error: 'Invalid request body', errors: { 'messages.1.content': ['Must be a string'] } });
      expect(valid.status).toBe(403);
    });

    it('still answers errors.messages for a list that is empty or not a list', async () => {
      const store = await stack.createStore();

      const empty = await batch(store.token, []);
      const notAList = await batch(store.token, 'hello');

      expect(empty.json).toEqual({ error: 'Invalid request body', errors: { messages: ['Must contain at least one message'] } });
      expect(notAList.json).toEqual({ error: 'Invalid request body', errors: { messages: ['Must be a list of messages'] } });
    });
  });

  describe('an external attachment URL', () => {
    it('refuses a declared type outside the allowlist', async () => {
      const store = await stack.createStore();

      const refused = await send(store.token, { attachment_url: 'https://cdn.example.com/x', attachment_type: 'text/html' });

      expect(refused.status).toBe(400);
      expect(refused.json).toEqual({ error: 'Invalid request body', errors: { attachment_type: ['The file type text/html is not allowed'] } });
      expect(await activeSessionId(stack, store.id)).toBeUndefined();
    });

    it.each([
      ['no extension and no declared type', { attachment_url: 'https://cdn.example.com/x' }, 'application/octet-stream'],
      ['an unknown extension', { attachment_url: 'https://cdn.example.com/page.html' }, 'application/octet-stream'],
      ['the unknown-type label, declared', { attachment_url: 'https://cdn.example.com/x', attachment_type: 'application/octet-stream' }, 'application/octet-stream'],
      ['an allowed declared type, by an alias', { attachment_url: 'https://cdn.example.com/x', attachment_type: 'image/jpg' }, 'image/jpeg'],
      ['a known extension', { attachment_url: 'https://cdn.example.com/a.pdf' }, 'application/pdf'],
    ])('accepts %s, typed %s', async (_case, body, type) => {
      const store = await stack.createStore();

      const sent = await send(store.token, body);

      expect(sent.status).toBe(200);
      expect((sent.json as { message: { attachment_type: string } }).message.attachment_type).toBe(type);
    });
  });
});
