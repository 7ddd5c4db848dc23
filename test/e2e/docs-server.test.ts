import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../../infra/local/free-port';
import { startUntil, type Running } from '../support/processes';

const root = join(__dirname, '..', '..');

// npm start starts the whole stack, JVM included: on a busy 2-core machine that alone can take 20 s.
jest.setTimeout(90_000);

describe('npm start serves the contracts and their reference page on DOCS_PORT', () => {
  let running: Running | undefined;

  afterAll(async () => {
    await running?.stop();
  });

  it('prints the reference URL and answers /, /openapi.json and /asyncapi.json with the committed files, offline', async () => {
    const env = { PORT: String(await freePort()), WS_PORT: String(await freePort()), DYNAMODB_PORT: String(await freePort()), S3_PORT: String(await freePort()), DOCS_PORT: String(await freePort()) };
    running = await startUntil('npm', ['start', '--', '--in-memory'], env, /Ctrl-C stops everything/);
    const docs = `http://127.0.0.1:${env.DOCS_PORT}`;

    const [page, openapi, asyncapi, script, style, unknown] = await Promise.all(
      ['/', '/openapi.json', '/asyncapi.json', '/swagger-ui/swagger-ui-bundle.js', '/swagger-ui/swagger-ui.css', '/v1/chat/store/message/'].map((path) => fetch(`${docs}${path}`)),
    );
    const html = await page!.text();

    expect(running.output()).toContain(`API reference   ${docs}/`);
    expect([page!.status, page!.headers.get('content-type')]).toEqual([200, 'text/html; charset=utf-8']);
    expect([openapi!.status, openapi!.headers.get('content-type')]).toEqual([200, 'application/json; charset=utf-8']);
    expect([asyncapi!.status, asyncapi!.headers.get('content-type')]).toEqual([200, 'application/json; charset=utf-8']);
    expect(await openapi!.text()).toBe(readFileSync(join(root, 'docs', 'openapi.json'), 'utf8'));
    expect(await asyncapi!.text()).toBe(readFileSync(join(root, 'docs', 'asyncapi.json'), 'utf8'));
    // Offline: the page loads its renderer from this server, nothing from another origin.
    expect([...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1]!).filter((url) => !url.startsWith('/'))).toEqual([]);
    expect(html).toContain("url: '/openapi.json'");
    expect([script!.status, script!.headers.get('content-type')]).toEqual([200, 'text/javascript; charset=utf-8']);
    expect([style!.status, style!.headers.get('content-type')]).toEqual([200, 'text/css; charset=utf-8']);
    // The docs server is not a second API: API paths are the HTTP gateway's alone.
    expect(unknown!.status).toBe(404);
  });
});
