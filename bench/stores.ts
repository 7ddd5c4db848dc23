import { connectionsTableRef } from '../lib/deps';
import { listPrincipalConnections } from '../lib/entities/connection';
import type { IssuedCredential } from '../lib/ops/principals';
import type { OnlineAdmin } from './admins';
import { metered, type CapacityRow, type StorePolls } from './capacity';
import type { BenchEnv } from './env';
import { clientMessageId, messageText } from './http';
import type { AdminSocket } from './socket';
import { median, nowMs, sleep, summarize, type Summary } from './stats';

/**
 * Stores in real time (issue 13 point 7): what an admin's reply takes to reach
 * a store's socket, and what a store's socket costs to hold, measured on the
 * same stack as the rest of the run. A store connects like an admin
 * (`?token=`), and its socket stamps each message.created on arrival like an
 * admin's (bench/socket.ts: the event envelope is the same).
 */

const deliveryWaitMs = 5000;
export const storeReplyPlan = { warmup: 5, measured: 40 } as const;

export interface StoreReplies {
  replies: number;
  /** The admin's frame sent → the store's socket holds that reply's message.created. */
  toStore: Summary;
  /** The same reply → the admin's own other socket holds it (the same fan-out, an admin audience): the baseline. */
  toAdminOther: Summary;
  /** The admin's frame sent → its result frame (the action awaits its pushes). */
  result: Summary;
  /** Deliveries still missing 5 s after the result. */
  missedStore: number;
  missedAdminOther: number;
  /** A store's message.created frame as received, for the WebSocket message metering and the data transfer. */
  storeFrameBytes: number;
  /** A reply metered before the store's socket opened, and one while it is open: what the socket adds to a reply. */
  replyWithoutSocket: CapacityRow;
  replyWithSocket: CapacityRow;
}

/** $connect, $disconnect and a ping of a store's socket, each metered alone, and their wall times. */
export interface StoreSocketCosts {
  rows: { connect: CapacityRow; disconnect: CapacityRow; ping: CapacityRow };
  /** Handshake start → open (authorizer and $connect both ran): median of the cycles. */
  handshakeMs: number;
  /** Close → the connection row gone ($disconnect ran): median of the cycles. */
  closeMs: number;
  /** Ping frame sent → its result: median. */
  pingMs: number;
  pingResultBytes: number;
  cycles: number;
}

/** Issue 13 point 7, for the report: a store's polls, its socket's costs, and admin replies to its socket. */
export interface LiveStores {
  polls: Omit<StorePolls, 'rows'>;
  socket: StoreSocketCosts;
  replies: StoreReplies;
}

const storePrincipal = (store: IssuedCredential) => ({ kind: 'store' as const, id: store.id });

/** $connect and $disconnect write and delete the row pushes read; waits until the index lists `count` for the store. */
async function untilStoreConnections(env: BenchEnv, store: IssuedCredential, count: number, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rows = await listPrincipalConnections(connectionsTableRef(env.stack.deps), storePrincipal(store));
    if (rows.length === count) return;
    if (Date.now() > deadline) throw new Error(`expected ${count} connection(s) of store ${store.id}, the index lists ${rows.length}`);
    await sleep(10);
  }
}

