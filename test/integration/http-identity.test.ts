import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { authenticateHttpRequest } from '../../lib/auth/http-identity';
import { createIdentityCache } from '../../lib/auth/identity-cache';
import type { Clock } from '../../lib/clock';
import { chatTableRef, createDeps, type Deps } from '../../lib/deps';
import { hashToken, revokeToken } from '../../lib/entities/token';
import { ForbiddenError, ServiceUnavailableError, UnauthorizedError } from '../../lib/errors';
import { originVerifyHeader } from '../../lib/http/origin';
import { useTestStack } from '../support/harness';

/** Where an HTTP request is authenticated, against DynamoDB Local: which answers cost a token read, which do not. */
describe('authenticateHttpRequest', () => {
  const stack = useTestStack();
  const made: Deps[] = [];
  afterAll(() => made.forEach((deps) => deps.db.destroy()));

  /** Real clients that count the token GetItems they send, a fresh cache on a clock the test moves, and the origin secret. */
  function instance(env: Record<string, string> = {}) {
    let now = Date.parse('2026-01-01T10:00:00.000Z');
    const clock: Clock = { now: () => now };
    const reads: string[] = [];
    const base = createDeps({ ...stack.env, ORIGIN_VERIFY_SECRETS: 'edge-secret', ...env });
    made.push(base);
    base.db.middlewareStack.add(
      (next, context) => async (args) => {
        const key = /"TOKEN#[0-9a-f]{64}"/.exec(JSON.stringify((args.input as { Key?: unknown }).Key ?? null));
        if (context.commandName === 'GetItemCommand' && key) reads.push(JSON.parse(key[0]) as string);
        return next(args);
      },
      { step: 'initialize', name: 'countTokenReads' },
    );
    const identities = createIdentityCache({ clock, ttlMs: 30_000 });
    const deps: Deps = { ...base, identities };
    return { deps, identities, reads, advance: (ms: number) => void (now += ms) };
  }

  const event = (headers: Record<string, string>): APIGatewayProxyEventV2 => ({ headers: { [originVerifyHeader]: 'edge-secret', ...headers } }) as unknown as APIGatewayProxyEventV2;
  const withToken = (token: string) => event({ authorization: `Token ${token}` });

  it('reads a token once, then answers from the cache within the TTL, keyed by its hash', async () => {
    const store = await stack.createStore();
    const { deps, identities, reads } = instance();

    const first = await authenticateHttpRequest('store', withToken(store.token), deps);
    const second = await authenticateHttpRequest('store', withToken(store.token), deps);

    expect(first).toEqual({ kind: 'store', id: store.id });
    expect(second).toEqual(first);
    expect(reads).toEqual([`TOKEN#${hashToken(store.token)}`]);
    expect(identities.get(hashToken(store.token))).toEqual(first);
    expect(identities.get(store.token)).toBeUndefined();
  });

  it('sees a revocation once the TTL has passed', async () => {
    const store = await stack.createStore();
    const { deps, reads, advance } = instance();
    await authenticateHttpRequest('store', withToken(store.token), deps);
    await revokeToken(chatTableRef(stack.deps), store.token);

    const cached = await authenticateHttpRequest('store', withToken(store.token), deps);
    advance(30_000);
    const afterTtl = authenticateHttpRequest('store', withToken(store.token), deps);

    expect(cached).toEqual({ kind: 'store', id: store.id });
    await expect(afterTtl).rejects.toBeInstanceOf(UnauthorizedError);
    expect(reads).toHaveLength(2);
  });

  it('does not cache an unknown token: one issued a moment later works on the next request', async () => {
    const { deps, identities, reads } = instance();
    const token = `store_${'Q'.repeat(40)}`;

    const unknown = authenticateHttpRequest('store', withToken(token), deps);
    await expect(unknown).rejects.toBeInstanceOf(UnauthorizedError);
    const again = authenticateHttpRequest('store', withToken(token), deps);
    await expect(again).rejects.toBeInstanceOf(UnauthorizedError);

    expect(reads).toHaveLength(2);
    expect(identities.size).toBe(0);
    const store = await stack.createStore();
    await expect(authenticateHttpRequest('store', withToken(store.token), deps)).resolves.toEqual({ kind: 'store', id: store.id });
  });

  it.each([
    ['no Authorization header', {}],
    ['another scheme', { authorization: 'Bearer store_abc' }],
    ['a value that cannot be a token', { authorization: 'Token store_short' }],
  ])('answers 401 to %s without a read', async (_name, headers) => {
    const { deps, reads } = instance();

    const result = authenticateHttpRequest('store', event(headers), deps);

    await expect(result).rejects.toBeInstanceOf(UnauthorizedError);
    expect(reads).toEqual([]);
  });

  it('answers 403 Forbidden to a request that bypassed CloudFront before reading its token', async () => {
    const store = await stack.createStore();
    const { deps, reads } = instance();

    const result = authenticateHttpRequest('store', { headers: { authorization: `Token ${store.token}` } } as unknown as APIGatewayProxyEventV2, deps);

    await expect(result).rejects.toEqual(new ForbiddenError());
    expect(reads).toEqual([]);
  });

  it('answers 403 with the route kind to a principal of the other kind, cached or not', async () => {
    const admin = await stack.createAdmin();
    const { deps } = instance();

    const first = authenticateHttpRequest('store', withToken(admin.token), deps);
    await expect(first).rejects.toEqual(new ForbiddenError('This endpoint requires a store token'));
    const cached = authenticateHttpRequest('store', withToken(admin.token), deps);

    await expect(cached).rejects.toEqual(new ForbiddenError('This endpoint requires a store token'));
    await expect(authenticateHttpRequest('admin', withToken(admin.token), deps)).resolves.toEqual({ kind: 'admin', id: admin.id });
  });

  it('answers 503 when the token cannot be read, and caches nothing', async () => {
    const store = await stack.createStore();
    const { deps, identities } = instance({ DYNAMODB_ENDPOINT: 'http://127.0.0.1:9' });

    const result = authenticateHttpRequest('store', withToken(store.token), deps);

    await expect(result).rejects.toEqual(new ServiceUnavailableError('Authentication is temporarily unavailable'));
    expect(identities.size).toBe(0);
  });
});
