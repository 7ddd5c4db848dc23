import type { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { blockMarkerSk, sessionKeys } from '../../lib/entities/session';
import { chat, seeds, untilOffline, type InboxItemBody } from '../support/chat';
import { useTestStack } from '../support/harness';
import { activeSessionId, chatEntries, storedEntries } from '../support/inspect';

/**
 * The send path of a later store message (docs/ARCHITECTURE.md "A store
 * message, step by step"): an instance that knows the store's session reads
 * its head and block marker in one Query, and a block still takes effect on
 * the very next send (docs/DATA_MODEL.md "Blocking and the session marker").
 */

interface Request {
  command: string;
  /** The first partition key the request names, e.g. "SESSION#12", "TOKEN#…" or "admins" (a connections audience). */
  pk: string;
  start: number;
  end: number;
  wcu: number;
}

/** Every DynamoDB request and push the stack's functions make, with start and end times. */
class Recorder {
  requests: Request[] = [];
  pushStarts: number[] = [];

  readonly dynamodb = (client: DynamoDBDocumentClient): void => {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const input = args.input as Record<string, unknown>;
        const start = performance.now();
        const result = await next({ ...args, input: { ...input, ReturnConsumedCapacity: 'TOTAL' } });
        const consumed = (result.output as { ConsumedCapacity?: { CapacityUnits?: number } | { CapacityUnits?: number }[] }).ConsumedCapacity;
        const units = (Array.isArray(consumed) ? consumed : consumed ? [consumed] : []).reduce((sum, item) => sum + (item.CapacityUnits ?? 0), 0);
        const command = (context.commandName ?? '?').replace(/Command$/, '');
        const write = ['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem'].includes(command);
        this.requests.push({ command, pk: /"(?:pk|:pk|:audience)":(?:\{"S":)?"([^"]*)"/.exec(JSON.stringify(input))?.[1] ?? '', start, end: performance.now(), wcu: write ? units : 0 });
        return result;
      },
      { step: 'initialize', name: 'recordRequests' },
    );
  };

  readonly push = (client: ApiGatewayManagementApiClient): void => {
    client.middlewareStack.add(
      (next) => (args) => {
        this.pushStarts.push(performance.now());
        return next(args);
      },
      { step: 'initialize', name: 'recordPushes' },
    );
  };

  reset(): void {
    this.requests = [];
    this.pushStarts = [];
  }

  /** The handler's requests: not the authorizer's token lookup, and not the test's own reads. */
  handlerRequests(): Request[] {
    return this.requests.filter((request) => !request.pk.startsWith('TOKEN#'));
  }
}

/** The longest chain of requests each starting after the one before it ended: the sequential round trips. */
function longestChain(requests: readonly Request[]): number {
  const sorted = [...requests].sort((a, b) => a.end - b.end);
  const depth = new Map<Request, number>();
  for (const request of sorted) {
    const before = sorted.filter((other) => other.end <= request.start).map((other) => depth.get(other) ?? 0);
    depth.set(request, 1 + Math.max(0, ...before));
  }
  return Math.max(0, ...depth.values());
}

const recorder = new Recorder();

