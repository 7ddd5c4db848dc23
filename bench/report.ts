import type { CapacityRow } from './capacity';
import type { OptionalClient } from '../infra/constructs/bundling';
import type { ColdFunction, ColdStartResult, Composition, SourceMapTimes } from './coldstart';
import { connectionMinutesPerMonth, costPerMillion, prices, pricesCheckedOn, type MessageUnits } from './cost';
import type { DurationResult } from './duration';
import type { FanOutLevel } from './fanout';
import type { FloorResult } from './floor';
import type { Machine } from './machine';
import { bullets, mark, section, table } from './markdown';
import { describeLines } from './meter';
import type { SeededSession } from './seed';
import { sendSizes, type SendsResult } from './sends';
import { fixed, times, type Summary } from './stats';

export interface BenchResults {
  machine: Machine;
  date: string;
  command: string;
  totalSeconds: number;
  floor: FloorResult;
  sends: SendsResult;
  fanOut: FanOutLevel[];
  capacity: CapacityRow[];
  duration: DurationResult;
  seeded: Omit<SeededSession, 'template'>;
  frameBytes: number;
  coldStart: ColdStartResult;
  errors: string[];
}

export interface Goal {
  goal: string;
  measured: string;
  ok: boolean;
  /** What dominates, shown when the goal is missed. */
  why: string;
}

const ms = (value: number, digits = 1) => `${fixed(value, digits)} ms`;
const kb = (bytes: number) => `${fixed(bytes / 1024, 1)} KB`;
const latencyCells = (s: Summary) => [ms(s.p50), ms(s.p95), ms(s.p99)];
const wcuGoal = 3;
/** Issue 12: cold start ≤ 1.25× the DynamoDB-client-only baseline (bench/baselines/dynamodb-only.ts). */
const coldStartGoalRatio = 1.25;

/** The PutItem floor the ratio uses: the mean of the runs before and after the store sends. */
const putFloor = (r: BenchResults): number => (r.floor.puts.again ? (r.floor.puts.perSecond + r.floor.puts.again.perSecond) / 2 : r.floor.puts.perSecond);

/** The rows the goals are judged on; missing rows are a bench bug, so they throw. */
function rows(capacity: readonly CapacityRow[]) {
  const find = (what: string, test: (row: CapacityRow) => boolean) => {
    const row = capacity.find(test);
    if (!row) throw new Error(`capacity row missing: ${what}`);
    return row;
  };
  const isLater = (row: CapacityRow) => row.operation.startsWith('later store message (text');
  return {
    later: capacity.filter(isLater),
    idle: find('idle', (r) => r.operation.includes('idle')),
    small: find('later, 10 entries', (r) => isLater(r) && r.sessionEntries === 10),
    big: find('later, 100k entries', (r) => isLater(r) && (r.sessionEntries ?? 0) > 1000),
    byAdmins: (admins: number) => find(`later, ${admins} admins`, (r) => isLater(r) && r.sessionEntries === undefined && r.admins === admins),
    historySmall: find('history small', (r) => r.operation.startsWith('history') && (r.sessionEntries ?? 0) < 1000),
    historyBig: find('history big', (r) => r.operation.startsWith('history') && (r.sessionEntries ?? 0) > 1000),
    inboxBefore: find('inbox before', (r) => r.operation.startsWith('inbox') && r.operation.includes('before')),
    inboxAfter: find('inbox after', (r) => r.operation.startsWith('inbox') && r.operation.includes('after')),
  };
}

/** The 100k page may cost more than the small one only by what its extra items can weigh: ≤ 1 KB each, 4 KB per RCU. */
function historyBound(small: CapacityRow, big: CapacityRow): number {
  const extraItems = Math.max(0, (big.items ?? 0) - (small.items ?? 0)) + 1;
  return small.reading.rcu + Math.ceil(extraItems / 4) + 1;
}

function messageUnits(r: BenchResults): MessageUnits {
  const at10 = rows(r.capacity).byAdmins(10);
  return {
    admins: 10,
    wcu: at10.reading.wcu,
    rcu: at10.reading.rcu,
    tokenRcu: at10.reading.token.rcu,
    lambdaInvocations: 2,
    billedMs: r.duration.authorizer.billedMeanMs + r.duration.send.billedMeanMs,
    memoryMb: 1024,
    responseBytes: r.sends.responseBytes,
    frameBytes: r.frameBytes,
    wsUnitsPerAdmin: Math.max(1, Math.ceil(r.frameBytes / (32 * 1024))),
  };
}

