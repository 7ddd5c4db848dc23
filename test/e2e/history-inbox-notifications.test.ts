import { chat, idsOf, type History, type SessionBody } from '../support/chat';
import { useTestStack } from '../support/harness';

interface InboxBody {
  sessions: { session: SessionBody; last_message: { id: number; preview: string } }[];
  next_cursor: string | null;
}

interface NotificationsBody {
  notifications: { id: number; session_id: number; unread: boolean; last_message: { preview: string } }[];
  unread_count: number;
  next_cursor: string | null;
}

describe('history, inbox and notifications over HTTPS', () => {
  const stack = useTestStack();
  const use = chat(stack);

  afterEach(() => use.closeSockets());

  describe('message history', () => {
    it('pages both ways, oldest first within a page, for stores and admins alike', async () => {
      // Online, so no "unavailable" notice joins the conversation.
      const admin = await use.admin();
      const store = await stack.createStore();
      const sent = [];
      for (let i = 1; i <= 7; i++) sent.push(await use.storeSays(store.token, `m${i}`));
      const ids = sent.map((s) => s.message.id);
      const sessionId = sent[0]!.session.id;

      const latest = await use.adminHistory(admin.token, sessionId, { limit: 3 });
      const older = await use.adminHistory(admin.token, sessionId, { limit: 3, before: latest.messages[0]!.id });
      const oldest = await use.adminHistory(admin.token, sessionId, { limit: 3, before: older.messages[0]!.id });
      const newer = await use.storeHistory(store.token, { limit: 4, after: ids[1] });
      const newest = await use.storeHistory(store.token, { limit: 4, after: newer.messages.at(-1)!.id });

      expect([idsOf(oldest.messages), idsOf(older.messages), idsOf(latest.messages)]).toEqual([ids.slice(0, 1), ids.slice(1, 4), ids.slice(4)]);
      expect([latest.has_more, older.has_more, oldest.has_more]).toEqual([true, true, false]);
      expect([idsOf(newer.messages), newer.has_more]).toEqual([ids.slice(2, 6), true]);
      expect([idsOf(newest.messages), newest.has_more]).toEqual([ids.slice(6), false]);
    });

    it('lets an admin recover every message missed while disconnected, in order, from history', async () => {
      const ann = await use.admin();
      const store = await stack.createStore();
      const first = await use.storeSays(store.token, 'before the drop');
      await ann.socket.nextOfType('message.created');
      await ann.socket.close();

      const missed = [];
      for (const content of ['while', 'you', 'were', 'away']) missed.push(await use.storeSays(store.token, content));
      const back = await stack.connect(ann.token);
      const recovered = await use.adminHistory(ann.token, first.session.id, { after: first.message.id });
      await back.barrier();
      await back.close();

      const fromStore = recovered.messages.filter((m) => m.sender_type === 'store');
      expect(fromStore.map((m) => m.content)).toEqual(['while', 'you', 'were', 'away']);
      expect(idsOf(fromStore)).toEqual(missed.map((m) => m.message.id));
      expect(recovered.messages.filter((m) => m.sender_type === 'system').map((m) => (m as unknown as { type: string }).type)).toEqual(['unavailable']);
      expect(recovered.has_more).toBe(false);
      expect(back.ofType('message.created')).toEqual([]);
    });

    it('marks a "sent" store message "delivered" when an eligible admin fetches it', async () => {
      const admin = await stack.createAdmin('Reader');
      const store = await stack.createStore();
      const lonely = await use.storeSays(store.token, 'read me over HTTPS');

      const before = await use.storeHistory(store.token);
      await use.adminHistory(admin.token, lonely.session.id);
      const after = await use.storeHistory(store.token);

      expect([lonely.message.status, before.messages[0]!.status]).toEqual(['sent', 'sent']);
      expect(after.messages[0]!.status).toBe('delivered');
    });

    it('marks a "sent" store message "delivered" when an eligible admin connects later', async () => {
      const store = await stack.createStore();
      const lonely = await use.storeSays(store.token, 'nobody online');
      expect(lonely.message.status).toBe('sent');
      const before = await use.storeHistory(store.token);

      await use.admin();
      const after = await use.storeHistory(store.token);

      expect(before.messages[0]!.status).toBe('sent');
      expect(after.messages[0]).toMatchObject({ status: 'delivered' });
    });

    it('refuses bad cursors with a 400 in the envelope', async () => {
      const admin = await stack.createAdmin();
      const store = await stack.createStore();
      const { session, message } = await use.storeSays(store.token, 'hi');
      const other = await use.storeSays((await stack.createStore()).token, 'elsewhere');

      const both = await stack.get(`/v1/chat/admin/sessions/${session.id}/messages/`, { token: admin.token, query: { after: message.id, before: message.id } });
      const foreign = await stack.get(`/v1/chat/admin/sessions/${session.id}/messages/`, { token: admin.token, query: { after: other.message.id } });
      const badLimit = await stack.get('/v1/chat/store/messages/', { token: store.token, query: { limit: 0 } });
      const badPath = await stack.get('/v1/chat/admin/sessions/abc/messages/', { token: admin.token });
      const missing = await stack.get('/v1/chat/admin/sessions/987654/messages/', { token: admin.token });

      expect([both.status, both.json]).toEqual([400, { error: 'Invalid query string', errors: { before: ['Use after or before, not both'] } }]);
      expect(foreign.json).toEqual({ error: 'Invalid query string', errors: { after: ['Is not a message of this session'] } });
      expect(badLimit.json).toEqual({ error: 'Invalid query string', errors: { limit: ['Must be an integer from 1 to 100'] } });
      expect([badPath.status, badPath.json]).toEqual([400, { error: 'Invalid path', errors: { session_id: ['Must be an integer'] } }]);
      expect([missing.status, missing.json]).toEqual([404, { error: 'Session not found' }]);
    });
  });

  describe('store session and messages', () => {
    it('returns null before the first message, then the current session', async () => {
      const store = await stack.createStore();

      const none = await stack.get('/v1/chat/store/session/', { token: store.token });
      const emptyHistory = await use.storeHistory(store.token);
      const { session } = await use.storeSays(store.token, 'hi');
      const current = await stack.get('/v1/chat/store/session/', { token: store.token });

      expect(none.json).toEqual({ session: null });
      expect(emptyHistory).toEqual({ session: null, messages: [], has_more: false });
      // Not equal: the "unavailable" notice after the first message moved `updated`.
      expect(current.json).toMatchObject({ session: { id: session.id, store_id: store.id, status: 'open', created: session.created } });
    });

    it("never shows a store another store's session or message", async () => {
      const alice = await stack.createStore('Alice');
      const bob = await stack.createStore('Bob');
      const secret = await use.storeSays(alice.token, 'private');

      const peek = await stack.get('/v1/chat/store/messages/', { token: bob.token, query: { session_id: secret.session.id } });
      const markAlien = await stack.post('/v1/chat/store/messages/read/', { token: bob.token, body: { up_to_id: secret.message.id } });

      expect([peek.status, peek.json]).toEqual([404, { error: 'Session not found' }]);
      expect([markAlien.status, markAlien.json]).toEqual([404, { error: 'Message not found' }]);
    });
  });

  describe('the inbox', () => {
    it('filters by state and orders by last_message_at, newest first', async () => {
      const ann = await use.admin('Ann');
      const [s1, s2, s3, s4] = await Promise.all(['S1', 'S2', 'S3', 'S4'].map((name) => stack.createStore(name)));
      const a = await use.storeSays(s1!.token, 'a');
      const b = await use.storeSays(s2!.token, 'b');
      const c = await use.storeSays(s3!.token, 'c');
      const d = await use.storeSays(s4!.token, 'd');
      await ann.socket.request({ action: 'claim', session_id: b.session.id });
      await ann.socket.request({ action: 'claim', session_id: d.session.id });
      await ann.socket.request({ action: 'close', session_id: d.session.id });
      await use.storeSays(s1!.token, 'a again');

      const list = async (state: string) =>
        ((await stack.get('/v1/chat/admin/sessions/', { token: ann.token, query: { state, limit: 100 } })).json as InboxBody).sessions.map((s) => s.session.id);
      const mine = [a, b, c, d].map((x) => x.session.id);

      const open = (await list('open')).filter((id) => mine.includes(id));
      const unclaimed = (await list('unclaimed')).filter((id) => mine.includes(id));
      const claimed = await list('mine');
      const closed = (await list('closed')).filter((id) => mine.includes(id));

      expect(open).toEqual([a.session.id, c.session.id, b.session.id]);
      expect(unclaimed).toEqual([a.session.id, c.session.id]);
      expect(claimed).toEqual([b.session.id]);
      expect(closed).toEqual([d.session.id]);
    });

    it('pages with a cursor over more than one page, each session once', async () => {
      const admin = await stack.createAdmin();
      const stores = await Promise.all(Array.from({ length: 5 }, (_, i) => stack.createStore(`P${i}`)));
      const created: number[] = [];
      for (const store of stores) created.push((await use.storeSays(store.token, 'page me')).session.id);

      const seen: number[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = (await stack.get('/v1/chat/admin/sessions/', { token: admin.token, query: { state: 'open', limit: 2, cursor } })).json as InboxBody;
        seen.push(...page.sessions.map((s) => s.session.id));
        cursor = page.next_cursor ?? undefined;
        pages++;
      } while (cursor);

      expect(pages).toBeGreaterThan(2);
      expect(new Set(seen).size).toBe(seen.length);
      expect(seen.filter((id) => created.includes(id))).toEqual([...created].reverse());
    });

    it('refuses an unknown state or a forged cursor', async () => {
      const admin = await stack.createAdmin();

      const state = await stack.get('/v1/chat/admin/sessions/', { token: admin.token, query: { state: 'all' } });
      const cursor = await stack.get('/v1/chat/admin/sessions/', { token: admin.token, query: { cursor: Buffer.from('{"pk":"TOKEN#x"}').toString('base64url') } });

      expect(state.json).toEqual({ error: 'Invalid query string', errors: { state: ['Must be unclaimed, mine, open or closed'] } });
      expect(cursor.json).toEqual({ error: 'Invalid query string', errors: { cursor: ['Is not a cursor this endpoint issued'] } });
    });
  });

  describe('notifications', () => {
    it('counts unread sessions, marks one or all read, and turns unread again on a new store message', async () => {
      const ann = await stack.createAdmin('Notified Ann');
      const [x, y] = await Promise.all([stack.createStore('X'), stack.createStore('Y')]);
      const fromX = await use.storeSays(x.token, 'help from X');
      const fromY = await use.storeSays(y.token, 'help from Y');
      const list = async () => (await stack.get('/v1/chat/admin/notifications/', { token: ann.token, query: { limit: 100 } })).json as NotificationsBody;
      const mineOnly = (body: NotificationsBody) => body.notifications.filter((n) => [fromX.session.id, fromY.session.id].includes(n.session_id));

      const initial = await list();
      const markOne = await stack.post(`/v1/chat/admin/notifications/${fromX.session.id}/read/`, { token: ann.token });
      const afterOne = await list();
      const markAll = await stack.post('/v1/chat/admin/notifications/read/', { token: ann.token });
      const afterAll = await list();
      await use.storeSays(x.token, 'X again');
      const afterNew = await list();

      expect(mineOnly(initial).map((n) => [n.session_id, n.unread])).toEqual([[fromY.session.id, true], [fromX.session.id, true]]);
      expect(markOne.json).toEqual({ id: fromX.session.id, unread: false });
      expect(afterOne.unread_count).toBe(initial.unread_count - 1);
      expect(markAll.json).toEqual({ unread_count: 0 });
      expect(afterAll.unread_count).toBe(0);
      expect(afterNew.unread_count).toBe(1);
      expect(afterNew.notifications[0]).toMatchObject({ session_id: fromX.session.id, unread: true, last_message: { preview: 'X again' } });
    });

    it("hides sessions claimed by another admin, and 404s a notification that isn't yours", async () => {
      const ann = await use.admin('Ann');
      const bob = await stack.createAdmin('Bob');
      const store = await stack.createStore();
      const { session } = await use.storeSays(store.token, 'for Ann only');
      await ann.socket.request({ action: 'claim', session_id: session.id });

      const bobs = (await stack.get('/v1/chat/admin/notifications/', { token: bob.token, query: { limit: 100 } })).json as NotificationsBody;
      const mark = await stack.post(`/v1/chat/admin/notifications/${session.id}/read/`, { token: bob.token });

      expect(bobs.notifications.map((n) => n.session_id)).not.toContain(session.id);
      expect([mark.status, mark.json]).toEqual([404, { error: 'Notification not found' }]);
    });

    it('pushes nothing when an admin comes online; the backlog is a notification list', async () => {
      const store = await stack.createStore();
      for (const content of ['one', 'two', 'three']) await use.storeSays(store.token, content);

      const late = await use.admin('Late');
      await late.socket.barrier();
      const notifications = (await stack.get('/v1/chat/admin/notifications/', { token: late.token, query: { limit: 100 } })).json as NotificationsBody;

      expect(late.socket.frames.filter((f) => f.type !== 'error')).toEqual([]);
      expect(notifications.notifications.filter((n) => n.last_message.preview === 'three')).toHaveLength(1);
    });
  });

  describe('authorization', () => {
    const adminRoutes: [string, string][] = [
      ['GET', '/v1/chat/admin/sessions/'],
      ['GET', '/v1/chat/admin/sessions/1/messages/'],
      ['GET', '/v1/chat/admin/notifications/'],
      ['POST', '/v1/chat/admin/notifications/1/read/'],
      ['POST', '/v1/chat/admin/notifications/read/'],
    ];
    const storeRoutes: [string, string][] = [
      ['GET', '/v1/chat/store/session/'],
      ['GET', '/v1/chat/store/messages/'],
      ['POST', '/v1/chat/store/messages/read/'],
    ];
    const call = (method: string, path: string, token?: string) =>
      method === 'GET' ? stack.get(path, token ? { token } : {}) : stack.post(path, { ...(token ? { token } : {}), body: { up_to_id: 1000001 } });

    it.each(adminRoutes)('%s %s: 403 for a store token, 401 without one', async (method, path) => {
      const store = await stack.createStore();

      const withStore = await call(method, path, store.token);
      const anonymous = await call(method, path);

      expect([withStore.status, withStore.json]).toEqual([403, { error: 'This endpoint requires an admin token' }]);
      expect([anonymous.status, anonymous.json]).toEqual([401, { error: 'Unauthorized' }]);
    });

    it.each(storeRoutes)('%s %s: 403 for an admin token, 401 without one', async (method, path) => {
      const admin = await stack.createAdmin();

      const withAdmin = await call(method, path, admin.token);
      const anonymous = await call(method, path);

      expect(withAdmin.status).toBe(403);
      expect(anonymous.status).toBe(401);
    });
  });
});

export type { History };
