import { ticketWindow } from '../../lib/attachments/upload';
import { MethodNotAllowedError, unmatchedRequestError } from '../../lib/http/not-found';
import { originVerified, originVerifyHeader, parseOriginSecrets } from '../../lib/http/origin';
import { HttpRouter } from '../../lib/http/router';

describe("the $default route's answer (Allow from the manifest)", () => {
  it('lists the one method of a single-method path', () => {
    const error = unmatchedRequestError('/v1/chat/store/message');

    expect(error).toBeInstanceOf(MethodNotAllowedError);
    expect(error).toMatchObject({ status: 405, message: 'Method not allowed', headers: { Allow: 'POST' } });
  });

  it('lists every method of a path that several routes share, sorted', () => {
    expect(unmatchedRequestError('/v1/chat/store/messages').headers).toEqual({ Allow: 'GET, POST' });
  });

  it('matches templated segments as the HTTP API does', () => {
    expect(unmatchedRequestError('/v1/chat/admin/sessions/7/messages').headers).toEqual({ Allow: 'GET' });
    expect(unmatchedRequestError('/v1/chat/admin/notifications/7/read').headers).toEqual({ Allow: 'POST' });
  });

  it('answers 404 for a path no route has, including one with a trailing slash left after the edge', () => {
    for (const path of ['/', '/v1/chat', '/v1/chat/store/message/', '/v1/chat/admin/sessions//messages', 'no-slash']) {
      expect(unmatchedRequestError(path)).toMatchObject({ status: 404, message: 'Not found' });
    }
  });

  it('lists every method for a path an ANY route accepts', () => {
    const router = new HttpRouter([{ method: 'ANY', path: '/things/{id}', target: 'any' }]);

    expect(router.allowedMethods('/things/1', ['GET', 'POST'])).toEqual(['GET', 'POST']);
  });
});

describe('the origin check', () => {
  it('accepts any of the configured values, and refuses a missing, empty or wrong header', () => {
    const accepted = parseOriginSecrets(' new , old ,');

    expect(accepted).toEqual(['new', 'old']);
    expect(originVerified({ [originVerifyHeader]: 'new' }, accepted)).toBe(true);
    expect(originVerified({ [originVerifyHeader]: 'old' }, accepted)).toBe(true);
    expect(originVerified({ [originVerifyHeader]: 'older' }, accepted)).toBe(false);
    expect(originVerified({ [originVerifyHeader]: '' }, accepted)).toBe(false);
    expect(originVerified({}, accepted)).toBe(false);
    expect(originVerified(undefined, accepted)).toBe(false);
  });

  it('checks nothing when no value is configured', () => {
    expect(originVerified({}, [])).toBe(true);
  });
});

describe('upload ticket windows', () => {
  it('are fixed: every instance computes the same start, and Retry-After runs to its end', () => {
    expect(ticketWindow(125_000, 60_000)).toEqual({ startMs: 120_000, resetsInMs: 55_000 });
    expect(ticketWindow(120_000, 60_000)).toEqual({ startMs: 120_000, resetsInMs: 60_000 });
    expect(ticketWindow(179_999, 60_000)).toEqual({ startMs: 120_000, resetsInMs: 1 });
  });
});
