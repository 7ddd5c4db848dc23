import { randomUUID } from 'node:crypto';
import { WebSocket } from 'ws';
import { chatTableRef } from '../../lib/deps';
import { createPrincipalWithToken, type IssuedCredential } from '../../lib/ops/principals';
import { startLocalStack, type LocalStack, type LocalStackOptions } from '../../infra/local/stack';
import { checkFrame, checkHttp } from './contract';

export interface TestStack extends LocalStack {
  createStore(name?: string): Promise<IssuedCredential>;
  createAdmin(name?: string): Promise<IssuedCredential>;
  post(path: string, init: { token?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> }): Promise<HttpResult>;
  get(path: string, init: { token?: string; query?: Record<string, string | number | undefined> }): Promise<HttpResult>;
  connect(token: string): Promise<TestSocket>;
}

export interface HttpResult {
  status: number;
  headers: Headers;
  json: unknown;
  text: string;
}

/** A full local stack on free ports with tables of its own, against the run's DynamoDB Local. */
export async function startTestStack(overrides: Partial<LocalStackOptions> = {}): Promise<TestStack> {
  const endpoint = process.env.TEST_DYNAMODB_ENDPOINT;
  if (!endpoint) throw new Error('TEST_DYNAMODB_ENDPOINT is not set: run through jest (globalSetup)');
  const suffix = randomUUID().slice(0, 8);
  const stack = await startLocalStack({
    dynamodbEndpoint: endpoint,
    tables: { chat: `test-${suffix}-chat`, connections: `test-${suffix}-connections` },
    httpPort: 0,
    wsPort: 0,
    s3Port: 0,
    ...overrides,
  });
  const ref = chatTableRef(stack.deps);
  return {
    ...stack,
    createStore: (name = 'Acme') => createPrincipalWithToken(ref, 'store', name),
    createAdmin: (name = 'Ann') => createPrincipalWithToken(ref, 'admin', name),
    post: (path, { token, body, rawBody, headers = {} }) =>
      request(stack.httpUrl, path, {
        method: 'POST',
        headers: { ...(token ? { authorization: `Token ${token}` } : {}), 'content-type': 'application/json', ...headers },
        body: rawBody ?? (body === undefined ? undefined : JSON.stringify(body)),
      }),
    get: (path, { token, query = {} }) => {
      const search = new URLSearchParams(Object.entries(query).flatMap(([k, v]): [string, string][] => (v === undefined ? [] : [[k, String(v)]])));
      const qs = search.toString();
      return request(stack.httpUrl, `${path}${qs ? `?${qs}` : ''}`, { headers: token ? { authorization: `Token ${token}` } : {} });
    },
    connect: (token) => TestSocket.open(`${stack.wsUrl}/?token=${encodeURIComponent(token)}`),
  };
}

/** A response body as JSON, or undefined when it is not JSON. */
export function jsonOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Every answer is checked against docs/openapi.json before the test sees it (test/support/contract.ts). */
async function request(origin: string, path: string, init: RequestInit): Promise<HttpResult> {
  const response = await fetch(`${origin}${path}`, init);
  const text = await response.text();
  checkHttp({ method: init.method ?? 'GET', path, status: response.status, headers: response.headers, text });
  return { status: response.status, headers: response.headers, json: jsonOrUndefined(text), text };
}

export type Frame = Record<string, unknown> & { type?: string };

/** A WebSocket client that queues frames so tests can await the next one matching a predicate. */
export class TestSocket {
  readonly frames: Frame[] = [];
  private waiters: { predicate: (frame: Frame) => boolean; resolve: (frame: Frame) => void }[] = [];
  private consumed = new Set<Frame>();

  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const frame = JSON.parse(Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.concat(data as Buffer[]).toString('utf8')) as Frame;
      checkFrame(frame, 'a TestSocket');
      this.frames.push(frame);
      const waiter = this.waiters.find((w) => w.predicate(frame));
      if (waiter) {
        this.consumed.add(frame);
        this.waiters = this.waiters.filter((w) => w !== waiter);
        waiter.resolve(frame);
      }
    });
  }

  static open(url: string): Promise<TestSocket> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url);
      socket.once('open', () => resolve(new TestSocket(socket)));
      socket.once('unexpected-response', (_req, res) => reject(new HandshakeRejected(res.statusCode ?? 0)));
      socket.once('error', reject);
    });
  }

  /** Resolves with the first frame (already received or future) that matches and was not consumed. */
  next(predicate: (frame: Frame) => boolean, timeoutMs = 5000): Promise<Frame> {
    const seen = this.frames.find((frame) => !this.consumed.has(frame) && predicate(frame));
    if (seen) {
      this.consumed.add(seen);
      return Promise.resolve(seen);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching frame within ${timeoutMs} ms; got ${JSON.stringify(this.frames)}`)), timeoutMs);
      this.waiters.push({
        predicate,
        resolve: (frame) => {
          clearTimeout(timer);
          resolve(frame);
        },
      });
    });
  }

  nextOfType(type: string, timeoutMs?: number): Promise<Frame> {
    return this.next((frame) => frame.type === type, timeoutMs);
  }

  send(frame: unknown): void {
    this.socket.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** Sends an action and waits for the result or error frame carrying its request_id. */
  request(frame: Record<string, unknown>, timeoutMs?: number): Promise<Frame> {
    const requestId = randomUUID();
    this.send({ ...frame, request_id: requestId });
    return this.next((f) => (f.type === 'result' || f.type === 'error') && f.request_id === requestId, timeoutMs);
  }

  /**
   * Frames on one socket arrive in the order they were sent. A round trip
   * through an unknown action therefore proves every frame pushed to this
   * socket before it has arrived: no sleeping to "wait and see".
   */
  async barrier(): Promise<void> {
    await this.request({ action: 'barrier' });
  }

  ofType(type: string): Frame[] {
    return this.frames.filter((frame) => frame.type === type);
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.socket.readyState === WebSocket.CLOSED) return resolve();
      this.socket.once('close', () => resolve());
      this.socket.close();
    });
  }
}

export class HandshakeRejected extends Error {
  constructor(readonly status: number) {
    super(`WebSocket handshake rejected with ${status}`);
  }
}

export const isoUtc = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/;

/**
 * Starts a stack before the file's tests and closes it after them. The
 * returned object forwards to that stack, so tests read `stack.post(...)`.
 */
export function useTestStack(overrides: Partial<LocalStackOptions> = {}): TestStack {
  let current: TestStack | undefined;
  beforeAll(async () => {
    current = await startTestStack(overrides);
  });
  afterAll(async () => {
    await current?.close();
  });
  return new Proxy({} as TestStack, {
    get(_target, property) {
      if (!current) throw new Error('the test stack starts in beforeAll; use it inside tests');
      const value: unknown = Reflect.get(current, property);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(current) : value;
    },
  });
}
