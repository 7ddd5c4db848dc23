import { randomUUID } from 'node:crypto';
import { makeHandler as makeListHandler } from '../functions/http/store-list-messages';
import { makeHandler as makeSendHandler } from '../functions/http/store-send-message';
import { createDeps } from '../lib/deps';
import type { IssuedCredential } from '../lib/ops/principals';
import type { BenchEnv } from './env';
import { clientMessageId, messageText } from './http';
import { nowMs, summarize, type Summary } from './stats';

export interface HandlerTime {
  name: string;
  time: Summary;
  /** Lambda bills each invocation rounded up to the next millisecond; this is the mean of that. */
  billedMeanMs: number;
}

export interface DurationResult {
  invocations: number;
  admins: number;
  send: HandlerTime;
  /** A store's poll that finds nothing new (GET /v1/chat/store/messages/?after=<last id>), issue 13 point 7. */
  poll?: HandlerTime;
}

const runs = { warmup: 20, measured: 200 };

function timeOf(name: string, samples: number[]): HandlerTime {
  return { name, time: summarize(samples), billedMeanMs: samples.reduce((sum, ms) => sum + Math.ceil(ms), 0) / samples.length };
}

/** The event API Gateway sends a route's function (payload 2.0), for a store's request. */
function httpEvent(method: 'GET' | 'POST', path: string, routeKey: string, token: string, query: Record<string, string>, body?: unknown) {
  const now = new Date();
  const rawQueryString = new URLSearchParams(query).toString();
  return {
    version: '2.0',
    routeKey,
    rawPath: path,
    rawQueryString,
    headers: { authorization: `Token ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(rawQueryString ? { queryStringParameters: query } : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: 'bench',
      domainName: 'bench.local',
      domainPrefix: 'bench',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'bench' },
      requestId: randomUUID(),
      routeKey,
      stage: '$default',
      time: now.toISOString(),
      timeEpoch: now.getTime(),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    isBase64Encoded: false,
  };
}

/**
 * Lambda bills the handler's own time. The handlers are called here directly,
 * in this process, with the events API Gateway would send (payload 2.0), on
 * a warm instance (its token already in the identity cache, as on the warm
 * path: lib/auth/http-identity.ts). Its own clients, no grant checks and no meter: what
 * would run in Lambda. The admins online get their pushes, which the send awaits.
 */
export async function measureHandlerTime(env: BenchEnv, stores: readonly IssuedCredential[], admins: number): Promise<DurationResult> {
  const deps = createDeps(env.stack.env);
  const send = makeSendHandler(deps);
  const sendTimes: number[] = [];
  try {
    for (let i = 0; i < runs.warmup + runs.measured; i++) {
      const store = stores[i % stores.length]!;
      const event = httpEvent('POST', '/v1/chat/store/message', 'POST /v1/chat/store/message', store.token, {}, {
        content: messageText('dur'),
        client_message_id: clientMessageId('dur'),
      });
      const t0 = nowMs();
      const response = await send(event);
      const sendMs = nowMs() - t0;
      if (response.statusCode !== 200) throw new Error(`in-process send answered ${response.statusCode}: ${response.body}`);
      if (i >= runs.warmup) {
        sendTimes.push(sendMs);
      }
    }
  } finally {
    deps.db.destroy();
  }
  return { invocations: runs.measured, admins, send: timeOf('StoreSendMessage', sendTimes) };
}

/**
 * The same for a store's poll that finds nothing new: `GET /v1/chat/store/messages/?after=<last id>`, one
 * store, warm (the first calls fill the identity cache and refresh the store's presence stamp, which
 * then holds for a minute, longer than the run).
 */
export async function measurePollTime(env: BenchEnv, store: IssuedCredential, after: number): Promise<HandlerTime> {
  const deps = createDeps(env.stack.env);
  const list = makeListHandler(deps);
  const times: number[] = [];
  try {
    for (let i = 0; i < runs.warmup + runs.measured; i++) {
      const event = httpEvent('GET', '/v1/chat/store/messages', 'GET /v1/chat/store/messages', store.token, { after: String(after) });
      const t0 = nowMs();
      const response = await list(event);
      const ms = nowMs() - t0;
      if (response.statusCode !== 200) throw new Error(`in-process poll answered ${response.statusCode}: ${response.body}`);
      const body = JSON.parse(response.body ?? '{}') as { messages?: unknown[] };
      if (body.messages?.length !== 0) throw new Error(`in-process poll after ${after} found ${body.messages?.length ?? '?'} messages, not none`);
      if (i >= runs.warmup) times.push(ms);
    }
  } finally {
    deps.db.destroy();
  }
  return timeOf('StoreListMessages', times);
}
