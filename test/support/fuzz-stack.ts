import type { IssuedCredential } from '../../lib/ops/principals';
import type { HttpRouteSpec } from '../../lib/routes';
import { FrameSocket } from './frame-socket';
import { useTestStack } from './harness';
import { pathFor } from './valid-calls';

/**
 * A stack for hostile HTTP input, with an admin and a store that has a session
 * (for routes that read one), set in beforeAll. After each test it checks the
 * gateways survived whatever came before: a valid send still gets 200, a socket
 * still answers. Call it inside a describe.
 */
export function useFuzzStack() {
  const stack = useTestStack({ s3Port: 0 });
  const fuzz = {
    stack,
    admin: undefined as unknown as IssuedCredential,
    /** A store with a session, for routes that read one. */
    reader: undefined as unknown as IssuedCredential,
    sessionId: 0,
    /** The route's store token (this store's) or the admin's. */
    tokenFor: (route: HttpRouteSpec, store: IssuedCredential) => (route.auth === 'store' ? store.token : fuzz.admin.token),
    /** The route's path, {session_id} being the reader's session and {store_id} the reader. */
    pathOf: (route: HttpRouteSpec) => pathFor(route.path, { session_id: fuzz.sessionId, store_id: fuzz.reader.id }),
  };

  beforeAll(async () => {
    fuzz.admin = await stack.createAdmin('Fuzz Admin');
    fuzz.reader = await stack.createStore('Reader');
    const sent = await stack.post('/v1/chat/store/message/', { token: fuzz.reader.token, body: { content: 'a session to read' } });
    fuzz.sessionId = (sent.json as { session: { id: number } }).session.id;
  });

  afterEach(async () => {
    const survivor = await stack.createStore('Survivor');
    const sent = await stack.post('/v1/chat/store/message/', { token: survivor.token, body: { content: 'still here' } });
    expect(sent.status).toBe(200);
    const socket = await FrameSocket.open(`${stack.wsUrl}/?token=${fuzz.admin.token}`);
    await socket.ping('survivor');
    await socket.close();
  });

  return fuzz;
}
