import fc from 'fast-check';
import { limits } from '../../lib/limits';
import { checkHttp } from './contract';
import { jsonOrUndefined, type TestStack } from './harness';

// What the hostile-input tests in test/e2e share: the answer every input must get,
// and the generators of hostile values.

/* ------------------------------------------------------------------ */
/* Answers, and what every answer must look like                       */
/* ------------------------------------------------------------------ */

export interface Answer {
  status: number;
  text: string;
  json: unknown;
}

export interface RawRequest {
  method: string;
  path: string;
  /** Sent as is after "?". */
  query?: string;
  authorization?: string;
  contentType?: string;
  body?: string | Uint8Array;
}

export async function call(stack: TestStack, request: RawRequest): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (request.authorization !== undefined) headers.authorization = request.authorization;
  if (request.contentType !== undefined) headers['content-type'] = request.contentType;
  const url = `${stack.httpUrl}${request.path}${request.query === undefined ? '' : `?${request.query}`}`;
  let response: Response;
  try {
    response = await fetch(url, { method: request.method, headers, ...(request.body === undefined ? {} : { body: request.body }) });
  } catch (error) {
    throw new Error(`fetch refused ${request.method} ${request.path}: ${String(error)} ${String((error as Error).cause)}`);
  }
  const text = await response.text();
  checkHttp({ method: request.method, path: request.path, status: response.status, headers: response.headers, text });
  return { status: response.status, text, json: jsonOrUndefined(text) };
}

/** Frames of a stack trace, or source paths. */
export const stackTrace = /^\s+at |\n\s+at |\.[cm]?[tj]s:\d+|node_modules|webpack:|\/work\//;

export const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** {error: string, errors?: {field: string[]}} and nothing else. */
export function envelopeProblem(json: unknown, extraKeys: readonly string[] = []): string | undefined {
  if (!isRecord(json)) return 'the body is not a JSON object';
  const unexpected = Object.keys(json).filter((key) => key !== 'error' && key !== 'errors' && !extraKeys.includes(key));
  if (unexpected.length > 0) return `unexpected keys ${JSON.stringify(unexpected)}`;
  if (typeof json.error !== 'string' || json.error === '') return '"error" is not a non-empty string';
  if (json.errors !== undefined) {
    if (!isRecord(json.errors) || Object.keys(json.errors).length === 0) return '"errors" is not a non-empty object';
    for (const [field, details] of Object.entries(json.errors)) {
      if (!Array.isArray(details) || details.length === 0 || !details.every((d) => typeof d === 'string' && d !== '')) return `errors.${field} is not a list of strings`;
    }
  }
  return undefined;
}

/** Below 500, the error envelope whenever it is an error, never a stack trace. */
export function expectSafe(answer: Answer, label: string): void {
  const problem =
    answer.status >= 500
      ? `status ${answer.status}`
      : stackTrace.test(answer.text)
        ? 'a stack trace or source path in the body'
        : answer.status >= 400
          ? envelopeProblem(answer.json)
          : answer.json === undefined
            ? 'a success body that is not JSON'
            : undefined;
  if (problem) throw new Error(`${label}: ${problem}\n  got ${answer.status} ${answer.text.slice(0, 600)}`);
}

/** fast-check settings: a fixed number of runs, and a ceiling so shrinking over the network cannot outlast jest. */
export const runs = (numRuns: number) => ({ numRuns, interruptAfterTimeLimit: 45_000 });

/* ------------------------------------------------------------------ */
/* Generators                                                          */
/* ------------------------------------------------------------------ */

/** Any UTF-16 code unit, so strings may hold lone surrogates. */
export const utf16 = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((unit) => String.fromCharCode(unit)), maxLength: 24 });

const limitStrings = [
  limits.contentMaxChars, limits.contentMaxChars + 1, limits.attachmentUrlMaxChars, limits.attachmentUrlMaxChars + 1, limits.attachmentTypeMaxChars, limits.attachmentTypeMaxChars + 1,
  64, 65, 1000, 1001, 40, 41, 512, 513, limits.requestIdMaxChars, limits.requestIdMaxChars + 1,
].map((n) => 'a'.repeat(n));

export const httpsOfLength = (n: number) => `https://example.com/${'a'.repeat(n - 'https://example.com/'.length - 4)}.png`;

export const hostileString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  utf16,
  fc.constantFrom(
    '', ' ', '\u0000', '\u202e', '\ufeff', 'javascript:alert(1)', 'http://example.com/a.png', 'https://', 'https://x', '//example.com/a.png', 'data:text/html,<b>x</b>',
    '<script>alert(1)</script>', "' OR 1=1 --", '${7*7}', '{{7*7}}', '../../etc/passwd', '%00', 'null', 'undefined', 'NaN', '__proto__', 'constructor', 'toString',
    'image/png', 'text/html', 'open_url', 'quick_replies', 'SESSION#1', 'INBOX#open', '1000001', '-1', '1e3',
  ),
  fc.constantFrom(...limitStrings, httpsOfLength(limits.attachmentUrlMaxChars), httpsOfLength(limits.attachmentUrlMaxChars + 1)),
);

export const hostileNumber = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(0, -1, 1, 2, 1.5, 2 ** 31, 2 ** 53, 2 ** 53 + 2, -(2 ** 53), Number.MAX_SAFE_INTEGER, 1e21, 1e308, 5e-324, 1_000_001, 987_654_321),
);

export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: hostileString, weight: 3 },
  { arbitrary: hostileNumber, weight: 3 },
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.oneof(hostileString, hostileNumber), { maxLength: 12 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.oneof(hostileString, hostileNumber), { maxKeys: 4 }),
  fc.anything({ maxDepth: 2 }),
);

/** Every field name any route or action reads. */
export const fieldNames = [
  'content', 'attachment_url', 'attachment_type', 'product_id', 'client_message_id', 'special_type', 'special_param', 'messages', 'session_id',
  'rating', 'comment', 'up_to_id', 'file_name', 'content_type', 'size', 'admin_id', 'store_id', 'message_id', 'is_typing', 'request_id', 'action',
] as const;

/** A valid body for each POST route at once: unknown fields are ignored, so one object serves them all. */
const validishBody = {
  content: 'Hello, I need help',
  messages: [{ content: 'queued' }],
  rating: 5,
  comment: 'Thanks',
  up_to_id: 1_000_001,
  file_name: 'order.png',
  content_type: 'image/png',
  size: 68,
};

/** Valid fields mixed with hostile values for some of them, and some extra hostile fields. */
export const mixedBody = fc
  .tuple(fc.subarray(Object.keys(validishBody)), fc.dictionary(fc.constantFrom(...fieldNames), hostileValue, { maxKeys: 5 }))
  .map(([kept, hostile]) => ({ ...Object.fromEntries(kept.map((key) => [key, validishBody[key as keyof typeof validishBody]])), ...hostile }));

export const contentTypes = fc.oneof(
  fc.constantFrom(
    'application/json', 'application/json; charset=utf-8', 'application/json; charset=utf-16', 'text/plain', 'text/html', 'application/octet-stream', 'image/png',
    'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded', 'application/vnd.api+json', 'application/xml', '*/*', ';;;', 'json', '',
  ),
  // Printable ASCII: what fetch lets through in a header.
  fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 60 }),
);

export const deepArray = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
export const deepObject = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
