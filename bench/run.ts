// Lambda runs Node 24; this machine's Node 20 only makes the SDK print a support notice.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../infra/paths';
import { AdminPool, untilAdminConnections, type OnlineAdmin } from './admins';
import { adminOps, batchOfTen, historyPage, inboxPage, laterMessage, smallSessionOps, storePolls, type CapacityRow, type StorePolls } from './capacity';
import { measureColdStart } from './coldstart';
import { measureConsole, type ConsoleResult } from './console';
import { consoleGoals, consoleSection } from './console-report';
import { measureHandlerTime, measurePollTime, type DurationResult } from './duration';
import { startBenchEnv, type BenchEnv } from './env';
import { combineLevel, fanOutPass, fanOutPlan, type FanOutSamples } from './fanout';
import { measureFloor, measurePuts, type FloorResult } from './floor';
import { describeMachine } from './machine';
import { renderCapacityOnly, renderColdStartOnly, renderReport, type BenchResults } from './report';
import { seedLongSession, type SeededSession } from './seed';
import { measureSends, openSessions, sendSizes, type SendsResult } from './sends';
import { measureStoreReplies, measureStoreSocketCosts, storeReplyPlan, type LiveStores, type StoreReplies, type StoreSocketCosts } from './stores';
import type { IssuedCredential } from '../lib/ops/principals';

/**
 * npm run bench: one fresh local stack (DynamoDB Local in memory, every
 * gateway on a free loopback port), every measurement in one run, then the
 * report on stdout and in docs/PERFORMANCE.md. Figures that can be compared
 * are compared with baselines taken in the same run.
 */

const seededEntries = 100_000;
const adminCount = Math.max(...fanOutPlan.map((level) => level.admins));
const coldStartRuns = Number(process.env.BENCH_COLD_RUNS ?? 20);
const started = Date.now();

