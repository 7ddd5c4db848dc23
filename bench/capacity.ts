import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { principalKey } from '../lib/entities/principal';
import type { IssuedCredential } from '../lib/ops/principals';
import type { OnlineAdmin } from './admins';
import type { BenchEnv } from './env';
import { clientMessageId, messageText } from './http';
import type { MeterReading } from './meter';
import { sleep } from './stats';

/** What one metered operation read: the meter, and the items it returned when it is a page. */
export type Metered = Pick<CapacityRow, 'reading' | 'items'>;

/** A section 5 row from a metered operation. */
export const rowOf = (operation: string, admins: number, measured: Metered, extra: Pick<CapacityRow, 'sessionEntries'> = {}): CapacityRow => ({
  operation,
  admins,
  ...extra,
  ...measured,
});

export interface CapacityRow {
  operation: string;
  /** Admins online when it ran. */
  admins: number;
  /** Entries in the session before it ran, when that matters. */
  sessionEntries?: number;
  /** Items the request returned (pages). */
  items?: number;
  reading: MeterReading;
}

/**
 * Runs one operation alone: the meter is reset before and read after, with
 * nothing else in flight, so the reading is that operation's cost.
 *
 * Every caller sends an unmeasured request of the same token to the same
 * function right before (a warm-up): the measured request is never the first
 * of its token in that function, so a per-instance token cache, if the code
 * has one, is warm — the warm path issue 12 sets its goals on. The cache's TTL
 * (limits.identityCacheTtlSeconds) is far longer than the gap.
 */
export async function metered(env: BenchEnv, run: () => Promise<number | void>): Promise<Metered> {
  env.meter.reset();
  const items = await run();
  // Anything the gateway still does after answering (nothing, normally) lands before the read.
  await sleep(50);
  return { reading: env.meter.read(), ...(typeof items === 'number' ? { items } : {}) };
}

/**
 * A later message: one unmeasured send of the same store first (the warm-up, which also opens the
 * session of a store that has none), then `beforeMeasure`, then the measured send.
 * `entriesBefore` counts the session's entries before the warm-up; the row reports them before the measured send.
 */
export async function laterMessage(
  env: BenchEnv,
  store: IssuedCredential,
  admins: number,
  entriesBefore?: number,
  beforeMeasure?: () => Promise<void>,
): Promise<CapacityRow> {
  await env.client.send(store.token, messageText('cap-warm'), clientMessageId('cap-warm'));
  await beforeMeasure?.();
  const { reading } = await metered(env, async () => void (await env.client.send(store.token, messageText('cap'), clientMessageId('cap'))));
  return { operation: 'later store message (text, 100 chars, client_message_id)', admins, ...(entriesBefore !== undefined ? { sessionEntries: entriesBefore + 1 } : {}), reading };
}

/** The store's presence stamp is written at most once a minute; this makes the next send find it a minute old. */
export async function ageLastSeen(env: BenchEnv, storeId: number): Promise<void> {
  await env.stack.deps.db.send(
    new UpdateCommand({
      TableName: env.stack.tables.chat,
      Key: principalKey('store', storeId),
      UpdateExpression: 'SET last_seen_at = :old',
      ExpressionAttributeValues: { ':old': new Date(Date.now() - 120_000).toISOString() },
    }),
  );
}

export interface SmallSessionOps {
  sessionId: number;
  rows: CapacityRow[];
}

/** First message, a later one in a 10-entry session, the same after a minute idle, a history page and an inbox page. */
export async function smallSessionOps(env: BenchEnv, store: IssuedCredential, admin: OnlineAdmin, admins: number): Promise<SmallSessionOps> {
  const rows: CapacityRow[] = [];
  let sessionId = 0;
  // The warm-up of a first message must not open the session: an empty body is refused before that.
  await env.client.refusedSend(store.token);
  const first = await metered(env, async () => {
    sessionId = (await env.client.send(store.token, messageText('cap'), clientMessageId('cap'))).body.session.id;
  });
  rows.push({ operation: 'first store message of a session', admins, sessionEntries: 0, reading: first.reading });
  for (let i = 0; i < 8; i++) await env.client.send(store.token, messageText('cap'), clientMessageId('cap'));
  // 9 entries, the warm-up makes 10 before the measured send.
  rows.push(await laterMessage(env, store, admins, 9));
  // The warm-up would refresh a stale stamp, so the stamp is aged after it.
  const idle = await laterMessage(env, store, admins, 11, () => ageLastSeen(env, store.id));
  rows.push({ ...idle, operation: 'later store message after ≥ 60 s idle (last_seen_at stale)' });
  rows.push(await historyPage(env, admin, sessionId, admins, 13));
  rows.push(await inboxPage(env, admin, admins, 'before seeding'));
  return { sessionId, rows };
}

