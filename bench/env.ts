import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDynamoDbLocal, type DynamoDbLocal } from '../infra/local/dynamodb-local';
import { startLocalStack, type LocalStack } from '../infra/local/stack';
import { localDefaults } from '../infra/local/defaults';
import { chatTableRef } from '../lib/deps';
import { createPrincipalWithToken, type IssuedCredential } from '../lib/ops/principals';
import { ChatClient } from './http';
import { CapacityMeter } from './meter';
import { freePort } from '../infra/local/free-port';
import { AdminSocket } from './socket';
import { pool } from './stats';

/** One fresh local stack for the whole run, with the capacity meter on every function's DynamoDB client. */
export interface BenchEnv {
  stack: LocalStack;
  meter: CapacityMeter;
  client: ChatClient;
  /** Errors the gateways reported (a function that threw, a failed push...), counted for the report. */
  errors: string[];
  createStores(count: number, prefix: string): Promise<IssuedCredential[]>;
  createAdmins(count: number, prefix: string): Promise<IssuedCredential[]>;
  connect(token: string): Promise<AdminSocket>;
  close(): Promise<void>;
}

export async function startBenchEnv(): Promise<BenchEnv> {
  const dynamo: DynamoDbLocal = await startDynamoDbLocal({ port: await freePort(), inMemory: true });
  const tables = localDefaults.tables;
  const meter = new CapacityMeter({ [tables.chat]: 'chat', [tables.connections]: 'connections' });
  const errors: string[] = [];
  // The S3 emulator's files (none are uploaded here) go to a folder removed at the end.
  const s3Directory = mkdtempSync(join(tmpdir(), 'support-chat-bench-s3-'));
  let stack: LocalStack;
  try {
    stack = await startLocalStack({
      dynamodbEndpoint: dynamo.endpoint,
      tables,
      httpPort: 0,
      wsPort: 0,
      s3Port: 0,
      s3Directory,
      // The per-store send limit would otherwise refuse the throughput run.
      extraEnv: { STORE_SEND_LIMIT: '1000000' },
      // The meter times each function's DynamoDB requests and its pushes' starts (bench/chain.ts).
      clientHooks: meter.hooksFor,
      onError: (message, error) => errors.push(`${message}: ${error instanceof Error ? error.message : String(error)}`),
    });
  } catch (error) {
    await dynamo.stop();
    rmSync(s3Directory, { recursive: true, force: true });
    throw error;
  }
  const ref = chatTableRef(stack.deps);
  const sockets: AdminSocket[] = [];
  const create = async (kind: 'store' | 'admin', count: number, prefix: string) => {
    const out: IssuedCredential[] = new Array<IssuedCredential>(count);
    await pool(Array.from({ length: count }, (_, i) => i), 16, async (i) => {
      out[i] = await createPrincipalWithToken(ref, kind, `${prefix} ${i}`);
    });
    return out;
  };
  return {
    stack,
    meter,
    client: new ChatClient(stack.httpUrl),
    errors,
    createStores: (count, prefix) => create('store', count, prefix),
    createAdmins: (count, prefix) => create('admin', count, prefix),
    async connect(token) {
      const socket = await AdminSocket.open(`${stack.wsUrl}/?token=${encodeURIComponent(token)}`);
      sockets.push(socket);
      return socket;
    },
    async close() {
      await Promise.all(sockets.map((socket) => socket.close()));
      await stack.close();
      await dynamo.stop();
      rmSync(s3Directory, { recursive: true, force: true });
    },
  };
}
