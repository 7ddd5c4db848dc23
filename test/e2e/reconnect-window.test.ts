import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { WebSocket, type RawData } from 'ws';
import { messageId } from '../../lib/entities/session';
import { limits } from '../../lib/limits';
import { createdIds } from '../support/chat-stack';
import { chat, seeds, untilOffline, type ListedMessage, type SentFull } from '../support/chat';
import { useTestStack, type Frame, type TestStack } from '../support/harness';
import { storedEntries } from '../support/inspect';

/**
 * An admin that reconnects while a message is being committed (issue 17;
 * README "Coming online and reconnecting"). A send reads its audience before
 * the commit and pushes after it; a read older than limits.audienceFreshMs is
 * read again when it is next used, so a socket opened in between still gets
 * the push, and the client recipe (recover at once, again 2 s after the socket
 * opened, and fetch on a gap in a session's ids) covers the rest.
 */

/** A pause the test holds one DynamoDB request in, before it is sent or after its answer, until released. */
interface Hold {
  when: (command: string, input: string) => boolean;
  at: 'before-send' | 'after-answer';
  reached: () => void;
  released: Promise<void>;
}

/** Middleware on every function's DynamoDB client (clientHooks): one armed hold at a time, and optional delays. */
class Pauses {
  private hold: Hold | undefined;
  /** How long to delay a request before it is sent (0: not at all). */
  delayOf: (command: string, input: string) => number = () => 0;

  readonly dynamodb = (client: DynamoDBDocumentClient): void => {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const command = context.commandName ?? '';
        const input = JSON.stringify(args.input);
        const delay = this.delayOf(command, input);
        if (delay > 0) await sleep(delay);
        const before = this.take('before-send', command, input);
        if (before) await before;
        const result = await next(args);
        const after = this.take('after-answer', command, input);
        if (after) await after;
        return result;
      },
      { step: 'initialize', name: 'pauseForTest' },
    );
  };

  /**
   * Holds the next request that matches; resolves once it is held, with the time it was, and a release.
   * Only one request is held: the hold is disarmed when it catches one.
   */
  arm(at: Hold['at'], when: Hold['when']): Promise<{ heldAt: number; release: () => void }> {
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => (release = resolve));
    return new Promise((resolve) => {
      this.hold = { at, when, released, reached: () => resolve({ heldAt: performance.now(), release }) };
    });
  }

  reset(): void {
    this.hold = undefined;
    this.delayOf = () => 0;
  }

  private take(at: Hold['at'], command: string, input: string): Promise<void> | undefined {
    const hold = this.hold;
    if (!hold || hold.at !== at || !hold.when(command, input)) return undefined;
    this.hold = undefined;
    hold.reached();
    return hold.released;
  }
}

/** The PutItem of a log entry (`MSG#…`) whose content is `content`. */
const entryPut = (content: string) => (command: string, input: string) =>
  command === 'PutItemCommand' && input.includes('"MSG#') && input.includes(JSON.stringify(content).slice(1, -1));