function goals(r: BenchResults): Goal[] {
  const c = rows(r.capacity);
  const ratio = r.sends.throughput.perSecond / putFloor(r);
  const one = r.fanOut.find((l) => l.admins === 1);
  const hundred = r.fanOut.find((l) => l.admins === 100);
  const fanRatio = one && hundred ? hundred.allReceived.p50 / one.allReceived.p50 : Number.NaN;
  const missedFan = r.fanOut.reduce((sum, l) => sum + l.missed, 0);
  const missedSends = r.sends.deliveries.expected - r.sends.deliveries.received;
  const laterMax = Math.max(...c.later.map((row) => row.reading.wcu));
  const at1 = c.byAdmins(1).reading.wcu;
  const at500 = c.byAdmins(500).reading.wcu;
  const at10 = c.byAdmins(10).reading;
  const dbRequests = at10.requests + at10.token.requests;
  const perPushMs = 1000 / r.floor.pushes.perSecond;
  return [
    { goal: 'Store sends/s (c=32, 10 admins online) ÷ raw PutItem/s (c=32) ≥ 0.5', measured: `${fixed(r.sends.throughput.perSecond, 0)} ÷ ${fixed(putFloor(r), 0)} = ${fixed(ratio, 2)}`,
      ok: ratio >= 0.5,
      why: `${dbRequests} DynamoDB requests a send against 1 per floor item (DynamoDB Local alone caps sends near ${fixed(putFloor(r) / dbRequests, 0)}/s), and ${r.sends.admins} pushes a send on the one Node.js core (≈ ${fixed(r.floor.pushes.perSecond / r.sends.admins, 0)}/s); section 2` },
    { goal: 'Fan-out: all of 100 admins received ≤ 2× the 1-admin time (p50)', measured: `${ms(hundred?.allReceived.p50 ?? 0)} vs ${ms(one?.allReceived.p50 ?? 0)} = ${times(fanRatio)}`,
      ok: fanRatio <= 2,
      why: `CPU per push: ${ms(perPushMs, 2)} (${ms(r.floor.pushClient.microsPerPush / 1000, 2)} of it the SDK client, which stays on the Lambda in AWS), so 100 pushes ≈ ${ms(100 * perPushMs, 0)} on one core; section 4` },
    { goal: 'Missed deliveries = 0 (fan-out at 1/10/100/500 admins, and the throughput run)', measured: `${missedFan} in fan-out, ${missedSends} in the throughput run`, ok: missedFan === 0 && missedSends === 0, why: 'see sections 2 and 4' },
    { goal: `Later store text message ≤ ${wcuGoal} WCU (back-to-back, every admin count and session length)`, measured: `${laterMax} WCU at most (${c.later.length} measurements)`, ok: laterMax <= wcuGoal, why: 'see the breakdown in section 5' },
    { goal: `Later store text message after ≥ 60 s idle ≤ ${wcuGoal} WCU`, measured: `${c.idle.reading.wcu} WCU`,
      ok: c.idle.reading.wcu <= wcuGoal,
      why: 'section 5' },
    { goal: 'Same WCU with 1 and 500 admins online', measured: `${at1} vs ${at500} WCU`, ok: at1 === at500, why: 'section 5' },
    { goal: `Same WCU with 10 and ${r.seeded.entries.toLocaleString('en-US')} entries in the session`, measured: `${c.small.reading.wcu} vs ${c.big.reading.wcu} WCU`, ok: c.small.reading.wcu === c.big.reading.wcu, why: 'section 5' },
    {
      goal: `History page (limit 50) O(page) at ${r.seeded.entries.toLocaleString('en-US')} entries`,
      measured: `${c.historyBig.reading.rcu} RCU (bound ${historyBound(c.historySmall, c.historyBig)}; 10-entry session ${c.historySmall.reading.rcu})`,
      ok: c.historyBig.reading.rcu <= historyBound(c.historySmall, c.historyBig),
      why: 'section 5',
    },
    { goal: 'Inbox page (limit 20) O(page) whatever the history length', measured: `${c.inboxAfter.reading.rcu} RCU after seeding vs ${c.inboxBefore.reading.rcu} before`,
      ok: c.inboxAfter.reading.rcu <= c.inboxBefore.reading.rcu + 1,
      why: 'section 5',
    },
    coldStartGoal(r.coldStart),
  ];
}

function summarySection(r: BenchResults): string {
  const list = goals(r);
  const units = messageUnits(r);
  const lines = costPerMillion(units);
  const total = lines.reduce((sum, line) => sum + line.usd, 0);
  const top = [...lines].sort((a, b) => b.usd - a.usd)[0];
  return section(
    '## Summary',
    table(['Goal', 'Measured', '', 'What dominates (when missed)'], list.map((g) => [g.goal, g.measured, mark(g.ok), g.ok ? '' : g.why])),
    `Cost of 1,000,000 store messages with 10 admins online (us-east-1, on-demand, no free tier): **$${fixed(total, 2)}**, of which ${top?.component ?? '?'} $${fixed(top?.usd ?? 0, 2)} — see [Cost model](#7-cost-model).`,
  );
}