describe('a later store message', () => {
  const stack = useTestStack({ clientHooks: { dynamodb: recorder.dynamodb, push: recorder.push } });
  const use = chat(stack);
  const api = seeds(stack);

  afterEach(async () => {
    await use.closeSockets();
    await untilOffline(stack);
  });

  it('costs 4 DynamoDB requests on a warm instance, 3 round trips before the first push, and at most 3 WCU', async () => {
    const ann = await use.admin('Ann');
    const store = await stack.createStore();
    const first = await use.storeSays(store.token, 'first');
    await use.storeSays(store.token, 'second');
    await ann.socket.barrier();
    recorder.reset();

    await use.storeSays(store.token, 'third');
    await ann.socket.next((frame) => frame.type === 'message.created' && (frame.message as { content: string }).content === 'third');

    const requests = recorder.handlerRequests();
    const firstPush = Math.min(...recorder.pushStarts);
    expect(requests.map((request) => `${request.command} ${request.pk.replace(/[0-9]+$/, 'n')}`).sort()).toEqual([
      'BatchWriteItem INBOX#open',
      'PutItem SESSION#n',
      'Query SESSION#n',
      'Query admins',
    ]);
    expect(requests.find((request) => request.command === 'Query')?.pk).toBe(sessionKeys.pk(first.session.id));
    expect(longestChain(requests.filter((request) => request.end <= firstPush))).toBeLessThanOrEqual(3);
    // The inbox write follows the commit, alongside the pushes: the fourth step of the chain, after the user's wait.
    expect(longestChain(requests)).toBe(4);
    expect(requests.reduce((sum, request) => sum + request.wcu, 0)).toBeLessThanOrEqual(3);
  });

  it("refuses a blocked store's very next send through the session it knows, and lets it write again once unblocked", async () => {
    const ann = await use.admin('Ann');
    const store = await stack.createStore();
    const { session } = await use.storeSays(store.token, 'one');
    await use.storeSays(store.token, 'two');

    await ann.socket.request({ action: 'block', store_id: store.id });
    recorder.reset();
    const refused = await api.send(store.token, { content: 'three' });
    const readFirst = recorder.handlerRequests()[0];
    await ann.socket.request({ action: 'unblock', store_id: store.id });
    const again = await api.send(store.token, { content: 'four' });

    expect([refused.status, refused.json]).toEqual([403, { error: 'This store is blocked from chat' }]);
    expect(readFirst).toMatchObject({ command: 'Query', pk: sessionKeys.pk(session.id) });
    expect(again.status).toBe(200);
    expect((again.json as { session: { id: number } }).session.id).toBe(session.id);
    expect((await chatEntries(stack, session.id)).map((entry) => entry.content)).toEqual(['one', 'two', 'four']);
  });

  it('refuses a store blocked while its session is closed, opens no session for it, and opens one once unblocked', async () => {
    const ann = await use.admin('Ann');
    const store = await stack.createStore();
    const { session } = await use.storeSays(store.token, 'one');
    await ann.socket.request({ action: 'close', session_id: session.id });

    await ann.socket.request({ action: 'block', store_id: store.id });
    const refused = await api.send(store.token, { content: 'two' });
    const pointerWhileBlocked = await activeSessionId(stack, store.id);
    await ann.socket.request({ action: 'unblock', store_id: store.id });
    const reopened = await api.send(store.token, { content: 'three' });
    const newSession = (reopened.json as { session: { id: number } }).session.id;
    await ann.socket.request({ action: 'block', store_id: store.id });
    const refusedInNew = await api.send(store.token, { content: 'four' });

    expect(refused.status).toBe(403);
    expect(pointerWhileBlocked).toBe(session.id);
    expect(reopened.status).toBe(200);
    expect(newSession).not.toBe(session.id);
    expect(refusedInNew.status).toBe(403);
    expect((await chatEntries(stack, newSession)).map((entry) => entry.content)).toEqual(['three']);
  });

  it('settles sends racing a block: each is stored if and only if it was accepted, and every send after the answer is refused', async () => {
    const ann = await use.admin('Ann');
    const store = await stack.createStore();
    const { session } = await use.storeSays(store.token, 'before');

    const [, ...racing] = await Promise.all([
      ann.socket.request({ action: 'block', store_id: store.id }),
      ...Array.from({ length: 8 }, (_, index) => api.send(store.token, { content: `race ${index}` })),
    ]);
    const after = await Promise.all(Array.from({ length: 4 }, (_, index) => api.send(store.token, { content: `after ${index}` })));

    const accepted = racing.flatMap((response, index) => (response.status === 200 ? [`race ${index}`] : []));
    expect(racing.every((response) => response.status === 200 || response.status === 403)).toBe(true);
    expect(after.map((response) => response.status)).toEqual([403, 403, 403, 403]);
    expect(await activeSessionId(stack, store.id)).toBe(session.id);
    expect((await chatEntries(stack, session.id)).map((entry) => entry.content).sort()).toEqual(['before', ...accepted].sort());
  });

  it('never shows the block marker in history, in the log reads or in the inbox', async () => {
    const ann = await use.admin('Ann');
    const store = await stack.createStore();
    const { session, message } = await use.storeSays(store.token, 'one');
    const inboxItem = async (): Promise<InboxItemBody | undefined> => (await api.openInbox(ann.token)).find((item) => item.session.id === session.id);

    await ann.socket.request({ action: 'block', store_id: store.id });
    const newest = await api.storeHistory(store.token);
    const newer = await api.storeHistory(store.token, { after: message.id });
    const older = await api.storeHistory(store.token, { before: message.id + 1 });
    const admins = await api.adminHistory(ann.token, session.id);
    const items = (await api.openInbox(ann.token)).filter((item) => item.session.id === session.id);
    const stored = await storedEntries(stack, session.id);
    const partition = await stack.deps.db.send(
      new QueryCommand({ TableName: stack.tables.chat, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': sessionKeys.pk(session.id) }, ConsistentRead: true }),
    );

    expect(newest.messages.map((m) => m.content)).toEqual(['one']);
    expect(newer.messages).toEqual([]);
    expect(older.messages.map((m) => m.id)).toEqual([message.id]);
    expect(admins.messages.map((m) => m.content)).toEqual(['one']);
    expect(items).toHaveLength(1);
    expect((await inboxItem())?.last_message.id).toBe(message.id);
    expect(stored.map((entry) => entry.seq)).toEqual([1]);
    // The marker is there, under its own sort key, outside every MSG# read above.
    expect((partition.Items ?? []).map((item) => String(item.sk))).toContain(blockMarkerSk);
    expect(blockMarkerSk > sessionKeys.sk(999_999)).toBe(true);
    expect(blockMarkerSk.startsWith('MSG#')).toBe(false);
  });
});

/** docs/ARCHITECTURE.md "Stores in real time": what a store's socket adds to an admin's reply. */
describe('an admin reply to a store that holds a socket', () => {
  const stack = useTestStack({ clientHooks: { dynamodb: recorder.dynamodb, push: recorder.push } });
  const use = chat(stack);

  afterEach(async () => {
    await use.closeSockets();
    await untilOffline(stack);
  });

  it("reads the store's connections beside the assignee's: 5 DynamoDB requests, no extra write, 3 round trips before the pushes, one parallel fan-out", async () => {
    const ann = await use.admin('Ann');
    const store = await stack.createStore();
    const first = await use.storeSays(store.token, 'first');
    await ann.socket.request({ action: 'claim', session_id: first.session.id });
    const storeSocket = await use.socketFor(store.token);
    await ann.socket.request({ action: 'send', session_id: first.session.id, content: 'warm' });
    await storeSocket.nextOfType('message.created');
    recorder.reset();

    const reply = await ann.socket.request({ action: 'send', session_id: first.session.id, content: 'Hi!' });
    await storeSocket.next((frame) => frame.type === 'message.created' && (frame.message as { content: string }).content === 'Hi!');

    const requests = recorder.handlerRequests();
    const firstPush = Math.min(...recorder.pushStarts);
    expect((reply.message as { status: string }).status).toBe('delivered');
    expect(requests.map((request) => `${request.command} ${request.pk.replace(/[0-9]+$/, 'n')}`).sort()).toEqual([
      'BatchWriteItem INBOX#open',
      'PutItem SESSION#n',
      'Query SESSION#n',
      'Query admins',
      'Query store#n',
    ]);
    expect(longestChain(requests.filter((request) => request.end <= firstPush))).toBeLessThanOrEqual(3);
    expect(requests.reduce((sum, request) => sum + request.wcu, 0)).toBeLessThanOrEqual(3);
  });
});
