import { Readable } from 'node:stream';
import { ApiGatewayManagementApiClient, PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { awsHttpHandler, localCredentials } from '../lib/aws-http';
import { createDocumentClient } from '../lib/db/client';
import { connectionsTableRef } from '../lib/deps';
import { listAdminConnections } from '../lib/entities/connection';
import type { BenchEnv } from './env';
import { nowMs, pool, range, summarize, type Summary } from './stats';

/** The floor: what the emulators themselves do, with none of the chat code in the way. */
export interface PutFloor {
  count: number;
  concurrency: number;
  perSecond: number;
  latency: Summary;
  itemBytes: number;
}

export interface FloorResult {
  /** Taken before the store sends; `again` right after them, so drift on a shared machine shows. */
  puts: PutFloor & { again?: PutFloor };
  pushes: { count: number; concurrency: number; perSecond: number; latency: Summary; payloadBytes: number };
  /** The SDK's own share of a push (build, sign, parse) with a transport that answers 200 at once. */
  pushClient: { count: number; perSecond: number; microsPerPush: number };
}

export const floorSizes = { puts: 3000, pushes: 3000, concurrency: 32 };

/**
 * Raw PutItem at concurrency 32, each item a copy of a real log entry (the
 * same conditional put appendEntry sends), through a client built by the
 * project's own factory (same HTTP handler and socket limits as the functions).
 */
export async function measurePuts(env: BenchEnv, template: Record<string, unknown>, tag = 'floor'): Promise<PutFloor> {
  const db = createDocumentClient({ region: env.stack.env.AWS_REGION ?? 'us-east-1', endpoint: env.stack.dynamodbEndpoint });
  const table = env.stack.tables.chat;
  const latencies: number[] = [];
  try {
    // Warm the sockets and DynamoDB Local's JIT so the figure is steady state, not start-up.
    await pool(range(200), floorSizes.concurrency, async (i) => {
      await db.send(new PutCommand({ TableName: table, Item: { ...template, pk: `BENCH#${tag}-warm#${i}` }, ConditionExpression: 'attribute_not_exists(pk)' }));
    });
    const started = nowMs();
    await pool(range(floorSizes.puts), floorSizes.concurrency, async (i) => {
      const t0 = nowMs();
      await db.send(new PutCommand({ TableName: table, Item: { ...template, pk: `BENCH#${tag}#${i}` }, ConditionExpression: 'attribute_not_exists(pk)' }));
      latencies.push(nowMs() - t0);
    });
    const seconds = (nowMs() - started) / 1000;
    return {
      count: floorSizes.puts,
      concurrency: floorSizes.concurrency,
      perSecond: floorSizes.puts / seconds,
      latency: summarize(latencies),
      itemBytes: Buffer.byteLength(JSON.stringify(template)),
    };
  } finally {
    db.destroy();
  }
}

/** Raw PostToConnection to one idle admin socket, with the pusher's client settings (lib/realtime/push.ts). */
async function measurePushes(env: BenchEnv, payload: string): Promise<FloorResult['pushes']> {
  const [admin] = await env.createAdmins(1, 'Floor admin');
  if (!admin) throw new Error('no floor admin');
  const socket = await env.connect(admin.token);
  const [connection] = await listAdminConnections(connectionsTableRef(env.stack.deps), admin.id);
  if (!connection) throw new Error('the floor admin has no connection row');
  const client = new ApiGatewayManagementApiClient({
    endpoint: env.stack.managementEndpoint,
    region: 'us-east-1',
    credentials: localCredentials,
    maxAttempts: 1,
    requestHandler: awsHttpHandler({ maxSockets: 1000, connectMs: 2000, requestMs: 2000 }),
  });
  const data = Buffer.from(payload);
  const push = () => client.send(new PostToConnectionCommand({ ConnectionId: connection.connection_id, Data: data }));
  const latencies: number[] = [];
  try {
    await pool(range(200), floorSizes.concurrency, async () => void (await push()));
    const started = nowMs();
    await pool(range(floorSizes.pushes), floorSizes.concurrency, async () => {
      const t0 = nowMs();
      await push();
      latencies.push(nowMs() - t0);
    });
    const seconds = (nowMs() - started) / 1000;
    return { count: floorSizes.pushes, concurrency: floorSizes.concurrency, perSecond: floorSizes.pushes / seconds, latency: summarize(latencies), payloadBytes: data.length };
  } finally {
    client.destroy();
    // Not an admin of the later runs: every admin socket receives every unclaimed message.
    await socket.close();
  }
}

/**
 * The part of a push that stays on the sending Lambda's CPU in AWS: the
 * SDK's middleware, SigV4 signing and response parsing. The transport is a
 * stub that answers 200 at once, so no socket and no @connections server.
 */
async function measurePushClient(payload: string): Promise<FloorResult['pushClient']> {
  const stub = {
    metadata: { handlerProtocol: 'http/1.1' },
    handle: () => Promise.resolve({ response: { statusCode: 200, headers: {}, body: Readable.from([]) } }),
    updateHttpClientConfig: () => undefined,
    httpHandlerConfigs: () => ({}),
    destroy: () => undefined,
  };
  const client = new ApiGatewayManagementApiClient({ endpoint: 'https://example.execute-api.us-east-1.amazonaws.com/prod', region: 'us-east-1', credentials: localCredentials, maxAttempts: 1, requestHandler: stub });
  const data = Buffer.from(payload);
  const push = () => client.send(new PostToConnectionCommand({ ConnectionId: 'bench', Data: data }));
  try {
    await pool(range(500), floorSizes.concurrency, async () => void (await push()));
    const started = nowMs();
    await pool(range(floorSizes.pushes), floorSizes.concurrency, async () => void (await push()));
    const elapsed = nowMs() - started;
    return { count: floorSizes.pushes, perSecond: floorSizes.pushes / (elapsed / 1000), microsPerPush: (elapsed * 1000) / floorSizes.pushes };
  } finally {
    client.destroy();
  }
}

export async function measureFloor(env: BenchEnv, template: Record<string, unknown>, payload: string): Promise<FloorResult> {
  const puts = await measurePuts(env, template);
  const pushes = await measurePushes(env, payload);
  const pushClient = await measurePushClient(payload);
  return { puts, pushes, pushClient };
}