function setupSection(r: BenchResults): string {
  const m = r.machine;
  return section(
    '## Run',
    bullets([
      `Date: ${r.date}`,
      `Command: \`${r.command}\` (total ${fixed(r.totalSeconds, 0)} s)`,
      `Machine: ${m.os}; ${m.cpuCount} × ${m.cpu}; ${fixed(m.memoryGiB, 1)} GiB memory; Node.js ${m.node}; Java: ${m.java}`,
      'Everything runs on 127.0.0.1: DynamoDB Local (in memory, Java) on one side; in this one Node.js process the HTTP gateway (edge function + HTTP API), the WebSocket gateway with @connections, every handler, the admin sockets and the load generator. On 2 cores the Node.js side is a single event loop: anything that costs CPU per request or per push shows up directly.',
      'Absolute times on a shared machine are noisy; the goals are ratios against baselines measured in the same run (the floor, the 1-admin fan-out, the DynamoDB-client-only handler).',
      `Gateway errors reported during the run: ${r.errors.length}${r.errors.length ? ` (first: ${r.errors[0]})` : ''}.`,
    ]),
  );
}

function floorSection(r: BenchResults): string {
  const { puts, pushes, pushClient } = r.floor;
  return section(
    '## 1. The floor',
    'What the emulators do with none of the chat code in the way: raw conditional PutItem (a copy of a real log entry, through a client from `lib/db/client.ts`), and raw `PostToConnection` to one idle admin socket through the stack\'s `managementEndpoint` (client settings as in `lib/realtime/push.ts`). 200 warm-up calls each, not counted.',
    table(
      ['Operation', 'Count', 'Concurrency', 'Per second', 'p50', 'p95', 'p99', 'Size'],
      [
        ['PutItem (chat table)', puts.count, puts.concurrency, fixed(puts.perSecond, 0), ...latencyCells(puts.latency), `${puts.itemBytes} B item`],
        ...(puts.again
          ? [['PutItem again, right after the store sends', puts.again.count, puts.again.concurrency, fixed(puts.again.perSecond, 0), ...latencyCells(puts.again.latency), `${puts.again.itemBytes} B item`]]
          : []),
        ['PostToConnection (@connections)', pushes.count, pushes.concurrency, fixed(pushes.perSecond, 0), ...latencyCells(pushes.latency), `${pushes.payloadBytes} B frame`],
        ['PostToConnection, SDK only (stub transport)', pushClient.count, pushes.concurrency, fixed(pushClient.perSecond, 0), '', '', '', `${fixed(pushClient.microsPerPush, 0)} µs CPU a push`],
      ],
    ),
    `The ratio in section 2 is taken against the mean of the two PutItem runs (${fixed(putFloor(r), 0)}/s), one before and one right after the store sends. The last row sends the same push through the same SDK client with a transport that answers 200 at once: what remains is the SDK's own work (middleware, SigV4 signing, parsing), the part of every push that stays on the sending Lambda's CPU in AWS.`,
  );
}

function sendsSection(r: BenchResults): string {
  const s = r.sends;
  const floorRate = putFloor(r);
  const ratio = s.throughput.perSecond / floorRate;
  const at10 = rows(r.capacity).byAdmins(10).reading;
  const dbRequests = at10.requests + at10.token.requests;
  const dbCeiling = floorRate / dbRequests;
  const pushCeiling = r.floor.pushes.perSecond / s.admins;
  return [
    section(
      '## 2. Store sends per second',
      `\`POST /v1/chat/store/message/\` through the local HTTP gateway (edge function, authorizer, handler), fetch with keep-alive, ${s.throughput.concurrency} senders spread over ${s.stores} stores (each sender owns two, so no store races itself), text of 100 characters with a client_message_id, ${s.admins} admin sockets online so every send also pushes ${s.admins} frames. Every store's session was opened earlier in the run, and ${sendSizes.warmup} later sends went first as a warm-up.`,
      table(
        ['Sends', 'Concurrency', 'Sends/s', 'Raw PutItem/s (mean of both runs)', 'Ratio (goal ≥ 0.5)', 'Pushes received'],
        [[s.throughput.count, s.throughput.concurrency, fixed(s.throughput.perSecond, 0), fixed(floorRate, 0), `${fixed(ratio, 2)} ${mark(ratio >= 0.5)}`, `${s.deliveries.received} of ${s.deliveries.expected}`]],
      ),
      `What bounds it: a later send makes ${dbRequests} DynamoDB requests (${at10.token.requests} token lookup + ${at10.requests} in the handler: ${describeLines(at10.lines)}) against a floor measured with one request per item, so the database alone caps sends near ${fixed(floorRate, 0)} ÷ ${dbRequests} ≈ ${fixed(dbCeiling, 0)}/s (ratio ${fixed(dbCeiling / floorRate, 2)}) — a ratio of 0.5 would need at most 2 requests per send. The ${s.admins} pushes per send run on the same Node.js core as the gateways and handlers; at the push floor's ${fixed(r.floor.pushes.perSecond, 0)} pushes/s they alone cap sends near ${fixed(pushCeiling, 0)}/s.`,
    ),
    section(
      '## 3. Store send latency',
      'Request start to full response body, through the HTTP gateway, 10 admins online (the handler awaits its pushes).',
      table(
        ['Concurrency', 'Sends', 'p50', 'p95', 'p99'],
        [
          [1, s.sequential.count, ...latencyCells(s.sequential.latency)],
          [s.throughput.concurrency, s.throughput.count, ...latencyCells(s.throughput.latency)],
        ],
      ),
    ),
  ].join('\n\n');
}

