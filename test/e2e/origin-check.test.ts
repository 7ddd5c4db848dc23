import { originVerifyHeader } from '../../lib/http/origin';
import { checkHttp } from '../support/contract';
import { useTestStack } from '../support/harness';

/** fetch, with the answer checked against the contract as every harness call is (README "Contracts"). */
async function call(base: string, path: string, init: RequestInit = {}): Promise<{ status: number; json: unknown }> {
  const response = await fetch(`${base}${path}`, init);
  const text = await response.text();
  checkHttp({ method: init.method ?? 'GET', path, status: response.status, headers: response.headers, text });
  return { status: response.status, json: JSON.parse(text) as unknown };
}

/** Only CloudFront reaches the HTTP API: the edge adds x-origin-verify, the API refuses requests without it. */
describe('the origin check', () => {
  const stack = useTestStack();
  const send = (base: string, token: string, headers: Record<string, string> = {}) =>
    call(base, '/v1/chat/store/message/', {
      method: 'POST',
      headers: { authorization: `Token ${token}`, 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ content: 'hello' }),
    });

  it('serves a request through the edge (HttpApiUrl)', async () => {
    const store = await stack.createStore();

    const response = await send(stack.httpUrl, store.token);

    expect(response.status).toBe(200);
  });

  it('refuses a valid token sent straight to the API (HttpApiOriginUrl) with 403 in the envelope', async () => {
    const store = await stack.createStore();

    const response = await call(stack.httpOriginUrl, '/v1/chat/store/message', {
      method: 'POST',
      headers: { authorization: `Token ${store.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ content: 'hello' }),
    });

    expect(response.status).toBe(403);
    expect(response.json).toEqual({ error: 'Forbidden' });
  });

  it('refuses a guessed header at the origin, and the $default route there too', async () => {
    const store = await stack.createStore();

    const guessed = await call(stack.httpOriginUrl, '/v1/chat/store/message', {
      method: 'POST',
      headers: { authorization: `Token ${store.token}`, 'content-type': 'application/json', [originVerifyHeader]: 'guess' },
      body: JSON.stringify({ content: 'hello' }),
    });
    const unknown = await call(stack.httpOriginUrl, '/v1/chat/nowhere');

    expect(guessed.status).toBe(403);
    expect(guessed.json).toEqual({ error: 'Forbidden' });
    expect(unknown.status).toBe(403);
    expect(unknown.json).toEqual({ error: 'Forbidden' });
  });

  it("overwrites a viewer's own x-origin-verify at the edge, as CloudFront does", async () => {
    const store = await stack.createStore();

    const response = await send(stack.httpUrl, store.token, { [originVerifyHeader]: 'anything' });

    expect(response.status).toBe(200);
  });
});
