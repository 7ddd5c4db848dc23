import { originVerifyHeader } from '../../lib/http/origin';
import { useTestStack } from '../support/harness';

/** Only CloudFront reaches the HTTP API: the edge adds x-origin-verify, the API refuses requests without it. */
describe('the origin check', () => {
  const stack = useTestStack();
  const send = (base: string, token: string, headers: Record<string, string> = {}) =>
    fetch(`${base}/v1/chat/store/message/`, {
      method: 'POST',
      headers: { authorization: `Token ${token}`, 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ content: 'hello' }),
    }).then(async (response) => ({ status: response.status, json: await response.json() }));

  it('serves a request through the edge (HttpApiUrl)', async () => {
    const store = await stack.createStore();

    const response = await send(stack.httpUrl, store.token);

    expect(response.status).toBe(200);
  });

  it('refuses a valid token sent straight to the API (HttpApiOriginUrl) with 403 in the envelope', async () => {
    const store = await stack.createStore();

    const response = await fetch(`${stack.httpOriginUrl}/v1/chat/store/message`, {
      method: 'POST',
      headers: { authorization: `Token ${store.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ content: 'hello' }),
    });

    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({ error: 'Forbidden' });
  });

  it('refuses a guessed header at the origin, and the $default route there too', async () => {
    const store = await stack.createStore();

    const guessed = await fetch(`${stack.httpOriginUrl}/v1/chat/store/message`, {
      method: 'POST',
      headers: { authorization: `Token ${store.token}`, 'content-type': 'application/json', [originVerifyHeader]: 'guess' },
      body: JSON.stringify({ content: 'hello' }),
    });
    const unknown = await fetch(`${stack.httpOriginUrl}/v1/chat/nowhere`);

    expect(guessed.status).toBe(403);
    expect(await guessed.json()).toEqual({ error: 'Forbidden' });
    expect(unknown.status).toBe(403);
    expect(await unknown.json()).toEqual({ error: 'Forbidden' });
  });

  it("overwrites a viewer's own x-origin-verify at the edge, as CloudFront does", async () => {
    const store = await stack.createStore();

    const response = await send(stack.httpUrl, store.token, { [originVerifyHeader]: 'anything' });

    expect(response.status).toBe(200);
  });
});
