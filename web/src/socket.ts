/**
 * The admin WebSocket (README "Admin WebSocket"): the token rides in the subprotocols, never in the URL;
 * actions answer by `request_id`; a ping every 5 minutes keeps API Gateway from closing an idle socket;
 * a dropped socket reconnects with exponential backoff and jitter.
 */
import { signal } from '@preact/signals';
import { backoffDelay } from './backoff';

export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'closed';

/** An action's error frame: the HTTP envelope plus `status`. */
export class ActionError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly errors?: Record<string, string[]>,
  ) {
    super(message);
  }
}

/** No answer: timed out, the socket dropped, or it was not open. Safe to retry an idempotent request. */
export class NoAnswerError extends Error {}

export type Frame = Record<string, unknown> & { type: string };

interface Waiter {
  resolve: (frame: Frame) => void;
  reject: (error: Error) => void;
  timer: ReturnType<typeof setTimeout>;
}

const pingEveryMs = 5 * 60_000;

export interface SocketHandlers {
  onEvent: (frame: Frame) => void;
  /** Every time a socket opens: `reconnected` is false for the first. */
  onOpen: (reconnected: boolean) => void;
  /** The handshake failed `attempts` times in a row (a revoked token looks like this too). */
  onRefused: (attempts: number) => void;
}

export class ChatSocket {
  readonly state = signal<ConnectionState>('connecting');
  private ws: WebSocket | null = null;
  private readonly waiters = new Map<string, Waiter>();
  private openWaiters: Array<{ resolve: () => void; reject: (error: Error) => void }> = [];
  private failures = 0;
  private everOpened = false;
  private stopped = false;
  private sequence = 0;
  private pingTimer: ReturnType<typeof setInterval> | undefined;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly url: string,
    private readonly token: string,
    private readonly handlers: SocketHandlers,
  ) {}

  start(): void {
    window.addEventListener('online', this.retryNow);
    this.open();
  }

  /** Sign out: close for good, no reconnect. */
  stop(): void {
    this.stopped = true;
    window.removeEventListener('online', this.retryNow);
    clearTimeout(this.retryTimer);
    clearInterval(this.pingTimer);
    const ws = this.ws;
    this.ws = null;
    ws?.close(1000, 'signed out');
    this.failAll();
    for (const waiter of this.openWaiters) waiter.reject(new NoAnswerError('Signed out'));
    this.openWaiters = [];
    this.state.value = 'closed';
  }

  /** Drop the socket as a network would (used when a ping goes unanswered): it reconnects. */
  drop(): void {
    this.ws?.close(4000, 'no answer');
  }

  /** Resolves once a socket is open (at once if one is). */
  whenOpen(): Promise<void> {
    if (this.state.value === 'connected') return Promise.resolve();
    if (this.stopped) return Promise.reject(new NoAnswerError('Signed out'));
    return new Promise((resolve, reject) => this.openWaiters.push({ resolve, reject }));
  }

  request(action: string, fields: Record<string, unknown> = {}, timeoutMs = 10_000): Promise<Frame> {
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return Promise.reject(new NoAnswerError('Not connected'));
    const requestId = `r${++this.sequence}`;
    return new Promise<Frame>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(requestId);
        reject(new NoAnswerError('No answer in time'));
      }, timeoutMs);
      this.waiters.set(requestId, { resolve, reject, timer });
      ws.send(JSON.stringify({ ...fields, action, request_id: requestId }));
    });
  }

  private readonly retryNow = (): void => {
    if (this.stopped || this.ws) return;
    clearTimeout(this.retryTimer);
    this.open();
  };

  private open(): void {
    const ws = new WebSocket(this.url, ['chat.v1', `token.${this.token}`]);
    this.ws = ws;
    let opened = false;
    ws.onopen = () => {
      if (this.ws !== ws) return;
      opened = true;
      const reconnected = this.everOpened;
      this.everOpened = true;
      this.failures = 0;
      this.state.value = 'connected';
      clearInterval(this.pingTimer);
      this.pingTimer = setInterval(() => {
        this.request('ping', {}, 20_000).catch(() => this.drop());
      }, pingEveryMs);
      const waiting = this.openWaiters;
      this.openWaiters = [];
      for (const waiter of waiting) waiter.resolve();
      this.handlers.onOpen(reconnected);
    };
    ws.onmessage = (event: MessageEvent) => {
      if (this.ws === ws && typeof event.data === 'string') this.receive(event.data);
    };
    ws.onclose = () => {
      if (this.ws !== ws) return;
      this.ws = null;
      clearInterval(this.pingTimer);
      this.failAll();
      if (this.stopped) return;
      this.state.value = this.everOpened ? 'reconnecting' : 'connecting';
      if (!opened) {
        this.failures += 1;
        this.handlers.onRefused(this.failures);
      }
      this.retryTimer = setTimeout(() => this.open(), backoffDelay(this.failures));
    };
  }

  private failAll(): void {
    for (const [id, waiter] of this.waiters) {
      clearTimeout(waiter.timer);
      waiter.reject(new NoAnswerError('The connection dropped'));
      this.waiters.delete(id);
    }
  }

  private receive(data: string): void {
    let frame: unknown;
    try {
      frame = JSON.parse(data);
    } catch {
      return;
    }
    if (typeof frame !== 'object' || frame === null || typeof (frame as { type?: unknown }).type !== 'string') return;
    const typed = frame as Frame;
    if (typed.type === 'result' || typed.type === 'error') {
      const requestId = typed.request_id;
      const waiter = typeof requestId === 'string' ? this.waiters.get(requestId) : undefined;
      if (!waiter || typeof requestId !== 'string') return;
      this.waiters.delete(requestId);
      clearTimeout(waiter.timer);
      if (typed.type === 'result') waiter.resolve(typed);
      else {
        const status = typeof typed.status === 'number' ? typed.status : 500;
        const message = typeof typed.error === 'string' ? typed.error : 'Action failed';
        const errors = typeof typed.errors === 'object' && typed.errors !== null ? (typed.errors as Record<string, string[]>) : undefined;
        waiter.reject(new ActionError(status, message, errors));
      }
      return;
    }
    this.handlers.onEvent(typed);
  }
}
