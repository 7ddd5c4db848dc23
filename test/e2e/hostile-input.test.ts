import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { WebSocket, type RawData } from 'ws';
import { chatTableRef } from '../../lib/deps';
import { getEntry } from '../../lib/entities/session';
import { limits } from '../../lib/limits';
import type { IssuedCredential } from '../../lib/ops/principals';
import { importProducts } from '../../lib/ops/products';
import { httpRoutes, routes, wsRoutes, type HttpRouteSpec } from '../../lib/routes';
import { jsonOrUndefined, useTestStack, type TestStack } from '../support/harness';
import { activeSessionId } from '../support/inspect';
import { adminDoes, pathFor, unknownToken } from '../support/valid-calls';

/* ------------------------------------------------------------------ */
/* Answers, and what every answer must look like                       */
/* ------------------------------------------------------------------ */

interface Answer {
  status: number;
  text: string;
  json: unknown;
}

interface RawRequest {
  method: string;
  path: string;
  /** Sent as is after "?". */
  query?: string;
  authorization?: string;
  contentType?: string;
  body?: string | Uint8Array;
}

async function call(stack: TestStack, request: RawRequest): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (request.authorization !== undefined) headers.authorization = request.authorization;
  if (request.contentType !== undefined) headers['content-type'] = request.contentType;
  const url = `${stack.httpUrl}${request.path}${request.query === undefined ? '' : `?${request.query}`}`;
  let response: Response;
  try {
    response = await fetch(url, { method: request.method, headers, ...(request.body === undefined ? {} : { body: request.body }) });
  } catch (error) {
    throw new Error(`fetch refused ${request.method} ${request.path}: ${String(error)} ${String((error as Error).cause)}`);
  }
  const text = await response.text();
  return { status: response.status, text, json: jsonOrUndefined(text) };
}

/** Frames of a stack trace, or source paths. */
const stackTrace = /^\s+at |\n\s+at |\.[cm]?[tj]s:\d+|node_modules|webpack:|\/work\//;

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** {error: string, errors?: {field: string[]}} and nothing else. */
function envelopeProblem(json: unknown, extraKeys: readonly string[] = []): string | undefined {
  if (!isRecord(json)) return 'the body is not a JSON object';
  const unexpected = Object.keys(json).filter((key) => key !== 'error' && key !== 'errors' && !extraKeys.includes(key));
  if (unexpected.length > 0) return `unexpected keys ${JSON.stringify(unexpected)}`;
  if (typeof json.error !== 'string' || json.error === '') return '"error" is not a non-empty string';
  if (json.errors !== undefined) {
    if (!isRecord(json.errors) || Object.keys(json.errors).length === 0) return '"errors" is not a non-empty object';
    for (const [field, details] of Object.entries(json.errors)) {
      if (!Array.isArray(details) || details.length === 0 || !details.every((d) => typeof d === 'string' && d !== '')) return `errors.${field} is not a list of strings`;
    }
  }
  return undefined;
}

/** Below 500, the error envelope whenever it is an error, never a stack trace. */
function expectSafe(answer: Answer, label: string): void {
  const problem =
    answer.status >= 500
      ? `status ${answer.status}`
      : stackTrace.test(answer.text)
        ? 'a stack trace or source path in the body'
        : answer.status >= 400
          ? envelopeProblem(answer.json)
          : answer.json === undefined
            ? 'a success body that is not JSON'
            : undefined;
  if (problem) throw new Error(`${label}: ${problem}\n  got ${answer.status} ${answer.text.slice(0, 600)}`);
}

/** fast-check settings: a fixed number of runs, and a ceiling so shrinking over the network cannot outlast jest. */
const runs = (numRuns: number) => ({ numRuns, interruptAfterTimeLimit: 45_000 });

/* ------------------------------------------------------------------ */
/* Generators                                                          */
/* ------------------------------------------------------------------ */

/** Any UTF-16 code unit, so strings may hold lone surrogates. */
const utf16 = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((unit) => String.fromCharCode(unit)), maxLength: 24 });

const limitStrings = [
  limits.contentMaxChars, limits.contentMaxChars + 1, limits.attachmentUrlMaxChars, limits.attachmentUrlMaxChars + 1, limits.attachmentTypeMaxChars, limits.attachmentTypeMaxChars + 1,
  64, 65, 1000, 1001, 40, 41, 512, 513, limits.requestIdMaxChars, limits.requestIdMaxChars + 1,
].map((n) => 'a'.repeat(n));

const httpsOfLength = (n: number) => `https://example.com/${'a'.repeat(n - 'https://example.com/'.length - 4)}.png`;

const hostileString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  utf16,
  fc.constantFrom(
    '', ' ', '\u0000', '\u202e', '\ufeff', 'javascript:alert(1)', 'http://example.com/a.png', 'https://', 'https://x', '//example.com/a.png', 'data:text/html,<b>x</b>',
    '<script>alert(1)</script>', "' OR 1=1 --", '${7*7}', '{{7*7}}', '../../etc/passwd', '%00', 'null', 'undefined', 'NaN', '__proto__', 'constructor', 'toString',
    'image/png', 'text/html', 'open_url', 'quick_replies', 'SESSION#1', 'INBOX#open', '1000001', '-1', '1e3',
  ),
  fc.constantFrom(...limitStrings, httpsOfLength(limits.attachmentUrlMaxChars), httpsOfLength(limits.attachmentUrlMaxChars + 1)),
);

const hostileNumber = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(0, -1, 1, 2, 1.5, 2 ** 31, 2 ** 53, 2 ** 53 + 2, -(2 ** 53), Number.MAX_SAFE_INTEGER, 1e21, 1e308, 5e-324, 1_000_001, 987_654_321),
);

const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: hostileString, weight: 3 },
  { arbitrary: hostileNumber, weight: 3 },
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.oneof(hostileString, hostileNumber), { maxLength: 12 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.oneof(hostileString, hostileNumber), { maxKeys: 4 }),
  fc.anything({ maxDepth: 2 }),
);

/** Every field name any route or action reads. */
const fieldNames = [
  'content', 'attachment_url', 'attachment_type', 'product_id', 'client_message_id', 'special_type', 'special_param', 'messages', 'session_id',
  'rating', 'comment', 'up_to_id', 'file_name', 'content_type', 'size', 'admin_id', 'store_id', 'message_id', 'is_typing', 'request_id', 'action',
] as const;

/** A valid body for each POST route at once: unknown fields are ignored, so one object serves them all. */
const validishBody = {
  content: 'Hello, I need help',
  messages: [{ content: 'queued' }],
  rating: 5,
  comment: 'Thanks',
  up_to_id: 1_000_001,
  file_name: 'order.png',
  content_type: 'image/png',
  size: 68,
};

/** Valid fields mixed with hostile values for some of them, and some extra hostile fields. */
const mixedBody = fc
  .tuple(fc.subarray(Object.keys(validishBody)), fc.dictionary(fc.constantFrom(...fieldNames), hostileValue, { maxKeys: 5 }))
  .map(([kept, hostile]) => ({ ...Object.fromEntries(kept.map((key) => [key, validishBody[key as keyof typeof validishBody]])), ...hostile }));

