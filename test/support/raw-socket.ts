import { WebSocket } from 'ws';
import { checkFrame } from './contract';

/**
 * A plain `ws` client for tests that need what TestSocket hides: the
 * subprotocols offered and the one the server chose, raw frames, and when and
 * how the server closed the socket. Like a browser, `ws` fails the handshake
 * when it offered subprotocols and the server echoes none (or another one).
 */
export interface RawSocket {
  socket: WebSocket;
  /** The subprotocol the server echoed; '' when none. */
  protocol: string;
  frames: unknown[];
  /** Resolves with the close code, whoever closed. */
  closed: Promise<number>;
  isOpen(): boolean;
  /** Sends one frame and resolves with the next frame the server sends. */
  exchange(frame: string | Buffer, timeoutMs?: number): Promise<unknown>;
  /** Resolves with the first frame (received or future) that matches. */
  next(predicate: (frame: unknown) => boolean, timeoutMs?: number): Promise<unknown>;
  close(): Promise<void>;
}

export class RawHandshakeRejected extends Error {
  constructor(readonly status: number) {
    super(`WebSocket handshake rejected with ${status}`);
  }
}

export function openRawSocket(url: string, protocols?: string[]): Promise<RawSocket> {
  return new Promise((resolve, reject) => {
    const socket = protocols ? new WebSocket(url, protocols) : new WebSocket(url);
    const frames: unknown[] = [];
    const waiters: { predicate: (frame: unknown) => boolean; resolve: (frame: unknown) => void }[] = [];
    const closed = new Promise<number>((done) => socket.once('close', (code) => done(code)));
    socket.on('message', (data, isBinary) => {
      const text = Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.concat(data as Buffer[]).toString('utf8');
      let frame: unknown = text;
      if (!isBinary) {
        try {
          frame = JSON.parse(text) as unknown;
        } catch {
          // kept as text
        }
      }
      checkFrame(frame, 'a raw socket');
      frames.push(frame);
      const index = waiters.findIndex((waiter) => waiter.predicate(frame));
      if (index >= 0) waiters.splice(index, 1)[0]!.resolve(frame);
    });
    const next = (predicate: (frame: unknown) => boolean, timeoutMs = 5000, from = 0) => {
      const seen = frames.slice(from).find(predicate);
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise<unknown>((done, fail) => {
        const timer = setTimeout(() => fail(new Error(`no matching frame within ${timeoutMs} ms; got ${JSON.stringify(frames)}`)), timeoutMs);
        waiters.push({
          predicate,
          resolve: (frame) => {
            clearTimeout(timer);
            done(frame);
          },
        });
      });
    };
    socket.once('open', () =>
      resolve({
        socket,
        protocol: socket.protocol,
        frames,
        closed,
        isOpen: () => socket.readyState === WebSocket.OPEN,
        exchange(frame, timeoutMs) {
          const from = frames.length;
          socket.send(frame);
          return next(() => true, timeoutMs, from);
        },
        next: (predicate, timeoutMs) => next(predicate, timeoutMs),
        close: async () => {
          if (socket.readyState !== WebSocket.CLOSED) {
            socket.close();
            await closed;
          }
        },
      }),
    );
    socket.once('unexpected-response', (_req, res) => reject(new RawHandshakeRejected(res.statusCode ?? 0)));
    // Also after open: a later protocol error must not become an unhandled 'error' event.
    socket.on('error', reject);
  });
}

/** Resolves with the close code, or rejects when the socket is still open after timeoutMs. */
export function closedWithin(socket: RawSocket, timeoutMs: number): Promise<number> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    socket.closed,
    new Promise<number>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`socket still open after ${timeoutMs} ms`)), timeoutMs);
    }),
  ]).finally(() => clearTimeout(timer));
}

/**
 * Opens raw sockets to a test stack's WebSocket gateway (`query` is what follows the URL, e.g.
 * `?token=…`) and closes every one of them after each test.
 */
export function useRawSockets(wsUrl: () => string): (query: string, protocols?: string[]) => Promise<RawSocket> {
  const open: RawSocket[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((socket) => socket.close()));
  });
  return async (query, protocols) => {
    const socket = await openRawSocket(`${wsUrl()}/${query}`, protocols);
    open.push(socket);
    return socket;
  };
}
