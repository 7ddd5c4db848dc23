import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createIdentityCache } from '../../lib/auth/identity-cache';
import { systemClock } from '../../lib/clock';
import { chatTable, connectionsTable } from '../../lib/db/schema';
import { createDeps, type ClientHooks, type Deps } from '../../lib/deps';
import { authorizers, httpCatchAll, httpRoutes, wsRoutes, type FunctionSpec } from '../../lib/routes';
import type { ConsoleBuild } from '../../web/build';
import { consoleConfigFile } from '../edge/console-function';
import { localConsole, sharedConsoleBuild } from './console-server';
import { enforceGrants } from './grants';
import { localDefaults, repoRoot } from './defaults';
import { loadViewerRequestFunction } from './edge';
import { startHttpGateway } from './http-gateway';
import { loadFunction } from './lambda';
import { ensureTable } from './tables';
import { startS3Emulator } from './s3-emulator';
import { startWsGateway, type WsGateway } from './ws-gateway';

export interface LocalStackOptions {
  dynamodbEndpoint: string;
  tables?: { chat: string; connections: string };
  host?: string;
  /** 0 picks a free port. */
  httpPort?: number;
  /** The HTTP API's own endpoint behind the edge (HttpApiOriginUrl); 0 (default) picks a free port. */
  httpOriginPort?: number;
  wsPort?: number;
  s3Port?: number;
  /** Where uploaded files live; a fresh temporary folder when omitted. */
  s3Directory?: string;
  region?: string;
  wsIdleTimeoutMs?: number;
  wsMaxConnectionMs?: number;
  pushTimeoutMs?: number;
  /** More function environment, e.g. a smaller send limit for a test. */
  extraEnv?: Record<string, string>;
  /**
   * More client middleware for every function (after the grant checks), e.g. the benchmark's capacity meter;
   * given the function's manifest name when it is a function, so a meter can say which function made a call.
   */
  clientHooks?: ClientHooks | ((functionName: string) => ClientHooks);
  /**
   * How long each function trusts a token it resolved (lib/auth/identity-cache.ts); at most, and by
   * default, limits.identityCacheTtlSeconds. A test sets less, to see a revocation take effect without waiting.
   */
  identityCacheTtlMs?: number;
  /**
   * A built console (web/build.ts) to serve at /console/; by default it is built once per process, into a
   * temporary folder, when the console is first requested.
   */
  consoleDir?: string;
  onError?: (message: string, error: unknown) => void;
}

export interface LocalStack {
  /** CloudFront's equivalent (HttpApiUrl): clients call this. */
  httpUrl: string;
  /** The HTTP API behind it (HttpApiOriginUrl): 403 without CloudFront's x-origin-verify header. */
  httpOriginUrl: string;
  wsUrl: string;
  /** The admin console on the edge: `${httpUrl}/console/`. */
  consoleUrl: string;
  managementEndpoint: string;
  dynamodbEndpoint: string;
  s3Endpoint: string;
  bucket: string;
  tables: { chat: string; connections: string };
  /** The environment a deployed function would get, pointed at local endpoints. */
  env: Record<string, string>;
  deps: Deps;
  ws: WsGateway;
  close(): Promise<void>;
}

