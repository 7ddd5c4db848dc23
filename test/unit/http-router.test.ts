import { HttpRouter } from '../../infra/local/http-router';

describe('HttpRouter (API Gateway HTTP API matching)', () => {
  const router = new HttpRouter<string>([
    { method: 'POST', path: '/v1/chat/store/message', target: 'send' },
    { method: 'GET', path: '/pets/dog/1', target: 'exact' },
    { method: 'GET', path: '/pets/dog/{id}', target: 'variable' },
    { method: 'GET', path: '/pets/{proxy+}', target: 'greedy' },
    { method: 'ANY', path: '/things/{id}', target: 'any' },
    { method: 'DELETE', path: '/things/{id}', target: 'delete' },
  ]);

  it('matches an exact route and method', () => {
    expect(router.match('POST', '/v1/chat/store/message')?.route.target).toBe('send');
  });

  it('does not match "/x/" against the route "/x", as a deployed HTTP API does not', () => {
    expect(router.match('POST', '/v1/chat/store/message/')).toBeUndefined();
  });

  it('is case-sensitive and method-specific', () => {
    expect(router.match('POST', '/v1/Chat/store/message')).toBeUndefined();
    expect(router.match('GET', '/v1/chat/store/message')).toBeUndefined();
  });

  it('prefers literal segments, then variables, then greedy variables', () => {
    expect(router.match('GET', '/pets/dog/1')?.route.target).toBe('exact');
    expect(router.match('GET', '/pets/dog/2')).toMatchObject({ route: { target: 'variable' }, pathParameters: { id: '2' } });
    expect(router.match('GET', '/pets/cat/1')).toMatchObject({ route: { target: 'greedy' }, pathParameters: { proxy: 'cat/1' } });
  });

  it('never lets a variable match an empty segment', () => {
    expect(router.match('GET', '/pets/dog/')).toMatchObject({ route: { target: 'greedy' }, pathParameters: { proxy: 'dog/' } });
    expect(router.match('GET', '/pets/')).toBeUndefined();
    expect(router.match('GET', '/pets')).toBeUndefined();
  });

  it('prefers a specific method over ANY and decodes path parameters', () => {
    expect(router.match('DELETE', '/things/a%20b')).toMatchObject({ route: { target: 'delete' }, pathParameters: { id: 'a b' } });
    expect(router.match('PATCH', '/things/1')?.route.target).toBe('any');
  });

  it('reports the matched route key', () => {
    expect(router.match('POST', '/v1/chat/store/message')?.routeKey).toBe('POST /v1/chat/store/message');
  });

  it('refuses route definitions API Gateway would refuse', () => {
    expect(() => new HttpRouter([{ method: 'GET', path: '/x/', target: 1 }])).toThrow(/cannot end in/);
    expect(() => new HttpRouter([{ method: 'GET', path: '/{proxy+}/x', target: 1 }])).toThrow(/greedy/);
  });
});