const contentTypes = fc.oneof(
  fc.constantFrom(
    'application/json', 'application/json; charset=utf-8', 'application/json; charset=utf-16', 'text/plain', 'text/html', 'application/octet-stream', 'image/png',
    'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded', 'application/vnd.api+json', 'application/xml', '*/*', ';;;', 'json', '',
  ),
  // Printable ASCII: what fetch lets through in a header.
  fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 60 }),
);

const deepArray = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
const deepObject = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);

/* ------------------------------------------------------------------ */
/* A raw WebSocket client: any frame, text or binary, and close codes  */
/* ------------------------------------------------------------------ */

class RawSocket {
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
      this.received.push(frame);
      for (const listener of this.listeners) listener();
    });
    socket.on('close', (code: number) => {
      this.closedWith = code;
      for (const listener of this.listeners) listener();
    });
  }

  static open(url: string): Promise<RawSocket> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url);
      socket.once('open', () => resolve(new RawSocket(socket)));
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

const frameBytes = (frame: string | Uint8Array) => (typeof frame === 'string' ? Buffer.byteLength(frame, 'utf8') : frame.length);

/** A ping padded to exactly `bytes` bytes. */
const paddedPing = (bytes: number) => {
  const head = '{"action":"ping","request_id":"padded","pad":"';
  return `${head}${'a'.repeat(bytes - head.length - 2)}"}`;
};

/* ------------------------------------------------------------------ */

