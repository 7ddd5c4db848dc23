import { randomUUID } from 'node:crypto';
import { listAdminConnections } from '../../lib/entities/connection';
import { chat } from '../support/chat';
import { useTestStack } from '../support/harness';
import { activeSessionId, chatEntries } from '../support/inspect';

/** Sizes: bounded, so the run stops by itself in well under a minute on two cores. */
const S = Number(process.env.STRESS_STORES ?? 25);
const M = Number(process.env.STRESS_MESSAGES ?? 20);
const A = Number(process.env.STRESS_ADMINS ?? 20);
/** Share of sends retried with the same client_message_id, as a flaky mobile network does. */
const retryShare = 0.15;
const concurrency = 16;

async function inPool<T>(items: T[], size: number, work: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  await Promise.all(Array.from({ length: size }, async () => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) await work(item);
  }));
}

describe('load: S stores × M messages while A admins listen', () => {
  const stack = useTestStack({ extraEnv: { STORE_SEND_LIMIT: String(M * 4) } });
  const use = chat(stack);

  afterAll(() => use.closeSockets());

  it('stores every message exactly once, and every admin gets each one pushed or recovers it from history', async () => {
    // Arrange: A admins online; one of them behind a broken @connections, so it must recover from history.
    const admins = await Promise.all(Array.from({ length: A }, (_, i) => use.admin(`Admin ${i}`)));
    const [broken] = await listAdminConnections({ db: stack.deps.db, table: stack.tables.connections }, admins[0]!.id);
    const brokenId = broken!.connection_id;
    stack.ws.setPushFault((connectionId) => (connectionId === brokenId ? 'error' : undefined));
    const stores = await Promise.all(Array.from({ length: S }, (_, i) => stack.createStore(`Store ${i}`)));
    const started = Date.now();

    // Act: each store sends its M messages in order; stores run side by side; some sends are retried.
    let retries = 0;
    await inPool(stores, concurrency, async (store) => {
      for (let i = 0; i < M; i++) {
        const body = { content: `${store.id}:${i}`, client_message_id: `${store.id}-${i}-${randomUUID().slice(0, 8)}` };
        const first = await stack.post('/v1/chat/store/message/', { token: store.token, body });
        expect(first.status).toBe(200);
        if (Math.random() < retryShare) {
          retries++;
          const again = await stack.post('/v1/chat/store/message/', { token: store.token, body });
          expect((again.json as { message: { id: number } }).message.id).toBe((first.json as { message: { id: number } }).message.id);
        }
      }
    });
    const elapsed = Date.now() - started;
    await Promise.all(admins.map((admin) => admin.socket.barrier()));

    // Assert: stored exactly once, in order, per store.
    const storedBySession = new Map<number, number[]>();
    let stored = 0;
    let storedDuplicates = 0;
    for (const store of stores) {
      const sessionId = (await activeSessionId(stack, store.id))!;
      const entries = (await chatEntries(stack, sessionId)).filter((e) => e.sender_type === 'store');
      expect(entries.map((e) => e.content)).toEqual(Array.from({ length: M }, (_, i) => `${store.id}:${i}`));
      storedDuplicates += entries.length - new Set(entries.map((e) => e.client_message_id)).size;
      stored += entries.length;
      storedBySession.set(sessionId, entries.map((e) => e.id));
    }

    // Every admin: pushed, or recovered from history.
    let delivered = 0;
    let recovered = 0;
    let duplicateFrames = 0;
    let lost = 0;
    for (const admin of admins) {
      const frames = admin.socket.ofType('message.created').map((f) => (f.message as { id: number }).id);
      const seen = new Set(frames);
      duplicateFrames += frames.length - seen.size;
      delivered += seen.size;
      for (const [sessionId, ids] of storedBySession) {
        const missing = ids.filter((id) => !seen.has(id));
        if (missing.length === 0) continue;
        const history = await use.adminHistory(admin.token, sessionId, { limit: 100 });
        const inHistory = new Set(history.messages.map((m) => m.id));
        for (const id of missing) {
          if (inHistory.has(id)) recovered++;
          else lost++;
        }
      }
    }

    const figures = { S, M, A, sent: S * M, retries, stored, storedDuplicates, delivered, recovered, duplicateFrames, lost, seconds: elapsed / 1000 };
    process.stdout.write(`\n| ${Object.keys(figures).join(' | ')} |\n| ${Object.keys(figures).map(() => '---').join(' | ')} |\n| ${Object.values(figures).join(' | ')} |\n\n`);
    expect(stored).toBe(S * M);
    expect(storedDuplicates).toBe(0);
    expect(lost).toBe(0);
    expect(delivered + recovered).toBe(S * M * A);
    expect(duplicateFrames).toBe(0);
    // At least the broken admin's share; a push that times out under load is recovered the same way.
    expect(recovered).toBeGreaterThanOrEqual(S * M);
  }, 180_000);
});
