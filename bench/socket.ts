import { randomUUID } from 'node:crypto';
import { WebSocket, type RawData } from 'ws';
import { nowMs } from './stats';

export type Frame = Record<string, unknown> & { type?: string };

// The event is JSON.stringify({type, session, message}) and the message view starts with its id.
const createdPattern = /^\{"type":"message\.created",.*?"message":\{"id":(\d+)/;

const text = (data: RawData): string => (Buffer.isBuffer(data) ? data.toString('utf8') : Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data).toString('utf8'));

/**
 * An admin's WebSocket that stamps each message.created on arrival. The id is
 * read with a pattern rather than JSON.parse: the clients share the event loop
 * with the stack under test, so they should cost it as little as possible.
 */
export class AdminSocket {
  /** message id → arrival time (performance.now()). */
  readonly arrivals = new Map<number, number>();
  /** The last message.created frame as received: its size for the 32 KB metering, its text as a realistic push payload. */
  lastCreated = '';
  private readonly pending = new Map<string, (frame: Frame) => void>();

  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const at = nowMs();
      const body = text(data);
      const created = createdPattern.exec(body);
      if (created?.[1]) {
        this.arrivals.set(Number(created[1]), at);
        this.lastCreated = body;
        return;
      }
      if (!body.includes('"request_id"')) return;
      const frame = JSON.parse(body) as Frame;
      const id = typeof frame.request_id === 'string' ? frame.request_id : undefined;
      const waiter = id ? this.pending.get(id) : undefined;
      if (id && waiter) {
        this.pending.delete(id);
        waiter(frame);
      }
    });
  }

  static open(url: string): Promise<AdminSocket> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url);
      socket.once('open', () => resolve(new AdminSocket(socket)));
      socket.once('unexpected-response', (_req, res) => reject(new Error(`WebSocket handshake rejected with ${res.statusCode ?? 0}`)));
      socket.once('error', reject);
    });
  }

  /** Sends an action and resolves with the result or error frame that carries its request_id. */
  request(frame: Record<string, unknown>, timeoutMs = 10_000): Promise<Frame> {
    const requestId = randomUUID();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(requestId);
        reject(new Error(`no answer to ${JSON.stringify(frame)} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(requestId, (answer) => {
        clearTimeout(timer);
        resolve(answer);
      });
      this.socket.send(JSON.stringify({ ...frame, request_id: requestId }));
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.socket.readyState === WebSocket.CLOSED) return resolve();
      this.socket.once('close', () => resolve());
      this.socket.close();
    });
  }
}
