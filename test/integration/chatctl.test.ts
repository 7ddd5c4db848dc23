import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { chatTable, connectionsTable } from '../../lib/db/schema';
import { createDocumentClient } from '../../lib/db/client';
import { hashToken, tokenKey } from '../../lib/entities/token';
import { ensureTable } from '../../infra/local/tables';
import { freePort } from '../../infra/local/free-port';
import { run, runChatctl } from '../support/processes';

describe('npm run chatctl', () => {
  const endpoint = process.env.TEST_DYNAMODB_ENDPOINT!;
  const table = `test-${randomUUID().slice(0, 8)}-chat`;
  const target = ['--endpoint', endpoint, '--table', table];
  const connections = table.replace(/-chat$/, '-connections');
  // No socket is open, so nothing is sent to this @connections endpoint.
  const sockets = ['--connections-table', connections, '--ws-endpoint', 'http://127.0.0.1:9'];
  const chatctl = (...args: string[]) => runChatctl([...args, ...target]);
  const db = createDocumentClient({ region: 'us-east-1', endpoint });

  beforeAll(async () => {
    const admin = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
    await ensureTable(admin, chatTable, table);
    await ensureTable(admin, connectionsTable, connections);
    admin.destroy();
  });

  afterAll(() => db.destroy());

  it.each(['store', 'admin'])('creates a %s and prints only {"id": <int>, "token": "<token>"} on stdout', async (kind) => {
    const result = await chatctl(kind, 'create', '--name', 'Acme');

    expect(result.code).toBe(0);
    const printed = JSON.parse(result.stdout) as { id: number; token: string };
    expect(Object.keys(printed)).toEqual(['id', 'token']);
    expect(Number.isInteger(printed.id)).toBe(true);
    expect(printed.token).toMatch(new RegExp(`^${kind}_[A-Za-z0-9]{40}$`));
  });

  it('stores the token only as its hash', async () => {
    const { stdout } = await chatctl('store', 'create', '--name', 'Hashed');
    const { token } = JSON.parse(stdout) as { token: string };

    const item = (await db.send(new GetCommand({ TableName: table, Key: tokenKey(hashToken(token)) }))).Item;

    expect(item).toMatchObject({ principal_type: 'store' });
    expect(JSON.stringify(item)).not.toContain(token);
  });

  it('revokes a token, and a second revoke reports nothing to revoke', async () => {
    const { token } = JSON.parse((await chatctl('admin', 'create', '--name', 'Ann')).stdout) as { token: string };

    const first = await chatctl('token', 'revoke', token, ...sockets);
    const second = await chatctl('token', 'revoke', token, ...sockets);

    expect(JSON.parse(first.stdout)).toEqual({ revoked: true, connections_closed: 0 });
    expect(JSON.parse(second.stdout)).toEqual({ revoked: false, connections_closed: 0 });
    expect((await db.send(new GetCommand({ TableName: table, Key: tokenKey(hashToken(token)) }))).Item).toBeUndefined();
  });

  it('refuses to revoke against a named table without the connections table and @connections endpoint that close its sockets', async () => {
    const { token } = JSON.parse((await chatctl('admin', 'create', '--name', 'Kept')).stdout) as { token: string };

    const result = await chatctl('token', 'revoke', token);

    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect((JSON.parse(result.stderr) as { error: string }).error).toMatch(/--connections-table <ConnectionsTableName> and --ws-endpoint <WebSocketManagementUrl>/);
    expect((await db.send(new GetCommand({ TableName: table, Key: tokenKey(hashToken(token)) }))).Item).toBeDefined();
  });

  it('issues an extra token for an existing store, for rotation', async () => {
    const created = JSON.parse((await chatctl('store', 'create', '--name', 'Rotating')).stdout) as { id: number; token: string };

    const rotated = JSON.parse((await chatctl('token', 'create', '--store', String(created.id))).stdout) as { id: number; token: string };

    expect(rotated.id).toBe(created.id);
    expect(rotated.token).not.toBe(created.token);
  });

  it('refuses bad input with a JSON error on stderr and a non-zero exit', async () => {
    const result = await chatctl('store', 'create', '--name', '   ');

    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(JSON.parse(result.stderr)).toEqual({ error: '--name must not be empty' });
  });

  it.each(['--help', '-h', 'help'])('prints readable usage on stdout with exit 0 for %s', async (flag) => {
    const result = await run('npm', ['run', '-s', 'chatctl', '--', flag]);

    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/^Usage: npm run -s chatctl -- <command> \[options\]\n/);
    expect(result.stdout).toContain('store create --name <name>');
    expect(result.stdout).toContain('survive restarts');
  });

  it('refuses an unknown command with a pointer to --help, not the whole usage as an error', async () => {
    const result = await chatctl('stores', 'list');

    expect(result.code).toBe(2);
    expect(JSON.parse(result.stderr)).toEqual({ error: 'unknown command "stores list"; see `npm run -s chatctl -- --help`' });
  });

  it('says to run npm start, and which port it tried, when nothing listens there', async () => {
    const port = await freePort();

    const result = await runChatctl(['store', 'create', '--name', 'Nobody'], { DYNAMODB_PORT: String(port) });

    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    const { error } = JSON.parse(result.stderr) as { error: string };
    expect(error).toContain(`nothing is listening on 127.0.0.1:${port} (DYNAMODB_PORT)`);
    expect(error).toContain('`npm start`');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it("leaves npm's own errors visible: the repo .npmrc does not silence npm", async () => {
    const result = await run('npm', ['run', 'no-such-script']);

    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('Missing script: "no-such-script"');
  });
});
