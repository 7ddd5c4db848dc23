import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { connectionsTableRef } from '../../lib/deps';
import { principalKey } from '../../lib/entities/principal';
import { sessionKeys } from '../../lib/entities/session';
import { listPrincipalConnections } from '../../lib/entities/connection';
import { hashToken } from '../../lib/entities/token';
import { limits } from '../../lib/limits';
import { useChatStack } from '../support/chat-stack';
import { messageOf, type FullMessage, type ListedMessage, type Store } from '../support/chat';
import { useTestStack, type Frame, type TestSocket } from '../support/harness';
import { storedEntries } from '../support/inspect';
import { run } from '../support/processes';
import { closedWithin, RawHandshakeRejected, useRawSockets, type RawSocket } from '../support/raw-socket';

/** A history item without what only lists carry: the object a pushed message must equal. */
const pushedShape = ({ sender_name: _name, sender_online: _online, ...message }: ListedMessage) => message;

const isMessage = (id: number) => (frame: Frame) => frame.type === 'message.created' && messageOf(frame).id === id;

/** The frames a socket got that are pushed events (not answers to its own actions). */
const eventsOf = (socket: TestSocket) => socket.frames.filter((frame) => frame.type !== 'result' && frame.type !== 'error');

/** README "Store WebSocket", over real sockets on both sides. */
describe('stores over the WebSocket API', () => {
  const { stack, use, api, claimedSession, adminSays } = useChatStack();

  const untilStoreOffline = async (storeId: number) => {
    const deadline = Date.now() + 3000;
    while ((await listPrincipalConnections(connectionsTableRef(stack.deps), { kind: 'store', id: storeId })).length > 0) {
      if (Date.now() > deadline) throw new Error(`store ${storeId} still has connections`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  };

  const storeHistoryItem = async (store: Store, id: number) => {
    const history = await api.storeHistory(store.token);
    const item = history.messages.find((message) => message.id === id);
    if (!item) throw new Error(`message ${id} is not in the store's history`);
    return pushedShape(item);
  };

  it('lets both sides see each other live: messages, typing and read receipts', async () => {
    const ann = await use.admin('Ann');
    const store = await use.store('Acme');
    const first = await use.storeSays(store.token, 'Hello, I need help');
    await ann.socket.next(isMessage(first.message.id));
    const sessionId = first.session.id;
    await ann.socket.request({ action: 'claim', session_id: sessionId });

    const annTyping = await ann.socket.request({ action: 'typing', session_id: sessionId, is_typing: true });
    const storeSeesTyping = await store.socket.nextOfType('typing');
    const storeTyping = await store.socket.request({ action: 'typing', session_id: sessionId });
    const annSeesTyping = await ann.socket.nextOfType('typing');
    const reply = await ann.socket.request({ action: 'send', session_id: sessionId, content: 'Hi! What happened?' });
    const storeSeesReply = await store.socket.next(isMessage(messageOf(reply).id));
    const storeRead = await api.storeRead(store.token, messageOf(reply).id);
    const annSeesRead = await ann.socket.nextOfType('messages.read');
    await ann.socket.request({ action: 'read', session_id: sessionId, up_to_id: first.message.id });
    const storeSeesRead = await store.socket.nextOfType('messages.read');

    expect(annTyping).toMatchObject({ type: 'result', action: 'typing', session_id: sessionId, is_typing: true });
    expect(storeSeesTyping).toEqual({ type: 'typing', session_id: sessionId, admin_id: ann.id, is_typing: true });
    expect(storeTyping).toMatchObject({ type: 'result', action: 'typing', session_id: sessionId, is_typing: true });
    expect(annSeesTyping).toEqual({ type: 'typing', session_id: sessionId, store_id: store.id, is_typing: true });
    expect(storeSeesReply).toEqual({ type: 'message.created', session: reply.session, message: reply.message });
    expect(messageOf(storeSeesReply)).toMatchObject({ sender_type: 'admin', sender_id: ann.id, content: 'Hi! What happened?', status: 'delivered' });
    expect(storeRead.status).toBe(200);
    expect(annSeesRead).toEqual({ type: 'messages.read', session_id: sessionId, reader_type: 'store', reader_id: store.id, up_to_id: messageOf(reply).id });
    expect(storeSeesRead).toEqual({ type: 'messages.read', session_id: sessionId, reader_type: 'admin', reader_id: ann.id, up_to_id: first.message.id });
  });

  it("pushes an admin's message with the object the store's history returns", async () => {
    const ann = await use.admin('Ann');
    const store = await use.store();
    const first = await claimedSession(ann, store.token);

    const reply = await adminSays(ann, first.session.id, { content: 'Track it here', special_type: 'open_url', special_param: 'https://shop.example.com/track/1' });
    const pushed = messageOf(await store.socket.next(isMessage(reply.id)));

    expect(pushed).toEqual(await storeHistoryItem(store, reply.id));
  });

  it('tells the store of every claim, transfer, release and close: the system message as its history shows it, then session.updated', async () => {
    const ann = await use.admin('Ann');
    const bob = await use.admin('Bob');
    const store = await use.store();
    const first = await use.storeSays(store.token, 'hi');
    const sessionId = first.session.id;

    for (const frame of [
      { action: 'claim', session_id: sessionId },
      { action: 'transfer', session_id: sessionId, admin_id: bob.id },
    ]) expect(await ann.socket.request(frame)).toMatchObject({ type: 'result' });
    expect(await bob.socket.request({ action: 'release', session_id: sessionId })).toMatchObject({ type: 'result' });
    expect(await ann.socket.request({ action: 'close', session_id: sessionId })).toMatchObject({ type: 'result' });
    const updates = [];
    for (let i = 0; i < 4; i += 1) updates.push(await store.socket.nextOfType('session.updated'));
    await store.socket.barrier();

    const events = eventsOf(store.socket);
    const history = await api.storeHistory(store.token, { session_id: sessionId });
    const systemMessages = history.messages.filter((message) => message.sender_type === 'system').map(pushedShape);
    expect(events.map((frame) => (frame.type === 'message.created' ? `message.created ${messageOf(frame).type}` : frame.type))).toEqual([
      'message.created claimed',
      'session.updated',
      'message.created transferred',
      'session.updated',
      'message.created released',
      'session.updated',
      'message.created missed',
      'session.updated',
    ]);
    expect(events.filter((frame) => frame.type === 'message.created').map(messageOf)).toEqual(systemMessages);
    expect(updates.map((frame) => frame.session)).toEqual([
      expect.objectContaining({ id: sessionId, admin_id: ann.id, status: 'open' }),
      expect.objectContaining({ id: sessionId, admin_id: bob.id, status: 'open' }),
      expect.objectContaining({ id: sessionId, admin_id: null, status: 'open' }),
      expect.objectContaining({ id: sessionId, admin_id: null, status: 'closed' }),
    ]);
    expect(Object.keys(updates[0]!)).toEqual(['type', 'session']);
  });

  it('sends message.updated with the store\'s view when a message is hidden (removed, emptied) and unhidden, while admins keep their events', async () => {
    const ann = await use.admin('Ann');
    const store = await use.store();
    const first = await claimedSession(ann, store.token, 'my card number is 4111…');

    await ann.socket.request({ action: 'hide', message_id: first.message.id });
    const hidden = await store.socket.nextOfType('message.updated');
    const hiddenInHistory = await storeHistoryItem(store, first.message.id);
    await ann.socket.request({ action: 'unhide', message_id: first.message.id });
    const shown = await store.socket.nextOfType('message.updated');
    const adminEvent = await ann.socket.nextOfType('message.hidden');

    expect(hidden).toEqual({ type: 'message.updated', session_id: first.session.id, message: expect.objectContaining({ id: first.message.id, moderation: 'removed', content: '' }) });
    expect(messageOf(hidden)).toEqual({ ...hiddenInHistory, status: messageOf(hidden).status, updated: messageOf(hidden).updated, read_at: null });
    expect(messageOf(shown)).toMatchObject({ id: first.message.id, moderation: 'visible', content: 'my card number is 4111…' });
    expect(messageOf(adminEvent)).toMatchObject({ id: first.message.id, moderation: 'hidden', content: 'my card number is 4111…' });
  });

  it("marks an admin's reply delivered when the store holds a socket at send time, sent when it does not, and history agrees", async () => {
    const ann = await use.admin('Ann');
    const store = await stack.createStore();
    const first = await claimedSession(ann, store.token);

    const offline = await adminSays(ann, first.session.id, { content: 'are you there?' });
    const socket = await use.socketFor(store.token);
    const online = await adminSays(ann, first.session.id, { content: 'welcome back' });
    await socket.next(isMessage(online.id));
    const history = await api.adminHistory(ann.token, first.session.id);

    expect([offline.status, online.status]).toEqual(['sent', 'delivered']);
    expect(history.messages.filter((m) => m.sender_type === 'admin').map((m) => [m.id, m.status, m.updated])).toEqual([
      [offline.id, 'sent', offline.created],
      [online.id, 'delivered', online.created],
    ]);
  });

  it("counts a live store socket in the admins' sender_online, even when the store's last action is long past", async () => {
    const ann = await use.admin('Ann');
    const store = await stack.createStore();
    const first = await claimedSession(ann, store.token);
    // Every stamp of the store's activity made 10 minutes old (README "The message object": five minutes online).
    const longAgo = new Date(Date.now() - 10 * 60 * 1000).toISOString();
    const head = (await storedEntries(stack, first.session.id)).at(-1)!;
    await stack.deps.db.send(
      new UpdateCommand({
        TableName: stack.tables.chat,
        Key: { pk: sessionKeys.pk(first.session.id), sk: sessionKeys.sk(head.seq) },
        UpdateExpression: 'SET #session.last_store_message_at = :at',
        ExpressionAttributeNames: { '#session': 'session' },
        ExpressionAttributeValues: { ':at': longAgo },
      }),
    );
    await stack.deps.db.send(
      new UpdateCommand({ TableName: stack.tables.chat, Key: principalKey('store', store.id), UpdateExpression: 'SET last_seen_at = :at', ExpressionAttributeValues: { ':at': longAgo } }),
    );
    const storeOnline = async () => (await api.adminHistory(ann.token, first.session.id)).messages.find((m) => m.sender_type === 'store')!.sender_online;

    const away = await storeOnline();
    const socket = await use.socketFor(store.token);
    const connected = await storeOnline();
    await socket.close();
    await untilStoreOffline(store.id);
    const gone = await storeOnline();

    expect([away, connected, gone]).toEqual([false, true, false]);
  });

  it("pushes the 'unavailable' notice to the store's socket when no admin is online", async () => {
    const store = await use.store();

    const sent = await use.storeSays(store.token, 'anyone?');
    const notice = await store.socket.next((frame) => frame.type === 'message.created' && messageOf(frame).type === 'unavailable');

    expect(messageOf(notice)).toEqual(await storeHistoryItem(store, sent.message.id + 1));
  });

  it("never gives a store anything about another store's session", async () => {
    const ann = await use.admin('Ann');
    const mine = await use.store('Mine');
    const theirs = await use.store('Theirs');
    const first = await claimedSession(ann, mine.token);
    const sessionId = first.session.id;

    await ann.socket.request({ action: 'typing', session_id: sessionId });
    const reply = await adminSays(ann, sessionId, { content: 'just for Mine' });
    await ann.socket.request({ action: 'read', session_id: sessionId, up_to_id: first.message.id });
    await ann.socket.request({ action: 'hide', message_id: first.message.id });
    await ann.socket.request({ action: 'block', store_id: mine.id });
    await ann.socket.request({ action: 'unblock', store_id: mine.id });
    await ann.socket.request({ action: 'close', session_id: sessionId });
    await mine.socket.nextOfType('session.updated');
    const foreignTyping = await theirs.socket.request({ action: 'typing', session_id: sessionId });
    await theirs.socket.barrier();

    expect(eventsOf(mine.socket).map((frame) => frame.type)).toEqual(
      expect.arrayContaining(['typing', 'message.created', 'messages.read', 'message.updated', 'session.updated']),
    );
    expect(eventsOf(mine.socket).map((frame) => frame.type)).not.toContain('store.blocked');
    expect(eventsOf(mine.socket).some(isMessage(reply.id))).toBe(true);
    expect(eventsOf(theirs.socket)).toEqual([]);
    expect(foreignTyping).toMatchObject({ type: 'error', action: 'typing', status: 404, error: 'Session not found' });
  });

  it('refuses every admin action over a store socket with 403 and changes nothing', async () => {
    const ann = await use.admin('Ann');
    const store = await use.store();
    const first = await use.storeSays(store.token, 'hi');
    const sessionId = first.session.id;
    const frames = [
      { action: 'claim', session_id: sessionId },
      { action: 'release', session_id: sessionId },
      { action: 'transfer', session_id: sessionId, admin_id: ann.id },
      { action: 'send', session_id: sessionId, content: 'I am the admin now' },
      { action: 'close', session_id: sessionId },
      { action: 'read', session_id: sessionId, up_to_id: first.message.id },
      { action: 'block', store_id: store.id },
      { action: 'unblock', store_id: store.id },
      { action: 'hide', message_id: first.message.id },
      { action: 'unhide', message_id: first.message.id },
    ];

    const answers = [];
    for (const frame of frames) answers.push(await store.socket.request(frame));
    const history = await api.storeHistory(store.token);

    expect(answers).toEqual(
      frames.map((frame) => ({ type: 'error', action: frame.action, request_id: expect.any(String), status: 403, error: 'This action requires an admin token' })),
    );
    expect(history.session).toMatchObject({ admin_id: null, status: 'open' });
    expect(history.messages.map((m) => [m.content, m.moderation])).toEqual([['hi', 'visible']]);
    expect((await stack.post('/v1/chat/store/message/', { token: store.token, body: { content: 'still allowed' } })).status).toBe(200);
  });
});

/** README "Store WebSocket" (Connect), "Limits", "Rotating tokens": the admin side's guarantees, for stores. */
describe('store socket security', () => {
  const stack = useTestStack();
  const connect = useRawSockets(() => stack.wsUrl);
  const rows = (storeId: number) => listPrincipalConnections(connectionsTableRef(stack.deps), { kind: 'store', id: storeId });


  it('connects with either token transport, echoes only chat.v1, and records the token hash under the store', async () => {
    const store = await stack.createStore();

    const viaProtocol = await connect('', ['chat.v1', `token.${store.token}`]);
    const viaQuery = await connect(`?token=${store.token}`);
    const pong = await viaProtocol.exchange(JSON.stringify({ action: 'ping', request_id: 'p' }));

    expect([viaProtocol.protocol, viaQuery.protocol]).toEqual(['chat.v1', '']);
    expect(pong).toMatchObject({ type: 'result', action: 'ping', request_id: 'p', time: expect.any(String) });
    expect((await rows(store.id)).map((row) => [row.audience, row.token_hash])).toEqual([
      [`store#${store.id}`, hashToken(store.token)],
      [`store#${store.id}`, hashToken(store.token)],
    ]);
  });

  it('closes the store sockets of a revoked token (chatctl token revoke), and the token connects no more', async () => {
    const store = await stack.createStore();
    const a = await connect(`?token=${store.token}`);
    const b = await connect('', ['chat.v1', `token.${store.token}`]);

    const result = await run('npm', [
      'run', '-s', 'chatctl', '--', 'token', 'revoke', store.token,
      '--endpoint', stack.dynamodbEndpoint, '--table', stack.tables.chat,
      '--connections-table', stack.tables.connections, '--ws-endpoint', stack.managementEndpoint,
    ]);

    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ revoked: true, connections_closed: 2 });
    await closedWithin(a, 3000);
    await closedWithin(b, 3000);
    expect(await rows(store.id)).toEqual([]);
    await expect(connect(`?token=${store.token}`)).rejects.toEqual(new RawHandshakeRejected(401));
  });

  it(`holds at most ${limits.connectionsPerPrincipal} sockets per store: one more closes the oldest, and an admin reply reaches exactly the newest`, async () => {
    const store = await stack.createStore();
    const admin = await stack.createAdmin();
    const sockets: RawSocket[] = [];
    for (let i = 0; i < limits.connectionsPerPrincipal + 1; i += 1) sockets.push(await connect(`?token=${store.token}`));
    const [oldest, ...newest] = sockets;
    await closedWithin(oldest!, 3000);
    const sent = (await stack.post('/v1/chat/store/message/', { token: store.token, body: { content: 'hi' } })).json as { session: { id: number } };
    const adminSocket = await connect(`?token=${admin.token}`);
    const answered = (requestId: string) => adminSocket.next((frame) => (frame as Frame).request_id === requestId);
    adminSocket.socket.send(JSON.stringify({ action: 'claim', session_id: sent.session.id, request_id: 'c' }));
    await answered('c');

    adminSocket.socket.send(JSON.stringify({ action: 'send', session_id: sent.session.id, content: 'to all ten', request_id: 's' }));
    const reply = (await answered('s')) as { message: FullMessage };
    const isIt = (frame: unknown) => (frame as Frame).type === 'message.created' && messageOf(frame as Frame).id === reply.message.id;
    await Promise.all(newest.map((socket) => socket.next(isIt)));

    expect(newest.every((socket) => socket.isOpen())).toBe(true);
    expect(await rows(store.id)).toHaveLength(limits.connectionsPerPrincipal);
    expect(reply.message.status).toBe('delivered');
    expect(oldest!.frames.filter(isIt)).toEqual([]);
  });
});