function fanOutSection(r: BenchResults): string {
  const one = r.fanOut.find((l) => l.admins === 1);
  const perPushMs = 1000 / r.floor.pushes.perSecond;
  return section(
    '## 4. Fan-out',
    'One store sends to its unclaimed session (so every admin should get it), one message at a time; the time is from the start of the store\'s request until every admin socket holds that message\'s `message.created`. Deliveries still missing 5 s after the response count as missed. The levels are run up (1 → 500 admins) and then down again (500 → 1), half of each level\'s sends each way, so a machine that drifts during the run weighs on every level alike; each pass first sends 3 unmeasured messages.',
    table(
      ['Admins online', 'Sends', 'All received p50', 'All received p99', 'Ratio to 1 admin (p50)', 'Ratio to 1 admin (p99)', 'HTTP response p50', 'Push floor for N pushes', 'Missed'],
      r.fanOut.map((l) => [
        l.admins,
        l.sends,
        ms(l.allReceived.p50),
        ms(l.allReceived.p99),
        one ? `${times(l.allReceived.p50 / one.allReceived.p50)}${l.admins === 100 ? ` ${mark(l.allReceived.p50 / one.allReceived.p50 <= 2)}` : ''}` : '',
        one ? times(l.allReceived.p99 / one.allReceived.p99) : '',
        ms(l.response.p50),
        ms(l.admins * perPushMs),
        `${l.missed}${l.missed === 0 ? '' : ' ✗'}`,
      ]),
    ),
    bullets([
      `Goal: 100 admins ≤ 2× the 1-admin time. "Push floor for N pushes" is N × ${ms(perPushMs, 2)}, the CPU time one raw push costs this machine (1 ÷ the push floor rate in section 1): the SDK's request pipeline, the emulated @connections server and the WebSocket frame, all on the one Node.js event loop. Pushes are sent in parallel, but on one core parallel requests still queue for the CPU, so the fan-out time grows with N at about that rate; in AWS the @connections service is not on the sender's CPU.`,
      `Of those ${ms(perPushMs, 2)}, the SDK client itself takes ${ms(r.floor.pushClient.microsPerPush / 1000, 2)} (section 1, stub transport); the rest is the emulated @connections server and the socket I/O on loopback. In AWS the SDK part remains on the sending Lambda (about 0.6 vCPU at 1024 MB): ${ms((100 * r.floor.pushClient.microsPerPush) / 1000, 0)} of CPU for 100 admins and ${ms((500 * r.floor.pushClient.microsPerPush) / 1000, 0)} for 500 on this CPU, before any network wait.`,
      'Sockets: the AWS SDK\'s Node.js handler defaults to 50 sockets per host, which would queue a 500-connection fan-out in rounds of 50. The code raises it: `lib/realtime/push.ts` builds its client with `awsHttpHandler({ maxSockets: options.maxSockets ?? 1000, ... })` from `lib/aws-http.ts` (keep-alive agents, connect and request timeouts of PUSH_TIMEOUT_MS, one attempt), and `lib/realtime/fanout.ts` sends all pushes of an event at once with `Promise.all`.',
    ]),
  );
}

