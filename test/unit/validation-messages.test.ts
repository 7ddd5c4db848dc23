import { identityFromContext, tokenHashFromContext } from '../../lib/auth/context';
import { uploadRequest } from '../../lib/attachments/upload';
import { attachmentTypeField, attachmentUrlField } from '../../lib/chat/attachments';
import { adminSendFrame, batchDrafts, storeBatchEnvelope, storeMessageFields } from '../../lib/chat/drafts';
import { historyFields, historyQuery } from '../../lib/chat/history';
import { ratingBody } from '../../lib/chat/rating';
import { textField } from '../../lib/chat/text';
import { loadConfig, tunableVariables } from '../../lib/config';
import { productInput } from '../../lib/entities/product';
import { cursorText, decodeCursor, encodeCursor } from '../../lib/http/cursor';
import { integerField, integerText } from '../../lib/http/integers';
import { pageLimit, queryId } from '../../lib/http/params';
import { fieldErrors } from '../../lib/http/zod-errors';
import { parseProductFile } from '../../lib/ops/products';
import { sessionFrame } from '../../lib/ws/fields';
import * as z from '../../lib/validation';

/**
 * Error messages are public API (README "Errors"): clients get them as
 * `errors`. This freezes what every public schema answers for a matrix of
 * hostile values, and what it returns for good ones (transforms, defaults),
 * so a change of zod build or version cannot reword or reshape a reply
 * unnoticed. An intended change of wording updates the snapshot.
 */

type Schema = z.ZodMiniType;

/** Lone surrogates spelled out: the snapshot file is UTF-8 and would store them as U+FFFD. */
function printable(value: unknown): unknown {
  if (typeof value === 'string') return value.replace(/[\uD800-\uDFFF]/gu, (unit) => `\\u${unit.charCodeAt(0).toString(16)}`);
  if (Array.isArray(value)) return value.map(printable);
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, printable(item)]));
  return value;
}

/** One line of JSON per answer, so the snapshot stays a readable table rather than thousands of lines. */
const line = (value: unknown): string => JSON.stringify(printable(value)) ?? 'undefined';

/** What a client would see: the parsed value, or fieldErrors of the failure. */
function outcome(schema: Schema, value: unknown): string {
  const parsed = schema.safeParse(value);
  return line(parsed.success ? { ok: parsed.data } : { errors: fieldErrors(parsed.error) });
}

const hostile: Record<string, unknown> = {
  undefined: undefined,
  null: null,
  true: true,
  zero: 0,
  minusOne: -1,
  oneAndHalf: 1.5,
  twoTo53: 2 ** 53,
  infinity: Infinity,
  nan: NaN,
  emptyString: '',
  blank: '   ',
  digits: '42',
  leadingZero: '007',
  exponent: '1e3',
  word: 'hello',
  loneSurrogate: '\uD800x',
  emoji: '😀'.repeat(3),
  long: 'x'.repeat(5000),
  httpUrl: 'http://example.com/a.png',
  httpsUrl: 'https://example.com/a.png',
  mime: 'Image/PNG ',
  emptyObject: {},
  array: ['a'],
  emptyArray: [],
  nested: { a: 1 },
};

/** Each schema with a good value; every field of it is swapped for each hostile value in turn. */
const objects: Record<string, [Schema, Record<string, unknown>]> = {
  storeMessageFields: [storeMessageFields, { content: 'hi', attachment_url: '', attachment_type: '', product_id: 1, client_message_id: 'c-1' }],
  adminSendFrame: [adminSendFrame, { session_id: 1, content: 'hi', special_type: 'quick_replies', special_param: ['yes', 'no'] }],
  adminSendFrameOpenUrl: [adminSendFrame, { session_id: 1, content: 'hi', special_type: 'open_url', special_param: 'https://example.com/x' }],
  storeBatchEnvelope: [storeBatchEnvelope, { messages: [{ content: 'hi' }] }],
  ratingBody: [ratingBody, { session_id: 1, rating: 5, comment: 'ok' }],
  uploadRequest: [uploadRequest, { file_name: 'a.png', content_type: 'image/png', size: 10 }],
  historyFields: [historyFields, { after: '1', limit: '10' }],
  historyQuery: [historyQuery, { before: '2', limit: '10' }],
  sessionFrame: [sessionFrame, { session_id: 1 }],
  productInput: [
    productInput,
    {
      sku: 'A-1',
      name: 'Shirt',
      type: 'top',
      discount_percentage: 10,
      price_catalog: 1,
      reference_unit_price: 1,
      price: 1,
      youtube_id: 'abcdefg',
      url: 'https://example.com/p',
      description: 'd',
      images: [{ lang: 'en_GB', content: 'https://example.com/i.png' }],
      stock: 1,
      stock_available: 1,
      old_image: 'https://example.com/o.png',
    },
  ],
};

