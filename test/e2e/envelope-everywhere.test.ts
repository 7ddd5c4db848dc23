import { useTestStack } from '../support/harness';

/** What API Gateway's own {"message": "Not Found"} used to answer: the $default route, in the project envelope. */
describe('requests no route takes', () => {
  const stack = useTestStack();
  const call = async (method: string, path: string, headers: Record<string, string> = {}) => {
    const response = await fetch(`${stack.httpUrl}${path}`, { method, headers });
    const text = await response.text();
    return {
      status: response.status,
      allow: response.headers.get('allow'),
      cors: response.headers.get('access-control-allow-origin'),
      json: text ? (JSON.parse(text) as unknown) : undefined,
    };
  };

  it('answers an unknown path with 404 {"error": "Not found"}, without a token', async () => {
    const response = await call('GET', '/v1/chat/nowhere');

    expect(response.status).toBe(404);
    expect(response.json).toEqual({ error: 'Not found' });
    expect(response.allow).toBeNull();
  });

  it('answers a known path with the wrong method with 405 and an Allow header naming its methods', async () => {
    const store = await stack.createStore();

    const get = await call('GET', '/v1/chat/store/message/', { authorization: `Token ${store.token}` });
    const remove = await call('DELETE', '/v1/chat/store/messages');

    expect(get).toMatchObject({ status: 405, allow: 'POST', json: { error: 'Method not allowed' } });
    expect(remove).toMatchObject({ status: 405, allow: 'GET, POST', json: { error: 'Method not allowed' } });
  });

  it('matches templated paths for the Allow header', async () => {
    const response = await call('PUT', '/v1/chat/admin/sessions/12/messages');

    expect(response).toMatchObject({ status: 405, allow: 'GET', json: { error: 'Method not allowed' } });
  });

  it('answers a CORS preflight like any other method: 405 with Allow on a known path, no CORS headers', async () => {
    const preflight = { origin: 'https://console.example.com', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization' };

    const known = await call('OPTIONS', '/v1/chat/store/message/', preflight);
    const unknown = await call('OPTIONS', '/v1/chat/nowhere', preflight);

    expect(known).toMatchObject({ status: 405, allow: 'POST', cors: null, json: { error: 'Method not allowed' } });
    expect(unknown).toMatchObject({ status: 404, cors: null, json: { error: 'Not found' } });
  });

  it('still takes a trailing slash off once at the edge, and no more', async () => {
    const once = await call('GET', '/v1/chat/admin/sessions/');
    const twice = await call('GET', '/v1/chat/admin/sessions//');

    expect(once).toMatchObject({ status: 401, json: { error: 'Unauthorized' } });
    expect(twice).toMatchObject({ status: 404, json: { error: 'Not found' } });
  });
});
