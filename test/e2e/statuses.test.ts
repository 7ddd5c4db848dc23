import { chat, untilOffline, type Admin, type SentFull } from '../support/chat';
import { useTestStack } from '../support/harness';

describe('statuses', () => {
  const stack = useTestStack();
  const use = chat(stack);

  afterEach(async () => {
    await use.closeSockets();
    await untilOffline(stack);
  });

  const act = async (admin: Admin, action: string, sessionId: number) => {
    const frame = await admin.socket.request({ action, session_id: sessionId });
    expect(frame).toMatchObject({ type: 'result' });
  };
  const rate = (token: string, sessionId: number) => stack.post('/v1/chat/store/rating/', { token, body: { session_id: sessionId, rating: 5 } });
  const statusOf = (json: unknown) => (json as { message: { status: string } }).message.status;

  describe('a rating message', () => {
    it('is delivered when the admin who had the session is online', async () => {
      const ann = await use.admin('Ann');
      const store = await stack.createStore();
      const { session } = await use.storeSays(store.token, 'help');
      await act(ann, 'claim', session.id);
      await act(ann, 'close', session.id);

      const rated = await rate(store.token, session.id);

      expect(rated.status).toBe(200);
      expect(statusOf(rated.json)).toBe('delivered');
    });

    it('is sent when only other admins are online: a claimed session is the assignee\'s', async () => {
      const ann = await use.admin('Ann');
      const bob = await use.admin('Bob');
      const store = await stack.createStore();
      const { session } = await use.storeSays(store.token, 'help');
      await act(ann, 'claim', session.id);
      await act(ann, 'close', session.id);
      await ann.socket.close();
      await untilOffline(stack, ann.id);

      const rated = await rate(store.token, session.id);

      expect(bob.socket).toBeDefined();
      expect(rated.status).toBe(200);
      expect(statusOf(rated.json)).toBe('sent');
    });

    it('is delivered to any admin online when the session was closed without being claimed', async () => {
      const ann = await use.admin('Ann');
      const store = await stack.createStore();
      const { session } = await use.storeSays(store.token, 'help');
      await act(ann, 'close', session.id);
      const bob = await use.admin('Bob');
      await ann.socket.close();
      await untilOffline(stack, ann.id);

      const rated = await rate(store.token, session.id);

      expect(bob.socket).toBeDefined();
      expect(statusOf(rated.json)).toBe('delivered');
    });

    it('is sent when no admin is online', async () => {
      const ann = await use.admin('Ann');
      const store = await stack.createStore();
      const { session } = await use.storeSays(store.token, 'help');
      await act(ann, 'close', session.id);
      await use.closeSockets();
      await untilOffline(stack);

      const rated = await rate(store.token, session.id);

      expect(statusOf(rated.json)).toBe('sent');
    });
  });

  describe('a retried send', () => {
    it('answers with the original message and the session as it is now, closed since', async () => {
      const ann = await use.admin('Ann');
      const store = await stack.createStore();
      const body = { content: 'my order is late', client_message_id: 'late-1' };
      const first = (await stack.post('/v1/chat/store/message/', { token: store.token, body })).json as SentFull;
      await act(ann, 'claim', first.session.id);
      await act(ann, 'close', first.session.id);

      const retry = await stack.post('/v1/chat/store/message/', { token: store.token, body });

      expect(retry.status).toBe(200);
      const answered = retry.json as SentFull;
      expect(answered.message.id).toBe(first.message.id);
      expect(first.session.status).toBe('open');
      expect(answered.session).toMatchObject({ id: first.session.id, status: 'closed', admin_id: ann.id });
    });

    it('answers with the session as it is now in a batch that only retries, after the store moved on to a new session', async () => {
      const ann = await use.admin('Ann');
      const store = await stack.createStore();
      const items = [{ content: 'one', client_message_id: 'b-1' }, { content: 'two', client_message_id: 'b-2' }];
      const first = (await stack.post('/v1/chat/store/messages/', { token: store.token, body: { messages: items } })).json as { session: { id: number } };
      await act(ann, 'claim', first.session.id);
      await act(ann, 'close', first.session.id);
      await use.storeSays(store.token, 'a new question');

      const retry = await stack.post('/v1/chat/store/messages/', { token: store.token, body: { messages: items } });

      expect(retry.status).toBe(200);
      expect((retry.json as { session: { id: number; status: string } }).session).toMatchObject({ id: first.session.id, status: 'closed' });
    });
  });
});
