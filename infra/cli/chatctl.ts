// Lambda runs Node 24; locally Node 20 works, so the SDK's Node 22 notice is only noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import * as z from 'zod';
import { createDocumentClient } from '../../lib/db/client';
import type { TableRef } from '../../lib/db/types';
import { AppError } from '../../lib/errors';
import { limits } from '../../lib/limits';
import { createPrincipalWithToken, issueTokenFor, revokeTokenAndConnections } from '../../lib/ops/principals';
import { createApiGatewayPusher } from '../../lib/realtime/push';
import { importProducts, productImportMaxProducts } from '../../lib/ops/products';
import { localDefaults } from '../local/defaults';

const usage = `Usage: npm run -s chatctl -- <command> [options]
       npm run -s chatctl -- --help        (also -h, or help) this text

Prints one line of JSON on stdout; errors are JSON on stderr (exit 2 for bad input, 1 otherwise).
-s keeps npm's "> support-chat@0.1.0 chatctl" banner off stdout, so the output pipes into jq.

Commands:
  store create --name <name>         create a store; prints {"id": <int>, "token": "<token>"}
  admin create --name <name>         create an admin; prints the same shape
  token create --store <id>          issue another token for a store (rotation)
  token create --admin <id>          issue another token for an admin (rotation)
  token revoke <token>               revoke a token and close every WebSocket opened with it;
                                     prints {"revoked": true|false, "connections_closed": <int>}
                                     deployed: also --connections-table <ConnectionsTableName>
                                     and --ws-endpoint <WebSocketManagementUrl> (stack outputs)
  product import --store <id> --file <path.json>
                                     create or update a store's products from a JSON file: an array of
                                     products or {"products": [...]}, at most ${productImportMaxProducts}, keyed by sku;
                                     checks the whole file first and imports nothing if any product is invalid;
                                     prints {"imported": n, "created": c, "updated": u, "products": [{"id", "sku"}]}

Target (default: the local stack's DynamoDB on DYNAMODB_PORT, default 8000):
  --table <name> --region <region>   a deployed stack's table (see the stack output ChatTableName)
  --endpoint <url>                   any other DynamoDB endpoint

Tokens are shown once and stored only as SHA-256 hashes. They survive restarts of \`npm start\`
(the demo tokens it prints do not: each start revokes and reissues them).`;

class UsageError extends Error {}

const name = z.string().trim().min(1, 'must not be empty').max(limits.principalNameMaxChars, `must be at most ${limits.principalNameMaxChars} characters`);
const id = z.coerce.number().int().positive();

function target(values: { table?: string | undefined; region?: string | undefined; endpoint?: string | undefined }): TableRef {
  const region = values.region ?? process.env.AWS_REGION ?? localDefaults.region;
  if (values.table && !values.endpoint) {
    return { db: createDocumentClient({ region }), table: values.table };
  }
  const endpoint = values.endpoint ?? `http://${localDefaults.host}:${localDefaults.dynamodbPort}`;
  return { db: createDocumentClient({ region, endpoint }), table: values.table ?? localDefaults.tables.chat };
}

/**
 * Revoking closes the token's sockets: that needs the connections table and the
 * WebSocket API's @connections endpoint. Locally both have defaults (WS_PORT);
 * a deployed stack names them in its outputs ConnectionsTableName and WebSocketManagementUrl.
 */
async function revokeWithSockets(
  ref: TableRef,
  values: { table?: string | undefined; endpoint?: string | undefined; region?: string | undefined; 'connections-table'?: string | undefined; 'ws-endpoint'?: string | undefined },
  token: string,
): Promise<unknown> {
  const deployed = values.table !== undefined && values.endpoint === undefined;
  const connectionsTable = values['connections-table'] ?? (values.table === undefined ? localDefaults.tables.connections : undefined);
  const wsEndpoint = values['ws-endpoint'] ?? (deployed ? undefined : `http://${localDefaults.host}:${localDefaults.wsPort}`);
  if (!connectionsTable || !wsEndpoint) {
    throw new UsageError('token revoke with --table also needs --connections-table <ConnectionsTableName> and --ws-endpoint <WebSocketManagementUrl> (stack outputs)');
  }
  if (!/^https?:\/\/[^/]/.test(wsEndpoint)) throw new UsageError('--ws-endpoint must be an http(s) URL, such as https://<api id>.execute-api.<region>.amazonaws.com/prod');
  const region = values.region ?? process.env.AWS_REGION ?? localDefaults.region;
  const pusher = createApiGatewayPusher({ endpoint: wsEndpoint, region, timeoutMs: 5000, maxSockets: 50 });
  try {
    return await revokeTokenAndConnections(ref, { db: ref.db, table: connectionsTable }, pusher, token);
  } finally {
    pusher.destroy();
  }
}

function readJsonFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : (code ?? String(error));
    throw new UsageError(`cannot read --file ${path}: ${reason}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new UsageError(`--file ${path} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
}

async function run(argv: string[]): Promise<unknown> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      store: { type: 'string' },
      admin: { type: 'string' },
      table: { type: 'string' },
      region: { type: 'string' },
      endpoint: { type: 'string' },
      file: { type: 'string' },
      'connections-table': { type: 'string' },
      'ws-endpoint': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [noun, verb, arg] = positionals;
  if (!noun) throw new UsageError(`no command given; see ${helpHint}`);
  const ref = target(values);
  try {
    if ((noun === 'store' || noun === 'admin') && verb === 'create') {
      const parsed = name.safeParse(values.name);
      if (!parsed.success) throw new UsageError(`--name ${parsed.error.issues[0]?.message ?? 'is invalid'}`);
      return await createPrincipalWithToken(ref, noun, parsed.data);
    }
    if (noun === 'token' && verb === 'create') {
      const kind = values.store !== undefined ? 'store' : values.admin !== undefined ? 'admin' : undefined;
      const parsed = id.safeParse(values.store ?? values.admin);
      if (!kind || !parsed.success) throw new UsageError('token create needs --store <id> or --admin <id>');
      const issued = await issueTokenFor(ref, kind, parsed.data);
      if (!issued) throw new UsageError(`${kind} ${parsed.data} does not exist`);
      return issued;
    }
    if (noun === 'token' && verb === 'revoke') {
      if (!arg) throw new UsageError('token revoke needs the token');
      return await revokeWithSockets(ref, values, arg);
    }
    if (noun === 'product' && verb === 'import') {
      const store = id.safeParse(values.store);
      if (!store.success || !values.file) throw new UsageError('product import needs --store <id> and --file <path.json>');
      return await importProducts(ref, store.data, readJsonFile(values.file));
    }
    throw new UsageError(`unknown command "${positionals.join(' ')}"; see ${helpHint}`);
  } finally {
    ref.db.destroy();
  }
}

const helpHint = '`npm run -s chatctl -- --help`';
const wantsHelp = (argv: string[]) => argv[0] === 'help' || argv.some((arg) => arg === '--help' || arg === '-h');

/** "Nothing listens there" rather than a bare ECONNREFUSED: say what was tried and how to start it (README "Ops CLI"). */
function refusedMessage(error: unknown): string | undefined {
  const { code, address, port } = error as { code?: string; address?: string; port?: number };
  if (code !== 'ECONNREFUSED') return undefined;
  const where = address && port ? `${address}:${port}` : 'the endpoint';
  const variable = port === localDefaults.dynamodbPort ? ' (DYNAMODB_PORT)' : port === localDefaults.wsPort ? ' (WS_PORT)' : '';
  return `nothing is listening on ${where}${variable}: start the local stack with \`npm start\` in another terminal (same DYNAMODB_PORT and WS_PORT), or target a deployed stack with --table and --region`;
}

const main = (argv: string[]): Promise<unknown> => {
  if (!wantsHelp(argv)) return run(argv);
  process.stdout.write(usage + '\n');
  return Promise.resolve(undefined);
};

main(process.argv.slice(2)).then(
  (result) => {
    if (result === undefined) return; // --help: the usage is the output

    process.stdout.write(JSON.stringify(result) + '\n');
  },
  (error: unknown) => {
    const parseError = (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS_');
    const message = refusedMessage(error) ?? (error instanceof Error ? error.message : String(error));
    const errors = error instanceof AppError ? error.errors : undefined;
    process.stderr.write(JSON.stringify(errors ? { error: message, errors } : { error: message }) + '\n');
    // Bad input (usage, an invalid file, an unknown store) is 2; anything else, such as DynamoDB being down, is 1.
    process.exitCode = error instanceof UsageError || parseError || (error instanceof AppError && error.status < 500) ? 2 : 1;
  },
);