/**
 * Both gateways over the route manifest, calling the same handler modules
 * as Lambda, against tables built from the same specs as the CDK stack.
 */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const host = options.host ?? localDefaults.host;
  const region = options.region ?? localDefaults.region;
  const tables = options.tables ?? localDefaults.tables;
  const admin = new DynamoDBClient({ endpoint: options.dynamodbEndpoint, region, credentials: localDefaults.credentials });
  try {
    await ensureTable(admin, chatTable, tables.chat);
    await ensureTable(admin, connectionsTable, tables.connections);
  } finally {
    admin.destroy();
  }

  // Handlers bind lazily: their deps need the WebSocket port, known only after listen.
  // Each function gets clients of its own, held to its manifest grants.
  const ready: { env?: Record<string, string> } = {};
  // What the edge adds as x-origin-verify; only the functions that check it get it (README, "Origin check").
  const originSecret = randomBytes(32).toString('base64url');
  const perFunction = new Map<string, Deps>();
  const fn = (spec: FunctionSpec) =>
    loadFunction(repoRoot, spec.name, spec.handler, () => {
      if (!ready.env) throw new Error('local stack is not ready');
      let deps = perFunction.get(spec.name);
      if (!deps) {
        const grants = enforceGrants(spec.name, spec.access, { chatTable: tables.chat, connectionsTable: tables.connections });
        const env = spec.verifiesOrigin ? { ...ready.env, ORIGIN_VERIFY_SECRETS: originSecret } : ready.env;
        deps = createDeps(env, combineHooks(grants, typeof options.clientHooks === 'function' ? options.clientHooks(spec.name) : options.clientHooks));
        // One cache per function, as each Lambda instance has its own.
        if (options.identityCacheTtlMs !== undefined) deps = { ...deps, identities: createIdentityCache({ clock: systemClock, ttlMs: options.identityCacheTtlMs }) };
        perFunction.set(spec.name, deps);
      }
      return deps;
    });

  if (options.s3Directory) mkdirSync(options.s3Directory, { recursive: true });
  // The console's origin is the edge's, known once it listens; the bucket's CORS rule names only it (README "Serving and deploying it").
  const consoleOrigins: string[] = [];
  const s3 = await startS3Emulator({
    host,
    port: options.s3Port ?? localDefaults.s3Port,
    directory: options.s3Directory ?? mkdtempSync(join(tmpdir(), 'support-chat-s3-')),
    buckets: [localDefaults.bucket],
    region,
    credentials: localDefaults.credentials,
    corsOrigins: () => consoleOrigins,
    ...(options.onError ? { onError: options.onError } : {}),
  });
  const ws = await startWsGateway({
    host,
    port: options.wsPort ?? localDefaults.wsPort,
    apiId: 'local-ws',
    stage: 'local',
    routes: wsRoutes.map((spec) => ({ spec, fn: fn(spec) })),
    authorizer: fn(authorizers.ws),
    ...(options.wsIdleTimeoutMs ? { idleTimeoutMs: options.wsIdleTimeoutMs } : {}),
    ...(options.wsMaxConnectionMs ? { maxConnectionMs: options.wsMaxConnectionMs } : {}),
    ...(options.onError ? { onError: options.onError } : {}),
  });
  const env: Record<string, string> = {
    TABLE_NAME: tables.chat,
    CONNECTIONS_TABLE_NAME: tables.connections,
    DYNAMODB_ENDPOINT: options.dynamodbEndpoint,
    WS_MANAGEMENT_ENDPOINT: ws.managementEndpoint,
    BUCKET_NAME: localDefaults.bucket,
    S3_ENDPOINT: s3.endpoint,
    AWS_REGION: region,
    ...(options.pushTimeoutMs ? { PUSH_TIMEOUT_MS: String(options.pushTimeoutMs) } : {}),
    ...(process.env.LOG_LEVEL ? { LOG_LEVEL: process.env.LOG_LEVEL } : {}),
    ...options.extraEnv,
  };
  // Unrestricted: for tests and tooling, not for handlers.
  const deps = createDeps(env);
  ready.env = env;

  const consoleDir = options.consoleDir;
  const build = consoleDir
    ? (): Promise<ConsoleBuild> => Promise.resolve({ outDir: consoleDir, files: readdirSync(consoleDir).filter((name) => name !== consoleConfigFile).sort() })
    : sharedConsoleBuild;
  const consoleSite = localConsole({
    build,
    // config.json as the deploy writes it, pointed at this stack (README "Serving and deploying it").
    config: () => ({ apiBaseUrl: '', wsUrl: ws.url, trustedOrigins: [s3.endpoint] }),
    origins: () => ({ webSocket: ws.url, upload: s3.endpoint, trustedDownloads: [s3.endpoint], https: false }),
  });

  let http;
  try {
    http = await startHttpGateway({
      host,
      port: options.httpPort ?? localDefaults.httpPort,
      apiId: 'local-http',
      routes: httpRoutes.map((spec) => ({ spec, fn: fn(spec) })),
      catchAll: fn(httpCatchAll),
      edge: loadViewerRequestFunction(),
      originSecret,
      console: consoleSite,
      ...(options.httpOriginPort !== undefined ? { originPort: options.httpOriginPort } : {}),
      ...(options.onError ? { onError: options.onError } : {}),
    });
  } catch (error) {
    await Promise.all([ws.close(), s3.close()]);
    throw error;
  }
  const httpGateway = http;
  consoleOrigins.push(httpGateway.url);
  return {
    httpUrl: httpGateway.url,
    consoleUrl: `${httpGateway.url}/console/`,
    httpOriginUrl: httpGateway.originUrl,
    wsUrl: ws.url,
    managementEndpoint: ws.managementEndpoint,
    dynamodbEndpoint: options.dynamodbEndpoint,
    s3Endpoint: s3.endpoint,
    bucket: localDefaults.bucket,
    tables,
    env,
    deps,
    ws,
    async close() {
      await Promise.all([httpGateway.close(), ws.close(), s3.close()]);
      deps.db.destroy();
      for (const own of perFunction.values()) own.db.destroy();
    },
  };
}

/** Both sets of hooks, in order, on each client. */
function combineHooks(first: ClientHooks, second: ClientHooks | undefined): ClientHooks {
  if (!second) return first;
  const both = <C>(a?: (client: C) => void, b?: (client: C) => void) => (client: C) => {
    a?.(client);
    b?.(client);
  };
  return { dynamodb: both(first.dynamodb, second.dynamodb), s3: both(first.s3, second.s3), push: both(first.push, second.push) };
}
