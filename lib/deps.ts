import type { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import type { S3Client } from '@aws-sdk/client-s3';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { lazyS3AttachmentStore, type AttachmentStore } from './attachments/store';
import { createIdentityCache, type IdentityCache } from './auth/identity-cache';
import { ActiveSessions } from './chat/active-sessions';
import { systemClock, type Clock } from './clock';
import { loadConfig } from './config';
import { createDocumentClient } from './db/client';
import { parseOriginSecrets } from './http/origin';
import type { TableRef } from './db/types';
import { createLogger, type Logger } from './log';
import { createApiGatewayPusher, type Pusher } from './realtime/push';

/** Everything a handler talks to. Tests build their own; Lambda uses defaultDeps(). */
export interface Deps {
  db: DynamoDBDocumentClient;
  tables: { chat: string; connections: string };
  push: Pusher;
  /** Absent for functions without attachment access. */
  attachments?: AttachmentStore;
  /** Per-store send rate limit. */
  sendLimit: { messages: number; windowMs: number };
  /** Per-principal upload ticket limit. */
  uploadLimit?: { tickets: number; windowMs: number };
  /** Accepted x-origin-verify values; set only for the functions that check the origin. */
  originSecrets?: readonly string[];
  /** Tokens this instance resolved, by hash, for at most 30 s (lib/auth/identity-cache.ts); absent: read every time. */
  identities?: IdentityCache;
  clock: Clock;
  log: Logger;
  /** Each store's active session as this instance last saw it, checked on every use (lib/chat/active-sessions.ts); absent: every send reads the profile. */
  activeSessions?: ActiveSessions;
}

export const chatTableRef = (deps: Deps): TableRef => ({ db: deps.db, table: deps.tables.chat });
export const connectionsTableRef = (deps: Deps): TableRef => ({ db: deps.db, table: deps.tables.connections });

const pushDisabled: Pusher = { send: () => Promise.resolve('failed'), disconnect: () => Promise.resolve('failed') };

/** Hooks to adjust each AWS client after it is built; the local stack uses them to enforce grants. */
export interface ClientHooks {
  dynamodb?: (client: DynamoDBDocumentClient) => void;
  s3?: (client: S3Client) => void;
  push?: (client: ApiGatewayManagementApiClient) => void;
}

export function createDeps(env: NodeJS.ProcessEnv = process.env, hooks: ClientHooks = {}): Deps {
  const config = loadConfig(env);
  const log = createLogger({ service: 'support-chat', fn: env.AWS_LAMBDA_FUNCTION_NAME });
  const db = createDocumentClient({ region: config.AWS_REGION, endpoint: config.DYNAMODB_ENDPOINT });
  hooks.dynamodb?.(db);
  return {
    db,
    tables: { chat: config.TABLE_NAME, connections: config.CONNECTIONS_TABLE_NAME },
    // BUNDLE_*_CLIENT are replaced at bundle time (clientDefines in infra/constructs/bundling.ts): a bundle keeps
    // only the clients its access list needs (docs/PERFORMANCE.md, "6. Cold start"). Unbundled, every client is built.
    push: process.env.BUNDLE_PUSH_CLIENT !== 'no' && config.WS_MANAGEMENT_ENDPOINT
      ? createApiGatewayPusher({ endpoint: config.WS_MANAGEMENT_ENDPOINT, region: config.AWS_REGION, timeoutMs: config.PUSH_TIMEOUT_MS, configure: hooks.push })
      : pushDisabled,
    ...(process.env.BUNDLE_S3_CLIENT !== 'no' && config.BUCKET_NAME
      ? { attachments: lazyS3AttachmentStore({ bucket: config.BUCKET_NAME, region: config.AWS_REGION, endpoint: config.S3_ENDPOINT, configure: hooks.s3 }) }
      : {}),
    sendLimit: { messages: config.STORE_SEND_LIMIT, windowMs: config.STORE_SEND_WINDOW_SECONDS * 1000 },
    uploadLimit: { tickets: config.UPLOAD_TICKET_LIMIT, windowMs: config.UPLOAD_TICKET_WINDOW_SECONDS * 1000 },
    originSecrets: parseOriginSecrets(config.ORIGIN_VERIFY_SECRETS),
    // Once per instance: createDeps runs once (defaultDeps), so warm requests share it.
    identities: createIdentityCache({ clock: systemClock }),
    clock: systemClock,
    log,
    activeSessions: new ActiveSessions(),
  };
}

let shared: Deps | undefined;

/** Created once per Lambda instance (or local process) and reused. */
export function defaultDeps(): Deps {
  shared ??= createDeps();
  return shared;
}

/** A handler factory takes deps, or a way to get them on first use. */
export type DepsSource = Deps | (() => Deps);

export function resolveDeps(source: DepsSource): Deps {
  return typeof source === 'function' ? source() : source;
}
