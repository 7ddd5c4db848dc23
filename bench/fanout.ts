import type { IssuedCredential } from '../lib/ops/principals';
import type { AdminPool } from './admins';
import type { BenchEnv } from './env';
import { clientMessageId, messageText } from './http';
import { nowMs, sleep, summarize, type Summary } from './stats';

export interface FanOutLevel {
  admins: number;
  sends: number;
  /** Start of the store's request → the last admin socket holding that message.created. */
  allReceived: Summary;
  /** Start of the store's request → its response (the handler awaits its pushes). */
  response: Summary;
  /** Deliveries that had not arrived 5 s after the response. */
  missed: number;
}

/** Raw samples of one pass at one level; two passes (up, then down) make a level. */
export interface FanOutSamples {
  admins: number;
  allReceived: number[];
  response: number[];
  missed: number;
}

export const fanOutPlan: readonly { admins: number; sends: number }[] = [
  { admins: 1, sends: 40 },
  { admins: 10, sends: 40 },
  { admins: 100, sends: 30 },
  { admins: 500, sends: 15 },
];

const deliveryWaitMs = 5000;

/**
 * One store, its session unclaimed so every admin should get every message.
 * Sends one at a time: the figure is the fan-out of one message, not a queue.
 * The admin pool must already hold exactly `admins` connections.
 */
export async function fanOutPass(env: BenchEnv, admins: AdminPool, store: IssuedCredential, sends: number): Promise<FanOutSamples> {
  const online = admins.online;
  // Warm the path at this level (and, at first use, open the session: a first message writes more).
  for (let i = 0; i < 3; i++) await env.client.send(store.token, messageText('fan-warm'), clientMessageId('fan-warm'));
  const samples: FanOutSamples = { admins: online.length, allReceived: [], response: [], missed: 0 };
  for (let i = 0; i < sends; i++) {
    const started = nowMs();
    const sent = await env.client.send(store.token, messageText(`fan${online.length}`), clientMessageId(`fan${online.length}`));
    samples.response.push(sent.ms);
    const id = sent.body.message.id;
    const deadline = Date.now() + deliveryWaitMs;
    let waiting = online.filter((admin) => !admin.socket.arrivals.has(id));
    while (waiting.length > 0 && Date.now() < deadline) {
      await sleep(2);
      waiting = waiting.filter((admin) => !admin.socket.arrivals.has(id));
    }
    samples.missed += waiting.length;
    const arrivals = online.map((admin) => admin.socket.arrivals.get(id)).filter((at): at is number => at !== undefined);
    if (arrivals.length === online.length) samples.allReceived.push(Math.max(...arrivals) - started);
  }
  return samples;
}

/** Both passes of a level as one row. */
export function combineLevel(passes: readonly FanOutSamples[]): FanOutLevel {
  const allReceived = passes.flatMap((p) => p.allReceived);
  const response = passes.flatMap((p) => p.response);
  return {
    admins: passes[0]?.admins ?? 0,
    sends: response.length,
    allReceived: summarize(allReceived),
    response: summarize(response),
    missed: passes.reduce((sum, p) => sum + p.missed, 0),
  };
}
