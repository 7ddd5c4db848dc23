import { chatTableRef } from '../../lib/deps';
import { revokeToken } from '../../lib/entities/token';
import { limits } from '../../lib/limits';
import { isoUtc, useTestStack } from '../support/harness';
import { activeSessionId, chatEntries, storeMessages } from '../support/inspect';

const seedPath = '/v1/chat/store/message/';

describe('POST /v1/chat/store/message/ (seed 000)', () => {
  const stack = useTestStack();

  it('reproduces the seed example: 200 with the session and the created message', async () => {
    // Arrange
    const store = await stack.createStore('Seed Store');

    // Act: the seed's curl, field for field
    const response = await stack.post(seedPath, { token: store.token, body: { content: 'Hello, I need help with my account' } });

    // Assert
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const body = response.json as { session: Record<string, unknown>; message: Record<string, unknown> };
    expect(Object.keys(body)).toEqual(['session', 'message']);
    expect(Object.keys(body.session)).toEqual(['id', 'store_id', 'admin_id', 'status', 'last_message_at', 'created', 'updated']);
    // Seed 000's fields first, in its order; then what seeds 001 and 002 add.
    expect(Object.keys(body.message)).toEqual([
      'id', 'session_id', 'sender_type', 'sender_id', 'content', 'attachment_url', 'attachment_type', 'status', 'created', 'updated',
      'type', 'product', 'rating', 'special_type', 'special_param', 'client_message_id', 'read_at', 'moderation',
    ]);
    expect(body.session).toEqual({
      id: expect.any(Number),
      store_id: store.id,
      admin_id: null,
      status: 'open',
      last_message_at: body.message.created,
      created: expect.stringMatching(isoUtc),
      updated: expect.stringMatching(isoUtc),
    });
    expect(body.message).toEqual({
      id: expect.any(Number),
      session_id: body.session.id,
      sender_type: 'store',
      sender_id: store.id,
      content: 'Hello, I need help with my account',
      attachment_url: '',
      attachment_type: '',
      status: 'sent',
      created: expect.stringMatching(isoUtc),
      updated: expect.stringMatching(isoUtc),
      type: 'text',
      product: null,
      rating: null,
      special_type: '',
      special_param: null,
      client_message_id: '',
      read_at: null,
      moderation: 'visible',
    });
    expect(Number.isInteger(body.session.id) && Number.isInteger(body.message.id)).toBe(true);
    const [stored] = await chatEntries(stack, body.session.id as number);
    expect(stored).toMatchObject({ id: body.message.id, content: 'Hello, I need help with my account' });
  });

  it('serves the path without the trailing slash as well', async () => {
    const store = await stack.createStore();

    const response = await stack.post('/v1/chat/store/message', { token: store.token, body: { content: 'no slash' } });

    expect(response.status).toBe(200);
    expect(response.json).toMatchObject({ message: { content: 'no slash' } });
  });

  it('adds later messages to the same session, with increasing integer ids and last_message_at in step', async () => {
    const store = await stack.createStore();

    const first = (await stack.post(seedPath, { token: store.token, body: { content: 'one' } })).json as SendBody;
    const second = (await stack.post(seedPath, { token: store.token, body: { content: 'two' } })).json as SendBody;

    expect(second.session.id).toBe(first.session.id);
    expect(second.message.id).toBeGreaterThan(first.message.id);
    expect(second.session.last_message_at).toBe(second.message.created);
    expect(second.session.created).toBe(first.session.created);
    expect((await chatEntries(stack, first.session.id)).map((entry) => entry.content)).toEqual(['one', 'two']);
  });

  it('accepts an attachment without content and infers its type from the extension', async () => {
    const store = await stack.createStore();

    const response = await stack.post(seedPath, { token: store.token, body: { attachment_url: 'https://example.com/file.jpg' } });

    expect(response.status).toBe(200);
    expect(response.json).toMatchObject({
      message: { content: '', attachment_url: 'https://example.com/file.jpg', attachment_type: 'image/jpeg' },
    });
  });

  it('keeps a declared attachment_type and the seed request body as given', async () => {
    const store = await stack.createStore();
    const seedBody = { content: 'Hello, I need help with my account', attachment_url: 'https://example.com/file.jpg', attachment_type: 'image/jpeg' };

    const response = await stack.post(seedPath, { token: store.token, body: seedBody });

    expect(response.status).toBe(200);
    expect(response.json).toMatchObject({ message: seedBody });
  });

  it('stores and returns unicode text exactly', async () => {
    const store = await stack.createStore();
    const content = 'Bonjour 👋🏽 — مرحبا — e\u0301 — 𝔘𝔫𝔦𝔠𝔬𝔡𝔢';

    const response = await stack.post(seedPath, { token: store.token, body: { content } });

    expect(response.json).toMatchObject({ message: { content } });
    expect((await storeMessages(stack, store.id))[0]?.content).toBe(content);
  });

  it(`counts the ${limits.contentMaxChars}-character limit in code points`, async () => {
    const store = await stack.createStore();
    const atLimit = '😀'.repeat(limits.contentMaxChars);

    const accepted = await stack.post(seedPath, { token: store.token, body: { content: atLimit } });
    const refused = await stack.post(seedPath, { token: store.token, body: { content: `${atLimit}x` } });

    expect(accepted.status).toBe(200);
    expect(refused.status).toBe(400);
    expect(refused.json).toEqual({ error: 'Invalid request body', errors: { content: [`Must be at most ${limits.contentMaxChars} characters`] } });
  });

  describe('authentication', () => {
    it.each([
      ['no Authorization header', undefined],
      ['an unknown token', 'Token store_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'],
      ['a malformed header', 'Bearer something'],
      ['an empty token', 'Token '],
    ])('answers 401 {"error": "Unauthorized"} for %s', async (_case, authorization) => {
      const response = await stack.post(seedPath, { body: { content: 'hi' }, headers: authorization ? { authorization } : {} });

      expect(response.status).toBe(401);
      expect(response.json).toEqual({ error: 'Unauthorized' });
    });

    it('answers 401 for a revoked token and stores nothing', async () => {
      const store = await stack.createStore();
      await revokeToken(chatTableRef(stack.deps), store.token);

      const response = await stack.post(seedPath, { token: store.token, body: { content: 'hi' } });

      expect(response.status).toBe(401);
      expect(await storeMessages(stack, store.id)).toEqual([]);
    });

    it('refuses an admin token with 403: an admin cannot act as a store', async () => {
      const admin = await stack.createAdmin();

      const response = await stack.post(seedPath, { token: admin.token, body: { content: 'hi' } });

      expect(response.status).toBe(403);
      expect(response.json).toEqual({ error: 'This endpoint requires a store token' });
    });

    it('checks the token before the body: a bad body without a token is still 401', async () => {
      const response = await stack.post(seedPath, { rawBody: '{not json' });

      expect(response.status).toBe(401);
    });
  });

  describe('bad input: a clear 400 in the error envelope, and nothing stored', () => {
    const required = { error: 'Message content or attachment is required' };
    const cases: [string, { body?: unknown; rawBody?: string }, unknown][] = [
      ['an empty object', { body: {} }, required],
      ['an empty body', { rawBody: '' }, required],
      ['whitespace-only content', { body: { content: ' \n\t ' } }, required],
      ['null content and no attachment', { body: { content: null } }, required],
      ['an empty attachment_url and no content', { body: { attachment_url: '' } }, required],
      ['malformed JSON', { rawBody: '{"content": "hi"' }, { error: 'Malformed JSON body' }],
      ['a JSON array', { rawBody: '["hi"]' }, { error: 'Request body must be a JSON object' }],
      ['JSON null', { rawBody: 'null' }, { error: 'Request body must be a JSON object' }],
      ['a number as content', { body: { content: 42 } }, { error: 'Invalid request body', errors: { content: ['Must be a string'] } }],
      ['an object as content', { body: { content: { text: 'hi' } } }, { error: 'Invalid request body', errors: { content: ['Must be a string'] } }],
      ['a number as attachment_url', { body: { attachment_url: 7 } }, { error: 'Invalid request body', errors: { attachment_url: ['Must be a string'] } }],
      ['a lone surrogate', { rawBody: '{"content": "\\ud800"}' }, { error: 'Invalid request body', errors: { content: ['Must be valid Unicode text'] } }],
      ['an http attachment URL', { body: { attachment_url: 'http://example.com/a.png' } }, { error: 'Invalid request body', errors: { attachment_url: ['Must be an https URL'] } }],
      ['a javascript: attachment URL', { body: { attachment_url: 'javascript:alert(1)' } }, { error: 'Invalid request body', errors: { attachment_url: ['Must be an https URL'] } }],
      [
        'an over-long attachment URL',
        { body: { attachment_url: `https://example.com/${'a'.repeat(limits.attachmentUrlMaxChars)}` } },
        { error: 'Invalid request body', errors: { attachment_url: [`Must be at most ${limits.attachmentUrlMaxChars} characters`] } },
      ],
      ['a malformed attachment_type', { body: { attachment_url: 'https://example.com/a', attachment_type: 'jpeg' } }, { error: 'Invalid request body', errors: { attachment_type: ['Must be a MIME type such as image/jpeg'] } }],
      ['attachment_type without a URL', { body: { content: 'hi', attachment_type: 'image/png' } }, { error: 'Invalid request body', errors: { attachment_type: ['Requires attachment_url'] } }],
    ];

    it.each(cases)('refuses %s', async (_case, request, expected) => {
      const store = await stack.createStore();

      const response = await stack.post(seedPath, { token: store.token, ...request });

      expect(response.status).toBe(400);
      expect(response.json).toEqual(expected);
      expect(await activeSessionId(stack, store.id)).toBeUndefined();
    });

    it('refuses a body over the size limit with 413 and stores nothing', async () => {
      const store = await stack.createStore();

      const response = await stack.post(seedPath, { token: store.token, rawBody: JSON.stringify({ content: 'x'.repeat(limits.httpBodyMaxBytes) }) });

      expect(response.status).toBe(413);
      expect(response.json).toEqual({ error: 'Request body is too large' });
      expect(await activeSessionId(stack, store.id)).toBeUndefined();
    });

    it('never echoes a stack trace', async () => {
      const store = await stack.createStore();

      const response = await stack.post(seedPath, { token: store.token, rawBody: '{"content": ' });

      expect(response.text).not.toMatch(/at \w+ \(|\.ts:\d+/);
    });
  });
});

interface SendBody {
  session: { id: number; created: string; last_message_at: string };
  message: { id: number; created: string };
}