function capacitySection(r: BenchResults): string {
  const c = rows(r.capacity);
  const bound = historyBound(c.historySmall, c.historyBig);
  const goalOf = (row: CapacityRow): string => {
    if (row === c.idle) return `≤ ${wcuGoal} WCU ${mark(row.reading.wcu <= wcuGoal)}`;
    if (c.later.includes(row)) return `≤ ${wcuGoal} WCU ${mark(row.reading.wcu <= wcuGoal)}`;
    if (row === c.historyBig) return `O(page): ≤ ${bound} RCU ${mark(row.reading.rcu <= bound)}`;
    if (row === c.inboxAfter) return `O(page): ≤ ${c.inboxBefore.reading.rcu + 1} RCU ${mark(row.reading.rcu <= c.inboxBefore.reading.rcu + 1)}`;
    return '';
  };
  const fullRead = Math.ceil((r.seeded.entries * 1024) / 4096);
  const failed = r.capacity.reduce((sum, row) => sum + row.reading.lines.reduce((n, line) => n + line.failed, 0), 0);
  return section(
    '## 5. DynamoDB capacity per operation',
    `A meter on every function's DynamoDB client (through \`clientHooks.dynamodb\`, after the grant checks) sets \`ReturnConsumedCapacity: TOTAL\` on every read and write command and sums what DynamoDB Local reports: Get/BatchGet/Query → RCU, Put/Update/Delete/BatchWrite/TransactWrite → WCU. Each operation ran alone, the meter reset before and read after. The HTTP authorizer\'s token lookup (GetItem TOKEN#…, consistent) is counted apart; WebSocket actions have none (API Gateway authorizes on $connect only). A conditional write that fails reports no capacity in its error, so it is listed as "failed" in the breakdown (this run: ${failed}).`,
    table(
      ['Operation', 'Admins online', 'Session entries', 'Items returned', 'RCU', 'WCU', 'Requests', 'Token lookup (RCU / req.)', 'Breakdown', 'Goal'],
      r.capacity.map((row) => [
        row.operation,
        row.admins,
        row.sessionEntries === undefined ? '' : row.sessionEntries.toLocaleString('en-US'),
        row.items ?? '',
        fixed(row.reading.rcu, 1),
        fixed(row.reading.wcu, 1),
        row.reading.requests,
        row.reading.token.requests ? `${row.reading.token.rcu} / ${row.reading.token.requests}` : '—',
        describeLines(row.reading.lines),
        goalOf(row),
      ]),
    ),
    bullets([
      `The ${r.seeded.entries.toLocaleString('en-US')}-entry session was written with BatchWriteItem in ${fixed(r.seeded.seconds, 1)} s: copies of a real entry (the item a real send stored), seq 1…${r.seeded.entries.toLocaleString('en-US')}, newest last, each carrying the session state after it, and the inbox entry moved to the newest one; the store's active_session_id points at it. Reading its whole history would cost about ${fullRead.toLocaleString('en-US')} RCU (1 KB items); a page costs ${c.historyBig.reading.rcu}.`,
      'First message of a session: its two UpdateItems are the session counter (COUNTER#session) and the conditional swap of the store\'s active_session_id; with the entry and the inbox entry that makes 4 WCU, and there is no old inbox entry to delete.',
      `History O(page) bound: the 10-entry session's page (${c.historySmall.reading.rcu} RCU, ${c.historySmall.items ?? 0} items) plus what the extra items of a full page can weigh (≤ 1 KB each, 4 KB per RCU), plus 1.`,
      `Later messages after ≥ 60 s idle: the bench moves the store's last_seen_at two minutes back first. A send does not stamp it again: the entry it writes carries last_store_message_at, which presence reads as well (\`lib/chat/store-activity.ts\`), so an idle store's message costs what a back-to-back one does. Reads and uploads still stamp last_seen_at, at most once a minute.`,
      'The admin-count rows are each fan-out level\'s store sending one more message: the audience query (by-audience index) reads more with more admins (RCU), the writes do not change.',
    ]),
  );
}

const clientLabels: Record<OptionalClient, string> = { push: '@connections', s3: 'S3 + presigners (s3-store.js)' };

/** Cold-start wall time of a function, as deployed, against the DynamoDB-client-only baseline and the bare handler. */
function coldRatios(fn: ColdFunction, cs: ColdStartResult) {
  return { dynamodbOnly: fn.init.wallMs / cs.dynamodbOnly.init.wallMs, bare: fn.init.wallMs / cs.bare.init.wallMs };
}

const mapsLabel = (on: boolean) => (on ? 'with `--enable-source-maps`' : 'without `--enable-source-maps`');

/** The share each part has of a composition's bundled bytes. */
function shareOf(c: Composition | undefined, prefix: string): number {
  return c ? c.parts.filter((p) => p.part.startsWith(prefix)).reduce((sum, p) => sum + p.bytes.bundled, 0) / c.totalBytes.bundled : 0;
}

/** The cold-start goal row; `npm run bench` and `BENCH_ONLY=coldstart` both print it. */
export function coldStartGoal(cs: ColdStartResult): Goal {
  const cold = cs.functions.map((fn) => ({ fn, ratio: coldRatios(fn, cs) })).sort((a, b) => b.ratio.dynamodbOnly - a.ratio.dynamodbOnly);
  const worst = cold[0];
  const ok = cold.filter((x) => x.ratio.dynamodbOnly <= coldStartGoalRatio).length;
  const over = cold.filter((x) => x.ratio.dynamodbOnly > coldStartGoalRatio);
  const largest = cs.details[0]?.composition;
  return {
    goal: `Cold start: module init (whole-process wall time, ${mapsLabel(cs.deployedSourceMaps)} as deployed) ≤ ${coldStartGoalRatio}× the DynamoDB-client-only baseline, every function`,
    measured: `${ok} of ${cold.length} functions; worst ${worst?.fn.name ?? '?'} ${times(worst?.ratio.dynamodbOnly ?? 0)} (${ms(worst?.fn.init.wallMs ?? 0, 0)} vs ${ms(cs.dynamodbOnly.init.wallMs, 0)}); ${times(worst?.ratio.bare ?? 0)} a bare handler (${ms(cs.bare.init.wallMs, 0)})`,
    ok: ok === cold.length,
    why: `over the goal: ${over.map((x) => `${x.fn.name} ${times(x.ratio.dynamodbOnly)}`).join(', ')}; the largest bundle (${largest?.name ?? '?'}, ${kb(largest?.totalBytes.bundled ?? 0)} against the baseline's ${kb(cs.dynamodbOnly.bytes)}) is AWS SDK ${fixed(100 * (shareOf(largest, '@aws-sdk') + shareOf(largest, '@smithy')), 0)}%, zod ${fixed(100 * shareOf(largest, 'zod'), 0)}%, project code ${fixed(100 * shareOf(largest, 'project'), 0)}%; section 6`,
  };
}

