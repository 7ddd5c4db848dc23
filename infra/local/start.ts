// Lambda runs Node 24; locally Node 20 works, so the SDK's Node 22 notice is only noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

import { createServer } from 'node:net';
import { join } from 'node:path';
import { loadConfig, tunableVariables } from '../../lib/config';
import { chatTableRef } from '../../lib/deps';
import { sharedConsoleBuild } from './console-server';
import { localDefaults } from './defaults';
import { prepareDemo } from './demo';
import { JavaMissingError, startDynamoDbLocal, type DynamoDbLocal } from './dynamodb-local';
import { startDocsServer, type DocsServer } from './docs-server';
import { startLocalStack, type LocalStack } from './stack';

/** The five ports, in the order the stop line names them, with the variable that moves each. */
const ports = [
  { variable: 'PORT', port: localDefaults.httpPort },
  { variable: 'WS_PORT', port: localDefaults.wsPort },
  { variable: 'S3_PORT', port: localDefaults.s3Port },
  { variable: 'DYNAMODB_PORT', port: localDefaults.dynamodbPort },
  { variable: 'DOCS_PORT', port: localDefaults.docsPort },
];
const portVariables = 'PORT, WS_PORT, S3_PORT, DYNAMODB_PORT or DOCS_PORT';

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, localDefaults.host, () => probe.close(() => resolve(true)));
  });
}

/** Why the configured ports cannot be used, or undefined when all five are free and distinct. */
async function portProblem(): Promise<string | undefined> {
  for (const { variable, port } of ports) {
    if (!Number.isInteger(port) || port < 1 || port > 65535) return `${variable} must be a port number from 1 to 65535, not ${process.env[variable]}.`;
  }
  const same = ports.find((a, i) => ports.findIndex((b) => b.port === a.port) !== i);
  if (same) return `${ports.filter((p) => p.port === same.port).map((p) => p.variable).join(' and ')} are both ${same.port}; each needs a port of its own.`;
  for (const { variable, port } of ports) {
    if (!(await portIsFree(port))) return `Port ${port} (${variable}) is already in use. Stop what holds it, or set ${portVariables} to free ports, e.g. ${variable}=${port + 100} npm start.`;
  }
  return undefined;
}

/** The limits from npm's environment that the functions honour (lib/config.ts), e.g. STORE_SEND_LIMIT. */
function tunedLimits(): Record<string, string> {
  return Object.fromEntries(tunableVariables.flatMap((key) => {
    const value = process.env[key];
    return value === undefined ? [] : [[key, value]];
  }));
}

/**
 * `npm start`: DynamoDB Local, the HTTP and WebSocket gateways, and a demo
 * store and admin. Data persists in .local/ unless --in-memory (or LOCAL_IN_MEMORY=1).
 *
 * The package.json script `exec`s node, so npm's SIGINT and SIGTERM reach this process
 * with no shell in between (a shell neither forwards them nor dies on SIGINT). Whatever
 * the signal, or if the process that started this one dies, everything stops and the
 * ports are freed: see README "The local stack".
 */
