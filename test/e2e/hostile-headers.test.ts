import fc from 'fast-check';
import { httpRoutes } from '../../lib/routes';
import { useFuzzStack } from '../support/fuzz-stack';
import { call, contentTypes, expectSafe, runs } from '../support/hostile';
import { unknownToken } from '../support/valid-calls';

describe('hostile input never gets a 5xx, a stack trace, or a stored side effect', () => {
  const { stack, tokenFor, pathOf } = useFuzzStack();

  describe('headers', () => {
    /** Header values fetch will send: tab, printable ASCII and Latin-1 bytes (it refuses NUL, CR, LF and other controls). */
    const headerText = (maxLength: number) =>
      fc.string({ unit: fc.oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.integer({ min: 0x80, max: 0xff }), fc.constant(0x09)).map((c) => String.fromCharCode(c)), maxLength });
    /** UTF-8 text travels as its bytes. */
    const unicodeHeader = fc.string({ unit: 'grapheme', maxLength: 30 }).map((s) => Buffer.from(s, 'utf8').toString('latin1'));
    const nonToken = fc.string({ unit: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)), minLength: 1, maxLength: 12 }).filter((s) => s.toLowerCase() !== 'token');
    const mutate = fc.tuple(fc.nat(), fc.constantFrom('drop', 'swap-case', 'replace', 'append', 'truncate', 'prefix'));

    /** An Authorization value that is never "Token <a live token>", as a function of the route's live token. */
    const notAValidToken: fc.Arbitrary<{ describe: string; value: (live: string) => string }> = fc.oneof(
      headerText(80).map((s) => ({ describe: `arbitrary ${JSON.stringify(s)}`, value: () => s })),
      unicodeHeader.map((s) => ({ describe: `unicode ${JSON.stringify(s)}`, value: () => s })),
      fc.tuple(nonToken, fc.constantFrom(' ', '  ', '\t')).map(([scheme, gap]) => ({ describe: `scheme ${scheme}`, value: (live: string) => `${scheme}${gap}${live}` })),
      mutate.map(([at, how]) => ({
        describe: `mutated token (${how} at ${at})`,
        value: (live: string) => {
          const i = at % live.length;
          const c = live[i]!;
          const swapped = c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase();
          const changed = {
            drop: live.slice(0, i) + live.slice(i + 1),
            'swap-case': c === swapped ? `${live}x` : live.slice(0, i) + swapped + live.slice(i + 1),
            replace: live.slice(0, i) + (c === '0' ? '1' : '0') + live.slice(i + 1),
            append: `${live}0`,
            truncate: live.slice(0, i),
            prefix: `x${live}`,
          }[how];
          return `Token ${changed}`;
        },
      })),
      fc.constantFrom('store', 'admin').map((kind) => ({ describe: `unknown ${kind} token`, value: () => `Token ${unknownToken(kind)}` })),
      fc.constantFrom(' junk', '\tjunk', ' Token').map((tail) => ({ describe: `token with ${JSON.stringify(tail)} after it`, value: (live: string) => `Token ${live}${tail}` })),
      fc.integer({ min: 1000, max: 8000 }).map((n) => ({ describe: `${n} characters`, value: () => `Token ${'a'.repeat(n)}` })),
      fc.constantFrom('', ' ', 'Token', 'Token ', 'token', 'Basic dXNlcjpwYXNz', 'Bearer', 'Token null', 'Token undefined', 'Token store_', 'Token admin_').map((s) => ({
        describe: JSON.stringify(s),
        value: () => s,
      })),
    );

    it('answers 401 {"error":"Unauthorized"} on every route for any Authorization value that is not a live token, under any Content-Type', async () => {
      const store = await stack.createStore('Header');
      await fc.assert(
        fc.asyncProperty(notAValidToken, contentTypes, async (header, contentType) => {
          const answers = await Promise.all(
            httpRoutes.map(async (route) => {
              const value = header.value(tokenFor(route, store));
              const body = route.method === 'POST' ? { contentType, body: '{"content":"hi"}' } : {};
              return { route, value, answer: await call(stack, { method: route.method, path: pathOf(route), authorization: value, ...body }) };
            }),
          );
          for (const { route, value, answer } of answers) {
            if (answer.status !== 401 || JSON.stringify(answer.json) !== '{"error":"Unauthorized"}') {
              throw new Error(`${route.name} with Authorization ${JSON.stringify(value).slice(0, 200)} (${header.describe}): ${answer.status} ${answer.text.slice(0, 300)}`);
            }
          }
        }),
        runs(60),
      );
    }, 60_000);

    it('refuses an oversized Authorization header before the API, below 500', async () => {
      const answer = await call(stack, { method: 'GET', path: '/v1/chat/store/session/', authorization: `Token ${'a'.repeat(20_000)}` });

      expect(answer.status).toBeGreaterThanOrEqual(400);
      expect(answer.status).toBeLessThan(500);
    });

    it('accepts a JSON body under any Content-Type, storing its text exactly, or refuses it below 500', async () => {
      await fc.assert(
        fc.asyncProperty(contentTypes, fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }), async (contentType, word) => {
          const store = await stack.createStore('Content-Type');
          const content = `ok ${word} ✓`;
          const answer = await call(stack, { method: 'POST', path: '/v1/chat/store/message/', authorization: `Token ${store.token}`, contentType, body: JSON.stringify({ content }) });
          expectSafe(answer, `Content-Type ${JSON.stringify(contentType)}`);
          if (answer.status === 200) expect((answer.json as { message: { content: string } }).message.content).toBe(content);
        }),
        runs(40),
      );
    }, 60_000);
  });
});