export function coldStartSection(cs: ColdStartResult): string {
  const bare = cs.bare.init;
  const floor = cs.dynamodbOnly.init;
  const fnRows = cs.functions.map((fn) => {
    const ratio = coldRatios(fn, cs);
    return [
      fn.name,
      fn.clients.length > 0 ? fn.clients.map((client) => clientLabels[client]).join(', ') : '—',
      kb(fn.bytes),
      ms(fn.init.wallMs, 0),
      `${times(ratio.dynamodbOnly)} ${mark(ratio.dynamodbOnly <= coldStartGoalRatio)}`,
      times(ratio.bare),
      ms(fn.init.requireMs, 0),
    ];
  });
  const mapRow = (name: string, bytes: number, maps: SourceMapTimes) => [
    name,
    kb(bytes),
    kb(maps.mapBytes),
    ms(maps.enabled.wallMs, 0),
    ms(maps.disabled.wallMs, 0),
    ms(maps.enabled.wallMs - maps.disabled.wallMs, 0),
    ms(maps.enabled.requireMs, 1),
    ms(maps.disabled.requireMs, 1),
  ];
  const sized = (name: string) => cs.functions.find((fn) => fn.name === name)?.bytes ?? 0;
  const mapCosts = [cs.dynamodbOnly.sourceMaps, ...cs.details.map((d) => d.sourceMaps)].map((m) => m.enabled.wallMs - m.disabled.wallMs);
  const compositions = cs.details.map((d) => d.composition);
  const partRow = (part: string) => [
    part,
    ...compositions.flatMap((c) => {
      const bytes = c.parts.find((p) => p.part === part)?.bytes.bundled ?? 0;
      return [kb(bytes), `${fixed((100 * bytes) / c.totalBytes.bundled, 0)}%`];
    }),
  ];
  const count = (test: (fn: ColdFunction) => boolean) => cs.functions.filter(test).length;
  const largest = cs.details[0];
  return section(
    '## 6. Cold start',
    `Every function in the manifest (${cs.functions.length}: HTTP routes, the \`$default\` catch-all, WebSocket routes, both authorizers) bundled with esbuild as \`infra/constructs/chat-function.ts\` has the CDK do it, with the settings both take from \`infra/constructs/bundling.ts\`: the manifest's handler file as entry, bundle, minify, source map without sources, \`mainFields: module, main\` (the SDK's ES modules, which tree-shake), platform node, format cjs, the AWS SDK bundled (\`externalModules: []\`), only the AWS clients the function's access list needs (\`clientDefines\`), and the S3 store in a file of its own (\`s3StoreFile\`). Target **node20**, not the construct's node24, because this machine runs Node.js ${cs.nodeVersion}. Each bundle is then loaded by a fresh \`node\` process through a tiny loader that times its \`require()\` with \`process.hrtime\`, **as deployed: ${mapsLabel(cs.deployedSourceMaps)}** (\`runtimeSourceMaps\`); the baselines and two functions also the other way, for what source maps cost. Median of ${cs.runs} loads, every target once per round. **The goal uses the whole-process wall time** (spawn → exit, includes Node.js start-up) against the DynamoDB document client alone (\`bench/baselines/dynamodb-only.ts\`), the least a function of this design loads: ${kb(cs.dynamodbOnly.bytes)}, ${ms(floor.wallMs, 0)}, so the goal is ≤ ${ms(coldStartGoalRatio * floor.wallMs, 0)}. A bare handler (\`bench/baselines/bare.ts\`, no imports) takes ${ms(bare.wallMs, 0)}: the DynamoDB client alone is ${times(floor.wallMs / bare.wallMs)} that. Built in a temporary folder, removed after.`,
    table(['Function', 'Clients besides DynamoDB', 'Bundle', 'Wall', `÷ DynamoDB only (goal ≤ ${coldStartGoalRatio})`, '÷ bare', 'require()'], fnRows),
    'Source maps: the same bundles loaded with `NODE_OPTIONS=--enable-source-maps` and without (Node.js then reads and parses the .map at load):',
    table(
      ['Bundle', 'Size', 'Source map', 'Wall with maps', 'Wall without', 'Maps cost', 'require() with maps', 'require() without'],
      [
        mapRow('bare handler', cs.bare.bytes, cs.bare.sourceMaps),
        mapRow('DynamoDB client only', cs.dynamodbOnly.bytes, cs.dynamodbOnly.sourceMaps),
        ...cs.details.map((d) => mapRow(d.name, sized(d.name), d.sourceMaps)),
      ],
    ),
    `What ${compositions.map((c) => c.name).join(' and ')} are made of, from esbuild's metafile (bytes each package leaves in the minified output):`,
    table(
      ['Part', ...compositions.flatMap((c) => [c.name, 'Share'])],
      [...new Set(compositions.flatMap((c) => c.parts.map((p) => p.part)))].slice(0, 8).map(partRow),
    ),
    bullets([
      `Only the clients a function uses: \`lib/deps.ts\` builds the @connections pusher and the S3 attachment store behind \`process.env.BUNDLE_PUSH_CLIENT\` / \`BUNDLE_S3_CLIENT\`, which esbuild replaces with constants from the function's access list (\`clientDefines\` in \`infra/constructs/bundling.ts\`: \`push\` → @connections, any \`attachments:*\` → S3 and the presigners). The other client's code is then dead and esbuild drops it with its SDK package (side-effect free); tests and the local stack run unbundled and get every client. Here ${count((fn) => fn.clients.includes('s3'))} functions carry S3, ${count((fn) => fn.clients.includes('push'))} the @connections client, ${count((fn) => fn.clients.length === 0)} neither.`,
      `The S3 store is not in those functions' bundles either: \`lazyS3AttachmentStore\` (\`lib/attachments/store.ts\`) loads it with \`import('./s3-store.js')\` on the first request that touches an attachment, and the CDK builds that file next to \`index.js\` (\`s3StoreBuildCommand\`, an afterBundling hook). Inside the bundle, even unevaluated, its parse cost every cold start of a send. The file is ${kb(cs.s3Store.bytes)} (it carries its own copy of the SDK core) and its first load takes ${ms(cs.s3Store.init.requireMs, 0)} (require only): the first attachment request of an instance pays that, a text message never does.`,
      'Why a second file rather than esbuild\'s code splitting: splitting needs ESM output and an output folder, while the CDK\'s `NodejsFunction` bundles to one file (`--outfile`); a second esbuild run in the afterBundling hook gets the same effect for the one module worth splitting, at the price of a second copy of the SDK core in `s3-store.js`, paid only on first attachment use.',
      `What remains: module evaluation, not Node.js start-up. Every function loads the DynamoDB client, zod for the input schemas (imported as a namespace, \`import * as z\`, enforced by the linter, so esbuild keeps only what the schemas use) and the project's code: zod and the project are what a function adds to the baseline.`,
      `Source maps cost ${mapCosts.map((cost) => ms(cost, 0)).join(', ')} of wall time (DynamoDB-only baseline, ${cs.details.map((d) => d.name).join(', ')}), for stack traces only. ${
        cs.deployedSourceMaps
          ? 'The construct enables them, so stack traces in the logs name the source files and lines.'
          : 'So the construct does not enable them at runtime (`runtimeSourceMaps` in `infra/constructs/bundling.ts`): every function still ships its `index.js.map` in its code package, and README "Logs" shows how to map a stack trace back to the sources with it.'
      }`,
      largest
        ? `Bundled versus the runtime-provided SDK: with \`@aws-sdk/*\` and \`@smithy/*\` external, ${largest.name}'s bundle shrinks to ${kb(largest.external.bytes)}, but its load goes from ${ms(cs.functions.find((fn) => fn.name === largest.name)?.init.wallMs ?? 0, 0)} to ${ms(largest.external.init.wallMs, 0)} (wall): the SDK still has to be loaded, now file by file from node_modules. Bundling keeps the SDK version pinned to the one tested; the runtime's copy changes under the function.`
        : '',
      'Not included: Lambda\'s own sandbox and runtime start-up (the same for every function), and the first invocation\'s client creation (deps are built on first use, in `lib/deps.ts`).',
    ].filter((item) => item.length > 0)),
  );
}

