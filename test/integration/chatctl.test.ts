import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { chatTable } from '../../lib/db/schema';
import { createDocumentClient } from '../../lib/db/client';
import { hashToken, tokenKey } from '../../lib/entities/token';
import { ensureTable } from '../../infra/local/tables';
import { run } from '../support/processes';

describe('npm run chatctl', () => {
  const endpoint = process.env.TEST_DYNAMODB_ENDPOINT!;
  const table = `test-${randomUUID().slice(0, 8)}-chat`;
  const target = ['--endpoint', endpoint, '--table', table];
  const chatctl = (...args: string[]) => run('npm', ['run', 'chatctl', '--', ...args, ...target]);
  const db = createDocumentClient({ region: 'us-east-1', endpoint });

  beforeAll(async () => {
    const admin = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
    await ensureTable(admin, chatTable, table);
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

    const first = await chatctl('token', 'revoke', token);
    const second = await chatctl('token', 'revoke', token);

    expect(JSON.parse(first.stdout)).toEqual({ revoked: true });
    expect(JSON.parse(second.stdout)).toEqual({ revoked: false });
    expect((await db.send(new GetCommand({ TableName: table, Key: tokenKey(hashToken(token)) }))).Item).toBeUndefined();
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
});