async function main(): Promise<void> {
  const inMemory = process.argv.includes('--in-memory') || process.env.LOCAL_IN_MEMORY === '1';
  let dynamodb: DynamoDbLocal | undefined;
  let stack: LocalStack | undefined;
  let docs: DocsServer | undefined;
  // A closed terminal must not turn the goodbye line into a crash.
  process.stdout.on('error', () => undefined);
  process.stderr.on('error', () => undefined);

  let stopping = false;
  const stop = async (code: number, reason?: string) => {
    if (stopping) return; // Ctrl-C reaches both npm and this process: one stop is enough
    stopping = true;
    if (reason) console.error(reason);
    const force = setTimeout(() => {
      console.error('Stopping took more than 10 s; exiting anyway.');
      process.exit(code || 1);
    }, 10_000);
    await docs?.close().catch(() => undefined);
    await stack?.close().catch(() => undefined);
    await dynamodb?.stop().catch(() => undefined);
    clearTimeout(force);
    if (reason !== undefined || code === 0) {
      const held = [];
      for (const { variable, port } of ports) if (!(await portIsFree(port))) held.push(`${port} (${variable})`);
      const list = ports.map((p) => p.port).join(', ');
      console.log(held.length === 0 ? `Stopped: ports ${list} are free.` : `Stopped, but ports ${held.join(', ')} are still held by another process.`);
    }
    process.exit(code);
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void stop(0));

  // A parent killed outright (SIGKILL) sends nothing: notice it by being handed to another parent.
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) void stop(0, `The process that started the local stack (pid ${parent}) has exited; stopping.`);
  }, 500).unref();

  const problem = await portProblem();
  if (problem) {
    console.error(problem);
    return stop(1);
  }
  try {
    // Built before anything starts, so a console that does not compile stops npm start with esbuild's errors.
    const consoleBuild = await sharedConsoleBuild();
    dynamodb = await startDynamoDbLocal({ port: localDefaults.dynamodbPort, inMemory, dataDir: join(localDefaults.dataDir, 'dynamodb') });
    stack = await startLocalStack({
      dynamodbEndpoint: dynamodb.endpoint,
      httpPort: localDefaults.httpPort,
      wsPort: localDefaults.wsPort,
      s3Port: localDefaults.s3Port,
      ...(inMemory ? {} : { s3Directory: join(localDefaults.dataDir, 's3') }),
      extraEnv: tunedLimits(),
      consoleDir: consoleBuild.outDir,
      onError: (message, error) => console.error(`[gateway] ${message}:`, error),
    });
    docs = await startDocsServer({ host: localDefaults.host, port: localDefaults.docsPort });
  } catch (error) {
    if (stopping) return;
    if (error instanceof JavaMissingError) console.error(error.message);
    else if ((error as { code?: string }).code === 'EADDRINUSE') {
      const port = (error as { port?: number }).port;
      const variable = ports.find((p) => p.port === port)?.variable;
      console.error(`Port ${port ?? '?'}${variable ? ` (${variable})` : ''} is already in use. Set ${portVariables} to free ports.`);
    } else console.error(error);
    return stop(1);
  }

  const demo = await prepareDemo(chatTableRef(stack.deps), inMemory ? undefined : join(localDefaults.dataDir, 'demo.json'));
  const config = loadConfig(stack.env);
  const limits = tunableVariables.map((key) => `${key}=${String(config[key as keyof typeof config])}`).join(' ');
  const dynamodbNote =
    dynamodb.listening === localDefaults.host
      ? 'loopback only'
      : 'on ALL interfaces (this Java cannot compile the loopback launcher); it holds token hashes, never tokens';
  const lines = [
    'Support chat local stack is running.',
    '',
    `  HTTP API        ${stack.httpUrl}          POST /v1/chat/store/message/`,
    `  Admin console   ${stack.consoleUrl}`,
    `  WebSocket API   ${stack.wsUrl}/?token=<admin token>`,
    `  @connections    ${stack.managementEndpoint}/@connections/{connectionId}`,
    `  DynamoDB Local  ${stack.dynamodbEndpoint}          ${inMemory ? 'in memory' : `data in ${join(localDefaults.dataDir, 'dynamodb')}`}, ${dynamodbNote}`,
    `  S3 (s3rver)     ${stack.s3Endpoint}          bucket ${stack.bucket}, ${inMemory ? 'files in a temporary folder' : `files in ${join(localDefaults.dataDir, 's3')}`}`,
    `  API reference   ${docs.url}/          contracts at ${docs.url}/openapi.json and ${docs.url}/asyncapi.json`,
    `  Limits          ${limits}`,
    '',
    `  Demo store  id ${demo.store.id}   token ${demo.store.token}`,
    `  Demo admin  id ${demo.admin.id}   token ${demo.admin.token}`,
    '  (demo tokens are reissued at every start; tokens from `npm run chatctl` survive restarts)',
    '',
    '  Try it:',
    `    curl -X POST "${stack.httpUrl}/v1/chat/store/message/" -H "Authorization: Token ${demo.store.token}" -H "Content-Type: application/json" -d '{"content": "Hello, I need help with my account"}'`,
    `    npx wscat -c "${stack.wsUrl}/?token=${demo.admin.token}"`,
    '',
    `Ctrl-C stops everything (so does kill ${process.pid}, or killing npm).`,
  ];
  console.log(lines.join('\n'));
}

void main();