describe('hostile input never gets a 5xx, a stack trace, or a stored side effect', () => {
  const stack = useTestStack({ s3Port: 0 });
  let admin: IssuedCredential;
  /** A store with a session, for routes that read one. */
  let reader: IssuedCredential;
  let sessionId: number;

  const postRoutes = httpRoutes.filter((route) => route.method === 'POST');
  const getRoutes = httpRoutes.filter((route) => route.method === 'GET');
  const tokenFor = (route: HttpRouteSpec, store: IssuedCredential) => (route.auth === 'store' ? store.token : admin.token);
  const pathOf = (route: HttpRouteSpec) => pathFor(route.path, { session_id: sessionId });

  beforeAll(async () => {
    admin = await stack.createAdmin('Fuzz Admin');
    reader = await stack.createStore('Reader');
    const sent = await stack.post('/v1/chat/store/message/', { token: reader.token, body: { content: 'a session to read' } });
    sessionId = (sent.json as { session: { id: number } }).session.id;
  });

  // The gateways survive whatever came before: a valid send still gets 200, a socket still answers.
  afterEach(async () => {
    const survivor = await stack.createStore('Survivor');
    const sent = await stack.post('/v1/chat/store/message/', { token: survivor.token, body: { content: 'still here' } });
    expect(sent.status).toBe(200);
    const socket = await RawSocket.open(`${stack.wsUrl}/?token=${admin.token}`);
    await socket.ping('survivor');
    await socket.close();
  });

  /** Sends one body to every POST route at once, each with a fresh store's (or the admin's) token. */
  async function bodyToEveryPostRoute(body: string | Uint8Array | undefined, contentType: string | undefined, label: string): Promise<void> {
    const store = await stack.createStore('Fuzz');
    const answers = await Promise.all(
      postRoutes.map(async (route) => ({
        route,
        answer: await call(stack, { method: 'POST', path: pathOf(route), authorization: `Token ${tokenFor(route, store)}`, body, ...(contentType === undefined ? {} : { contentType }) }),
      })),
    );
    for (const { route, answer } of answers) expectSafe(answer, `${route.name} ${label}`);
  }

  describe('request bodies, on every POST route of the manifest', () => {
    it('answers any JSON text (fc.json) below 500, in the envelope', async () => {
      await fc.assert(
        fc.asyncProperty(fc.json({ maxDepth: 4 }), (text) => bodyToEveryPostRoute(text, 'application/json', `with body ${text.slice(0, 200)}`)),
        runs(50),
      );
    }, 60_000);

    it('answers any JSON value (fc.jsonValue) below 500, in the envelope', async () => {
      await fc.assert(
        fc.asyncProperty(fc.jsonValue({ maxDepth: 4 }), (value) => bodyToEveryPostRoute(JSON.stringify(value), 'application/json', 'with a JSON value')),
        runs(50),
      );
    }, 60_000);

    it('answers any serialised JS value (fc.anything) below 500, in the envelope', async () => {
      await fc.assert(
        fc.asyncProperty(fc.anything({ maxDepth: 3 }), (value) => bodyToEveryPostRoute(JSON.stringify(value) as string | undefined, 'application/json', 'with fc.anything')),
        runs(50),
      );
    }, 60_000);

    it('answers raw strings and random bytes under random content types below 500, in the envelope', async () => {
      const raw = fc.oneof(fc.string({ unit: 'binary', maxLength: 200 }), utf16, fc.uint8Array({ maxLength: 300 }));
      await fc.assert(
        fc.asyncProperty(raw, fc.option(contentTypes, { nil: undefined }), (body, contentType) => bodyToEveryPostRoute(body, contentType, `as ${String(contentType)}`)),
        runs(50),
      );
    }, 60_000);

    it('answers valid fields mixed with hostile values below 500, in the envelope', async () => {
      await fc.assert(
        fc.asyncProperty(mixedBody, (body) => bodyToEveryPostRoute(JSON.stringify(body), 'application/json', `with ${JSON.stringify(body).slice(0, 300)}`)),
        runs(60),
      );
    }, 60_000);

    it('answers __proto__, constructor and prototype keys below 500, never takes fields from them, and leaves Object.prototype alone', async () => {
      const protoKey = fc.constantFrom('__proto__', 'constructor', 'prototype');
      const payload = fc.dictionary(fc.constantFrom(...fieldNames, 'polluted', 'isAdmin', 'principal_type'), hostileValue, { maxKeys: 4 });
      // Built as text: an object literal with a __proto__ key would set a prototype instead of sending the key.
      const body = fc
        .tuple(fc.array(fc.tuple(protoKey, payload), { minLength: 1, maxLength: 3 }), fc.boolean())
        .map(([entries, nested]) => {
          const members = entries.map(([key, value]) => `${JSON.stringify(key)}:${JSON.stringify({ ...value, polluted: 'yes' })}`);
          if (nested) members.push('"constructor":{"prototype":{"polluted":"yes","content":"from the prototype"}}');
          return `{${members.join(',')}}`;
        });
      await fc.assert(
        fc.asyncProperty(body, async (text) => {
          const store = await stack.createStore('Proto');
          const answers = await Promise.all(
            postRoutes.map(async (route) => ({ route, answer: await call(stack, { method: 'POST', path: pathOf(route), authorization: `Token ${tokenFor(route, store)}`, contentType: 'application/json', body: text }) })),
          );
          for (const { route, answer } of answers) expectSafe(answer, `${route.name} with ${text.slice(0, 300)}`);
          expect(({} as Record<string, unknown>).polluted).toBeUndefined();
          expect(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted')).toBe(false);
          // Fields inside __proto__ are not fields of the body: a send whose only content sits there is refused.
          const send = answers.find(({ route }) => route === routes.storeSendMessage)!.answer;
          expect(send.status).toBeGreaterThanOrEqual(400);
        }),
        runs(40),
      );
    }, 60_000);

    it('answers bodies nested 10,000 and 32,000 levels deep below 500, in the envelope', async () => {
      const bodies = [
        deepArray(10_000),
        deepObject(10_000),
        deepArray(32_000), // 64,000 bytes: under the 64 KB cap
        '['.repeat(30_000), // unbalanced
        `{"content":${deepArray(10_000)}}`,
        `{"content":${deepObject(10_000)}}`,
        `{"messages":${deepArray(10_000)}}`,
        `{"messages":[${deepObject(10_000)}]}`,
        `{"messages":[{"content":"x","special_param":${deepArray(10_000)}}]}`,
        `{"rating":5,"comment":${deepObject(10_000)}}`,
        `{"file_name":${deepArray(10_000)},"content_type":"image/png","size":68}`,
        `{"up_to_id":${deepArray(10_000)}}`,
      ];
      for (const body of bodies) await bodyToEveryPostRoute(body, 'application/json', `with ${body.slice(0, 40)}…`);
    }, 60_000);
  });

  describe('headers', () => {
    /** Header values fetch will send: tab, printable ASCII and Latin-1 bytes (it refuses NUL, CR, LF and other controls). */
    const headerText = (maxLength: number) =>
      fc.string({ unit: fc.oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.integer({ min: 0x80, max: 0xff }), fc.constant(0x09)).map((c) => String.fromCharCode(c)), maxLength });
    /** UTF-8 text travels as its bytes. */
    const unicodeHeader = fc.string({ unit: 'grapheme', maxLength: 30 }).map((s) => Buffer.from(s, 'utf8').toString('latin1'));
    const nonToken = fc.string({ unit: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)), minLength: 1, maxLength: 12 }).filter((s) => s.toLowerCase() !== 'token');
    const mutate = fc.tuple(fc.nat(), fc.constantFrom('drop', 'swap-case', 'replace', 'append', 'truncate', 'prefix'));

    /** An Authorization value that is never "Token <a live token>", as a function of the route's live token. */
    const notAValidToken: fc.Arbitrary<{ describe: string; value: (live: string) => string }> = fc.oneof(
      headerText(80).map((s) => ({ describe: `arbitrary ${JSON.stringify(s)}`, value: () => s })),
      unicodeHeader.map((s) => ({ describe: `unicode ${JSON.stringify(s)}`, value: () => s })),
      fc.tuple(nonToken, fc.constantFrom(' ', '  ', '\t')).map(([scheme, gap]) => ({ describe: `scheme ${scheme}`, value: (live: string) => `${scheme}${gap}${live}` })),
      mutate.map(([at, how]) => ({
        describe: `mutated token (${how} at ${at})`,
        value: (live: string) => {
          const i = at % live.length;
          const c = live[i]!;
          const swapped = c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase();
          const changed = {
            drop: live.slice(0, i) + live.slice(i + 1),
            'swap-case': c === swapped ? `${live}x` : live.slice(0, i) + swapped + live.slice(i + 1),
            replace: live.slice(0, i) + (c === '0' ? '1' : '0') + live.slice(i + 1),
            append: `${live}0`,
            truncate: live.slice(0, i),
            prefix: `x${live}`,
          }[how];
          return `Token ${changed}`;
        },
      })),
      fc.constantFrom('store', 'admin').map((kind) => ({ describe: `unknown ${kind} token`, value: () => `Token ${unknownToken(kind)}` })),
      fc.constantFrom(' junk', '\tjunk', ' Token').map((tail) => ({ describe: `token with ${JSON.stringify(tail)} after it`, value: (live: string) => `Token ${live}${tail}` })),
      fc.integer({ min: 1000, max: 8000 }).map((n) => ({ describe: `${n} characters`, value: () => `Token ${'a'.repeat(n)}` })),
      fc.constantFrom('', ' ', 'Token', 'Token ', 'token', 'Basic dXNlcjpwYXNz', 'Bearer', 'Token null', 'Token undefined', 'Token store_', 'Token admin_').map((s) => ({
        describe: JSON.stringify(s),
        value: () => s,
      })),
    );

    it('answers 401 {"error":"Unauthorized"} on every route for any Authorization value that is not a live token, under any Content-Type', async () => {
      const store = await stack.createStore('Header');
      await fc.assert(
        fc.asyncProperty(notAValidToken, contentTypes, async (header, contentType) => {
          const answers = await Promise.all(
            httpRoutes.map(async (route) => {
              const value = header.value(tokenFor(route, store));
              const body = route.method === 'POST' ? { contentType, body: '{"content":"hi"}' } : {};
              return { route, value, answer: await call(stack, { method: route.method, path: pathOf(route), authorization: value, ...body }) };
            }),
          );
          for (const { route, value, answer } of answers) {
            if (answer.status !== 401 || JSON.stringify(answer.json) !== '{"error":"Unauthorized"}') {
              throw new Error(`${route.name} with Authorization ${JSON.stringify(value).slice(0, 200)} (${header.describe}): ${answer.status} ${answer.text.slice(0, 300)}`);
            }
          }
        }),
        runs(60),
      );
    }, 60_000);

    it('refuses an oversized Authorization header before the API, below 500', async () => {
      const answer = await call(stack, { method: 'GET', path: '/v1/chat/store/session/', authorization: `Token ${'a'.repeat(20_000)}` });

      expect(answer.status).toBeGreaterThanOrEqual(400);
      expect(answer.status).toBeLessThan(500);
    });

    it('accepts a JSON body under any Content-Type, storing its text exactly, or refuses it below 500', async () => {
      await fc.assert(
        fc.asyncProperty(contentTypes, fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }), async (contentType, word) => {
          const store = await stack.createStore('Content-Type');
          const content = `ok ${word} ✓`;
          const answer = await call(stack, { method: 'POST', path: '/v1/chat/store/message/', authorization: `Token ${store.token}`, contentType, body: JSON.stringify({ content }) });
          expectSafe(answer, `Content-Type ${JSON.stringify(contentType)}`);
          if (answer.status === 200) expect((answer.json as { message: { content: string } }).message.content).toBe(content);
        }),
        runs(40),
      );
    }, 60_000);
  });

  describe('query strings, on every GET route of the manifest', () => {
    const percentBytes = fc.uint8Array({ maxLength: 16 }).map((bytes) => [...bytes].map((b) => `%${b.toString(16).padStart(2, '0').toUpperCase()}`).join(''));
    const cursorOf = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
    /** Cursors shaped like the ones the endpoints issue, with hostile parts. */
    const forgedCursor = fc
      .oneof(
        fc.record({ pk: fc.oneof(fc.constantFrom('INBOX#open', 'INBOX#closed-months', `SESSION#1`, ''), hostileString), sk: fc.oneof(fc.constantFrom('', ' ', '\u0000', 'zzz', 'MSG#000001'), hostileString) }),
        fc.record({ created: fc.oneof(fc.constantFrom('', '9999', '2020-01-01T00:00:00.000Z'), hostileString), id: hostileNumber }),
        fc.jsonValue({ maxDepth: 2 }),
      )
      .map(cursorOf);
    const part = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 20 }).map(encodeURIComponent),
      fc.string({ unit: 'grapheme', maxLength: 12 }).map(encodeURIComponent),
      percentBytes,
      fc.constantFrom('%', '%%', '%zz', '%E0%A4%A', '%C0%AF', '%00', '%FF%FE', '+', '%2B', '=', '==', ';', '%26', '[]', 'a[b]', '..', '%2e%2e', ''),
      fc.constantFrom('1', '0', '-1', '1e3', '0x10', '%207', '9007199254740993', '99999999999999999999', '1.5', 'NaN', 'Infinity', '1000001', '100', '101', 'open', 'closed', 'mine', 'unclaimed'),
      hostileNumber.map((n) => encodeURIComponent(String(n))),
      forgedCursor,
      fc.integer({ min: 500, max: 3000 }).map((n) => 'a'.repeat(n)),
    );
    const key = fc.oneof(
      { arbitrary: fc.constantFrom('limit', 'after', 'before', 'cursor', 'state', 'session_id'), weight: 4 },
      fc.constantFrom('token', '__proto__', 'constructor', 'toString', 'valueOf', 'hasOwnProperty', 'toJSON', 'session_id[]', 'limit[0]'),
      part,
    );
    const queryString = fc
      .array(fc.tuple(key, fc.option(part, { nil: undefined })), { minLength: 1, maxLength: 8 })
      .map((pairs) => pairs.map(([k, v]) => (v === undefined ? k : `${k}=${v}`)).join('&'))
      .filter((q) => q.length <= 7000);

    it('answers arbitrary query keys and values (repeated, huge, unicode, percent-encoded, forged cursors) below 500, in the envelope', async () => {
      const emptySortKey = `cursor=${cursorOf({ pk: 'INBOX#open', sk: '' })}`;
      await fc.assert(
        fc.asyncProperty(queryString, async (query) => {
          const answers = await Promise.all(
            getRoutes.map(async (route) => ({ route, answer: await call(stack, { method: 'GET', path: pathOf(route), query, authorization: `Token ${tokenFor(route, reader)}` }) })),
          );
          for (const { route, answer } of answers) expectSafe(answer, `${route.name} ?${query.slice(0, 300)}`);
        }),
        // Always tried first: a cursor with the inbox's own partition key and an empty sort key.
        { ...runs(60), examples: [[emptySortKey]] },
      );
    }, 60_000);

    it('answers a forged inbox cursor whose sort key is empty below 500, in every state', async () => {
      // The cursor decodes and passes its schema ({pk, sk}, strings of at most 64), and goes to DynamoDB as
      // ExclusiveStartKey, which refuses an empty key attribute. The README: 400 for "a cursor this endpoint did not issue".
      const forged = cursorOf({ pk: 'INBOX#open', sk: '' });
      const states = ['open', 'unclaimed', 'mine', 'closed'];

      const answers = await Promise.all(states.map((state) => stack.get('/v1/chat/admin/sessions/', { token: admin.token, query: { state, cursor: forged } })));

      expect(answers.map((a, i) => `${states[i]}: ${a.status >= 500 ? `${a.status} ${a.text}` : 'below 500'}`)).toEqual(states.map((state) => `${state}: below 500`));
      for (const answer of answers) expectSafe(answer, 'forged cursor');
    });
  });

  describe('path parameters', () => {
    const templated = httpRoutes.filter((route) => route.path.includes('{'));
    const isDotSegment = (s: string) => /^(\.|%2e)+$/i.test(s);
    const segment = fc
      .oneof(
        fc.string({ unit: 'binary', minLength: 1, maxLength: 30 }).map(encodeURIComponent),
        fc.string({ unit: 'grapheme', minLength: 1, maxLength: 10 }).map(encodeURIComponent),
        fc.uint8Array({ minLength: 1, maxLength: 12 }).map((bytes) => [...bytes].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('')),
        hostileNumber.map((n) => encodeURIComponent(String(n))),
        fc.constantFrom('%', '%zz', '%2F', '%00', '-1', '0', '1e3', '0x10', '%207', '1.0', '01', '9007199254740993', '99999999999999999999', 'null', 'undefined', '__proto__', 'constructor', '%E2%80%AE1'),
        fc.integer({ min: 200, max: 2000 }).map((n) => '9'.repeat(n)),
      )
      .filter((s) => s !== '' && !isDotSegment(s));

    it('answers arbitrary {session_id} segments with 400 or 404 (200 only for a session that exists), in the envelope', async () => {
      await fc.assert(
        fc.asyncProperty(segment, async (raw) => {
          const answers = await Promise.all(
            templated.map(async (route) => ({
              route,
              answer: await call(stack, { method: route.method, path: pathFor(route.path, { session_id: raw }), authorization: `Token ${tokenFor(route, reader)}` }),
            })),
          );
          for (const { route, answer } of answers) {
            expectSafe(answer, `${route.name} with segment ${raw.slice(0, 200)}`);
            if (![200, 400, 404].includes(answer.status)) throw new Error(`${route.name} with segment ${raw.slice(0, 200)}: ${answer.status} ${answer.text.slice(0, 300)}`);
          }
        }),
        runs(60),
      );
    }, 60_000);

    it('answers empty and dot segments below 500', async () => {
      for (const route of templated) {
        for (const raw of ['', '.', '..', '%2e', '%2E%2E', '%2F..%2F']) {
          const answer = await call(stack, { method: route.method, path: pathFor(route.path, { session_id: raw }), authorization: `Token ${tokenFor(route, reader)}` });
          expect({ route: route.name, raw, status: answer.status < 500 }).toEqual({ route: route.name, raw, status: true });
        }
      }
    });
  });

  describe('nothing refused is stored', () => {
    const bucketUrl = (key: string) => `https://${stack.bucket}.s3.us-east-1.amazonaws.com/${key}`;
    const neverNull = hostileValue.filter((v) => v !== null && v !== undefined);

    /** Items that fail validation (or name a product or upload that is not there), whatever else they carry. */
    const badItem = (storeId: number) => {
      const base = fc.record(
        { content: fc.constantFrom('hello', 'Bonjour 👋'), attachment_url: fc.constantFrom('https://example.com/a.png'), client_message_id: fc.constantFrom('ok-1', 'app:42') },
        { requiredKeys: [] },
      );
      const poison = fc.oneof(
        fc.record({ content: fc.oneof(fc.integer(), fc.boolean(), fc.array(fc.string()), fc.object(), fc.constant('a'.repeat(limits.contentMaxChars + 1)), fc.constant('😀'.repeat(limits.contentMaxChars + 1)), fc.constant('x\ud800y')) }),
        fc.record({
          attachment_url: fc.oneof(
            fc.integer(),
            fc.constantFrom(
              'http://example.com/a.png', 'javascript:alert(1)', 'ftp://example.com/a.png', 'https://', '//example.com/a.png', 'https://exa mple.com/a.png', ' https://example.com/a.png',
              'data:image/png;base64,AAAA', httpsOfLength(limits.attachmentUrlMaxChars + 1),
              bucketUrl('uploads/store/999999/0b7e3f9e-5d0c-4a53-9a1f-0d7a1c9b2e11/a.png'),
              bucketUrl(`uploads/store/${storeId}/0b7e3f9e-5d0c-4a53-9a1f-0d7a1c9b2e11/never-uploaded.png`),
              bucketUrl(`attachments/store/${storeId}/0b7e3f9e-5d0c-4a53-9a1f-0d7a1c9b2e11/a.png`),
              bucketUrl('uploads/admin/1/0b7e3f9e-5d0c-4a53-9a1f-0d7a1c9b2e11/a.png'),
            ),
          ),
        }),
        fc.record({ attachment_url: fc.constant('https://example.com/a.png'), attachment_type: fc.oneof(fc.integer(), fc.constantFrom('not a mime', 'image/', '/png', 'a'.repeat(256), 'image/png\u0000')) }),
        fc.record({ product_id: fc.oneof(fc.constantFrom(0, -1, 1.5, '7', true, 2 ** 53, 987_654_321), fc.array(fc.nat()), fc.object()) }),
        fc.record({ client_message_id: fc.oneof(fc.constantFrom('', 'has space', 'a'.repeat(65), 'ü', 'a/b', 'a\u0000'), fc.integer(), fc.object()) }),
        fc.record({ special_type: fc.oneof(fc.constantFrom('open_url', 'quick_replies'), neverNull) }),
        fc.record({ special_type: fc.constant('open_url'), special_param: fc.constant('https://example.com/track') }),
        fc.record({ special_param: neverNull }),
      );
      return fc.tuple(base, poison).map(([b, p]) => ({ ...b, ...p }));
    };

    it('stores no session and no message for a store whose every request was refused', async () => {
      const store = await stack.createStore('Refused');
      const goodItem = fc.record({ content: fc.constantFrom('queued one', 'queued two') });
      const request = fc.oneof(
        badItem(store.id).map((body) => ({ route: routes.storeSendMessage, body: JSON.stringify(body) })),
        fc
          .tuple(fc.array(goodItem, { maxLength: 5 }), badItem(store.id), fc.array(goodItem, { maxLength: 5 }))
          .map(([before, bad, after]) => ({ route: routes.storeSendMessages, body: JSON.stringify({ messages: [...before, bad, ...after] }) })),
        fc
          .oneof(
            fc.constant({ messages: [] }),
            fc.constant({ messages: Array.from({ length: 21 }, (_, i) => ({ content: `item ${i}` })) }),
            fc.record({ messages: neverNull.filter((v) => !Array.isArray(v)) }),
          )
          .map((body) => ({ route: routes.storeSendMessages, body: JSON.stringify(body) })),
        // The store has no session: every rating and read is refused, valid-looking or not.
        fc.oneof(fc.constant({ rating: 5 }), fc.record({ session_id: hostileNumber, rating: fc.integer({ min: 1, max: 5 }), comment: hostileString })).map((body) => ({ route: routes.storeRateSession, body: JSON.stringify(body) })),
        fc.record({ up_to_id: fc.oneof(hostileNumber, hostileValue) }).map((body) => ({ route: routes.storeReadMessages, body: JSON.stringify(body) })),
        fc
          .oneof(
            fc.record({ file_name: fc.constantFrom('', '   ', 'a'.repeat(256), 'x\udc00.png'), content_type: fc.constant('image/png'), size: fc.constant(68) }),
            fc.record({ file_name: fc.constant('a.png'), content_type: fc.constantFrom('text/html', 'image/svg+xml', 'application/x-msdownload', '', 'a'.repeat(300)), size: fc.constant(68) }),
            fc.record({ file_name: fc.constant('a.png'), content_type: fc.constant('image/png'), size: fc.constantFrom(0, -1, 1.5, 20_971_521, '68', null) }),
          )
          .map((body) => ({ route: routes.storeCreateAttachment, body: JSON.stringify(body) })),
        fc.oneof(fc.string({ maxLength: 50 }), fc.constant(deepArray(10_000)), fc.constant('{"__proto__":{"content":"hidden"}}'), fc.constant('[{"content":"in an array"}]'), fc.constant('"just a string"')).map((body) => ({ route: routes.storeSendMessage, body })),
      );

      await fc.assert(
        fc.asyncProperty(request, async ({ route, body }) => {
          const answer = await call(stack, { method: 'POST', path: pathFor(route.path, {}), authorization: `Token ${store.token}`, contentType: 'application/json', body });
          expectSafe(answer, `${route.name} ${body.slice(0, 300)}`);
          if (answer.status < 400) throw new Error(`${route.name} accepted ${body.slice(0, 300)}: ${answer.status} ${answer.text.slice(0, 300)}`);
        }),
        runs(80),
      );

      expect(await activeSessionId(stack, store.id)).toBeUndefined();
      expect(await entriesOfStore(stack, store.id)).toEqual([]);
      expect((await stack.get('/v1/chat/store/session/', { token: store.token })).json).toEqual({ session: null });
      expect((await stack.get('/v1/chat/store/messages/', { token: store.token })).json).toEqual({ session: null, messages: [], has_more: false });
    }, 60_000);
  });

  describe('unicode text', () => {
    const tricky = [
      '👩‍👩‍👧‍👦', '🇫🇷', '🏳️‍🌈', '👋🏽', '\u200f', '\u200e', '\u202e', '\u2066', '\u2069', 'e\u0301', 'é', 'Z̤̈́a̠̅l̨̓g̝o', '\ufeff', '\u0000', '\u0007', '\ufffe', '\uffff',
      '\u{10ffff}', '\u{e0001}', '\u{1f600}', 'ﷺ', '\u00a0', '\u2028', '\u2029', 'İ', 'ß', 'Ω', '\u2126', 'ﬁ', '＜script＞', '\r\n', '\t', '\u0301', 'مرحبا', 'שלום', '𝔘𝔫𝔦𝔠𝔬𝔡𝔢',
    ];
    const text = fc.oneof(
      fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }),
      fc.string({ unit: 'grapheme-composite', minLength: 1, maxLength: 40 }),
      fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }),
      fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((u) => String.fromCharCode(u)), minLength: 1, maxLength: 20 }),
      fc.array(fc.oneof(fc.constantFrom(...tricky), fc.string({ unit: 'grapheme', maxLength: 3 })), { minLength: 1, maxLength: 10 }).map((parts) => parts.join('')),
    );

    /** What the API must do with this text as message content. */
    const expectedFor = (content: string): { status: 200 } | { status: 400; json: unknown } => {
      if (!content.isWellFormed()) return { status: 400, json: { error: 'Invalid request body', errors: { content: ['Must be valid Unicode text'] } } };
      if (content.trim() === '') return { status: 400, json: { error: 'Message content or attachment is required' } };
      return { status: 200 };
    };

    it("stores a store's text exactly as sent (response, table and history) or refuses it with 400: never alters it", async () => {
      await fc.assert(
        fc.asyncProperty(text, async (content) => {
          const store = await stack.createStore('Unicode');
          const answer = await stack.post('/v1/chat/store/message/', { token: store.token, body: { content } });
          const expected = expectedFor(content);
          if (expected.status === 400) {
            expect({ status: answer.status, json: answer.json }).toEqual(expected);
            expect(await activeSessionId(stack, store.id)).toBeUndefined();
            return;
          }
          expect(answer.status).toBe(200);
          const message = (answer.json as { message: { id: number; content: string } }).message;
          const stored = await getEntry(chatTableRef(stack.deps), message.id);
          const history = await stack.get('/v1/chat/store/messages/', { token: store.token });
          const listed = (history.json as { messages: { id: number; content: string }[] }).messages.find((m) => m.id === message.id);
          expect([message.content, stored?.content, listed?.content]).toEqual([content, content, content]);
        }),
        runs(60),
      );
    }, 60_000);

    it("stores an admin's text exactly as sent over the socket, as the store's history shows it, or refuses it with 400", async () => {
      const store = await stack.createStore('Unicode reader');
      const first = (await stack.post('/v1/chat/store/message/', { token: store.token, body: { content: 'hi' } })).json as { session: { id: number } };
      const socket = await stack.connect(admin.token);
      await adminDoes(socket, { action: 'claim', session_id: first.session.id });
      try {
        await fc.assert(
          fc.asyncProperty(text, async (content) => {
            const answer = await socket.request({ action: 'send', session_id: first.session.id, content });
            const expected = expectedFor(content);
            if (expected.status === 400) {
              // Over the socket, field errors say "Invalid frame" rather than "Invalid request body".
              const json = expected.json as { error: string };
              expect(answer).toMatchObject({ type: 'error', status: 400, ...json, error: json.error === 'Invalid request body' ? 'Invalid frame' : json.error });
              return;
            }
            expect(answer.type).toBe('result');
            const message = answer.message as { id: number; content: string };
            const history = await stack.get('/v1/chat/store/messages/', { token: store.token, query: { after: message.id - 1, limit: 1 } });
            const listed = (history.json as { messages: { id: number; content: string }[] }).messages[0];
            expect([message.content, listed?.id, listed?.content]).toEqual([content, message.id, content]);
          }),
          runs(40),
        );
      } finally {
        await socket.close();
      }
    }, 60_000);
  });

  describe('every field has a size limit', () => {
    interface Outcome {
      status: number;
      json: unknown;
    }
    const asOutcome = (answer: { status: number; json: unknown }): Outcome => ({ status: answer.status, json: answer.json });
    const frameOutcome = (frame: Record<string, unknown>): Outcome => ({ status: frame.type === 'result' ? 200 : Number(frame.status), json: frame });

    /** A closed session of a fresh store, to rate. */
    async function closedSession(): Promise<IssuedCredential> {
      const store = await stack.createStore('Rater');
      const sent = (await stack.post('/v1/chat/store/message/', { token: store.token, body: { content: 'help' } })).json as { session: { id: number } };
      const socket = await stack.connect(admin.token);
      await adminDoes(socket, { action: 'close', session_id: sent.session.id });
      await socket.close();
      return store;
    }

    /** An admin socket holding a claimed session, to send into. */
    async function adminSend(frame: Record<string, unknown>): Promise<Outcome> {
      const store = await stack.createStore('Quick replies');
      const sent = (await stack.post('/v1/chat/store/message/', { token: store.token, body: { content: 'help' } })).json as { session: { id: number } };
      const socket = await stack.connect(admin.token);
      try {
        await adminDoes(socket, { action: 'claim', session_id: sent.session.id });
        return frameOutcome(await socket.request({ action: 'send', session_id: sent.session.id, ...frame }));
      } finally {
        await socket.close();
      }
    }

    const storeSend = async (body: Record<string, unknown>) => asOutcome(await stack.post('/v1/chat/store/message/', { token: (await stack.createStore('Limits')).token, body }));
    const mime = (n: number) => `${'a'.repeat(127)}/${'b'.repeat(n - 128)}`;

    const table: { field: string; limit: number; errorKey: string; message: RegExp; send: (length: number) => Promise<Outcome> }[] = [
      { field: 'content (code points)', limit: limits.contentMaxChars, errorKey: 'content', message: /at most 4000/, send: (n) => storeSend({ content: '😀'.repeat(n) }) },
      { field: 'content (ASCII)', limit: limits.contentMaxChars, errorKey: 'content', message: /at most 4000/, send: (n) => storeSend({ content: 'a'.repeat(n) }) },
      { field: 'attachment_url', limit: limits.attachmentUrlMaxChars, errorKey: 'attachment_url', message: /at most 2048/, send: (n) => storeSend({ attachment_url: httpsOfLength(n) }) },
      { field: 'client_message_id', limit: 64, errorKey: 'client_message_id', message: /1 to 64/, send: (n) => storeSend({ content: 'hi', client_message_id: 'c'.repeat(n) }) },
      {
        field: 'rating comment',
        limit: 1000,
        errorKey: 'comment',
        message: /at most 1000/,
        send: async (n) => {
          const store = await closedSession();
          return asOutcome(await stack.post('/v1/chat/store/rating/', { token: store.token, body: { rating: 4, comment: 'c'.repeat(n) } }));
        },
      },
      {
        field: 'quick reply',
        limit: 40,
        errorKey: 'special_param.0',
        message: /at most 40/,
        send: (n) => adminSend({ content: 'Pick one', special_type: 'quick_replies', special_param: ['q'.repeat(n)] }),
      },
      { field: 'quick replies (count)', limit: 10, errorKey: 'special_param', message: /at most 10/, send: (n) => adminSend({ content: 'Pick one', special_type: 'quick_replies', special_param: Array.from({ length: n }, (_, i) => `r${i}`) }) },
      {
        field: 'file_name',
        limit: 255,
        errorKey: 'file_name',
        message: /at most 255/,
        send: async (n) => asOutcome(await stack.post('/v1/chat/store/attachment/', { token: (await stack.createStore('Uploader')).token, body: { file_name: `${'f'.repeat(n - 4)}.png`, content_type: 'image/png', size: 68 } })),
      },
      {
        field: 'batch (messages)',
        limit: 20,
        errorKey: 'messages',
        message: /at most 20/,
        send: async (n) => asOutcome(await stack.post('/v1/chat/store/messages/', { token: (await stack.createStore('Batch')).token, body: { messages: Array.from({ length: n }, (_, i) => ({ content: `m${i}` })) } })),
      },
      ...(['/v1/chat/store/messages/', '/v1/chat/admin/sessions/', '/v1/chat/admin/notifications/'] as const).map((path) => ({
        field: `limit on ${path}`,
        limit: 100,
        errorKey: 'limit',
        message: /1 to 100/,
        send: async (n: number) => asOutcome(await stack.get(path, { token: path.includes('/store/') ? reader.token : admin.token, query: { limit: n } })),
      })),
    ];

    it.each(table)('accepts $field at $limit and refuses one more with 400 naming $errorKey', async ({ limit, errorKey, message, send }) => {
      const atLimit = await send(limit);
      const over = await send(limit + 1);

      expect(atLimit.status).toBe(200);
      expect(over.status).toBe(400);
      expect((over.json as { errors?: Record<string, string[]> }).errors?.[errorKey]).toEqual(expect.arrayContaining([expect.stringMatching(message)]));
    });

    // No type that long is on the allowlist (README "Attachment types"), so at the limit the length rule passes and the type rule refuses.
    it('passes attachment_type at 255 to the type rule, and refuses one more as too long', async () => {
      const atLimit = await storeSend({ attachment_url: 'https://example.com/file.bin', attachment_type: mime(limits.attachmentTypeMaxChars) });
      const over = await storeSend({ attachment_url: 'https://example.com/file.bin', attachment_type: mime(limits.attachmentTypeMaxChars + 1) });

      expect(atLimit.json).toEqual({ error: 'Invalid request body', errors: { attachment_type: [`The file type ${mime(limits.attachmentTypeMaxChars)} is not allowed`] } });
      expect(over.status).toBe(400);
      expect((over.json as { errors?: Record<string, string[]> }).errors?.attachment_type).toEqual(expect.arrayContaining([expect.stringMatching(/at most 255/)]));
    });

    it('refuses a cursor one character over 512 with 400 naming cursor', async () => {
      const over = await stack.get('/v1/chat/admin/sessions/', { token: admin.token, query: { cursor: 'a'.repeat(513) } });
      const notifications = await stack.get('/v1/chat/admin/notifications/', { token: admin.token, query: { cursor: 'a'.repeat(513) } });

      expect([over.status, notifications.status]).toEqual([400, 400]);
      expect(over.json).toMatchObject({ errors: { cursor: [expect.any(String)] } });
      expect(notifications.json).toMatchObject({ errors: { cursor: [expect.any(String)] } });
    });

    it(`echoes a request_id of ${limits.requestIdMaxChars} characters and not one of ${limits.requestIdMaxChars + 1}`, async () => {
      const socket = await stack.connect(admin.token);
      const at = 'r'.repeat(limits.requestIdMaxChars);
      const over = 'r'.repeat(limits.requestIdMaxChars + 1);

      socket.send({ action: 'ping', request_id: at });
      socket.send({ action: 'ping', request_id: over });
      socket.send({ action: 'no-such-action', request_id: over });
      const echoed = await socket.next((f) => f.request_id === at);
      const dropped = await socket.next((f) => f.type === 'result' && f.request_id === null);
      const droppedError = await socket.next((f) => f.type === 'error' && f.request_id === null);
      await socket.close();

      expect(echoed).toMatchObject({ type: 'result', action: 'ping' });
      expect(dropped).toMatchObject({ type: 'result', action: 'ping' });
      expect(droppedError).toMatchObject({ type: 'error', status: 404 });
    });

    // Every route, including those that never read a body.
    it.each(postRoutes.map((route) => ({ name: route.name, route })))(
      '$name answers a body of 64 KB + 1 byte with 413 in the envelope, and takes one of exactly 64 KB',
      async ({ route }) => {
        const store = await stack.createStore('Big');
        const bodyOf = (bytes: number) => {
          const head = '{"content":"big","pad":"';
          return `${head}${'p'.repeat(bytes - head.length - 2)}"}`;
        };
        const send = (bytes: number) => call(stack, { method: 'POST', path: pathOf(route), authorization: `Token ${tokenFor(route, store)}`, contentType: 'application/json', body: bodyOf(bytes) });

        const atCap = await send(limits.httpBodyMaxBytes);
        const overCap = await send(limits.httpBodyMaxBytes + 1);

        expectSafe(atCap, `${route.name} at the cap`);
        expect(atCap.status).not.toBe(413);
        expect({ status: overCap.status, json: overCap.json }).toEqual({ status: 413, json: { error: 'Request body is too large' } });
      },
    );
  });
});

