import { limits } from '../../lib/limits';
import type { IssuedCredential } from '../../lib/ops/principals';
import { httpRoutes } from '../../lib/routes';
import { useFuzzStack } from '../support/fuzz-stack';
import { call, expectSafe, httpsOfLength } from '../support/hostile';
import { adminDoes } from '../support/valid-calls';

describe('hostile input never gets a 5xx, a stack trace, or a stored side effect', () => {
  const fuzz = useFuzzStack();
  const { stack, tokenFor, pathOf } = fuzz;
  const postRoutes = httpRoutes.filter((route) => route.method === 'POST');

  describe('every field has a size limit', () => {
    interface Outcome {
      status: number;
      json: unknown;
    }
    const asOutcome = (answer: { status: number; json: unknown }): Outcome => ({ status: answer.status, json: answer.json });
    const frameOutcome = (frame: Record<string, unknown>): Outcome => ({ status: frame.type === 'result' ? 200 : Number(frame.status), json: frame });

    /** A closed session of a fresh store, to rate. */
    async function closedSession(): Promise<IssuedCredential> {
      const store = await stack.createStore('Rater');
      const sent = (await stack.post('/v1/chat/store/message/', { token: store.token, body: { content: 'help' } })).json as { session: { id: number } };
      const socket = await stack.connect(fuzz.admin.token);
      await adminDoes(socket, { action: 'close', session_id: sent.session.id });
      await socket.close();
      return store;
    }

    /** An admin socket holding a claimed session, to send into. */
    async function adminSend(frame: Record<string, unknown>): Promise<Outcome> {
      const store = await stack.createStore('Quick replies');
      const sent = (await stack.post('/v1/chat/store/message/', { token: store.token, body: { content: 'help' } })).json as { session: { id: number } };
      const socket = await stack.connect(fuzz.admin.token);
      try {
        await adminDoes(socket, { action: 'claim', session_id: sent.session.id });
        return frameOutcome(await socket.request({ action: 'send', session_id: sent.session.id, ...frame }));
      } finally {
        await socket.close();
      }
    }

    const storeSend = async (body: Record<string, unknown>) => asOutcome(await stack.post('/v1/chat/store/message/', { token: (await stack.createStore('Limits')).token, body }));
    const mime = (n: number) => `${'a'.repeat(127)}/${'b'.repeat(n - 128)}`;

    const table: { field: string; limit: number; errorKey: string; message: RegExp; send: (length: number) => Promise<Outcome> }[] = [
      { field: 'content (code points)', limit: limits.contentMaxChars, errorKey: 'content', message: /at most 4000/, send: (n) => storeSend({ content: '😀'.repeat(n) }) },
      { field: 'content (ASCII)', limit: limits.contentMaxChars, errorKey: 'content', message: /at most 4000/, send: (n) => storeSend({ content: 'a'.repeat(n) }) },
      { field: 'attachment_url', limit: limits.attachmentUrlMaxChars, errorKey: 'attachment_url', message: /at most 2048/, send: (n) => storeSend({ attachment_url: httpsOfLength(n) }) },
      { field: 'client_message_id', limit: 64, errorKey: 'client_message_id', message: /1 to 64/, send: (n) => storeSend({ content: 'hi', client_message_id: 'c'.repeat(n) }) },
      {
        field: 'rating comment',
        limit: 1000,
        errorKey: 'comment',
        message: /at most 1000/,
        send: async (n) => {
          const store = await closedSession();
          return asOutcome(await stack.post('/v1/chat/store/rating/', { token: store.token, body: { rating: 4, comment: 'c'.repeat(n) } }));
        },
      },
      {
        field: 'quick reply',
        limit: 40,
        errorKey: 'special_param.0',
        message: /at most 40/,
        send: (n) => adminSend({ content: 'Pick one', special_type: 'quick_replies', special_param: ['q'.repeat(n)] }),
      },
      { field: 'quick replies (count)', limit: 10, errorKey: 'special_param', message: /at most 10/, send: (n) => adminSend({ content: 'Pick one', special_type: 'quick_replies', special_param: Array.from({ length: n }, (_, i) => `r${i}`) }) },
      {
        field: 'file_name',
        limit: 255,
        errorKey: 'file_name',
        message: /at most 255/,
        send: async (n) => asOutcome(await stack.post('/v1/chat/store/attachment/', { token: (await stack.createStore('Uploader')).token, body: { file_name: `${'f'.repeat(n - 4)}.png`, content_type: 'image/png', size: 68 } })),
      },
      {
        field: 'batch (messages)',
        limit: 20,
        errorKey: 'messages',
        message: /at most 20/,
        send: async (n) => asOutcome(await stack.post('/v1/chat/store/messages/', { token: (await stack.createStore('Batch')).token, body: { messages: Array.from({ length: n }, (_, i) => ({ content: `m${i}` })) } })),
      },
      ...(['/v1/chat/store/messages/', '/v1/chat/admin/sessions/', '/v1/chat/admin/notifications/'] as const).map((path) => ({
        field: `limit on ${path}`,
        limit: 100,
        errorKey: 'limit',
        message: /1 to 100/,
        send: async (n: number) => asOutcome(await stack.get(path, { token: path.includes('/store/') ? fuzz.reader.token : fuzz.admin.token, query: { limit: n } })),
      })),
    ];

    it.each(table)('accepts $field at $limit and refuses one more with 400 naming $errorKey', async ({ limit, errorKey, message, send }) => {
      const atLimit = await send(limit);
      const over = await send(limit + 1);

      expect(atLimit.status).toBe(200);
      expect(over.status).toBe(400);
      expect((over.json as { errors?: Record<string, string[]> }).errors?.[errorKey]).toEqual(expect.arrayContaining([expect.stringMatching(message)]));
    });

    // No type that long is on the allowlist (README "Attachment types"), so at the limit the length rule passes and the type rule refuses.
    it('passes attachment_type at 255 to the type rule, and refuses one more as too long', async () => {
      const atLimit = await storeSend({ attachment_url: 'https://example.com/file.bin', attachment_type: mime(limits.attachmentTypeMaxChars) });
      const over = await storeSend({ attachment_url: 'https://example.com/file.bin', attachment_type: mime(limits.attachmentTypeMaxChars + 1) });

      expect(atLimit.json).toEqual({ error: 'Invalid request body', errors: { attachment_type: [`The file type ${mime(limits.attachmentTypeMaxChars)} is not allowed`] } });
      expect(over.status).toBe(400);
      expect((over.json as { errors?: Record<string, string[]> }).errors?.attachment_type).toEqual(expect.arrayContaining([expect.stringMatching(/at most 255/)]));
    });

    it('refuses a cursor one character over 512 with 400 naming cursor', async () => {
      const over = await stack.get('/v1/chat/admin/sessions/', { token: fuzz.admin.token, query: { cursor: 'a'.repeat(513) } });
      const notifications = await stack.get('/v1/chat/admin/notifications/', { token: fuzz.admin.token, query: { cursor: 'a'.repeat(513) } });

      expect([over.status, notifications.status]).toEqual([400, 400]);
      expect(over.json).toMatchObject({ errors: { cursor: [expect.any(String)] } });
      expect(notifications.json).toMatchObject({ errors: { cursor: [expect.any(String)] } });
    });

    it(`echoes a request_id of ${limits.requestIdMaxChars} characters and not one of ${limits.requestIdMaxChars + 1}`, async () => {
      const socket = await stack.connect(fuzz.admin.token);
      const at = 'r'.repeat(limits.requestIdMaxChars);
      const over = 'r'.repeat(limits.requestIdMaxChars + 1);

      socket.send({ action: 'ping', request_id: at });
      socket.send({ action: 'ping', request_id: over });
      socket.send({ action: 'no-such-action', request_id: over });
      const echoed = await socket.next((f) => f.request_id === at);
      const dropped = await socket.next((f) => f.type === 'result' && f.request_id === null);
      const droppedError = await socket.next((f) => f.type === 'error' && f.request_id === null);
      await socket.close();

      expect(echoed).toMatchObject({ type: 'result', action: 'ping' });
      expect(dropped).toMatchObject({ type: 'result', action: 'ping' });
      expect(droppedError).toMatchObject({ type: 'error', status: 404 });
    });

    // Every route, including those that never read a body.
    it.each(postRoutes.map((route) => ({ name: route.name, route })))(
      '$name answers a body of 64 KB + 1 byte with 413 in the envelope, and takes one of exactly 64 KB',
      async ({ route }) => {
        const store = await stack.createStore('Big');
        const bodyOf = (bytes: number) => {
          const head = '{"content":"big","pad":"';
          return `${head}${'p'.repeat(bytes - head.length - 2)}"}`;
        };
        const send = (bytes: number) => call(stack, { method: 'POST', path: pathOf(route), authorization: `Token ${tokenFor(route, store)}`, contentType: 'application/json', body: bodyOf(bytes) });

        const atCap = await send(limits.httpBodyMaxBytes);
        const overCap = await send(limits.httpBodyMaxBytes + 1);

        expectSafe(atCap, `${route.name} at the cap`);
        expect(atCap.status).not.toBe(413);
        expect({ status: overCap.status, json: overCap.json }).toEqual({ status: 413, json: { error: 'Request body is too large' } });
      },
    );
  });
});
