import { atIndex } from '../../lib/chat/drafts';
import { gather, itemsRefused, type ItemError } from '../../lib/chat/send-checks';
import { AppError, ConflictError, ForbiddenError, NotFoundError, ServiceUnavailableError, TooManyRequestsError } from '../../lib/errors';

const conflict = () => new ConflictError('client_message_id was already used for a different message', { client_message_id: ['Was already used for a different message'] });
const noProduct = () => new NotFoundError('Product not found', { product_id: ['Was not found'] });

describe("a batch's one answer for its failing items", () => {
  it('answers with the lowest status any item earned, and names every failing item and field', () => {
    const found: ItemError[] = [
      { index: 2, error: conflict() },
      { index: 1, error: noProduct() },
    ];

    const answer = itemsRefused(found, {}, atIndex);

    expect(answer.status).toBe(404);
    expect(answer.message).toBe('Product not found');
    expect(answer.errors).toEqual({ 'messages.1.product_id': ['Was not found'], 'messages.2.client_message_id': ['Was already used for a different message'] });
  });

  it('puts the fields refused before the send path first, as a 400', () => {
    const answer = itemsRefused([{ index: 1, error: noProduct() }], { 'messages.0.content': ['Is too long'] }, atIndex);

    expect(answer.status).toBe(400);
    expect(answer.message).toBe('Invalid request body');
    expect(answer.errors).toEqual({ 'messages.0.content': ['Is too long'], 'messages.1.product_id': ['Was not found'] });
  });

  it('keeps the chosen status of the first item that earned it, with its headers', () => {
    const limited = new AppError(429, 'Too many messages', { errors: { content: ['Wait'] }, headers: { 'Retry-After': '30' } });

    const answer = itemsRefused(
      [
        { index: 3, error: new AppError(429, 'later', { errors: { content: ['Later'] } }) },
        { index: 0, error: limited },
      ],
      {},
      (_index, error) => error,
    );

    expect(answer).toMatchObject({ status: 429, message: 'Too many messages', headers: { 'Retry-After': '30' } });
    expect(answer.errors).toEqual({ content: ['Wait', 'Later'] });
  });

  it('is a bug to ask for an answer when nothing was refused', () => {
    expect(() => itemsRefused([], {}, atIndex)).toThrow('no item was refused');
  });
});

describe('gathering an item refusal', () => {
  it("gathers an item's field refusal", () => {
    const found: ItemError[] = [];
    const error = noProduct();

    gather(found, 4, error);

    expect(found).toEqual([{ index: 4, error }]);
  });

  it('ends the request on a refusal without fields, a 5xx or a bug', () => {
    const found: ItemError[] = [];

    expect(() => gather(found, 0, new ForbiddenError('This store is blocked from chat'))).toThrow(ForbiddenError);
    expect(() => gather(found, 0, new TooManyRequestsError('Too many', 5))).toThrow(TooManyRequestsError);
    expect(() => gather(found, 0, new ServiceUnavailableError('Try again'))).toThrow(ServiceUnavailableError);
    expect(() => gather(found, 0, new Error('bug'))).toThrow('bug');
    expect(found).toEqual([]);
  });
});
