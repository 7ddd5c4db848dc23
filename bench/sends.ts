import type { IssuedCredential } from '../lib/ops/principals';
import type { OnlineAdmin } from './admins';
import type { BenchEnv } from './env';
import { clientMessageId, messageText } from './http';
import { nowMs, pool, range, sleep, summarize, type Summary } from './stats';

export interface SendsResult {
  stores: number;
  admins: number;
  /** perSecond is the median of the rounds' rates; each round is `rounds[i]` sends/s. */
  throughput: { count: number; concurrency: number; perSecond: number; rounds: number[]; latency: Summary };
  sequential: { count: number; latency: Summary };
  /** Every admin should get every message pushed: expected vs received within the wait. */
  deliveries: { expected: number; received: number };
  /** Bytes of one store-send response (for the CloudFront data-transfer line). */
  responseBytes: number;
}

/** The throughput run is `rounds` runs of `throughput` sends: one run's rate on a shared 2-core machine moves by ±10 %. */
export const sendSizes = { stores: 64, concurrency: 32, throughput: 1000, rounds: 3, sequential: 200, warmup: 128 };

/**
 * Each store's first message opens its session (a costlier path than the
 * sends measured later). Done early in the run so the inbox has more open
 * sessions than a page holds when its cost is measured.
 */
export async function openSessions(env: BenchEnv, stores: readonly IssuedCredential[]): Promise<void> {
  await pool(stores, sendSizes.concurrency, async (store) => void (await env.client.send(store.token, messageText(`s${store.id}`), clientMessageId(`s${store.id}`))));
}

/**
 * Store sends through the local HTTP gateway with admins online, so every
 * send also pays its pushes. Each of the 32 senders owns two stores: stores
 * send side by side, and no store races itself (its own session log).
 */
export async function measureSends(env: BenchEnv, stores: readonly IssuedCredential[], admins: readonly OnlineAdmin[]): Promise<SendsResult> {
  const { concurrency } = sendSizes;
  const lanes = range(concurrency).map((lane) => [stores[lane], stores[lane + concurrency]].filter((s): s is IssuedCredential => s !== undefined));
  const ids: number[] = [];
  let responseBytes = 0;
  const sendFrom = async (store: IssuedCredential) => {
    const sent = await env.client.send(store.token, messageText(`s${store.id}`), clientMessageId(`s${store.id}`));
    ids.push(sent.body.message.id);
    responseBytes = sent.bytes;
    return sent.ms;
  };

  // Warm-up: a few later sends (the sessions were opened earlier, see openSessions).
  await pool(range(sendSizes.warmup), concurrency, async (i) => void (await sendFrom(stores[i % stores.length]!)));

  const latencies: number[] = [];
  const rounds: number[] = [];
  for (const _round of range(sendSizes.rounds)) {
    let issued = 0;
    const started = nowMs();
    await Promise.all(
      lanes.map(async (own) => {
        for (let turn = 0; issued < sendSizes.throughput; turn++) {
          issued++;
          latencies.push(await sendFrom(own[turn % own.length]!));
        }
      }),
    );
    rounds.push(issued / ((nowMs() - started) / 1000));
  }
  const median = [...rounds].sort((a, b) => a - b)[Math.floor(rounds.length / 2)]!;

  const sequential: number[] = [];
  for (const i of range(sendSizes.sequential)) sequential.push(await sendFrom(stores[i % stores.length]!));

  // Bounded wait, then count: a push that never came is a missed delivery.
  const deadline = Date.now() + 5000;
  const received = () => admins.reduce((sum, admin) => sum + ids.filter((id) => admin.socket.arrivals.has(id)).length, 0);
  while (received() < ids.length * admins.length && Date.now() < deadline) await sleep(50);

  return {
    stores: stores.length,
    admins: admins.length,
    throughput: { count: latencies.length, concurrency, perSecond: median, rounds, latency: summarize(latencies) },
    sequential: { count: sequential.length, latency: summarize(sequential) },
    deliveries: { expected: ids.length * admins.length, received: received() },
    responseBytes,
  };
}
