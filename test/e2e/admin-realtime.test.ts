import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { connectionTtlSeconds, listAdminConnections } from '../../lib/entities/connection';
import { HandshakeRejected, useTestStack, TestSocket, type TestStack } from '../support/harness';
import { storedEntries } from '../support/inspect';
import { waitFor } from '../support/poll';

const seedPath = '/v1/chat/store/message/';

interface Sent {
  session: { id: number; admin_id: number | null };
  message: { id: number; status: string };
}

describe('admins over the WebSocket API', () => {
  const stack = useTestStack({ pushTimeoutMs: 300 });
  const sockets: TestSocket[] = [];

  const connectAdmin = async (name = 'Ann') => {
    const admin = await stack.createAdmin(name);
    const socket = await stack.connect(admin.token);
    sockets.push(socket);
    return { ...admin, socket };
  };

  const send = async (token: string, content: string) => {
    const response = await stack.post(seedPath, { token, body: { content } });
    expect(response.status).toBe(200);
    return response.json as Sent;
  };

  afterEach(async () => {
    stack.ws.setPushFault(undefined);
    await Promise.all(sockets.splice(0).map((socket) => socket.close()));
  });
  it('pushes a store message to an admin socket as message.created with the same objects as the HTTP response', async () => {
    const ann = await connectAdmin();
    const store = await stack.createStore();

    const sent = await send(store.token, 'Hello, I need help with my account');

    const event = await ann.socket.nextOfType('message.created');
    expect(event).toEqual({ type: 'message.created', session: sent.session, message: sent.message });
  });

  it('marks a message "delivered" when an admin who should receive it is online, "sent" when none is', async () => {
    const store = await stack.createStore();

    const offline = await send(store.token, 'anyone there?');
    await connectAdmin();
    const online = await send(store.token, 'hello again');

    expect(offline.message.status).toBe('sent');
    expect(online.message.status).toBe('delivered');
  });

  it('broadcasts to every admin while unclaimed, and only to the claimer once claimed', async () => {
    const ann = await connectAdmin('Ann');
    const bob = await connectAdmin('Bob');
    const store = await stack.createStore();
    const first = await send(store.token, 'before claim');
    await ann.socket.nextOfType('message.created');
    await bob.socket.nextOfType('message.created');

    const claim = await ann.socket.request({ action: 'claim', session_id: first.session.id });
    const after = await send(store.token, 'after claim');

    expect(claim).toMatchObject({ type: 'result', action: 'claim', session: { id: first.session.id, admin_id: ann.id } });
    expect(after.session.admin_id).toBe(ann.id);
    expect(await ann.socket.next((f) => f.type === 'message.created' && (f.message as { id: number }).id === after.message.id)).toBeTruthy();
    await bob.socket.barrier();
    const bobSaw = bob.socket.ofType('message.created').map((f) => (f.message as { id: number }).id);
    expect(bobSaw).toEqual([first.message.id]);
  });

  it('marks a claimed session\'s message "sent" when its admin is offline, even if other admins are online', async () => {
    const ann = await connectAdmin('Ann');
    await connectAdmin('Bob');
    const store = await stack.createStore();
    const first = await send(store.token, 'hi');
    await ann.socket.request({ action: 'claim', session_id: first.session.id });
    await ann.socket.close();

    const later = await send(store.token, 'are you there?');

    expect(later.message.status).toBe('sent');
  });

  it('tells every admin when a session is claimed, so each inbox stays right', async () => {
    const ann = await connectAdmin('Ann');
    const bob = await connectAdmin('Bob');
    const store = await stack.createStore();
    const sent = await send(store.token, 'hi');

    await ann.socket.request({ action: 'claim', session_id: sent.session.id });

    const event = await bob.socket.nextOfType('session.claimed');
    expect(event).toMatchObject({ type: 'session.claimed', admin_id: ann.id, session: { id: sent.session.id, admin_id: ann.id } });
  });

  it('answers a second claimer with an error frame carrying its request_id', async () => {
    const ann = await connectAdmin('Ann');
    const bob = await connectAdmin('Bob');
    const store = await stack.createStore();
    const sent = await send(store.token, 'hi');
    await ann.socket.request({ action: 'claim', session_id: sent.session.id });

    bob.socket.send({ action: 'claim', request_id: 'bob-1', session_id: sent.session.id });
    const answer = await bob.socket.next((f) => f.request_id === 'bob-1');

    expect(answer).toEqual({ type: 'error', action: 'claim', request_id: 'bob-1', status: 409, error: 'Session is already claimed' });
  });

  it('lets exactly one of ten admins win a simultaneous claim', async () => {
    const admins = await Promise.all(Array.from({ length: 10 }, (_, i) => connectAdmin(`Admin ${i}`)));
    const store = await stack.createStore();
    const sent = await send(store.token, 'who takes me?');

    const answers = await Promise.all(admins.map((admin) => admin.socket.request({ action: 'claim', session_id: sent.session.id })));

    const winners = answers.filter((answer) => answer.type === 'result');
    expect(winners).toHaveLength(1);
    expect(answers.filter((answer) => answer.type === 'error').map((answer) => answer.error)).toEqual(Array(9).fill('Session is already claimed'));
    const claims = (await storedEntries(stack, sent.session.id)).filter((entry) => entry.event === 'session.claimed');
    expect(claims).toHaveLength(1);
  });

  it('treats a repeated claim by the owner as success', async () => {
    const ann = await connectAdmin();
    const store = await stack.createStore();
    const sent = await send(store.token, 'hi');
    await ann.socket.request({ action: 'claim', session_id: sent.session.id });

    const again = await ann.socket.request({ action: 'claim', session_id: sent.session.id });

    expect(again).toMatchObject({ type: 'result', session: { admin_id: ann.id } });
  });

  it.each([
    ['a missing session_id', {}, { session_id: ['Must be an integer'] }],
    ['a string session_id', { session_id: '1' }, { session_id: ['Must be an integer'] }],
    ['a fractional session_id', { session_id: 1.5 }, { session_id: ['Must be an integer'] }],
  ])('refuses a claim with %s with a 400 error frame', async (_case, fields, errors) => {
    const ann = await connectAdmin();

    const answer = await ann.socket.request({ action: 'claim', ...fields });

    expect(answer).toMatchObject({ type: 'error', action: 'claim', status: 400, error: 'Invalid frame', errors });
  });

  it('answers a claim of an unknown session with 404', async () => {
    const ann = await connectAdmin();

    const answer = await ann.socket.request({ action: 'claim', session_id: 999_999 });

    expect(answer).toMatchObject({ type: 'error', status: 404, error: 'Session not found' });
  });

  it('answers an unknown action or a non-JSON frame with an error frame', async () => {
    const ann = await connectAdmin();

    const unknown = await ann.socket.request({ action: 'dance' });
    ann.socket.send('not json');
    const garbage = await ann.socket.next((f) => f.type === 'error' && f.action === null);

    expect(unknown).toMatchObject({ type: 'error', action: 'dance', status: 404, error: 'Unknown action: dance' });
    expect(garbage).toMatchObject({ status: 400, error: 'Malformed JSON frame' });
  });

  describe('$connect', () => {
    it.each([
      ['no token', ''],
      ['an unknown token', 'admin_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'],
    ])('rejects %s with 401', async (_case, token) => {
      const attempt = token === '' ? TestSocket.open(`${stack.wsUrl}/`) : stack.connect(token);

      await expect(attempt).rejects.toEqual(new HandshakeRejected(401));
    });

    it("admits a store token as the store (README \"Store WebSocket\"), which cannot act as an admin", async () => {
      const store = await stack.createStore();

      const socket = await stack.connect(store.token);
      sockets.push(socket);
      const claim = await socket.request({ action: 'claim', session_id: 1 });

      expect(claim).toMatchObject({ type: 'error', action: 'claim', status: 403, error: 'This action requires an admin token' });
    });

    it('records the connection with a TTL, and $disconnect removes it', async () => {
      const ann = await connectAdmin();
      const store = await stack.createStore();
      const sent = await send(store.token, 'ping');
      expect(sent.message.status).toBe('delivered');
      const ids = await connectionIds(stack);
      expect(ids.length).toBeGreaterThan(0);
      const row = await stack.deps.db.send(new GetCommand({ TableName: stack.tables.connections, Key: { connection_id: ids[0] } }));
      expect(row.Item?.expires_at).toBeGreaterThan(Date.now() / 1000 + connectionTtlSeconds - 60);

      await ann.socket.close();
      await waitFor(async () => (await connectionIds(stack)).length === 0);

      expect(await connectionIds(stack)).toEqual([]);
    });
  });

  describe('failed pushes', () => {
    it('deletes exactly the stale connection that answered 410, and the others still receive', async () => {
      const ann = await connectAdmin();
      await stack.deps.db.send(
        new PutCommand({
          TableName: stack.tables.connections,
          Item: { connection_id: 'stale-connection=', audience: 'admins', member: '999#stale-connection=', principal_type: 'admin', principal_id: 999, connected_at: new Date().toISOString(), expires_at: Math.floor(Date.now() / 1000) + 600 },
        }),
      );
      const store = await stack.createStore();

      const sent = await send(store.token, 'hello');

      expect(await ann.socket.nextOfType('message.created')).toMatchObject({ message: { id: sent.message.id } });
      const ids = await connectionIds(stack);
      expect(ids).not.toContain('stale-connection=');
      expect(ids).toHaveLength(1);
    });

    it.each(['error', 'hang'] as const)('stores and acknowledges the message when @connections answers with %s', async (fault) => {
      const ann = await connectAdmin('Ann');
      const bob = await connectAdmin('Bob');
      const [annId] = await connectionIds(stack, ann.id);
      stack.ws.setPushFault((connectionId) => (connectionId === annId ? fault : undefined));
      const store = await stack.createStore();

      const started = Date.now();
      const sent = await send(store.token, `despite ${fault}`);

      expect(Date.now() - started).toBeLessThan(3000);
      expect(await bob.socket.nextOfType('message.created')).toMatchObject({ message: { id: sent.message.id } });
      expect((await storedEntries(stack, sent.session.id)).map((entry) => entry.content)).toEqual([`despite ${fault}`]);
      expect(await connectionIds(stack, ann.id)).toEqual([annId]);
    });
  });
});

async function connectionIds(stack: TestStack, adminId?: number): Promise<string[]> {
  const rows = await listAdminConnections({ db: stack.deps.db, table: stack.tables.connections }, adminId);
  return rows.map((row) => row.connection_id);
}

