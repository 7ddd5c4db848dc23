import { request } from 'node:http';
import { useTestStack } from '../support/harness';

/** The admin console on the local edge, as CloudFront serves it from the private bucket (README "Serving and deploying it"). */
describe('the console on the local edge', () => {
  const stack = useTestStack();

  /** A raw request: fetch would resolve dot segments before sending them. */
  const raw = (method: string, path: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> =>
    new Promise((resolve, reject) => {
      const url = new URL(stack.httpUrl);
      const req = request({ host: url.hostname, port: url.port, method, path }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      });
      req.on('error', reject);
      req.end();
    });

  const securityHeaderNames = [
    'content-security-policy',
    'x-content-type-options',
    'referrer-policy',
    'x-frame-options',
    'permissions-policy',
    'cross-origin-opener-policy',
  ];

  it('serves index.html at /console/ with every security header', async () => {
    const response = await fetch(stack.consoleUrl);
    const html = await response.text();

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(html).toContain('<div id="app">');
    for (const name of securityHeaderNames) expect(response.headers.get(name)).toBeTruthy();
    expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(response.headers.get('content-security-policy')).toContain(`connect-src 'self' ${stack.wsUrl} ${stack.s3Endpoint}`);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('cache-control')).toBe('max-age=0, s-maxage=86400');
    // HSTS only over https: the deployed distribution sends it.
    expect(response.headers.get('strict-transport-security')).toBeNull();
  });

  it('serves the built script and stylesheet with their types', async () => {
    const script = await fetch(`${stack.consoleUrl}app.js`);
    const style = await fetch(`${stack.consoleUrl}app.css`);
    const head = await fetch(`${stack.consoleUrl}app.js`, { method: 'HEAD' });

    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect((await script.text()).length).toBeGreaterThan(0);
    expect(style.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });

  it('serves config.json pointing at the running stack', async () => {
    const response = await fetch(`${stack.consoleUrl}config.json`);

    expect(response.headers.get('content-type')).toBe('application/json');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await response.json()).toEqual({ apiBaseUrl: '', wsUrl: stack.wsUrl, trustedOrigins: [stack.s3Endpoint] });
  });

  it('redirects /console to /console/, as the edge function does', async () => {
    const response = await fetch(`${stack.httpUrl}/console`, { redirect: 'manual' });

    expect(response.status).toBe(301);
    expect(response.headers.get('location')).toBe('/console/');
    expect(response.headers.get('x-frame-options')).toBe('DENY');
  });

  it('answers an unknown console file with 404 in the envelope, with the security headers', async () => {
    const response = await fetch(`${stack.consoleUrl}nothing.js`);

    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await response.json()).toEqual({ error: 'Not found' });
  });

  it.each([
    '/console/../package.json',
    '/console/%2e%2e/package.json',
    '/console/%2E%2E%2Fpackage.json',
    '/console/..%2fpackage.json',
    '/console/..%5cpackage.json',
    '/console//etc/passwd',
    '/console/app.js/../../package.json',
    '/console/%252e%252e/package.json',
  ])('refuses the traversal %s with 404', async (path) => {
    const response = await raw('GET', path);

    expect(response.status).toBe(404);
    expect(response.body).not.toContain('"name": "support-chat"');
    expect(JSON.parse(response.body)).toEqual({ error: 'Not found' });
  });

  it('answers other methods on a console file with 405 and Allow, as the $default route does for API paths', async () => {
    const post = await fetch(`${stack.consoleUrl}index.html`, { method: 'POST', body: '{}' });
    const options = await fetch(stack.consoleUrl, { method: 'OPTIONS' });

    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    expect(await post.json()).toEqual({ error: 'Method not allowed' });
    expect(options.status).toBe(405);
  });

  it('is not served by the bare API behind the edge', async () => {
    const response = await fetch(`${stack.httpOriginUrl}/console/`);

    expect(response.status).toBe(403);
  });
});