async function connectStore(env: BenchEnv, store: IssuedCredential): Promise<AdminSocket> {
  try {
    return await env.connect(store.token);
  } catch (error) {
    throw new Error(`a store's WebSocket connect was refused (issue 13: stores connect with their token): ${error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * One store socket opened and closed `cycles` times for the wall times (the first cycle a warm-up), then
 * once more metered: the handshake (the authorizer's token read, $connect's writes), the close ($disconnect),
 * and a ping on a fresh socket after an unmeasured one. The store must have no socket open.
 */
export async function measureStoreSocketCosts(env: BenchEnv, store: IssuedCredential, admins: number, cycles = 6): Promise<StoreSocketCosts> {
  const handshakes: number[] = [];
  const closes: number[] = [];
  for (let i = 0; i < cycles; i++) {
    const t0 = nowMs();
    const socket = await connectStore(env, store);
    const t1 = nowMs();
    await untilStoreConnections(env, store, 1);
    const t2 = nowMs();
    await socket.close();
    await untilStoreConnections(env, store, 0);
    const t3 = nowMs();
    if (i > 0) {
      handshakes.push(t1 - t0);
      closes.push(t3 - t2);
    }
  }
  let socket: AdminSocket | undefined;
  const connect = await metered(env, async () => {
    socket = await connectStore(env, store);
  });
  await untilStoreConnections(env, store, 1);
  const opened = socket;
  if (!opened) throw new Error('store socket missing');
  const pings: number[] = [];
  let pingResultBytes = 0;
  const ping = async () => {
    const t0 = nowMs();
    const answer = await opened.request({ action: 'ping' });
    pings.push(nowMs() - t0);
    if (answer.type !== 'result') throw new Error(`a store's ping failed: ${JSON.stringify(answer)}`);
    pingResultBytes = Buffer.byteLength(JSON.stringify(answer));
  };
  for (let i = 0; i < 5; i++) await ping();
  const pinged = await metered(env, ping);
  const disconnect = await metered(env, async () => {
    await opened.close();
    await untilStoreConnections(env, store, 0);
  });
  return {
    rows: {
      connect: { operation: "store socket $connect (authorizer + WsConnect)", admins, reading: connect.reading },
      disconnect: { operation: 'store socket $disconnect', admins, reading: disconnect.reading },
      ping: { operation: 'store socket ping (WS, every 5 minutes)', admins, reading: pinged.reading },
    },
    handshakeMs: median(handshakes),
    closeMs: median(closes),
    pingMs: median(pings),
    pingResultBytes,
    cycles: cycles - 1,
  };
}

/**
 * Admin reply → store socket. The store has sent a message and `admin` claims its session; one reply is
 * metered before the store opens a socket and one after (what the store's socket adds to a reply). For the
 * latency, the admin also opens a second socket of its own (the baseline: the same reply's push to an admin)
 * and replies over its first socket, one reply at a time, a few first not measured. The admin's extra
 * socket and the store's are closed again at the end.
 */
export async function measureStoreReplies(env: BenchEnv, admin: OnlineAdmin, store: IssuedCredential, admins: number): Promise<StoreReplies> {
  const opened = await env.client.send(store.token, messageText('live-open'), clientMessageId('live-open'));
  const sessionId = opened.body.session.id;
  const claim = await admin.socket.request({ action: 'claim', session_id: sessionId });
  if (claim.type !== 'result') throw new Error(`claim failed: ${JSON.stringify(claim)}`);
  const reply = async (tag: string): Promise<{ id: number; started: number; answered: number }> => {
    const started = nowMs();
    const answer = await admin.socket.request({ action: 'send', session_id: sessionId, content: messageText(tag), client_message_id: clientMessageId(tag) });
    const answered = nowMs();
    const message = answer.message as { id?: unknown } | undefined;
    if (answer.type !== 'result' || typeof message?.id !== 'number') throw new Error(`admin reply failed: ${JSON.stringify(answer)}`);
    return { id: message.id, started, answered };
  };
  await reply('live-warm');
  const withoutSocket = await metered(env, async () => void (await reply('live-cap')));
  const storeSocket = await connectStore(env, store);
  let other: AdminSocket | undefined;
  try {
    await untilStoreConnections(env, store, 1);
    const withSocket = await metered(env, async () => void (await reply('live-cap')));
    const second = (other = await env.connect(admin.token));
    // A socket is pushed what a send whose audience read started after it registered sends (README "Coming
    // online and reconnecting"); waiting past that rule's 1 s keeps the rule out of the figures.
    await sleep(1100);
    for (let i = 0; i < storeReplyPlan.warmup; i++) await reply('live-warm');
    const toStore: number[] = [];
    const toAdminOther: number[] = [];
    const results: number[] = [];
    let missedStore = 0;
    let missedAdminOther = 0;
    for (let i = 0; i < storeReplyPlan.measured; i++) {
      const { id, started, answered } = await reply('live');
      results.push(answered - started);
      const deadline = Date.now() + deliveryWaitMs;
      while ((!storeSocket.arrivals.has(id) || !second.arrivals.has(id)) && Date.now() < deadline) await sleep(2);
      const atStore = storeSocket.arrivals.get(id);
      const atOther = second.arrivals.get(id);
      if (atStore === undefined) missedStore++;
      else toStore.push(atStore - started);
      if (atOther === undefined) missedAdminOther++;
      else toAdminOther.push(atOther - started);
    }
    return {
      replies: storeReplyPlan.measured,
      toStore: summarize(toStore),
      toAdminOther: summarize(toAdminOther),
      result: summarize(results),
      missedStore,
      missedAdminOther,
      storeFrameBytes: Buffer.byteLength(storeSocket.lastCreated),
      replyWithoutSocket: { operation: "admin reply (WS send), claimed session, the store's socket closed", admins, reading: withoutSocket.reading },
      replyWithSocket: { operation: "admin reply (WS send), claimed session, the store's socket open", admins, reading: withSocket.reading },
    };
  } finally {
    await Promise.all([storeSocket.close(), other?.close()]);
    await untilStoreConnections(env, store, 0);
  }
}
