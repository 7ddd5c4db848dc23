import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { png } from '../support/files';
import { freePort } from '../../infra/local/free-port';
import { listeningAddresses, processGroupMembers } from '../support/listening';
import { run, startUntil, type Running } from '../support/processes';

const ready = /Ctrl-C stops everything/;

async function ports() {
  return { PORT: String(await freePort()), WS_PORT: String(await freePort()), DYNAMODB_PORT: String(await freePort()), S3_PORT: String(await freePort()), DOCS_PORT: String(await freePort()) };
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

/** Polls until nothing in the group is alive (or the deadline passes), and returns what still is. */
async function groupAfter(pgid: number, ms: number): Promise<string[]> {
  const deadline = Date.now() + ms;
  let members = processGroupMembers(pgid);
  while (members.length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    members = processGroupMembers(pgid);
  }
  return members;
}

const exited = (running: Running) =>
  new Promise<void>((resolve) => (running.child.exitCode !== null || running.child.signalCode !== null ? resolve() : running.child.once('exit', () => resolve())));

// Each case starts the whole stack, JVM included: on a busy 2-core machine that alone can take 20 s.
jest.setTimeout(90_000);

describe('npm start', () => {
  let running: Running | undefined;
  const dataDir = mkdtempSync(join(tmpdir(), 'support-chat-data-'));

  afterEach(async () => {
    await running?.stop();
    running = undefined;
  });

  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('prints the URLs and ready demo tokens, serves the seed request and the console, and keeps DynamoDB Local on loopback', async () => {
    const env = await ports();

    running = await startUntil('npm', ['start', '--', '--in-memory'], env, ready);

    const output = running.output();
    expect(output).toContain(`http://127.0.0.1:${env.PORT}`);
    expect(output).toContain(`  Admin console   http://127.0.0.1:${env.PORT}/console/\n`);
    const page = await fetch(`http://127.0.0.1:${env.PORT}/console/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(output).toContain(`ws://127.0.0.1:${env.WS_PORT}`);
    const { store } = demoTokens(output);
    expect(output).toContain(`http://127.0.0.1:${env.S3_PORT}`);
    expect(output).toMatch(new RegExp(`DynamoDB Local  http://127\\.0\\.0\\.1:${env.DYNAMODB_PORT} .*loopback only`));
    expect(listeningAddresses(Number(env.DYNAMODB_PORT)).every((a) => a === '127.0.0.1' || a === '::ffff:127.0.0.1')).toBe(true);
    expect((await post(env.PORT, store!, { content: 'Hello, I need help with my account' })).status).toBe(200);
  });

  it('keeps messages and uploaded files across restarts in the data folder', async () => {
    const env = { ...(await ports()), LOCAL_DATA_DIR: dataDir };
    running = await startUntil('npm', ['start'], env, ready);
    const created = JSON.parse((await run('npm', ['run', '-s', 'chatctl', '--', 'store', 'create', '--name', 'Persisted'], env)).stdout) as { token: string };
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

  it.each(['SIGTERM', 'SIGINT'] as const)('stops the whole tree on %s to the npm process, frees every port and says so', async (signal) => {
    const env = await ports();
    running = await startUntil('npm', ['start', '--', '--in-memory'], env, ready);
    const npm = running.child.pid!;

    process.kill(npm, signal); // npm alone, as `kill <pid>` does; not its process group
    await exited(running);
    const left = await groupAfter(npm, 5000);

    expect(running.output()).toContain(`Stopped: ports ${env.PORT}, ${env.WS_PORT}, ${env.S3_PORT}, ${env.DYNAMODB_PORT}, ${env.DOCS_PORT} are free.`);
    expect(left).toEqual([]);
    for (const port of Object.values(env)) expect(listeningAddresses(Number(port))).toEqual([]);
  });

  it('does not linger when npm is killed outright: node and java stop within seconds', async () => {
    const env = await ports();
    running = await startUntil('npm', ['start', '--', '--in-memory'], env, ready);
    const npm = running.child.pid!;

    process.kill(npm, 'SIGKILL');
    const left = await groupAfter(npm, 8000);

    expect(left).toEqual([]);
    for (const port of Object.values(env)) expect(listeningAddresses(Number(port))).toEqual([]);
  });

  it('passes STORE_SEND_LIMIT and the other limits from its environment to the functions', async () => {
    const env = { ...(await ports()), STORE_SEND_LIMIT: '2', UPLOAD_TICKET_LIMIT: '7' };
    running = await startUntil('npm', ['start', '--', '--in-memory'], env, ready);
    const { store } = demoTokens(running.output());

    const statuses = [];
    for (const content of ['one', 'two', 'three']) statuses.push((await post(env.PORT, store!, { content })).status);

    expect(statuses).toEqual([200, 200, 429]);
    expect(running.output()).toMatch(/Limits .*STORE_SEND_LIMIT=2 .*UPLOAD_TICKET_LIMIT=7\b/);
  });

  it('names the port that is taken and every port variable, S3_PORT included', async () => {
    const env = await ports();
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(Number(env.S3_PORT), '127.0.0.1', resolve));

    const result = await run('npm', ['start', '--', '--in-memory'], env);
    squatter.close();

    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`Port ${env.S3_PORT} (S3_PORT) is already in use.`);
    expect(result.stderr).toContain('PORT, WS_PORT, S3_PORT, DYNAMODB_PORT or DOCS_PORT');
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