function progress(step: string): void {
  process.stderr.write(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${step}\n`);
}

interface StackResults {
  floor: FloorResult;
  sends: SendsResult;
  fanOut: ReturnType<typeof combineLevel>[];
  capacity: CapacityRow[];
  duration: DurationResult;
  seeded: Omit<SeededSession, 'template'>;
  frameBytes: number;
  live: LiveStores;
  errors: string[];
}

interface Fixtures {
  /** The stores of the throughput run, each with its session open. */
  stores: IssuedCredential[];
  fanStores: IssuedCredential[];
  admins: AdminPool;
  first: OnlineAdmin;
  /** Polls, then holds a socket (section 5): its session is the small one, claimed by the first admin. */
  capStore: IssuedCredential;
  /** Gets admin replies on its socket (section 4). */
  liveStore: IssuedCredential;
}

async function createFixtures(env: BenchEnv): Promise<Fixtures & { bigStore: IssuedCredential; batchStore: IssuedCredential }> {
  progress(`creating ${sendSizes.stores + 8} stores and ${adminCount} admins`);
  const stores = await env.createStores(sendSizes.stores, 'Store');
  const [capStore, bigStore, batchStore, liveStore, ...fanStores] = await env.createStores(4 + fanOutPlan.length, 'Bench store');
  if (!capStore || !bigStore || !batchStore || !liveStore) throw new Error('fixture stores missing');
  const admins = new AdminPool(env, await env.createAdmins(adminCount, 'Admin'));
  const [first] = await admins.ensure(1);
  if (!first) throw new Error('no admin online');
  progress(`opening a session for each of the ${stores.length} stores`);
  await openSessions(env, stores);
  return { stores, fanStores, admins, first, capStore, liveStore, bigStore, batchStore };
}

const fanStoreOf = (fixtures: Fixtures, index: number): IssuedCredential => {
  const store = fixtures.fanStores[index];
  if (!store) throw new Error('fan-out store missing');
  return store;
};

/** Every capacity row but the fan-out levels' later messages, which run between the fan-out passes. */
async function measureCapacity(env: BenchEnv): Promise<{
  fixtures: Fixtures;
  capacity: CapacityRow[];
  seeded: Omit<SeededSession, 'template'>;
  template: Record<string, unknown>;
  polls: Omit<StorePolls, 'rows'>;
  socket: StoreSocketCosts;
  /** The first admin's last message.created before the store rows: a store message, the floor's push payload. */
  frame: string;
}> {
  const fixtures = await createFixtures(env);
  const { capStore, bigStore, batchStore, first } = fixtures;
  progress('capacity: small session (1 admin online)');
  const capacity: CapacityRow[] = [];
  const small = await smallSessionOps(env, capStore, first, 1);
  capacity.push(...small.rows);

  progress(`seeding a session with ${seededEntries.toLocaleString('en-US')} entries (BatchWriteItem)`);
  const { template, ...seeded } = await seedLongSession(env, bigStore, seededEntries);
  progress(`capacity: ${seededEntries.toLocaleString('en-US')}-entry session`);
  // The later message's warm-up adds one entry, the measured send another.
  capacity.push(await laterMessage(env, bigStore, 1, seededEntries));
  capacity.push(await historyPage(env, first, seeded.sessionId, 1, seededEntries + 2));
  capacity.push(await inboxPage(env, first, 1, `after seeding ${seededEntries.toLocaleString('en-US')} entries`));
  capacity.push(...(await adminOps(env, first, small.sessionId, 1)));
  capacity.push(await batchOfTen(env, batchStore, 1));
  // The store rows' admin replies are pushed to the first admin too: the frame is taken before them.
  const frame = first.socket.lastCreated;
  progress('capacity: a store polling for replies, then its socket ($connect, ping, $disconnect)');
  const { rows: pollRows, ...polls } = await storePolls(env, capStore, first, small.sessionId, 1);
  capacity.push(...pollRows);
  const socket = await measureStoreSocketCosts(env, capStore, 1);
  capacity.push(socket.rows.connect, socket.rows.ping, socket.rows.disconnect);
  return { fixtures, capacity, seeded, template, polls, socket, frame };
}

async function measureOnStack(): Promise<StackResults> {
  progress('starting DynamoDB Local (in memory) and the local stack on free ports');
  const env = await startBenchEnv();
  try {
    const { fixtures, capacity, seeded, template, polls, socket, frame } = await measureCapacity(env);
    const { stores, admins } = fixtures;

    progress('floor: raw PutItem and raw @connections push');
    const floor = await measureFloor(env, template, frame);
    await untilAdminConnections(env, 1);

    // Fan-out levels go up (1 → 500 admins), then down again, half the sends each way:
    // a machine that gets slower or faster during the run then weighs on every level alike.
    const passes = new Map<number, FanOutSamples[]>();
    const record = (samples: FanOutSamples) => passes.set(samples.admins, [...(passes.get(samples.admins) ?? []), samples]);
    const fanStore = (index: number) => fanStoreOf(fixtures, index);
    let sends: SendsResult | undefined;
    let duration: DurationResult | undefined;
    for (const [index, level] of fanOutPlan.entries()) {
      await admins.ensure(level.admins);
      progress(`fan-out up: ${level.admins} admin connection(s), ${Math.ceil(level.sends / 2)} sends`);
      record(await fanOutPass(env, admins, fanStore(index), Math.ceil(level.sends / 2)));
      capacity.push(await laterMessage(env, fanStore(index), level.admins));
      if (level.admins === 10) {
        const online = admins.online.slice(0, 10);
        progress(`store sends: ${sendSizes.rounds} × ${sendSizes.throughput} at concurrency ${sendSizes.concurrency}, ${sendSizes.sequential} at concurrency 1 (10 admins online)`);
        sends = await measureSends(env, stores, online);
        progress('floor again: raw PutItem right after the sends');
        floor.puts.again = await measurePuts(env, template, 'again');
        progress('handler time in-process (send, and the HTTP authorizer while there is one; 10 admins online)');
        duration = await measureHandlerTime(env, stores, online.length);
        progress("handler time in-process: a store's poll that finds nothing new");
        duration.poll = await measurePollTime(env, fixtures.capStore, polls.lastId);
      }
    }
    for (const [index, level] of [...fanOutPlan.entries()].reverse()) {
      await admins.shrink(level.admins);
      progress(`fan-out down: ${level.admins} admin connection(s), ${level.sends - Math.ceil(level.sends / 2)} sends`);
      record(await fanOutPass(env, admins, fanStore(index), level.sends - Math.ceil(level.sends / 2)));
    }
    const fanOut = fanOutPlan.map((level) => combineLevel(passes.get(level.admins) ?? []));
    if (!sends || !duration) throw new Error('the 10-admin level did not run');
    const replies = await storeReplies(env, fixtures);
    capacity.push(replies.replyWithoutSocket, replies.replyWithSocket);
    return { floor, sends, fanOut, capacity, duration, seeded, frameBytes: Buffer.byteLength(frame), live: { polls, socket, replies }, errors: env.errors };
  } finally {
    progress('stopping the stack and DynamoDB Local');
    await env.close();
  }
}

/** After the fan-out passes (1 admin online again): the admin's second socket would change their counts. */
async function storeReplies(env: BenchEnv, fixtures: Fixtures): Promise<StoreReplies> {
  progress(`admin reply → store socket: ${storeReplyPlan.warmup} + ${storeReplyPlan.measured} replies (1 admin, 2 sockets)`);
  const replies = await measureStoreReplies(env, fixtures.first, fixtures.liveStore, 1);
  await untilAdminConnections(env, fixtures.admins.online.length);
  return replies;
}

/** BENCH_ONLY=coldstart: no stack, section 6 and its goal row on stdout; docs/PERFORMANCE.md is left as it is. */
async function coldStartOnly(): Promise<void> {
  const date = new Date().toISOString();
  progress(`cold start only: bundling every function, ${coldStartRuns} loads each`);
  const coldStart = await measureColdStart(coldStartRuns);
  process.stdout.write(renderColdStartOnly(coldStart, date, describeMachine()));
}

/**
 * BENCH_ONLY=capacity: the stack up, section 5 and the goal rows it decides on stdout, no fan-out passes,
 * no throughput run; docs/PERFORMANCE.md is left as it is. Each fan-out level's later message is still
 * measured, with that many admins online.
 */
async function capacityOnly(): Promise<void> {
  const date = new Date().toISOString();
  progress('capacity only: starting DynamoDB Local (in memory) and the local stack on free ports');
  const env = await startBenchEnv();
  try {
    const { fixtures, capacity, seeded } = await measureCapacity(env);
    for (const [index, level] of fanOutPlan.entries()) {
      progress(`capacity: later message with ${level.admins} admin connection(s)`);
      await fixtures.admins.ensure(level.admins);
      capacity.push(await laterMessage(env, fanStoreOf(fixtures, index), level.admins));
    }
    await fixtures.admins.shrink(1);
    const replies = await storeReplies(env, fixtures);
    capacity.push(replies.replyWithoutSocket, replies.replyWithSocket);
    process.stdout.write(renderCapacityOnly({ capacity, seeded, errors: env.errors }, date, describeMachine(), (Date.now() - started) / 1000));
  } finally {
    progress('stopping the stack and DynamoDB Local');
    await env.close();
  }
}

/** The console's budgets (section 8) on a stack of their own: 1,000 open sessions would skew every other section. */
async function consoleOnStack(): Promise<ConsoleResult> {
  progress('console: starting a fresh local stack');
  const env = await startBenchEnv();
  try {
    return await measureConsole(env, progress);
  } finally {
    await env.close();
  }
}

/** BENCH_ONLY=console: section 8 and its goal rows on stdout; docs/PERFORMANCE.md is left as it is. */
async function consoleOnly(): Promise<void> {
  const result = await consoleOnStack();
  const goals = consoleGoals(result);
  process.stdout.write(`${goals.map((g) => `${g.ok ? 'met' : 'MISSED'}: ${g.goal}: ${g.measured}`).join('\n')}\n\n${consoleSection(result)}\n`);
}

async function main(): Promise<void> {
  if (process.env.BENCH_ONLY === 'coldstart') return coldStartOnly();
  if (process.env.BENCH_ONLY === 'capacity') return capacityOnly();
  if (process.env.BENCH_ONLY === 'console') return consoleOnly();
  if (process.env.BENCH_ONLY) throw new Error(`BENCH_ONLY=${process.env.BENCH_ONLY}: only "coldstart", "capacity" and "console" are supported`);
  const date = new Date().toISOString();
  const onStack = await measureOnStack();
  progress(`cold start: bundling every function, ${coldStartRuns} loads each (stack stopped, CPUs free)`);
  const coldStart = await measureColdStart(coldStartRuns);
  const consoleResult = await consoleOnStack();
  const results: BenchResults = {
    ...onStack,
    coldStart,
    console: consoleResult,
    machine: describeMachine(),
    date,
    command: 'npm run bench',
    totalSeconds: (Date.now() - started) / 1000,
  };
  const report = renderReport(results);
  writeFileSync(join(repoRoot, 'docs', 'PERFORMANCE.md'), report);
  process.stdout.write(`${report}\n`);
  progress('report written to docs/PERFORMANCE.md');
}

main().then(
  // Sockets and timers of the stopped stack must not keep the run alive.
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
