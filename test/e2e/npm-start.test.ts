import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../support/ports';
import { run, startUntil, type Running } from '../support/processes';

const ready = /Ctrl-C stops everything/;

async function ports() {
  return { PORT: String(await freePort()), WS_PORT: String(await freePort()), DYNAMODB_PORT: String(await freePort()) };
}

function demoTokens(output: string) {
  return { store: /Demo store .*token (store_\w+)/.exec(output)?.[1], admin: /Demo admin .*token (admin_\w+)/.exec(output)?.[1] };
}

async function post(port: string, token: string, content: string) {
  const response = await fetch(`http://127.0.0.1:${port}/v1/chat/store/message/`, {
    method: 'POST',
    headers: { authorization: `Token ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ content }),
  });
  return { status: response.status, body: (await response.json()) as { session: { id: number } } };
}

describe('npm start', () => {
  let running: Running | undefined;
  const dataDir = mkdtempSync(join(tmpdir(), 'support-chat-data-'));

  afterEach(async () => {
    await running?.stop();
    running = undefined;
  });

  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('prints the URLs and ready demo tokens, and serves the seed request', async () => {
    const env = await ports();

    running = await startUntil('npm', ['start', '--', '--in-memory'], env, ready);

    const output = running.output();
    expect(output).toContain(`http://127.0.0.1:${env.PORT}`);
    expect(output).toContain(`ws://127.0.0.1:${env.WS_PORT}`);
    const { store } = demoTokens(output);
    expect((await post(env.PORT, store!, 'Hello, I need help with my account')).status).toBe(200);
  });

  it('keeps data across restarts in the data folder', async () => {
    const env = { ...(await ports()), LOCAL_DATA_DIR: dataDir };
    running = await startUntil('npm', ['start'], env, ready);
    const created = JSON.parse((await run('npm', ['run', 'chatctl', '--', 'store', 'create', '--name', 'Persisted'], env)).stdout) as { token: string };
    const before = await post(env.PORT, created.token, 'before restart');
    await running.stop();

    running = await startUntil('npm', ['start'], env, ready);
    const after = await post(env.PORT, created.token, 'after restart');

    expect(after.status).toBe(200);
    expect(after.body.session.id).toBe(before.body.session.id);
  });

  it('fails with a clear message when Java is missing', async () => {
    const bin = mkdtempSync(join(tmpdir(), 'no-java-'));
    symlinkSync(process.execPath, join(bin, 'node'));
    const env = { ...(await ports()), PATH: bin };

    const result = await run(process.execPath, [join('node_modules', 'tsx', 'dist', 'cli.mjs'), 'infra/local/start.ts', '--in-memory'], env);

    expect(result.code).toBe(1);
    expect(result.stderr).toContain('DynamoDB Local needs Java 11 or newer');
    rmSync(bin, { recursive: true, force: true });
  });
});
