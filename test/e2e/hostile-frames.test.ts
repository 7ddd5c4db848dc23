import fc from 'fast-check';
import { chatTableRef } from '../../lib/deps';
import { limits } from '../../lib/limits';
import type { IssuedCredential } from '../../lib/ops/principals';
import { importProducts } from '../../lib/ops/products';
import { wsAdmits, wsRoutes } from '../../lib/routes';
import { FrameSocket } from '../support/frame-socket';
import { useTestStack } from '../support/harness';
import { deepArray, deepObject, envelopeProblem, fieldNames, hostileNumber, hostileValue, isRecord, runs, stackTrace } from '../support/hostile';

const frameBytes = (frame: string | Uint8Array) => (typeof frame === 'string' ? Buffer.byteLength(frame, 'utf8') : frame.length);

/** A ping padded to exactly `bytes` bytes. */
const paddedPing = (bytes: number) => {
  const head = '{"action":"ping","request_id":"padded","pad":"';
  return `${head}${'a'.repeat(bytes - head.length - 2)}"}`;
};

/* ------------------------------------------------------------------ */
/* WebSocket frames, on a stack of their own: random actions may block  */
/* stores, close sessions and hide messages.                            */
/* ------------------------------------------------------------------ */

describe('hostile WebSocket frames', () => {
  const stack = useTestStack({ s3Port: 0 });
  let admin: IssuedCredential;
  let store: IssuedCredential;
  let knownIds: number[];
  const routeKeys = wsRoutes.map((route) => route.routeKey);
  const routed = new Set(routeKeys.filter((key) => !key.startsWith('$')));
  /** The actions a store's socket may send (README "Store WebSocket"); the others answer 403. */
  const storeActions = new Set(wsRoutes.filter((route) => wsAdmits(route.auth, 'store')).map((route) => route.routeKey));

  beforeAll(async () => {
    admin = await stack.createAdmin('Frames');
    const other = await stack.createAdmin('Other');
    store = await stack.createStore('Frames Store');
    const [product] = (await importProducts(chatTableRef(stack.deps), store.id, [{ sku: 'F-1', price: 1 }])).products;
    const sent = (await stack.post('/v1/chat/store/message/', { token: store.token, body: { content: 'hello' } })).json as { session: { id: number }; message: { id: number } };
    knownIds = [sent.session.id, sent.message.id, store.id, product!.id, admin.id, other.id];
  });

  afterEach(async () => {
    const survivor = await stack.createStore('Survivor');
    expect((await stack.post('/v1/chat/store/message/', { token: survivor.token, body: { content: 'still here' } })).status).toBe(200);
  });

  const openAs = (kind: 'admin' | 'store') => FrameSocket.open(`${stack.wsUrl}/?token=${kind === 'admin' ? admin.token : store.token}`);

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

  function answerProblem(answer: Record<string, unknown>, frame: string | Uint8Array, kind: 'admin' | 'store'): string | undefined {
    const echo = expectedEcho(frame);
    if (answer.action !== echo.action) return `action ${JSON.stringify(answer.action)}, expected ${JSON.stringify(echo.action)}`;
    if (answer.request_id !== echo.request_id) return `request_id ${JSON.stringify(answer.request_id)}, expected ${JSON.stringify(echo.request_id)}`;
    if (kind === 'store' && echo.action !== null && routed.has(echo.action) && !storeActions.has(echo.action)) {
      if (answer.status !== 403 || answer.error !== 'This action requires an admin token') return `a store's ${echo.action} answered ${JSON.stringify(answer)}, expected the 403`;
    }
    if (answer.type === 'result') return undefined;
    if (typeof answer.status !== 'number' || answer.status < 400 || answer.status >= 500) return `error status ${String(answer.status)}`;
    if (answer.status === 401) return `a${kind === 'admin' ? 'n admin' : ' store'} socket was told it is unauthenticated`;
    return envelopeProblem(answer, ['type', 'action', 'request_id', 'status']);
  }

  /** Sends one frame and checks its answer; over 32 KB, checks the gateway closed the socket and a new one works. */
  async function sendHostile(socket: FrameSocket, frame: string | Uint8Array, counter: { n: number }, kind: 'admin' | 'store'): Promise<FrameSocket> {
    const label = typeof frame === 'string' ? `frame ${JSON.stringify(frame.slice(0, 300))} (${frameBytes(frame)} bytes)` : `binary frame of ${frame.length} bytes`;
    if (frameBytes(frame) > limits.wsFrameMaxBytes) {
      socket.send(frame);
      const code = await socket.waitFor(() => socket.closedWith, `the gateway to close the socket after a ${label}`);
      if (code !== 1009) throw new Error(`${label}: closed with ${code}, expected 1009 (message too big)`);
      const fresh = await openAs(kind);
      await fresh.ping(`after-close-${counter.n++}`);
      return fresh;
    }
    const from = socket.received.length;
    socket.send(frame);
    const answer = await socket.answerFrom(from, `an answer to the ${label}`);
    const problem = answerProblem(answer, frame, kind);
    if (problem) throw new Error(`${label}: ${problem}\n  answer ${JSON.stringify(answer).slice(0, 600)}`);
    await socket.ping(`alive-${counter.n++}`);
    const odd = socket.received.slice(from).filter((f) => !isRecord(f) || typeof f.type !== 'string');
    if (odd.length > 0) throw new Error(`${label}: frames without a type (gateway errors?) ${JSON.stringify(odd).slice(0, 600)}`);
    if (stackTrace.test(JSON.stringify(socket.received.slice(from)))) throw new Error(`${label}: a stack trace in a frame`);
    return socket;
  }

  /** Sends each generated frame on one admin (or store) socket (a fresh one after the gateway closes it). */
  async function runFrames<T>(
    frames: fc.Arbitrary<T>,
    toFrame: (value: T) => string | Uint8Array,
    numRuns: number,
    examples: [T][] = [],
    kind: 'admin' | 'store' = 'admin',
  ): Promise<void> {
    let socket = await openAs(kind);
    const counter = { n: 0 };
    try {
      await fc.assert(
        fc.asyncProperty(frames, async (value) => {
          socket = await sendHostile(socket, toFrame(value), counter, kind);
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

  it("answers a store socket's hostile frames the same way, every admin action with 403 'This action requires an admin token'", async () => {
    await runFrames(fc.oneof(actionFrame, nearValidFrame), asIs, 60, [], 'store');
  }, 60_000);

  it("closes a store's socket for a frame over 32 KB, like an admin's, and a new connection works", async () => {
    await runFrames(fc.integer({ min: limits.wsFrameMaxBytes - 8, max: limits.wsFrameMaxBytes + 8 }), paddedPing, 6, [[limits.wsFrameMaxBytes + 1]], 'store');
  }, 60_000);

  it('answers frames up to 32 KB; the gateway closes the connection for a larger one, and a new connection works', async () => {
    // Generates the frame's size in bytes; the frame is a ping padded to exactly that size.
    const size = fc.integer({ min: limits.wsFrameMaxBytes - 64, max: limits.wsFrameMaxBytes + 64 });
    await runFrames(size, paddedPing, 20, [[limits.wsFrameMaxBytes], [limits.wsFrameMaxBytes + 1]]);
  }, 60_000);
});
