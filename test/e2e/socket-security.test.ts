import { chatTableRef, connectionsTableRef } from '../../lib/deps';
import { listAdminConnections } from '../../lib/entities/connection';
import { hashToken } from '../../lib/entities/token';
import { limits } from '../../lib/limits';
import { issueTokenFor } from '../../lib/ops/principals';
import { useTestStack } from '../support/harness';
import { run } from '../support/processes';
import { closedWithin, RawHandshakeRejected, useRawSockets, type RawSocket } from '../support/raw-socket';

/** README "Rotating tokens", "Limits" and "Admin WebSocket" (Connect), over real sockets. */
describe('admin socket security', () => {
  const stack = useTestStack();
  const connect = useRawSockets(() => stack.wsUrl);
  const withQuery = (token: string) => connect(`?token=${token}`);
  const rows = async (adminId: number) => listAdminConnections(connectionsTableRef(stack.deps), adminId);
  const ping = async (socket: RawSocket) => socket.exchange(JSON.stringify({ action: 'ping', request_id: 'p' }));


  describe('chatctl token revoke', () => {
    const revoke = (token: string) =>
      run('npm', [
        'run',
        '-s',
        'chatctl',
        '--',
        'token',
        'revoke',
        token,
        '--endpoint',
        stack.dynamodbEndpoint,
        '--table',
        stack.tables.chat,
        '--connections-table',
        stack.tables.connections,
        '--ws-endpoint',
        stack.managementEndpoint,
      ]);

    it("closes every socket opened with the token within seconds, keeps the admin's other sockets, and says how many", async () => {
      const admin = await stack.createAdmin();
      const other = (await issueTokenFor(chatTableRef(stack.deps), 'admin', admin.id))!;
      const a1 = await withQuery(admin.token);
      const a2 = await connect('', ['chat.v1', `token.${admin.token}`]);
      const b = await withQuery(other.token);

      const result = await revoke(admin.token);

      expect(result.code).toBe(0);
      expect(JSON.parse(result.stdout)).toEqual({ revoked: true, connections_closed: 2 });
      await closedWithin(a1, 3000);
      await closedWithin(a2, 3000);
      expect(await ping(b)).toMatchObject({ type: 'result', action: 'ping' });
      expect((await rows(admin.id)).map((row) => row.token_hash)).toEqual([hashToken(other.token)]);
      await expect(withQuery(admin.token)).rejects.toEqual(new RawHandshakeRejected(401));
    });

    it('says nothing was revoked or closed for a token that is no longer valid', async () => {
      const admin = await stack.createAdmin();
      await revoke(admin.token);

      const again = await revoke(admin.token);

      expect(again.code).toBe(0);
      expect(JSON.parse(again.stdout)).toEqual({ revoked: false, connections_closed: 0 });
    });
  });

  describe(`at most ${limits.connectionsPerPrincipal} connections per principal`, () => {
    it('closes the oldest when one more opens, deletes its row, and a store send reaches exactly the newest ten', async () => {
      const admin = await stack.createAdmin();
      const sockets: RawSocket[] = [];
      for (let i = 0; i < limits.connectionsPerPrincipal + 1; i += 1) sockets.push(await withQuery(admin.token));
      const [oldest, ...newest] = sockets;

      await closedWithin(oldest!, 3000);
      expect(newest.every((socket) => socket.isOpen())).toBe(true);
      expect(await rows(admin.id)).toHaveLength(limits.connectionsPerPrincipal);

      const store = await stack.createStore();
      const sent = await stack.post('/v1/chat/store/message/', { token: store.token, body: { content: 'who hears this?' } });
      expect(sent.status).toBe(200);
      const id = (sent.json as { message: { id: number } }).message.id;
      const isIt = (frame: unknown) => (frame as { type?: string; message?: { id?: number } }).type === 'message.created' && (frame as { message: { id: number } }).message.id === id;
      await Promise.all(newest.map((socket) => socket.next(isIt)));
      expect(oldest!.frames.filter(isIt)).toEqual([]);
    });

    it('leaves exactly the cap once connects that raced each other have finished', async () => {
      const admin = await stack.createAdmin();
      const first: RawSocket[] = [];
      for (let i = 0; i < limits.connectionsPerPrincipal; i += 1) first.push(await withQuery(admin.token));

      const racing = await Promise.all(Array.from({ length: 5 }, () => withQuery(admin.token)));

      await Promise.all(first.slice(0, 5).map((socket) => closedWithin(socket, 3000)));
      expect([...first.slice(5), ...racing].every((socket) => socket.isOpen())).toBe(true);
      expect(await rows(admin.id)).toHaveLength(limits.connectionsPerPrincipal);
    });

    it("does not count another admin's connections", async () => {
      const ann = await stack.createAdmin('Ann');
      const bob = await stack.createAdmin('Bob');
      const anns: RawSocket[] = [];
      for (let i = 0; i < limits.connectionsPerPrincipal; i += 1) anns.push(await withQuery(ann.token));

      await withQuery(bob.token);

      expect(await rows(ann.id)).toHaveLength(limits.connectionsPerPrincipal);
      expect(anns.every((socket) => socket.isOpen())).toBe(true);
    });
  });

  describe('the token in Sec-WebSocket-Protocol', () => {
    it('connects with ["chat.v1", "token.<token>"], echoes only chat.v1, and the socket acts as the admin', async () => {
      const admin = await stack.createAdmin();
      const store = await stack.createStore();
      const sent = await stack.post('/v1/chat/store/message/', { token: store.token, body: { content: 'hello' } });
      const sessionId = (sent.json as { session: { id: number } }).session.id;

      const socket = await connect('', ['chat.v1', `token.${admin.token}`]);
      socket.socket.send(JSON.stringify({ action: 'claim', session_id: sessionId, request_id: 'c1' }));
      const claimed = await socket.next((frame) => (frame as { request_id?: string }).request_id === 'c1');

      expect(socket.protocol).toBe('chat.v1');
      expect(claimed).toMatchObject({ type: 'result', action: 'claim', session: { id: sessionId, admin_id: admin.id } });
      expect((await rows(admin.id)).map((row) => row.token_hash)).toEqual([hashToken(admin.token)]);
    });

    it('echoes the protocol $connect chose, not the first one offered', async () => {
      const admin = await stack.createAdmin();

      const socket = await connect('', [`token.${admin.token}`, 'chat.v1']);

      expect(socket.protocol).toBe('chat.v1');
    });

    it('still accepts ?token= alone, with no subprotocol echoed', async () => {
      const admin = await stack.createAdmin();

      const socket = await withQuery(admin.token);

      expect(socket.protocol).toBe('');
      expect(await ping(socket)).toMatchObject({ type: 'result', action: 'ping' });
    });

    it.each([
      ['no token anywhere', '', undefined],
      ['only chat.v1 offered', '', ['chat.v1']],
      ['an unknown token in the subprotocol', '', ['chat.v1', 'token.admin_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA']],
      ['an empty token subprotocol', '', ['chat.v1', 'token.']],
    ])('refuses %s with 401', async (_case, query, protocols) => {
      await expect(connect(query, protocols)).rejects.toEqual(new RawHandshakeRejected(401));
    });

    it('refuses two different tokens (query and subprotocol) with 401', async () => {
      const ann = await stack.createAdmin('Ann');
      const bob = await stack.createAdmin('Bob');

      await expect(connect(`?token=${ann.token}`, ['chat.v1', `token.${bob.token}`])).rejects.toEqual(new RawHandshakeRejected(401));
    });

    it('admits a store token in the subprotocol as the store, which gets 403 for an admin action (README "Store WebSocket")', async () => {
      const store = await stack.createStore();

      const socket = await connect('', ['chat.v1', `token.${store.token}`]);
      const claim = await socket.exchange(JSON.stringify({ action: 'claim', session_id: 1, request_id: 'c1' }));

      expect(socket.protocol).toBe('chat.v1');
      expect(claim).toEqual({ type: 'error', action: 'claim', request_id: 'c1', status: 403, error: 'This action requires an admin token' });
    });

    it('refuses with 400 a client that offers subprotocols but not chat.v1, since it would fail the handshake anyway', async () => {
      const admin = await stack.createAdmin();

      await expect(connect('', [`token.${admin.token}`])).rejects.toEqual(new RawHandshakeRejected(400));
      await expect(connect(`?token=${admin.token}`, ['graphql-ws'])).rejects.toEqual(new RawHandshakeRejected(400));
      expect(await rows(admin.id)).toEqual([]);
    });
  });

  it('never writes a token to the application or gateway logs, whichever way it came', async () => {
    const admin = await stack.createAdmin();
    const store = await stack.createStore();
    const unknown = 'admin_BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB';
    const written: string[] = [];
    const capture = (stream: NodeJS.WriteStream) => jest.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    const spies = [capture(process.stdout), capture(process.stderr)];
    try {
      const viaHeader = await connect('', ['chat.v1', `token.${admin.token}`]);
      const viaQuery = await withQuery(admin.token);
      await viaHeader.exchange('not json');
      await viaQuery.exchange(JSON.stringify({ action: 'claim', session_id: 'x' }));
      await connect('', ['chat.v1', `token.${unknown}`]).catch(() => undefined);
      await withQuery(unknown).catch(() => undefined);
      await connect('', ['chat.v1', `token.${store.token}`]).catch(() => undefined);
    } finally {
      for (const spy of spies) spy.mockRestore();
    }

    const logs = written.join('');
    for (const token of [admin.token, unknown, store.token]) expect(logs).not.toContain(token);
  });
});
