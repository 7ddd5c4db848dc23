import { chat, type Sent } from '../support/chat';
import { useTestStack } from '../support/harness';
import { storedEntries } from '../support/inspect';

describe('admin actions over the WebSocket API', () => {
  const stack = useTestStack();
  const use = chat(stack);

  afterEach(() => use.closeSockets());

  describe('release', () => {
    it('returns a claimed session to the queue and tells every admin', async () => {
      const ann = await use.admin('Ann');
      const bob = await use.admin('Bob');
      const store = await stack.createStore();
      const { session } = await use.storeSays(store.token, 'hi');
      await ann.socket.request({ action: 'claim', session_id: session.id });

      const released = await ann.socket.request({ action: 'release', session_id: session.id });
      const later = await use.storeSays(store.token, 'anyone?');

      expect(released).toMatchObject({ type: 'result', action: 'release', session: { id: session.id, admin_id: null } });
      expect(await bob.socket.nextOfType('session.released')).toMatchObject({ admin_id: ann.id, session: { admin_id: null } });
      expect(await bob.socket.next((f) => f.type === 'message.created' && (f.message as { id: number }).id === later.message.id)).toBeTruthy();
    });

    it('refuses a session claimed by another admin (403) or not claimed at all (409)', async () => {
      const ann = await use.admin('Ann');
      const bob = await use.admin('Bob');
      const store = await stack.createStore();
      const { session } = await use.storeSays(store.token, 'hi');

      const unclaimed = await ann.socket.request({ action: 'release', session_id: session.id });
      await ann.socket.request({ action: 'claim', session_id: session.id });
      const notHis = await bob.socket.request({ action: 'release', session_id: session.id });

      expect(unclaimed).toMatchObject({ type: 'error', status: 409, error: 'Session is not claimed' });
      expect(notHis).toMatchObject({ type: 'error', status: 403, error: 'Session is claimed by another admin' });
    });
  });

  describe('transfer', () => {
    it('hands the session to another admin: events go to everyone, and routing follows the new owner', async () => {
      const ann = await use.admin('Ann');
      const bob = await use.admin('Bob');
      const carl = await use.admin('Carl');
      const store = await stack.createStore();
      const { session } = await use.storeSays(store.token, 'hi');
      await ann.socket.request({ action: 'claim', session_id: session.id });

      const transferred = await ann.socket.request({ action: 'transfer', session_id: session.id, admin_id: bob.id });
      const later = await use.storeSays(store.token, 'for the new owner');

      expect(transferred).toMatchObject({ type: 'result', session: { admin_id: bob.id } });
      for (const admin of [ann, bob, carl]) {
        expect(await admin.socket.nextOfType('session.transferred')).toMatchObject({ from_admin_id: ann.id, to_admin_id: bob.id });
      }
      expect(later.session.admin_id).toBe(bob.id);
      expect(await bob.socket.next((f) => f.type === 'message.created' && (f.message as { id: number }).id === later.message.id)).toBeTruthy();
      await ann.socket.barrier();
      await carl.socket.barrier();
      const sawLater = (frames: { type?: string; message?: unknown }[]) => frames.some((f) => f.type === 'message.created' && (f.message as { id: number }).id === later.message.id);
      expect(sawLater(ann.socket.frames)).toBe(false);
      expect(sawLater(carl.socket.frames)).toBe(false);
      const annReply = await ann.socket.request({ action: 'send', session_id: session.id, content: 'still mine?' });
      expect(annReply).toMatchObject({ type: 'error', status: 403, error: 'Session is claimed by another admin' });
    });

    it('refuses an unknown admin (404) and the caller itself (400)', async () => {
      const ann = await use.admin('Ann');
      const store = await stack.createStore();
      const { session } = await use.storeSays(store.token, 'hi');
      await ann.socket.request({ action: 'claim', session_id: session.id });

      const unknown = await ann.socket.request({ action: 'transfer', session_id: session.id, admin_id: 999_999 });
      const self = await ann.socket.request({ action: 'transfer', session_id: session.id, admin_id: ann.id });

      expect(unknown).toMatchObject({ type: 'error', status: 404, error: 'Admin not found' });
      expect(self).toMatchObject({ type: 'error', status: 400, errors: { admin_id: ['Cannot transfer a session to yourself'] } });
    });
  });

  describe('send', () => {
    it('posts a reply with sender_type "admin" and the same message shape, to the assignee', async () => {
      const ann = await use.admin('Ann');
      const bob = await use.admin('Bob');
      const store = await stack.createStore();
      const first: Sent = await use.storeSays(store.token, 'hi');
      await ann.socket.request({ action: 'claim', session_id: first.session.id });

      const reply = await ann.socket.request({ action: 'send', session_id: first.session.id, content: 'Hi, how can I help?' });

      const message = reply.message as Record<string, unknown>;
      expect(reply).toMatchObject({ type: 'result', action: 'send', session: { id: first.session.id, last_message_at: message.created } });
      expect(Object.keys(message)).toEqual(Object.keys(first.message));
      expect(message).toMatchObject({ sender_type: 'admin', sender_id: ann.id, content: 'Hi, how can I help?', attachment_url: '', status: 'sent' });
      expect(await ann.socket.next((f) => f.type === 'message.created' && (f.message as { id: number }).id === message.id)).toBeTruthy();
      await bob.socket.barrier();
      expect(bob.socket.ofType('message.created').map((f) => (f.message as { id: number }).id)).toEqual([first.message.id]);
    });

    it('requires a claim first, and validates like the store endpoint', async () => {
      const ann = await use.admin();
      const store = await stack.createStore();
      const { session } = await use.storeSays(store.token, 'hi');

      const unclaimed = await ann.socket.request({ action: 'send', session_id: session.id, content: 'hello' });
      await ann.socket.request({ action: 'claim', session_id: session.id });
      const empty = await ann.socket.request({ action: 'send', session_id: session.id, content: '   ' });
      const wrongType = await ann.socket.request({ action: 'send', session_id: session.id, content: 5 });

      expect(unclaimed).toMatchObject({ type: 'error', status: 409, error: 'Claim the session before replying' });
      expect(empty).toMatchObject({ type: 'error', status: 400, error: 'Message content or attachment is required' });
      expect(wrongType).toMatchObject({ type: 'error', status: 400, errors: { content: ['Must be a string'] } });
      expect((await storedEntries(stack, session.id)).filter((e) => e.sender_type === 'admin')).toEqual([]);
    });

    it('reaches the store, which sees it "delivered" once fetched and "read" once marked', async () => {
      const ann = await use.admin();
      const store = await stack.createStore();
      const { session } = await use.storeSays(store.token, 'hi');
      await ann.socket.request({ action: 'claim', session_id: session.id });
      const reply = (await ann.socket.request({ action: 'send', session_id: session.id, content: 'Hello!' })).message as { id: number };

      const fetched = await use.storeHistory(store.token);
      const adminView = await use.adminHistory(ann.token, session.id);
      const read = await stack.post('/v1/chat/store/messages/read/', { token: store.token, body: { up_to_id: reply.id } });
      const afterRead = await use.adminHistory(ann.token, session.id);

      expect(fetched.messages.find((m) => m.id === reply.id)).toMatchObject({ sender_type: 'admin', content: 'Hello!' });
      expect(adminView.messages.find((m) => m.id === reply.id)?.status).toBe('delivered');
      expect(read.status).toBe(200);
      expect(read.json).toEqual({ session_id: session.id, up_to_id: reply.id, advanced: true });
      expect(await ann.socket.nextOfType('messages.read')).toEqual({
        type: 'messages.read', session_id: session.id, reader_type: 'store', reader_id: store.id, up_to_id: reply.id,
      });
      const readReply = afterRead.messages.find((m) => m.id === reply.id)!;
      expect(readReply.status).toBe('read');
      expect(readReply.updated >= readReply.created).toBe(true);
    });
  });

  describe('close', () => {
    it('closes the session for everyone, and the store\'s next message opens a new one', async () => {
      const ann = await use.admin('Ann');
      const bob = await use.admin('Bob');
      const store = await stack.createStore();
      const { session } = await use.storeSays(store.token, 'hi');
      await ann.socket.request({ action: 'claim', session_id: session.id });

      const closed = await ann.socket.request({ action: 'close', session_id: session.id });
      const current = await stack.get('/v1/chat/store/session/', { token: store.token });
      const next = await use.storeSays(store.token, 'one more thing');

      expect(closed).toMatchObject({ type: 'result', session: { id: session.id, status: 'closed' } });
      expect(await bob.socket.nextOfType('session.closed')).toMatchObject({ admin_id: ann.id, session: { status: 'closed' } });
      expect(current.json).toMatchObject({ session: { id: session.id, status: 'closed' } });
      expect(next.session.id).not.toBe(session.id);
      expect(next.session).toMatchObject({ status: 'open', admin_id: null });
      const afterClose = await ann.socket.request({ action: 'send', session_id: session.id, content: 'late' });
      expect(afterClose).toMatchObject({ type: 'error', status: 409, error: 'Session is closed' });
    });

    it('is idempotent, and refuses a session claimed by another admin', async () => {
      const ann = await use.admin('Ann');
      const bob = await use.admin('Bob');
      const store = await stack.createStore();
      const { session } = await use.storeSays(store.token, 'hi');
      await ann.socket.request({ action: 'claim', session_id: session.id });

      const notHis = await bob.socket.request({ action: 'close', session_id: session.id });
      await ann.socket.request({ action: 'close', session_id: session.id });
      const again = await ann.socket.request({ action: 'close', session_id: session.id });

      expect(notHis).toMatchObject({ type: 'error', status: 403 });
      expect(again).toMatchObject({ type: 'result', session: { status: 'closed' } });
      expect((await storedEntries(stack, session.id)).filter((e) => e.event === 'session.closed')).toHaveLength(1);
    });
  });

  describe('read', () => {
    it('marks store messages read up to an id: the store sees "read", the session\'s admins get messages.read', async () => {
      const ann = await use.admin();
      const store = await stack.createStore();
      const one = await use.storeSays(store.token, 'one');
      const two = await use.storeSays(store.token, 'two');
      await use.storeSays(store.token, 'three');

      const answer = await ann.socket.request({ action: 'read', session_id: one.session.id, up_to_id: two.message.id });
      const seen = await use.storeHistory(store.token);

      expect(answer).toMatchObject({ type: 'result', session_id: one.session.id, up_to_id: two.message.id, advanced: true });
      expect(await ann.socket.nextOfType('messages.read')).toMatchObject({ reader_type: 'admin', reader_id: ann.id, up_to_id: two.message.id });
      expect(seen.messages.map((m) => [m.content, m.status])).toEqual([['one', 'read'], ['two', 'read'], ['three', 'delivered']]);
    });

    it('refuses an id outside the session, and a session claimed by another admin', async () => {
      const ann = await use.admin('Ann');
      const bob = await use.admin('Bob');
      const store = await stack.createStore();
      const { session, message } = await use.storeSays(store.token, 'hi');
      await ann.socket.request({ action: 'claim', session_id: session.id });

      const outside = await ann.socket.request({ action: 'read', session_id: session.id, up_to_id: message.id + 50 });
      const notHis = await bob.socket.request({ action: 'read', session_id: session.id, up_to_id: message.id });

      expect(outside).toMatchObject({ type: 'error', status: 400, errors: { up_to_id: ['Is not a message of this session'] } });
      expect(notHis).toMatchObject({ type: 'error', status: 403 });
    });
  });

  describe('typing and ping', () => {
    it('relays typing to the session\'s other admins without storing it', async () => {
      const ann = await use.admin('Ann');
      const bob = await use.admin('Bob');
      const store = await stack.createStore();
      const { session } = await use.storeSays(store.token, 'hi');
      const before = (await storedEntries(stack, session.id)).length;

      const answer = await ann.socket.request({ action: 'typing', session_id: session.id });

      expect(answer).toMatchObject({ type: 'result', action: 'typing', session_id: session.id, is_typing: true });
      expect(await bob.socket.nextOfType('typing')).toEqual({ type: 'typing', session_id: session.id, admin_id: ann.id, is_typing: true });
      await ann.socket.barrier();
      expect(ann.socket.ofType('typing')).toEqual([]);
      expect(await storedEntries(stack, session.id)).toHaveLength(before);
    });

    it('answers ping with the server time', async () => {
      const ann = await use.admin();

      const pong = await ann.socket.request({ action: 'ping' });

      expect(pong).toMatchObject({ type: 'result', action: 'ping', time: expect.any(String) });
    });
  });
});