const fields: Record<string, Schema> = {
  textField: textField(10),
  attachmentUrlField,
  attachmentTypeField,
  integerField: integerField(),
  integerFieldRange: integerField({ min: 1, max: 5, range: 'Must be an integer from 1 to 5' }),
  integerText: integerText(),
  queryId,
  pageLimit: pageLimit(20, 100),
  cursorText,
};

describe('validation messages', () => {
  it.each(Object.keys(objects))('%s answers every hostile field value as before', (name) => {
    const [schema, good] = objects[name]!;
    const answers: Record<string, unknown> = { good: outcome(schema, good), empty: outcome(schema, {}) };
    for (const field of Object.keys(good)) {
      for (const [label, value] of Object.entries(hostile)) answers[`${field}=${label}`] = outcome(schema, { ...good, [field]: value });
    }
    for (const [label, value] of Object.entries(hostile)) answers[`body=${label}`] = outcome(schema, value);
    expect(answers).toMatchSnapshot();
  });

  it.each(Object.keys(fields))('%s answers every hostile value as before', (name) => {
    const schema = fields[name]!;
    expect(Object.fromEntries(Object.entries(hostile).map(([label, value]) => [label, outcome(schema, value)]))).toMatchSnapshot();
  });

  it('batch items answer as before', () => {
    const items = [{ content: 'hi' }, {}, null, { content: 5, product_id: 0 }, { attachment_type: 'image/png' }, { special_type: 'open_url' }, ...Object.values(hostile)];
    const drafts = batchDrafts(items);
    expect(Array.isArray(drafts) ? drafts.map(line) : line(drafts)).toMatchSnapshot();
  });

  it('admin actions answer as before', () => {
    const frames = [
      { session_id: 1, special_param: 'x' },
      { session_id: 1, special_type: 'open_url', special_param: 'http://x' },
      { session_id: 1, special_type: 'open_url', special_param: '' },
      { session_id: 1, content: ' ', special_type: 'quick_replies', special_param: [] },
      { session_id: 1, special_type: 'quick_replies', special_param: ['', 'x'.repeat(41), 3, ...Array<string>(10).fill('a')] },
      { session_id: 1, special_type: 'nope' },
    ];
    expect(frames.map((frame) => outcome(adminSendFrame, frame))).toMatchSnapshot();
  });

  it('product files answer as before', () => {
    const files: unknown[] = [
      [{ sku: 'a', price: 1 }, { sku: 'a', price: -1 }, 5, { sku: 'b', price: 1, images: [{ lang: 'xx', content: 'http://x' }] }],
      { products: 'x' },
      { products: Array.from({ length: 1001 }, (_, index) => ({ sku: `s${index}`, price: 1 })) },
      'not a file',
      [{ sku: 'c', price: Infinity, stock: 1.5, discount_percentage: 101 }],
    ];
    expect(
      files.map((file) => {
        try {
          return line({ ok: parseProductFile(file) });
        } catch (error) {
          return line({ message: (error as Error).message, errors: (error as { errors?: unknown }).errors });
        }
      }),
    ).toMatchSnapshot();
  });

  it('cursors, authorizer contexts and config answer as before', () => {
    const cursorSchema = z.object({ id: z.number() });
    const cursor = (raw: string | undefined) => {
      try {
        return { ok: decodeCursor(raw, cursorSchema) };
      } catch (error) {
        return { message: (error as Error).message, errors: (error as { errors?: unknown }).errors };
      }
    };
    const config = (env: NodeJS.ProcessEnv) => {
      try {
        return { ok: loadConfig(env) };
      } catch (error) {
        return { message: (error as Error).message };
      }
    };
    const table = { TABLE_NAME: 'chat', CONNECTIONS_TABLE_NAME: 'conns' };
    expect({
      cursors: [cursor(undefined), cursor(encodeCursor({ id: 1 })), cursor('%%%'), cursor(encodeCursor({ id: 'x' }))],
      contexts: [
        identityFromContext({ principal_type: 'store', principal_id: '7' }),
        identityFromContext({ principal_type: 'admin', principal_id: 0 }),
        identityFromContext({ principal_type: 'unavailable' }),
        identityFromContext(undefined),
        tokenHashFromContext({ token_hash: 'a'.repeat(64) }),
        tokenHashFromContext({ token_hash: 'A'.repeat(64) }),
      ],
      config: [
        config(table),
        config({}),
        config({ ...table, STORE_SEND_LIMIT: '5', PUSH_TIMEOUT_MS: '1.5', DYNAMODB_ENDPOINT: 'not a url', UPLOAD_TICKET_LIMIT: '0' }),
        config({ ...table, S3_ENDPOINT: 'http://localhost:4569', STORE_SEND_WINDOW_SECONDS: ' 30 ' }),
      ],
      tunableVariables,
    }).toMatchSnapshot();
  });
});
