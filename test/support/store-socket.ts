import { randomUUID } from 'node:crypto';
import { WebSocket, type RawData } from 'ws';
import { messageId } from '../../lib/entities/session';
import { seeds, type FullMessage, type ListedMessage } from './chat';
import { checkFrame } from './contract';
import type { Frame, TestStack } from './harness';

/** A WebSocket frame's text. */
const text = (data: RawData): string =>
  (Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(new Uint8Array(data))).toString('utf8');

/** What one socket of the phone received: every message.created id, in arrival order, duplicates kept. */
export interface SocketLog {
  pushed: number[];
}

/**
 * A store's app on a phone, following README "Resuming on a phone": it keeps
 * the messages of its current session by id, each once. On each socket it
 * fetches `GET /v1/chat/store/messages/?after=<last id>` until `has_more` is
 * false at once and again 2 s after the socket opened, and on any message
 * (pushed, or its own send's response) more than one past the last id it
 * holds: a gap, which its own messages also make on the socket, since they are
 * not pushed to it. Going to the background
 * drops the socket without a close handshake, as the OS does.
 */
export class PhoneStore {
  private readonly held = new Map<number, ListedMessage | FullMessage>();
  private socket: WebSocket | undefined;
  private secondFetch: NodeJS.Timeout | undefined;
  private lastSecondFetch: Promise<void> = Promise.resolve();
  private readonly pending = new Set<Promise<void>>();
  private readonly api: ReturnType<typeof seeds>;
  /** One log per socket opened, oldest first. */
  readonly sockets: SocketLog[] = [];
  /** Messages each fetch returned, for counting how often the pages brought an id. */
  readonly fetched: number[] = [];
  /** Failed fetches and socket errors; tests expect none. */
  readonly errors: unknown[] = [];

  constructor(
    private readonly stack: TestStack,
    readonly token: string,
    readonly sessionId: number,
  ) {
    this.api = seeds(stack);
  }

  /**
   * A message the app got from a response (its own send's, or a page it fetched itself). The gap rule
   * applies here too: a send's id more than one past the last id held means messages came in between
   * that no socket brought (the app was in the background), and a later push, one past the send's id,
   * would not show the gap.
   */
  add(message: ListedMessage | FullMessage): void {
    const last = this.heldIds().at(-1);
    this.keep(message);
    if (last !== undefined && message.session_id === this.sessionId && message.id > last + 1) this.track(this.fetchAfter(last));
  }

  heldIds(): number[] {
    return [...this.held.keys()].sort((a, b) => a - b);
  }

  heldMessages(): (ListedMessage | FullMessage)[] {
    return this.heldIds().map((id) => this.held.get(id)!);
  }

  get online(): boolean {
    return this.socket?.readyState === WebSocket.OPEN;
  }

  /** Opens a socket (the token as a subprotocol, as a browser or app does) and runs the recipe's fetches. */
  async connect(): Promise<void> {
    const socket = new WebSocket(`${this.stack.wsUrl}/`, ['chat.v1', `token.${this.token}`]);
    const log: SocketLog = { pushed: [] };
    socket.on('message', (data) => this.onFrame(log, JSON.parse(text(data)) as Frame));
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('unexpected-response', (_req, res) => reject(new Error(`store socket refused: ${res.statusCode ?? 0}`)));
      socket.once('error', reject);
    });
    socket.on('error', (error) => this.errors.push(error));
    this.socket = socket;
    this.sockets.push(log);
    this.track(this.fetchAfterLast());
    let done: () => void = () => undefined;
    this.lastSecondFetch = new Promise((resolve) => (done = resolve));
    this.secondFetch = setTimeout(() => this.track(this.fetchAfterLast().finally(done)), 2000);
  }

  /** The app goes to the background: the socket is dropped without a close handshake. */
  background(): void {
    clearTimeout(this.secondFetch);
    this.socket?.terminate();
    this.socket = undefined;
  }

  /** Waits for the last socket's second fetch, every fetch in flight, and every frame pushed so far; then closes. */
  async settle(): Promise<void> {
    await this.lastSecondFetch;
    const socket = this.socket;
    if (socket) {
      // A ping's result follows every frame pushed to this socket before it: frames on one socket keep their order.
      const requestId = randomUUID();
      const answered = new Promise<void>((resolve) => socket.on('message', (data) => text(data).includes(requestId) && resolve()));
      socket.send(JSON.stringify({ action: 'ping', request_id: requestId }));
      await answered;
    }
    while (this.pending.size > 0) await Promise.all([...this.pending]);
    if (socket) {
      const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
      socket.close();
      await closed;
    }
  }

  private keep(message: ListedMessage | FullMessage): void {
    if (message.session_id !== this.sessionId) return;
    if (!this.held.has(message.id)) this.held.set(message.id, message);
  }

  private onFrame(log: SocketLog, frame: Frame): void {
    checkFrame(frame, 'a PhoneStore socket');
    if (frame.type !== 'message.created') return;
    const message = frame.message as FullMessage;
    log.pushed.push(message.id);
    if (message.session_id !== this.sessionId) return;
    const last = this.heldIds().at(-1);
    this.keep(message);
    // Ids within a session are consecutive: more than one past the last held means something in between.
    if (last === undefined || message.id > last + 1) this.track(this.fetchAfter(last));
  }

  private fetchAfterLast(): Promise<void> {
    return this.fetchAfter(this.heldIds().at(-1));
  }

  private async fetchAfter(after: number | undefined): Promise<void> {
    let cursor = after ?? messageId(this.sessionId, 0);
    for (;;) {
      const page = await this.api.storeHistory(this.token, { after: cursor, limit: 100 });
      for (const message of page.messages) {
        this.fetched.push(message.id);
        this.keep(message);
      }
      if (!page.has_more || page.messages.length === 0) return;
      cursor = page.messages.at(-1)!.id;
    }
  }

  private track(work: Promise<void>): void {
    const tracked: Promise<void> = work.catch((error: unknown) => void this.errors.push(error)).finally(() => this.pending.delete(tracked));
    this.pending.add(tracked);
  }
}

/** Every message of the store's current session as its history shows it, oldest first. */
export async function storeTranscript(stack: TestStack, token: string, sessionId: number): Promise<ListedMessage[]> {
  const api = seeds(stack);
  const messages: ListedMessage[] = [];
  let cursor = messageId(sessionId, 0);
  for (;;) {
    const page = await api.storeHistory(token, { after: cursor, limit: 100 });
    messages.push(...page.messages);
    if (!page.has_more || page.messages.length === 0) return messages;
    cursor = page.messages.at(-1)!.id;
  }
}

/** Ids that occur more than once in a list. */
export const repeated = (ids: readonly number[]): number[] => [...new Set(ids.filter((id, i) => ids.indexOf(id) !== i))];