function costSection(r: BenchResults): string {
  const units = messageUnits(r);
  const lines = costPerMillion(units);
  const total = lines.reduce((sum, line) => sum + line.usd, 0);
  const idle = rows(r.capacity).idle.reading.wcu;
  const idleExtra = (idle - units.wcu) * prices.dynamoWrite.usd;
  const monthly = connectionMinutesPerMonth(10);
  const d: DurationResult = r.duration;
  return section(
    '## 7. Cost model',
    `AWS cost of **1,000,000 store messages with 10 admins online**, us-east-1 (N. Virginia), on-demand prices as published and looked up on ${pricesCheckedOn} (DynamoDB on-demand rates in effect since 1 Nov 2024), free tiers left out. Every quantity comes from this run: DynamoDB units from the capacity meter (the later message with 10 admins online, section 5, plus the authorizer's token lookup), the WebSocket frame and the HTTP response as received, and Lambda duration from the handlers' own time measured in-process (${d.invocations} warm invocations each, 10 admins online, billed per invocation rounded up to 1 ms: authorizer mean ${ms(d.authorizer.time.mean, 2)} → ${ms(d.authorizer.billedMeanMs, 2)} billed, send mean ${ms(d.send.time.mean, 2)} (p50 ${ms(d.send.time.p50, 2)}, p99 ${ms(d.send.time.p99, 2)}) → ${ms(d.send.billedMeanMs, 2)} billed). That duration is this x86 machine's, used as an estimate for 1024 MB arm64 (about 0.6 vCPU); DynamoDB and @connections round trips in AWS are longer than on loopback, so the real duration is likely higher.`,
    table(['Component', 'Quantity per 1M messages', 'Cost (USD)'], [...lines.map((line) => [line.component, line.quantity, `$${fixed(line.usd, 3)}`]), ['**Total**', '', `**$${fixed(total, 2)}**`]]),
    bullets([
      `Connection minutes, separately: 10 admins online all month (30 days) = ${monthly.minutes.toLocaleString('en-US')} connection minutes = $${fixed(monthly.usd, 3)} a month, whatever the message count. API Gateway closes a connection after 2 hours, so each admin also reconnects ~12 times a day ($connect: authorizer + WsConnect invocations, one token read, a connection put and a presence update each) — a few cents a month.`,
      `WebSocket messages are metered in 32 KB increments: a message.created frame is ${r.frameBytes} B here, so each push is ${units.wsUnitsPerAdmin} message. The count grows with admins online: ${units.admins} pushes per store message while the session is unclaimed (once claimed, only the assignee's connections get it).`,
      `If every message came after ≥ 60 s of store silence (section 5), writes would be ${idle} WCU, +$${fixed(idleExtra, 3)} per million.`,
      'Not included: CloudWatch Logs ingestion of the functions\' logs, the 10 admins\' own HTTP reads (inbox, history), and request bytes to the origin.',
    ]),
    'Prices used:',
    table(
      ['Price', 'USD', 'Per', 'Sources'],
      Object.values(prices).map((p) => [p.what, String(p.usd), p.per, p.sources.map((url, i) => `[${i + 1}](${url})`).join(' ')]),
    ),
  );
}

