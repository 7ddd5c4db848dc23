import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { chatTableRef } from '../../lib/deps';
import { revokeToken } from '../../lib/entities/token';
import { useTestStack } from '../support/harness';

/** Token GetItems every function of the stack sends, read through the functions' own client hooks. */
const tokenReads: string[] = [];
function countTokenReads(client: DynamoDBDocumentClient): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const key = /"TOKEN#[0-9a-f]{64}"/.exec(JSON.stringify((args.input as { Key?: unknown }).Key ?? null));
      if (context.commandName === 'GetItemCommand' && key) tokenReads.push(JSON.parse(key[0]) as string);
      return next(args);
    },
    { step: 'initialize', name: 'countTokenReads' },
  );
}

const ttlMs = 1_500;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * HTTP routes authenticate in their own function with a per-instance identity cache
 * (lib/auth/http-identity.ts): a warm request costs no token read, and a revoked token
 * stops working once the cache's TTL has passed (README "Rotating tokens"). The TTL is
 * shortened here so the test need not wait 30 s.
 */
describe('the per-instance identity cache over HTTP', () => {
  const stack = useTestStack({ identityCacheTtlMs: ttlMs, clientHooks: { dynamodb: countTokenReads } });

  it('reads the token for the first request only: a second request with the same token makes no token GetItem', async () => {
    const store = await stack.createStore();
    const first = await stack.get('/v1/chat/store/session', { token: store.token });
    const readsAfterFirst = tokenReads.length;

    const second = await stack.get('/v1/chat/store/session', { token: store.token });

    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(readsAfterFirst).toBeGreaterThanOrEqual(1);
    expect(tokenReads.length).toBe(readsAfterFirst);
  });

  it('answers a revoked token from the cache within the TTL, and 401 once it has passed', async () => {
    const store = await stack.createStore();
    const cached = await stack.get('/v1/chat/store/session', { token: store.token });
    await revokeToken(chatTableRef(stack.deps), store.token);

    const withinTtl = await stack.get('/v1/chat/store/session', { token: store.token });
    await sleep(ttlMs + 100);
    const afterTtl = await stack.get('/v1/chat/store/session', { token: store.token });

    expect(cached.status).toBe(200);
    expect(withinTtl.status).toBe(200);
    expect(afterTtl.status).toBe(401);
    expect(afterTtl.json).toEqual({ error: 'Unauthorized' });
  });

  it('caches per function, as each Lambda instance has its own: another route reads the token again', async () => {
    const store = await stack.createStore();
    await stack.get('/v1/chat/store/session', { token: store.token });
    const before = tokenReads.length;

    const other = await stack.get('/v1/chat/store/messages', { token: store.token });

    expect(other.status).toBe(200);
    expect(tokenReads.length).toBe(before + 1);
  });

  it('reads an unknown token every time, so a token issued a moment later works at once', async () => {
    const token = `store_${'Z'.repeat(40)}`;
    const before = tokenReads.length;

    const first = await stack.get('/v1/chat/store/session', { token });
    const second = await stack.get('/v1/chat/store/session', { token });

    expect([first.status, second.status]).toEqual([401, 401]);
    expect(tokenReads.length).toBe(before + 2);
  });
});