/** The audience Query of an unclaimed session: every admin's connection (no member prefix, unlike $connect's own). */
const everyAdminQuery = (command: string, input: string) =>
  command === 'QueryCommand' && /":audience":(\{"S":)?"admins"/.test(input) && !input.includes('":member"');

/** Waits until `ms` have passed since `since` (performance.now()). */
const untilElapsed = (since: number, ms: number) => sleep(Math.max(0, since + ms - performance.now()));

const pauses = new Pauses();

describe('an admin that reconnects while a message is being committed', () => {
  const stack = useTestStack({ clientHooks: { dynamodb: pauses.dynamodb } });
  const use = chat(stack);
  const api = seeds(stack);

  afterEach(async () => {
    pauses.reset();
    await use.closeSockets();
    await untilOffline(stack);
  });

  /**
   * The interleaving, with the send held at `hold`: the send has read the audience (the old socket),
   * the admin closes that socket, opens a new one and recovers up to N, then the send commits N+1.
   */
  async function reconnectDuringSend(hold: Parameters<Pauses['arm']>) {
    const ann = await use.admin('Ann');
    const store = await stack.createStore();
    await use.storeSays(store.token, 'one');
    const { session, message: last } = await use.storeSays(store.token, 'two');
    await ann.socket.barrier();

    const held = pauses.arm(...hold);
    const sending = api.send(store.token, { content: 'three' });
    const { heldAt, release } = await held;
    await ann.socket.close();
    await untilOffline(stack, ann.id);
    const fresh = await stack.connect(ann.token);
    const recovered = await api.adminHistory(ann.token, session.id, { after: last.id });
    // Past the freshness limit from the audience read, which started before the hold.
    await untilElapsed(heldAt, limits.audienceFreshMs + 100);
    release();
    const sent = await sending;
    // The send answers after its pushes; a round trip on the socket proves every frame pushed before it arrived.
    await fresh.barrier();
    await fresh.close();
    return { recovered, sent: sent.json as SentFull, last, frames: fresh.frames, sessionId: session.id };
  }

  it('pushes N+1 to the new socket when the put was held past 1 s while the admin reconnected and recovered up to N', async () => {
    const { recovered, sent, last, frames, sessionId } = await reconnectDuringSend(['before-send', entryPut('three')]);

    expect(recovered.messages).toEqual([]);
    expect(sent.message.id).toBe(last.id + 1);
    expect(createdIds(frames, sessionId)).toEqual([sent.message.id]);
    // The status was decided on the read before the commit (the old socket was online) and stays as stored.
    expect(sent.message.status).toBe('delivered');
  });

  it('pushes N+1 to the new socket when the audience answer was held past 1 s before the decision', async () => {
    const { recovered, sent, last, frames, sessionId } = await reconnectDuringSend(['after-answer', everyAdminQuery]);

    expect(recovered.messages).toEqual([]);
    expect(sent.message.id).toBe(last.id + 1);
    expect(createdIds(frames, sessionId)).toEqual([sent.message.id]);
    expect(sent.message.status).toBe('delivered');
  });

  it('leaves an admin following the recipe with every message of every session exactly once, under concurrent sends and abrupt reconnects', async () => {
    const stores = await Promise.all([1, 2, 3, 4].map((n) => stack.createStore(`Store ${n}`)));
    const sessions = new Map<number, number>();
    for (const store of stores) sessions.set(store.id, (await use.storeSays(store.token, 'hello')).session.id);
    const admin = await stack.createAdmin('Ann');
    const client = new RecipeClient(stack, admin.token);
    // Every fourth message's put waits 1.2 s: its push reads the audience again after the commit.
    pauses.delayOf = (command, input) => (command === 'PutItemCommand' && input.includes('slow ') ? 1200 : 0);

    await client.connect();
    let reconnecting = true;
    const sending = stores.map(async (store, s) => {
      for (let i = 1; reconnecting || i <= 4; i++) {
        const content = `${i % 4 === s % 4 ? 'slow ' : ''}store ${store.id} message ${i}`;
        const response = await api.send(store.token, { content });
        if (response.status !== 200) throw new Error(`send failed: ${response.status} ${response.text}`);
        await sleep(40 + ((i * 37 + s * 53) % 90));
      }
    });
    for (const lifetimeMs of [700, 450, 900, 300, 600]) {
      await sleep(lifetimeMs);
      await client.reconnect();
    }
    // Sends go on for 3 s after the last reconnect: past its 1 s rule and its 2 s recovery.
    await sleep(3000);
    reconnecting = false;
    await Promise.all(sending);
    await client.settle();

    for (const [storeId, sessionId] of sessions) {
      const entries = await storedEntries(stack, sessionId);
      // A system entry after the session's last message (an "unavailable" notice) is pushed to nobody: the
      // recipe catches it up only at the session's next message, or at the next recovery.
      const lastMessage = Math.max(...entries.filter((entry) => entry.sender_type !== 'system').map((entry) => entry.id));
      const expected = entries.map((entry) => entry.id).filter((id) => id <= lastMessage);
      expect({ storeId, held: client.heldIds(sessionId) }).toEqual({ storeId, held: expected });
    }
    expect(client.errors).toEqual([]);
    expect(client.sockets).toBe(6);
  }, 30_000);
});

/** A WebSocket frame's text. */
const text = (data: RawData): string =>
  (Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(new Uint8Array(data))).toString('utf8');

/**
 * An admin client that follows README "Coming online and reconnecting": on
 * each socket, recover at once (`after=<last id>` per session it holds, then
 * the inbox for sessions it does not), again 2 s after the socket opened (one
 * inbox read, `after=` only where the inbox's newest id is past what it
 * holds, or for a session it holds that the inbox no longer lists), and on a
 * pushed message more than one past the last it holds for that session (a
 * gap), fetch `after=<last id>`. It keeps messages by id, each once.
 */
class RecipeClient {
  private readonly held = new Map<number, Map<number, ListedMessage>>();
  private socket: WebSocket | undefined;
  private secondRecovery: NodeJS.Timeout | undefined;
  private readonly pending = new Set<Promise<void>>();
  private lastSecondRecovery: Promise<void> = Promise.resolve();
  private readonly api: ReturnType<typeof seeds>;
  /** Failed fetches; the test expects none. */
  readonly errors: unknown[] = [];
  sockets = 0;

  constructor(
    private readonly stack: TestStack,
    private readonly token: string,
  ) {
    this.api = seeds(stack);
  }

  async connect(): Promise<void> {
    const socket = new WebSocket(`${this.stack.wsUrl}/?token=${encodeURIComponent(this.token)}`);
    socket.on('message', (data) => this.onFrame(JSON.parse(text(data)) as Frame));
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    socket.on('error', (error) => this.errors.push(error));
    this.socket = socket;
    this.sockets++;
    this.track(this.recoverAtOnce());
    let done: () => void = () => undefined;
    this.lastSecondRecovery = new Promise((resolve) => (done = resolve));
    this.secondRecovery = setTimeout(() => this.track(this.recoverAgain().finally(done)), 2000);
  }

  /** Drops the socket without a close handshake, as a lost network does, and opens a new one. */
  async reconnect(): Promise<void> {
    clearTimeout(this.secondRecovery);
    this.socket?.terminate();
    await this.connect();
  }

  /** Waits for the last socket's second recovery, every fetch, and every frame pushed so far. */
  async settle(): Promise<void> {
    await this.lastSecondRecovery;
    const requestId = randomUUID();
    const answered = new Promise<void>((resolve) => this.socket!.on('message', (data) => text(data).includes(requestId) && resolve()));
    this.socket!.send(JSON.stringify({ action: 'barrier', request_id: requestId }));
    await answered;
    while (this.pending.size > 0) await Promise.all([...this.pending]);
    this.socket!.close();
  }

  heldIds(sessionId: number): number[] {
    return [...(this.held.get(sessionId)?.keys() ?? [])].sort((a, b) => a - b);
  }

  private lastHeld(sessionId: number): number | undefined {
    return this.heldIds(sessionId).at(-1);
  }

  private onFrame(frame: Frame): void {
    if (frame.type !== 'message.created') return;
    const message = frame.message as ListedMessage;
    const last = this.lastHeld(message.session_id);
    this.keep(message);
    // Ids within a session are consecutive: one more than one past what we hold means something in between.
    if (last === undefined || message.id > last + 1) this.track(this.fetchAfter(message.session_id, last));
  }

  private async recoverAtOnce(): Promise<void> {
    await Promise.all([...this.held.keys()].map((sessionId) => this.fetchAfter(sessionId, this.lastHeld(sessionId))));
    await this.fromInbox();
  }

  private recoverAgain(): Promise<void> {
    return this.fromInbox();
  }

  /** One inbox read; `after=` only for sessions whose newest id is past what this client holds, or that it no longer lists. */
  private async fromInbox(): Promise<void> {
    const items = await this.api.openInbox(this.token);
    const listed = new Set(items.map((item) => item.session.id));
    const behind = items.filter((item) => !(item.last_message.id <= (this.lastHeld(item.session.id) ?? 0))).map((item) => item.session.id);
    const closedSince = [...this.held.keys()].filter((sessionId) => !listed.has(sessionId));
    await Promise.all([...behind, ...closedSince].map((sessionId) => this.fetchAfter(sessionId, this.lastHeld(sessionId))));
  }

  private async fetchAfter(sessionId: number, after: number | undefined): Promise<void> {
    // A session this client never saw: from before its first message (seq 0).
    let cursor = after ?? messageId(sessionId, 0);
    for (;;) {
      const page = await this.api.adminHistory(this.token, sessionId, { after: cursor, limit: 100 });
      for (const message of page.messages) this.keep(message);
      if (!page.has_more || page.messages.length === 0) return;
      cursor = page.messages.at(-1)!.id;
    }
  }

  private keep(message: ListedMessage): void {
    let messages = this.held.get(message.session_id);
    if (!messages) this.held.set(message.session_id, (messages = new Map<number, ListedMessage>()));
    if (messages.has(message.id)) return;
    messages.set(message.id, message);
  }

  private track(work: Promise<void>): void {
    const tracked: Promise<void> = work.catch((error: unknown) => void this.errors.push(error)).finally(() => this.pending.delete(tracked));
    this.pending.add(tracked);
  }
}
