import { png } from '../support/files';
import { HandshakeRejected, jsonOrUndefined, TestSocket, useTestStack, type HttpResult } from '../support/harness';
import { activeSessionId, chatEntries } from '../support/inspect';
import { routes, type HttpRouteSpec, type WsRouteSpec } from '../../lib/routes';
import { adminDoes, connectionCount, createWorld, unknownToken, upload, validCalls, type World } from '../support/valid-calls';
import { waitFor } from '../support/poll';

/** A credential, as the HTTP Authorization header and as the WebSocket ?token= value (undefined: none sent). */
interface Credential {
  name: string;
  http(world: World, auth: 'store' | 'admin'): string | undefined;
  ws(world: World): string | undefined;
}

const tokenOf = (w: World, auth: 'store' | 'admin') => (auth === 'store' ? w.owner.token : w.admin.token);

const credentials: Credential[] = [
  { name: 'none', http: () => undefined, ws: () => undefined },
  { name: "malformed 'Token !!!'", http: () => 'Token !!!', ws: () => '!!!' },
  { name: "malformed 'Bearer x'", http: () => 'Bearer x', ws: () => 'Bearer x' },
  { name: 'a valid token under another scheme', http: (w, auth) => `Bearer ${tokenOf(w, auth)}`, ws: (w) => `Bearer ${w.admin.token}` },
  { name: 'a valid token without its scheme', http: (w, auth) => tokenOf(w, auth), ws: (w) => `Token ${w.admin.token}` },
  { name: 'unknown store_ token', http: () => `Token ${unknownToken('store')}`, ws: () => unknownToken('store') },
  { name: 'unknown admin_ token', http: () => `Token ${unknownToken('admin')}`, ws: () => unknownToken('admin') },
  { name: 'revoked store token', http: (w) => `Token ${w.revoked.store}`, ws: (w) => w.revoked.store },
  { name: 'revoked admin token', http: (w) => `Token ${w.revoked.admin}`, ws: (w) => w.revoked.admin },
  { name: 'store', http: (w) => `Token ${w.owner.token}`, ws: (w) => w.owner.token },
  { name: 'another store', http: (w) => `Token ${w.other.token}`, ws: (w) => w.other.token },
  { name: 'admin', http: (w) => `Token ${w.admin.token}`, ws: (w) => w.admin.token },
];

const anonymous = new Set(credentials.slice(0, 9).map((c) => c.name));

type HttpOutcome = { status: 401 | 403; json: Record<string, unknown> } | 'success' | 'as another store';
type WsOutcome = { handshake: 401 | 403 } | { refused: Record<string, unknown> } | 'success';

/** The table: what each credential gets on each HTTP route. */
function httpOutcome(route: HttpRouteSpec, credential: string): HttpOutcome {
  if (anonymous.has(credential)) return { status: 401, json: { error: 'Unauthorized' } };
  const kind = credential === 'admin' ? 'admin' : 'store';
  if (kind !== route.auth) return { status: 403, json: { error: `This endpoint requires ${route.auth === 'admin' ? 'an admin' : 'a store'} token` } };
  return credential === 'another store' ? 'as another store' : 'success';
}

/**
 * ...and on each WebSocket route: admins and stores get past $connect (README "Store WebSocket"); a store's
 * frame for an admin's action gets the 403 error frame, and its typing into another store's session 404.
 */
function wsOutcome(key: string, route: WsRouteSpec, credential: string): WsOutcome {
  if (anonymous.has(credential)) return { handshake: 401 };
  if (credential === 'admin') return 'success';
  if (route.auth === 'admin') return { refused: { type: 'error', status: 403, error: 'This action requires an admin token' } };
  if (key === 'wsTyping' && credential === 'another store') return { refused: { type: 'error', status: 404, error: 'Session not found' } };
  return 'success';
}

const describeOutcome = (outcome: HttpOutcome | WsOutcome) => (typeof outcome === 'string' ? outcome : JSON.stringify(outcome));

