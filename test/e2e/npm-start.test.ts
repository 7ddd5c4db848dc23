import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { png } from '../support/files';
import { freePort } from '../../infra/local/free-port';
import { run, startUntil, type Running } from '../support/processes';

const ready = /Ctrl-C stops everything/;

async function ports() {
  return { PORT: String(await freePort()), WS_PORT: String(await freePort()), DYNAMODB_PORT: String(await freePort()), S3_PORT: String(await freePort()) };
}

function demoTokens(output: string) {
  return { store: /Demo store .*token (store_\w+)/.exec(output)?.[1], admin: /Demo admin .*token (admin_\w+)/.exec(output)?.[1] };
}

async function post(port: string, token: string, body: Record<string, unknown>, path = '/v1/chat/store/message/') {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, {
    method: 'POST',
    headers: { authorization: `Token ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as { session: { id: number } } & Record<string, unknown> };
}

/** Uploads a file the way a client does and sends it in a message. */
async function sendFile(port: string, token: string, bytes: Buffer, name: string, type: string) {
  const ticket = (await post(port, token, { file_name: name, content_type: type, size: bytes.length }, '/v1/chat/store/attachment/')).body as unknown as {
    attachment_url: string;
    upload: { url: string; fields: Record<string, string> };
  };
  const form = new FormData();
  for (const [field, value] of Object.entries(ticket.upload.fields)) form.append(field, value);
  form.append('file', new Blob([bytes]), name);
  await fetch(ticket.upload.url, { method: 'POST', body: form });
  return post(port, token, { attachment_url: ticket.attachment_url });
}

/** The bytes behind the download link of the store's latest message with an attachment. */
async function latestFile(port: string, token: string): Promise<Buffer> {
  const history = (await (await fetch(`http://127.0.0.1:${port}/v1/chat/store/messages/`, { headers: { authorization: `Token ${token}` } })).json()) as {
    messages: { attachment_url: string }[];
  };
  const link = history.messages.filter((m) => m.attachment_url !== '').at(-1)?.attachment_url;
  if (!link) throw new Error('no message with an attachment');
  return Buffer.from(await (await fetch(link)).arrayBuffer());
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
    expect(output).toContain(`http://127.0.0.1:${env.S3_PORT}`);
    expect((await post(env.PORT, store!, { content: 'Hello, I need help with my account' })).status).toBe(200);
  });

  it('keeps messages and uploaded files across restarts in the data folder', async () => {
    const env = { ...(await ports()), LOCAL_DATA_DIR: dataDir };
    running = await startUntil('npm', ['start'], env, ready);
    const created = JSON.parse((await run('npm', ['run', 'chatctl', '--', 'store', 'create', '--name', 'Persisted'], env)).stdout) as { token: string };
    const before = await post(env.PORT, created.token, { content: 'before restart' });
    const withFile = await sendFile(env.PORT, created.token, png, 'kept.png', 'image/png');
    await running.stop();

    running = await startUntil('npm', ['start'], env, ready);
    const after = await post(env.PORT, created.token, { content: 'after restart' });
    const file = await latestFile(env.PORT, created.token);

    expect(withFile.status).toBe(200);
    expect(after.status).toBe(200);
    expect(after.body.session.id).toBe(before.body.session.id);
    expect(file.equals(png)).toBe(true);
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
