import fc from 'fast-check';
import type * as z from '../../lib/validation';
import { adminSendFrame, storeMessageFields } from '../../lib/chat/drafts';
import { ratingBody } from '../../lib/chat/rating';
import { historyFields } from '../../lib/chat/history';
import { idField, integerField, integerText, maxInteger } from '../../lib/http/integers';
import { pageLimit } from '../../lib/http/params';
import { sessionFrame } from '../../lib/ws/fields';

const messagesOf = (schema: z.ZodMiniType, value: unknown) => schema.safeParse(value).error?.issues.map((issue) => issue.message) ?? [];

describe('integer fields', () => {
  describe('in JSON (bodies and frames)', () => {
    it.each([
      ['1.5', 1.5, ['Must be an integer']],
      ['a string', '7', ['Must be an integer']],
      ['null', null, ['Must be an integer']],
      ['a boolean', true, ['Must be an integer']],
      ['0', 0, ['Must be positive']],
      ['-1', -1, ['Must be positive']],
      ['-1.5', -1.5, ['Must be an integer']],
      ['2^53', 2 ** 53, ['Must be at most 9007199254740991']],
      ['9007199254740993 as JSON reads it', JSON.parse('9007199254740993') as number, ['Must be at most 9007199254740991']],
      ['1e300', 1e300, ['Must be at most 9007199254740991']],
      ['Infinity', Infinity, ['Must be an integer']],
      ['NaN', NaN, ['Must be an integer']],
    ])('an id refuses %s with one clear message', (_case, value, messages) => {
      expect(messagesOf(idField, value)).toEqual(messages);
    });

    it('an id accepts 1 and 2^53 − 1', () => {
      expect(idField.parse(1)).toBe(1);
      expect(idField.parse(maxInteger)).toBe(9007199254740991);
    });

    it('every id field of bodies and frames uses the rule', () => {
      const tooLarge = ['Must be at most 9007199254740991'];
      expect(messagesOf(storeMessageFields, { product_id: 2 ** 53 })).toEqual(tooLarge);
      expect(messagesOf(adminSendFrame, { session_id: 2 ** 53, content: 'x' })).toEqual(tooLarge);
      expect(messagesOf(adminSendFrame, { session_id: 1, content: 'x', product_id: 2 ** 60 })).toEqual(tooLarge);
      expect(messagesOf(sessionFrame, { session_id: 2 ** 53 })).toEqual(tooLarge);
      expect(messagesOf(ratingBody, { session_id: 2 ** 53, rating: 5 })).toEqual(tooLarge);
    });

    it('a small range says its range for every failure', () => {
      for (const value of [0, 6, 2.5, 2 ** 53, '5', null]) expect(messagesOf(ratingBody, { rating: value })).toEqual(['Must be an integer from 1 to 5']);
      expect(ratingBody.parse({ rating: 5 }).rating).toBe(5);
    });

    it('own bounds and messages', () => {
      const size = integerField({ min: 1, max: 100, tooSmall: 'Must be at least 1 byte', tooLarge: 'Must be at most 100 bytes' });
      expect(messagesOf(size, 0)).toEqual(['Must be at least 1 byte']);
      expect(messagesOf(size, 2 ** 53)).toEqual(['Must be at most 100 bytes']);
      expect(messagesOf(integerField({ min: 0 }), -1)).toEqual(['Must be at least 0']);
    });

    it('accepts exactly the safe positive integers (property)', () => {
      fc.assert(
        fc.property(fc.double(), (value) => {
          expect(idField.safeParse(value).success).toBe(Number.isSafeInteger(value) && value >= 1);
        }),
      );
    });
  });

  describe('in query strings and paths (text)', () => {
    const id = integerText();

    it.each([
      ['letters', 'abc', ['Must be an integer']],
      ['an exponent', '1e3', ['Must be an integer']],
      ['hexadecimal', '0x10', ['Must be an integer']],
      ['a leading space', ' 7', ['Must be an integer']],
      ['a leading zero', '007', ['Must be an integer']],
      ['a fraction', '1.5', ['Must be an integer']],
      ['empty', '', ['Must be an integer']],
      ['0', '0', ['Must be positive']],
      ['-3', '-3', ['Must be positive']],
      ['2^53', '9007199254740992', ['Must be at most 9007199254740991']],
      ['2^53 + 1', '9007199254740993', ['Must be at most 9007199254740991']],
      ['a hundred digits', '9'.repeat(100), ['Must be at most 9007199254740991']],
    ])('refuses %s', (_case, text, messages) => {
      expect(messagesOf(id, text)).toEqual(messages);
    });

    it('reads 2^53 − 1 exactly', () => {
      expect(id.parse('9007199254740991')).toBe(9007199254740991);
    });

    it('history cursors use the rule; a page limit says its range', () => {
      expect(messagesOf(historyFields, { after: '9007199254740993' })).toEqual(['Must be at most 9007199254740991']);
      expect(messagesOf(pageLimit(20, 100), '101')).toEqual(['Must be an integer from 1 to 100']);
      expect(messagesOf(pageLimit(20, 100), '99999999999999999999')).toEqual(['Must be an integer from 1 to 100']);
      expect(pageLimit(20, 100).parse(undefined)).toBe(20);
    });

    it('accepts exactly the decimal positive safe integers (property)', () => {
      fc.assert(
        fc.property(fc.oneof(fc.bigInt({ min: -10n, max: 2n ** 60n }).map(String), fc.string()), (text) => {
          const expected = /^[1-9][0-9]*$/.test(text) && BigInt(text) <= BigInt(maxInteger);
          expect(id.safeParse(text).success).toBe(expected);
        }),
      );
    });
  });
});
