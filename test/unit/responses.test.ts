import { BadRequestError, InternalError, ServiceUnavailableError } from '../../lib/errors';
import { errorResponse } from '../../lib/http/respond';
import { createLogger } from '../../lib/log';

const silent = createLogger({}, 'silent');

describe('the error mapper', () => {
  it('renders AppErrors in the envelope, with errors only when there are field details', () => {
    expect(JSON.parse(errorResponse(new BadRequestError('Message content or attachment is required'), silent).body)).toEqual({
      error: 'Message content or attachment is required',
    });
    expect(JSON.parse(errorResponse(new BadRequestError('Invalid request body', { content: ['Must be a string'] }), silent).body)).toEqual({
      error: 'Invalid request body',
      errors: { content: ['Must be a string'] },
    });
  });

  it("keeps seed 000's 500 message", () => {
    const response = errorResponse(new InternalError('Could not prepare chat session', { cause: new Error('boom') }), silent);
    expect(response.statusCode).toBe(500);
    expect(JSON.parse(response.body)).toEqual({ error: 'Could not prepare chat session' });
  });

  it('answers an unexpected error generically, without its message or stack', () => {
    const response = errorResponse(new TypeError('secret detail at /var/task/index.js:12'), silent);
    expect(response.statusCode).toBe(500);
    expect(response.body).toBe('{"error":"Internal server error"}');
  });

  it('sets Retry-After on 503s', () => {
    expect(errorResponse(new ServiceUnavailableError('busy'), silent).headers).toMatchObject({ 'Retry-After': '1' });
  });
});