describe('authorization matrix: every route and action against every credential', () => {
  // Each revoked token worked a moment before its revocation (test/support/valid-calls.ts), so with the
  // identity cache it would still work for up to its TTL: README "Rotating tokens", tested in
  // test/e2e/identity-cache.test.ts. Here every request reads its token, as after the TTL.
  const stack = useTestStack({ s3Port: 0, identityCacheTtlMs: 0 });
  const sockets: TestSocket[] = [];
  afterEach(async () => {
    await Promise.all(sockets.splice(0).map((socket) => socket.close()));
  });

  const open = async (token: string | undefined): Promise<TestSocket> => {
    const socket = await TestSocket.open(token === undefined ? `${stack.wsUrl}/` : `${stack.wsUrl}/?token=${encodeURIComponent(token)}`);
    sockets.push(socket);
    return socket;
  };

  const callHttp = async (route: HttpRouteSpec, authorization: string | undefined, call: { path: string; query?: Record<string, string | number>; body?: unknown }): Promise<HttpResult> => {
    const search = new URLSearchParams(Object.entries(call.query ?? {}).map(([k, v]): [string, string] => [k, String(v)])).toString();
    const response = await fetch(`${stack.httpUrl}${call.path}${search ? `?${search}` : ''}`, {
      method: route.method,
      headers: { ...(authorization === undefined ? {} : { authorization }), ...(route.method === 'GET' ? {} : { 'content-type': 'application/json' }) },
      ...(route.method === 'GET' ? {} : { body: JSON.stringify(call.body ?? {}) }),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, json: jsonOrUndefined(text), text };
  };

  async function checkHttpRoute(key: string, route: HttpRouteSpec, problems: string[]): Promise<void> {
    const recipe = validCalls[key];
    if (recipe?.api !== 'http') return;
    const world = await createWorld(stack);
    sockets.push(world.adminSocket);
    const call = await recipe.prepare(world);
    // Refusals first: they must change nothing, so the rightful call still succeeds after them.
    const ordered = [...credentials].sort((a, b) => Number(httpOutcome(route, a.name) === 'success') - Number(httpOutcome(route, b.name) === 'success'));
    for (const credential of ordered) {
      const expected = httpOutcome(route, credential.name);
      const label = `${route.method} ${route.path} (${key}) × ${credential.name}: expected ${describeOutcome(expected)}`;
      try {
        const response = await callHttp(route, credential.http(world, route.auth), call);
        if (expected === 'success') {
          expect({ status: response.status, json: response.json }).toMatchObject({ status: 200, json: recipe.success(world) });
        } else if (expected === 'as another store') {
          if (!recipe.asOtherStore) throw new Error('the recipe says nothing about another store');
          expect({ status: response.status, json: response.json }).toMatchObject(recipe.asOtherStore(world));
          expect(response.text).not.toContain(world.marker);
        } else {
          expect({ status: response.status, json: response.json }).toEqual(expected);
        }
      } catch (error) {
        problems.push(`${label}\n${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }

  async function checkWsRoute(key: string, route: WsRouteSpec, problems: string[]): Promise<void> {
    const recipe = validCalls[key];
    if (recipe?.api !== 'ws') return;
    const world = await createWorld(stack);
    sockets.push(world.adminSocket);
    const call = await recipe.prepare(world);
    const outcome = (credential: Credential) => wsOutcome(key, route, credential.name);
    // Refusals first: a refused frame must change nothing the rightful caller then relies on.
    const ordered = [...credentials].sort((a, b) => Number(outcome(a) === 'success') - Number(outcome(b) === 'success'));
    for (const credential of ordered) {
      const expected = outcome(credential);
      const label = `WebSocket ${route.routeKey} (${key}) × ${credential.name}: expected ${describeOutcome(expected)}`;
      try {
        let socket: TestSocket | undefined;
        let refused: number | undefined;
        try {
          socket = await open(credential.ws(world));
        } catch (error) {
          if (!(error instanceof HandshakeRejected)) throw error;
          refused = error.status;
        }
        if (typeof expected === 'object' && 'handshake' in expected) {
          expect({ handshake: refused ?? 'admitted' }).toEqual(expected);
          continue;
        }
        expect({ handshake: refused ?? 'admitted' }).toEqual({ handshake: 'admitted' });
        if (typeof expected === 'object') {
          if (call.kind !== 'frame') throw new Error('only frames are refused after the handshake');
          expect(await socket!.request(call.frame)).toMatchObject(expected.refused);
          continue;
        }
        const owner = credential.name === 'admin' ? world.admin : credential.name === 'store' ? world.owner : world.other;
        const kind = credential.name === 'admin' ? 'admin' : 'store';
        if (call.kind === 'frame') {
          const answer = await socket!.request(call.frame);
          expect(answer).toMatchObject(call.answer);
          // Whatever a rightful socket hears back, it is never an authentication refusal.
          expect([401, 403]).not.toContain(answer.status);
        } else if (call.kind === 'disconnect') {
          // The world holds one admin socket of its own.
          const others = kind === 'admin' ? 1 : 0;
          expect(await connectionCount(stack, kind, owner.id)).toBe(others + 1);
          await socket!.close();
          await waitFor(async () => (await connectionCount(stack, kind, owner.id)) === others, 'the closed connection to be removed');
        } else {
          expect(await socket!.request({ action: 'ping' })).toMatchObject({ type: 'result', action: 'ping' });
        }
      } catch (error) {
        problems.push(`${label}\n${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }

  it('gives each (route, credential) pair its outcome: 401 without a live token, 403 for the wrong kind, 404 for another store, success for the rightful caller', async () => {
    const problems: string[] = [];
    const manifest = Object.entries(routes) as [string, HttpRouteSpec | WsRouteSpec][];
    for (const [key, route] of manifest) {
      const recipe = validCalls[key];
      if (!recipe) problems.push(`${key}: the manifest route has no valid-call recipe in test/support/valid-calls.ts`);
      else if (recipe.api !== route.api) problems.push(`${key}: the recipe is for the ${recipe.api} API, the route is ${route.api}`);
    }
    for (const key of Object.keys(validCalls)) if (!(key in routes)) problems.push(`${key}: a recipe for a route the manifest does not have`);

    for (const [key, route] of manifest) {
      if (route.api === 'http') await checkHttpRoute(key, route, problems);
      else await checkWsRoute(key, route, problems);
    }

    expect(problems).toEqual([]);
  }, 120_000);

  describe("a store never reads or writes another store's resources", () => {
    it("answers 404 for another store's session in GET messages?session_id=, and none of its messages", async () => {
      const w = await createWorld(stack);
      sockets.push(w.adminSocket);

      const theirs = await stack.get('/v1/chat/store/messages/', { token: w.other.token, query: { session_id: w.sessionId } });
      const paged = await stack.get('/v1/chat/store/messages/', { token: w.other.token, query: { session_id: w.sessionId, after: w.messageId - 1 } });

      expect(theirs.status).toBe(404);
      expect(theirs.json).toEqual({ error: 'Session not found' });
      expect(paged.status).toBe(404);
      expect(theirs.text + paged.text).not.toContain(w.marker);
    });

    it("answers 404 when a store marks another store's message read, and the owner's receipt does not move", async () => {
      const w = await createWorld(stack);
      sockets.push(w.adminSocket);
      await adminDoes(w.adminSocket, { action: 'claim', session_id: w.sessionId });
      const reply = (await adminDoes(w.adminSocket, { action: 'send', session_id: w.sessionId, content: 'Hello from support' })).message as { id: number };

      const response = await stack.post('/v1/chat/store/messages/read/', { token: w.other.token, body: { up_to_id: reply.id } });
      const ownerView = await stack.get('/v1/chat/store/messages/', { token: w.owner.token });

      expect(response.status).toBe(404);
      expect(response.json).toEqual({ error: 'Message not found' });
      const listed = (ownerView.json as { messages: { id: number; status: string; read_at: string | null }[] }).messages.find((m) => m.id === reply.id);
      expect(listed).toMatchObject({ read_at: null });
      expect(listed?.status).not.toBe('read');
      expect(w.adminSocket.ofType('messages.read')).toEqual([]);
    });

    it("answers 404 when a store rates another store's closed session, which the owner can still rate", async () => {
      const w = await createWorld(stack);
      sockets.push(w.adminSocket);
      await adminDoes(w.adminSocket, { action: 'close', session_id: w.sessionId });

      const foreign = await stack.post('/v1/chat/store/rating/', { token: w.other.token, body: { session_id: w.sessionId, rating: 1, comment: 'sabotage' } });
      const own = await stack.post('/v1/chat/store/rating/', { token: w.owner.token, body: { session_id: w.sessionId, rating: 5 } });

      expect(foreign.status).toBe(404);
      expect(foreign.json).toEqual({ error: 'Session not found' });
      expect(own.status).toBe(200);
      expect((await chatEntries(stack, w.sessionId)).filter((e) => e.type === 'rating').map((e) => e.sender_id)).toEqual([w.owner.id]);
      expect(await activeSessionId(stack, w.other.id)).toBeUndefined();
    });

    it("refuses another store's uploaded attachment_url with 400 'Is not one of your uploads' and stores nothing", async () => {
      const w = await createWorld(stack);
      sockets.push(w.adminSocket);
      const ownersFile = await upload(stack, w.owner.token, 'store', png, 'receipt.png', 'image/png');

      const single = await stack.post('/v1/chat/store/message/', { token: w.other.token, body: { content: 'look', attachment_url: ownersFile } });
      const batch = await stack.post('/v1/chat/store/messages/', { token: w.other.token, body: { messages: [{ content: 'ok' }, { attachment_url: ownersFile }] } });
      const owners = await stack.post('/v1/chat/store/message/', { token: w.owner.token, body: { attachment_url: ownersFile } });

      expect(single.status).toBe(400);
      expect(single.json).toEqual({ error: 'Invalid request body', errors: { attachment_url: ['Is not one of your uploads'] } });
      expect(batch.status).toBe(400);
      expect(batch.json).toEqual({ error: 'Invalid request body', errors: { 'messages.1.attachment_url': ['Is not one of your uploads'] } });
      expect(await activeSessionId(stack, w.other.id)).toBeUndefined();
      expect(owners.status).toBe(200);
    });

    it("keeps uploads apart between stores and admins: neither can send the other's file", async () => {
      const w = await createWorld(stack);
      sockets.push(w.adminSocket);
      await adminDoes(w.adminSocket, { action: 'claim', session_id: w.sessionId });
      const adminsFile = await upload(stack, w.admin.token, 'admin', png, 'hint.png', 'image/png');
      const storesFile = await upload(stack, w.owner.token, 'store', png, 'receipt.png', 'image/png');

      const storeSendsAdmins = await stack.post('/v1/chat/store/message/', { token: w.owner.token, body: { attachment_url: adminsFile } });
      const adminSendsStores = await w.adminSocket.request({ action: 'send', session_id: w.sessionId, attachment_url: storesFile });

      expect(storeSendsAdmins.status).toBe(400);
      expect(storeSendsAdmins.json).toEqual({ error: 'Invalid request body', errors: { attachment_url: ['Is not one of your uploads'] } });
      expect(adminSendsStores).toMatchObject({ type: 'error', status: 400, errors: { attachment_url: ['Is not one of your uploads'] } });
      expect((await chatEntries(stack, w.sessionId)).map((e) => e.attachment_url).filter(Boolean)).toEqual([]);
    });

    it("answers 404 for another store's product, in a single send and a batch, revealing nothing and storing nothing", async () => {
      const w = await createWorld(stack);
      sockets.push(w.adminSocket);

      const single = await stack.post('/v1/chat/store/message/', { token: w.other.token, body: { content: 'this one', product_id: w.productId } });
      const batch = await stack.post('/v1/chat/store/messages/', { token: w.other.token, body: { messages: [{ product_id: w.productId }] } });

      expect(single.status).toBe(404);
      expect(single.json).toEqual({ error: 'Product not found', errors: { product_id: ['Product not found'] } });
      expect(batch.status).toBe(404);
      expect(batch.json).toEqual({ error: 'Product not found', errors: { 'messages.0.product_id': ['Product not found'] } });
      expect(single.text + batch.text).not.toContain('OWNER-LAMP');
      expect(await activeSessionId(stack, w.other.id)).toBeUndefined();
    });

    it("answers an admin's send of a product from another store than the session's with 404", async () => {
      const w = await createWorld(stack);
      sockets.push(w.adminSocket);
      const otherSession = (await stack.post('/v1/chat/store/message/', { token: w.other.token, body: { content: 'hi' } })).json as { session: { id: number } };
      await adminDoes(w.adminSocket, { action: 'claim', session_id: otherSession.session.id });

      const answer = await w.adminSocket.request({ action: 'send', session_id: otherSession.session.id, product_id: w.productId });

      expect(answer).toMatchObject({ type: 'error', status: 404, error: 'Product not found' });
      expect((await chatEntries(stack, otherSession.session.id)).filter((e) => e.sender_type === 'admin')).toEqual([]);
    });
  });
});

