import { randomUUID } from 'node:crypto';
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
}

const runs = { warmup: 20, measured: 200 };

function timeOf(name: string, samples: number[]): HandlerTime {
  return { name, time: summarize(samples), billedMeanMs: samples.reduce((sum, ms) => sum + Math.ceil(ms), 0) / samples.length };
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
      const now = new Date();
      const requestContext = {
        accountId: '000000000000',
        apiId: 'bench',
        domainName: 'bench.local',
        domainPrefix: 'bench',
        http: { method: 'POST', path: '/v1/chat/store/message', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'bench' },
        requestId: randomUUID(),
        routeKey: 'POST /v1/chat/store/message',
        stage: '$default',
        time: now.toISOString(),
        timeEpoch: now.getTime(),
      };
      const shared = {
        version: '2.0',
        routeKey: requestContext.routeKey,
        rawPath: requestContext.http.path,
        rawQueryString: '',
        headers: { authorization: `Token ${store.token}`, 'content-type': 'application/json' },
      };
      const sendEvent = {
        ...shared,
        requestContext,
        body: JSON.stringify({ content: messageText('dur'), client_message_id: clientMessageId('dur') }),
        isBase64Encoded: false,
      };
      const t0 = nowMs();
      const response = await send(sendEvent);
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
