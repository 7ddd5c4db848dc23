import { loadViewerRequestFunction } from '../../infra/local/edge';

describe('the CloudFront viewer-request function', () => {
  const rewrite = loadViewerRequestFunction();

  it("strips the seed path's trailing slash so it reaches the HTTP API route", () => {
    expect(rewrite('/v1/chat/store/message/', 'POST')).toBe('/v1/chat/store/message');
  });

  it('leaves paths without a trailing slash and the root alone', () => {
    expect(rewrite('/v1/chat/store/message', 'POST')).toBe('/v1/chat/store/message');
    expect(rewrite('/', 'GET')).toBe('/');
  });

  it('strips only one slash, so "//" still fails to route', () => {
    expect(rewrite('/v1/chat/store/message//', 'POST')).toBe('/v1/chat/store/message/');
  });
});