export async function historyPage(env: BenchEnv, admin: OnlineAdmin, sessionId: number, admins: number, sessionEntries: number): Promise<CapacityRow> {
  await env.client.history(admin.token, sessionId, 50);
  const page = await metered(env, async () => (await env.client.history(admin.token, sessionId, 50)).body.messages.length);
  return rowOf('history page (GET admin messages, limit 50)', admins, page, { sessionEntries });
}

export async function inboxPage(env: BenchEnv, admin: OnlineAdmin, admins: number, when: string): Promise<CapacityRow> {
  await env.client.inbox(admin.token, 20);
  const page = await metered(env, async () => (await env.client.inbox(admin.token, 20)).body.sessions.length);
  return rowOf(`inbox page (GET admin sessions, open, limit 20), ${when}`, admins, page);
}

/** Claim, then an admin reply over the WebSocket (no authorizer: WebSocket routes inherit $connect's principal). */
export async function adminOps(env: BenchEnv, admin: OnlineAdmin, sessionId: number, admins: number): Promise<CapacityRow[]> {
  const expectResult = (frame: Record<string, unknown>) => {
    if (frame.type !== 'result') throw new Error(`admin action failed: ${JSON.stringify(frame)}`);
  };
  const claim = await metered(env, async () => expectResult(await admin.socket.request({ action: 'claim', session_id: sessionId })));
  const reply = await metered(env, async () =>
    expectResult(await admin.socket.request({ action: 'send', session_id: sessionId, content: messageText('reply'), client_message_id: clientMessageId('reply') })),
  );
  return [
    { operation: 'claim (WS)', admins, reading: claim.reading },
    { operation: 'admin reply (WS send after claim)', admins, reading: reply.reading },
  ];
}

/** A batch of 10 into an open session (POST /v1/chat/store/messages/). */
export async function batchOfTen(env: BenchEnv, store: IssuedCredential, admins: number): Promise<CapacityRow> {
  await env.client.send(store.token, messageText('batch-open'), clientMessageId('batch-open'));
  // The warm-up for the batch function: a batch of one.
  await env.client.sendBatch(store.token, [{ content: messageText('batch-warm'), client_message_id: clientMessageId('batch-warm') }]);
  const messages = Array.from({ length: 10 }, () => ({ content: messageText('batch'), client_message_id: clientMessageId('batch') }));
  const batch = await metered(env, async () => (await env.client.sendBatch(store.token, messages)).body.messages.length);
  return rowOf('batch of 10 store messages (later, open session)', admins, batch);
}

export interface StorePolls {
  rows: CapacityRow[];
  /** The body of a poll that found nothing new, as received: what CloudFront sends back for each. */
  emptyResponseBytes: number;
  /** The body of the poll that picked up one reply. */
  pickUpResponseBytes: number;
  /** The id the store holds last: the empty polls ask for what comes after it. */
  lastId: number;
}

/**
 * A store app waiting on its chat screen without a socket polls `GET /v1/chat/store/messages/?after=<last id>`
 * (issue 13 point 7): nothing new, nothing new once a minute (its presence stamp, last_seen_at, is then a
 * minute old and the read writes it again), and the poll that picks up an admin reply (which marks it
 * delivered). The session must be claimed by `admin`.
 */
export async function storePolls(env: BenchEnv, store: IssuedCredential, admin: OnlineAdmin, sessionId: number, admins: number): Promise<StorePolls> {
  const reply = async (tag: string): Promise<number> => {
    const answer = await admin.socket.request({ action: 'send', session_id: sessionId, content: messageText(tag), client_message_id: clientMessageId(tag) });
    const message = answer.message as { id?: unknown } | undefined;
    if (answer.type !== 'result' || typeof message?.id !== 'number') throw new Error(`admin reply failed: ${JSON.stringify(answer)}`);
    return message.id;
  };
  const rows: CapacityRow[] = [];
  const lastId = await reply('poll-reply');
  await env.client.storeMessages(store.token, lastId);
  let emptyResponseBytes = 0;
  const empty = await metered(env, async () => {
    const page = await env.client.storeMessages(store.token, lastId);
    emptyResponseBytes = page.bytes;
    return page.body.messages.length;
  });
  rows.push(rowOf('store poll, nothing new (GET store messages ?after=<last id>)', admins, empty));
  await ageLastSeen(env, store.id);
  const stale = await metered(env, async () => (await env.client.storeMessages(store.token, lastId)).body.messages.length);
  rows.push(rowOf('store poll, nothing new, last_seen_at ≥ 60 s old (once a minute)', admins, stale));
  const next = await reply('poll-reply');
  // The warm-up asks past the new reply, so it finds nothing and marks nothing delivered.
  await env.client.storeMessages(store.token, next);
  let pickUpResponseBytes = 0;
  const pickUp = await metered(env, async () => {
    const page = await env.client.storeMessages(store.token, lastId);
    pickUpResponseBytes = page.bytes;
    return page.body.messages.length;
  });
  rows.push(rowOf('store poll that picks up one admin reply (marks it delivered)', admins, pickUp));
  return { rows, emptyResponseBytes, pickUpResponseBytes, lastId: next };
}