function reproduceSection(): string {
  return section(
    '## How to reproduce',
    '```bash\nnpm ci\nnpm run bench\n```',
    bullets([
      'It starts its own fresh stack: DynamoDB Local in memory on a free port (needs `java`, 11 or newer), and the local HTTP, WebSocket and S3 gateways on free ports (`httpPort`/`wsPort`/`s3Port` 0), with `STORE_SEND_LIMIT=1000000` so the per-store send limit does not interfere. Nothing leaves 127.0.0.1, and nothing from `npm start` needs to be running.',
      'It runs every measurement in one go (about 5 minutes on 2 cores), prints this report and writes it to `docs/PERFORMANCE.md`, then stops by itself.',
      '`BENCH_COLD_RUNS` changes the number of loads per bundle in section 6 (default 20); `BENCH_ONLY=coldstart` measures section 6 alone and prints it with its goal row, leaving this file as it is.',
      'The code is in `bench/`: `run.ts` orchestrates; `floor.ts`, `sends.ts`, `fanout.ts`, `capacity.ts` (+ `seed.ts`, `meter.ts`), `coldstart.ts`, `duration.ts` and `cost.ts` measure; `report.ts` writes this file.',
    ]),
  );
}

/** BENCH_ONLY=coldstart: the cold-start goal row and section 6 alone, for iterating; only a full run writes docs/PERFORMANCE.md. */
export function renderColdStartOnly(cs: ColdStartResult, date: string, machine: Machine): string {
  const goal = coldStartGoal(cs);
  return `${[
    `# Cold start only (\`BENCH_ONLY=coldstart npm run bench\`, ${date}, ${machine.cpuCount} × ${machine.cpu}, Node.js ${machine.node}, ${fixed(cs.seconds, 0)} s)`,
    table(['Goal', 'Measured', '', 'What dominates (when missed)'], [[goal.goal, goal.measured, mark(goal.ok), goal.ok ? '' : goal.why]]),
    coldStartSection(cs),
  ].join('\n\n')}\n`;
}

export function renderReport(r: BenchResults): string {
  return `${[
    '# Performance',
    `Generated by \`${r.command}\` on ${r.date.slice(0, 10)}. Do not edit by hand: run the bench again.`,
    summarySection(r),
    setupSection(r),
    floorSection(r),
    sendsSection(r),
    fanOutSection(r),
    capacitySection(r),
    coldStartSection(r.coldStart),
    costSection(r),
    reproduceSection(),
  ].join('\n\n')}\n`;
}