/** Every chat-table item that belongs to a store's sessions (messages, session heads, inbox entries). */
async function entriesOfStore(stack: TestStack, storeId: number): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await stack.deps.db.send(
      new ScanCommand({
        TableName: stack.tables.chat,
        FilterExpression: '#session.#store = :store',
        ExpressionAttributeNames: { '#session': 'session', '#store': 'store_id' },
        ExpressionAttributeValues: { ':store': storeId },
        ConsistentRead: true,
        ExclusiveStartKey: start,
      }),
    );
    items.push(...(out.Items ?? []));
    start = out.LastEvaluatedKey;
  } while (start);
  return items;
}

/* ------------------------------------------------------------------ */
/* WebSocket frames, on a stack of their own: random actions may block  */
/* stores, close sessions and hide messages.                            */
/* ------------------------------------------------------------------ */

describe('hostile WebSocket frames', () => {
  const stack = useTestStack({ s3Port: 0 });
  let admin: IssuedCredential;
  let knownIds: number[];
  const routeKeys = wsRoutes.map((route) => route.routeKey);
  const routed = new Set(routeKeys.filter((key) => !key.startsWith('$')));

  beforeAll(async () => {
    admin = await stack.createAdmin('Frames');
    const other = await stack.createAdmin('Other');
    const store = await stack.createStore('Frames Store');
    const [product] = (await importProducts(chatTableRef(stack.deps), store.id, [{ sku: 'F-1', price: 1 }])).products;
    const sent = (await stack.post('/v1/chat/store/message/', { token: store.token, body: { content: 'hello' } })).json as { session: { id: number }; message: { id: number } };
    knownIds = [sent.session.id, sent.message.id, store.id, product!.id, admin.id, other.id];
  });

  afterEach(async () => {
    const survivor = await stack.createStore('Survivor');
    expect((await stack.post('/v1/chat/store/message/', { token: survivor.token, body: { content: 'still here' } })).status).toBe(200);
  });

  const openAdmin = () => RawSocket.open(`${stack.wsUrl}/?token=${admin.token}`);

  /** What the answer to a frame must carry, by API Gateway's route selection and the documented echo rules. */
  function expectedEcho(frame: string | Uint8Array): { action: string | null; request_id: string | null } {
    if (typeof frame !== 'string') return { action: null, request_id: null };
    let parsed: unknown;
    try {
      parsed = JSON.parse(frame);
    } catch {
      return { action: null, request_id: null };
    }
    if (typeof parsed !== 'object' || parsed === null) return { action: null, request_id: null };
    const { action, request_id: requestId } = parsed as Record<string, unknown>;
    const echo = typeof requestId === 'string' && requestId.length <= limits.requestIdMaxChars ? requestId : null;
    if (typeof action === 'string' && routed.has(action)) return { action, request_id: echo };
    return { action: typeof action === 'string' && action.length <= 64 ? action : null, request_id: echo };
  }

  function answerProblem(answer: Record<string, unknown>, frame: string | Uint8Array): string | undefined {
    const echo = expectedEcho(frame);
    if (answer.action !== echo.action) return `action ${JSON.stringify(answer.action)}, expected ${JSON.stringify(echo.action)}`;
    if (answer.request_id !== echo.request_id) return `request_id ${JSON.stringify(answer.request_id)}, expected ${JSON.stringify(echo.request_id)}`;
    if (answer.type === 'result') return undefined;
    if (typeof answer.status !== 'number' || answer.status < 400 || answer.status >= 500) return `error status ${String(answer.status)}`;
    if (answer.status === 401) return 'an admin socket was told it is unauthenticated';
    return envelopeProblem(answer, ['type', 'action', 'request_id', 'status']);
  }

  /** Sends one frame and checks its answer; over 32 KB, checks the gateway closed the socket and a new one works. */
  async function sendHostile(socket: RawSocket, frame: string | Uint8Array, counter: { n: number }): Promise<RawSocket> {
    const label = typeof frame === 'string' ? `frame ${JSON.stringify(frame.slice(0, 300))} (${frameBytes(frame)} bytes)` : `binary frame of ${frame.length} bytes`;
    if (frameBytes(frame) > limits.wsFrameMaxBytes) {
      socket.send(frame);
      const code = await socket.waitFor(() => socket.closedWith, `the gateway to close the socket after a ${label}`);
      if (code !== 1009) throw new Error(`${label}: closed with ${code}, expected 1009 (message too big)`);
      const fresh = await openAdmin();
      await fresh.ping(`after-close-${counter.n++}`);
      return fresh;
    }
    const from = socket.received.length;
    socket.send(frame);
    const answer = await socket.answerFrom(from, `an answer to the ${label}`);
    const problem = answerProblem(answer, frame);
    if (problem) throw new Error(`${label}: ${problem}\n  answer ${JSON.stringify(answer).slice(0, 600)}`);
    await socket.ping(`alive-${counter.n++}`);
    const odd = socket.received.slice(from).filter((f) => !isRecord(f) || typeof f.type !== 'string');
    if (odd.length > 0) throw new Error(`${label}: frames without a type (gateway errors?) ${JSON.stringify(odd).slice(0, 600)}`);
    if (stackTrace.test(JSON.stringify(socket.received.slice(from)))) throw new Error(`${label}: a stack trace in a frame`);
    return socket;
  }

  /** Sends each generated frame on one admin socket (a fresh one after the gateway closes it). */
  async function runFrames<T>(frames: fc.Arbitrary<T>, toFrame: (value: T) => string | Uint8Array, numRuns: number, examples: [T][] = []): Promise<void> {
    let socket = await openAdmin();
    const counter = { n: 0 };
    try {
      await fc.assert(
        fc.asyncProperty(frames, async (value) => {
          socket = await sendHostile(socket, toFrame(value), counter);
        }),
        { ...runs(numRuns), examples },
      );
    } finally {
      await socket.close();
    }
  }

  /** Big frames are generated as a recipe, so a counterexample reads "deep array of 16000" rather than 32 KB of brackets. */
  type FrameSpec = string | Uint8Array | { deepArray: number } | { pingWithDeepObject: number };
  const buildFrame = (spec: FrameSpec): string | Uint8Array =>
    typeof spec === 'string' || spec instanceof Uint8Array ? spec : 'deepArray' in spec ? deepArray(spec.deepArray) : `{"action":"ping","x":${deepObject(spec.pingWithDeepObject)}}`;
  const asIs = <T extends string | Uint8Array>(frame: T) => frame;

  const idish = fc.oneof(
    { arbitrary: fc.constantFrom(...[0, 1, 2, 3, 4, 5]).map((i) => (knownIds ?? [])[i] ?? i), weight: 3 },
    { arbitrary: hostileNumber, weight: 2 },
    fc.string({ maxLength: 12 }),
    fc.constant(null),
    fc.anything({ maxDepth: 1 }),
  );
  const requestId = fc.option(
    fc.oneof(fc.string({ maxLength: 140 }), fc.constantFrom('r'.repeat(limits.requestIdMaxChars), 'r'.repeat(limits.requestIdMaxChars + 1)), fc.anything({ maxDepth: 1 })),
    { nil: undefined },
  );
  const actionFrame = fc
    .tuple(
      fc.record(
        {
          action: fc.constantFrom(...routeKeys, 'barrier', '', 'PING', 'ping ', '__proto__', 'constructor', 'a'.repeat(65)),
          request_id: requestId,
          session_id: idish,
          admin_id: idish,
          store_id: idish,
          message_id: idish,
          up_to_id: idish,
          product_id: idish,
          is_typing: fc.oneof(fc.boolean(), hostileValue),
          content: fc.oneof(fc.string({ maxLength: 30 }), hostileValue),
          attachment_url: hostileValue,
          attachment_type: hostileValue,
          client_message_id: hostileValue,
          special_type: fc.oneof(fc.constantFrom('open_url', 'quick_replies'), hostileValue),
          special_param: fc.oneof(fc.array(fc.string({ maxLength: 50 }), { maxLength: 12 }), hostileValue),
        },
        { requiredKeys: ['action'] },
      ),
      fc.dictionary(fc.string({ maxLength: 10 }), fc.anything({ maxDepth: 1 }), { maxKeys: 3 }),
    )
    .map(([frame, extra]) => JSON.stringify({ ...extra, ...frame }));

  /** A valid frame for each action, built from ids that exist, with up to two fields made hostile: these reach past validation. */
  const nearValidFrame = fc
    .tuple(fc.constantFrom(...routed), fc.dictionary(fc.constantFrom(...fieldNames), hostileValue, { maxKeys: 2 }), requestId)
    .map(([action, hostile, rid]) => {
      const [session_id, message_id, store_id, product_id, , other_admin] = knownIds;
      const valid: Record<string, Record<string, unknown>> = {
        claim: { session_id },
        release: { session_id },
        transfer: { session_id, admin_id: other_admin },
        send: { session_id, content: 'Hello', product_id },
        close: { session_id },
        read: { session_id, up_to_id: message_id },
        typing: { session_id, is_typing: true },
        block: { store_id },
        unblock: { store_id },
        hide: { message_id },
        unhide: { message_id },
      };
      return JSON.stringify({ ...valid[action], ...hostile, action, ...(rid === undefined ? {} : { request_id: rid }) });
    });

  it('answers arbitrary text, JSON and binary frames with one error frame each, and the socket still answers ping', async () => {
    const frames: fc.Arbitrary<FrameSpec> = fc.oneof(
      fc.string({ maxLength: 100 }),
      fc.string({ unit: 'binary', maxLength: 100 }),
      fc.json({ maxDepth: 3 }),
      fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
      fc.uint8Array({ maxLength: 200 }),
      fc.constantFrom('', 'null', '[]', '{}', '"ping"', '{"action":null}', '{"action":["ping"]}', '{"action":{"toString":"ping"}}', '{"action":"$connect"}', '{"action":"$disconnect"}', '{"action":"$default"}'),
      fc.integer({ min: 1_000, max: 16_000 }).map((depth) => ({ deepArray: depth })),
      fc.integer({ min: 1_000, max: 5_000 }).map((depth) => ({ pingWithDeepObject: depth })),
    );
    // 16,000 levels is 32,000 bytes: the deepest array a frame can hold.
    await runFrames(frames, buildFrame, 60, [[{ deepArray: 16_000 }], [{ pingWithDeepObject: 5_000 }]]);
  }, 60_000);

  it('answers frames naming every manifest action, with hostile fields, by a result or a non-5xx error frame with the envelope, and the socket still answers ping', async () => {
    await runFrames(fc.oneof(actionFrame, nearValidFrame), asIs, 80);
  }, 60_000);

  it('answers frames up to 32 KB; the gateway closes the connection for a larger one, and a new connection works', async () => {
    // Generates the frame's size in bytes; the frame is a ping padded to exactly that size.
    const size = fc.integer({ min: limits.wsFrameMaxBytes - 64, max: limits.wsFrameMaxBytes + 64 });
    await runFrames(size, paddedPing, 20, [[limits.wsFrameMaxBytes], [limits.wsFrameMaxBytes + 1]]);
  }, 60_000);
});
