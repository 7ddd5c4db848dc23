// Lambda runs Node 24; locally Node 20 works, so the SDK's Node 22 notice is only noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import * as z from 'zod';
import { createDocumentClient } from '../../lib/db/client';
import type { TableRef } from '../../lib/db/types';
import { AppError } from '../../lib/errors';
import { limits } from '../../lib/limits';
import { createPrincipalWithToken, issueTokenFor, revokeToken } from '../../lib/ops/principals';
import { importProducts, productImportMaxProducts } from '../../lib/ops/products';
import { localDefaults } from '../local/defaults';

const usage = `Usage: npm run chatctl -- <command> [options]

Commands:
  store create --name <name>         create a store; prints {"id": <int>, "token": "<token>"}
  admin create --name <name>         create an admin; prints the same shape
  token create --store <id>          issue another token for a store (rotation)
  token create --admin <id>          issue another token for an admin (rotation)
  token revoke <token>               revoke a token; prints {"revoked": true|false}
  product import --store <id> --file <path.json>
                                     create or update a store's products from a JSON file: an array of
                                     products or {"products": [...]}, at most ${productImportMaxProducts}, keyed by sku;
                                     checks the whole file first and imports nothing if any product is invalid;
                                     prints {"imported": n, "created": c, "updated": u, "products": [{"id", "sku"}]}

Target (default: the local stack's DynamoDB on DYNAMODB_PORT, default 8000):
  --table <name> --region <region>   a deployed stack's table (see the stack output ChatTableName)
  --endpoint <url>                   any other DynamoDB endpoint

Tokens are shown once and stored only as SHA-256 hashes.`;

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
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [noun, verb, arg] = positionals;
  if (values.help || !noun) throw new UsageError(usage);
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
      return { revoked: await revokeToken(ref, arg) };
    }
    if (noun === 'product' && verb === 'import') {
      const store = id.safeParse(values.store);
      if (!store.success || !values.file) throw new UsageError('product import needs --store <id> and --file <path.json>');
      return await importProducts(ref, store.data, readJsonFile(values.file));
    }
    throw new UsageError(usage);
  } finally {
    ref.db.destroy();
  }
}

run(process.argv.slice(2)).then(
  (result) => {
    process.stdout.write(JSON.stringify(result) + '\n');
  },
  (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    const errors = error instanceof AppError ? error.errors : undefined;
    process.stderr.write(JSON.stringify(errors ? { error: message, errors } : { error: message }) + '\n');
    // Bad input (usage, an invalid file, an unknown store) is 2; anything else, such as DynamoDB being down, is 1.
    process.exitCode = error instanceof UsageError || (error instanceof AppError && error.status < 500) ? 2 : 1;
  },
);
