import { WebSocket, type RawData } from 'ws';
import { checkFrame } from './contract';
import { isRecord } from './hostile';

/**
 * A raw WebSocket client for hostile frames: sends any frame, text or binary,
 * keeps every frame received (unparsable ones too) and the close code.
 */
export class FrameSocket {
  readonly received: unknown[] = [];
  closedWith: number | undefined;
  private listeners = new Set<() => void>();

  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (data: RawData, isBinary: boolean) => {
      const text = (Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as Buffer)).toString('utf8');
      let frame: unknown;
      try {
        frame = JSON.parse(text);
      } catch {
        frame = { unparsable: text, isBinary };
      }
      checkFrame(frame, 'a FrameSocket');
      this.received.push(frame);
      for (const listener of this.listeners) listener();
    });
    socket.on('close', (code: number) => {
      this.closedWith = code;
      for (const listener of this.listeners) listener();
    });
  }

  static open(url: string): Promise<FrameSocket> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url);
      socket.once('open', () => resolve(new FrameSocket(socket)));
      socket.once('error', reject);
    });
  }

  send(data: string | Uint8Array): void {
    this.socket.send(data, { binary: typeof data !== 'string' });
  }

  /** Resolves with pick()'s first defined answer, re-checked on every frame and on close. */
  waitFor<T>(pick: () => T | undefined, what: string, timeoutMs = 5000): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = pick();
        if (found === undefined) return false;
        clearTimeout(timer);
        this.listeners.delete(listener);
        resolve(found);
        return true;
      };
      const listener = () => void check();
      const timer = setTimeout(() => {
        this.listeners.delete(listener);
        reject(new Error(`no ${what} within ${timeoutMs} ms; received ${JSON.stringify(this.received.slice(-5)).slice(0, 800)}`));
      }, timeoutMs);
      this.listeners.add(listener);
      check();
    });
  }

  /** The first result or error frame received at or after `from`. */
  answerFrom(from: number, what: string): Promise<Record<string, unknown>> {
    return this.waitFor(() => {
      if (this.closedWith !== undefined) throw new Error(`the socket closed (${this.closedWith}) before ${what}`);
      return this.received.slice(from).find((f): f is Record<string, unknown> => isRecord(f) && (f.type === 'result' || f.type === 'error'));
    }, what);
  }

  async ping(requestId: string): Promise<void> {
    const from = this.received.length;
    this.send(JSON.stringify({ action: 'ping', request_id: requestId }));
    await this.waitFor(() => this.received.slice(from).find((f) => isRecord(f) && f.type === 'result' && f.request_id === requestId), `the answer to ping ${requestId}`);
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.socket.readyState === WebSocket.CLOSED) return resolve();
      this.socket.once('close', () => resolve());
      this.socket.close();
    });
  }
}
