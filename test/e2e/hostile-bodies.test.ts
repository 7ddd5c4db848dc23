import fc from 'fast-check';
import { httpRoutes, routes } from '../../lib/routes';
import { useFuzzStack } from '../support/fuzz-stack';
import { call, contentTypes, deepArray, deepObject, expectSafe, fieldNames, hostileValue, mixedBody, runs, utf16 } from '../support/hostile';

describe('hostile input never gets a 5xx, a stack trace, or a stored side effect', () => {
  const { stack, tokenFor, pathOf } = useFuzzStack();
  const postRoutes = httpRoutes.filter((route) => route.method === 'POST');

  /** Sends one body to every POST route at once, each with a fresh store's (or the admin's) token. */
  async function bodyToEveryPostRoute(body: string | Uint8Array | undefined, contentType: string | undefined, label: string): Promise<void> {
    const store = await stack.createStore('Fuzz');
    const answers = await Promise.all(
      postRoutes.map(async (route) => ({
        route,
        answer: await call(stack, { method: 'POST', path: pathOf(route), authorization: `Token ${tokenFor(route, store)}`, body, ...(contentType === undefined ? {} : { contentType }) }),
      })),
    );
    for (const { route, answer } of answers) expectSafe(answer, `${route.name} ${label}`);
  }

  describe('request bodies, on every POST route of the manifest', () => {
    it('answers any JSON text (fc.json) below 500, in the envelope', async () => {
      await fc.assert(
        fc.asyncProperty(fc.json({ maxDepth: 4 }), (text) => bodyToEveryPostRoute(text, 'application/json', `with body ${text.slice(0, 200)}`)),
        runs(50),
      );
    }, 60_000);

    it('answers any JSON value (fc.jsonValue) below 500, in the envelope', async () => {
      await fc.assert(
        fc.asyncProperty(fc.jsonValue({ maxDepth: 4 }), (value) => bodyToEveryPostRoute(JSON.stringify(value), 'application/json', 'with a JSON value')),
        runs(50),
      );
    }, 60_000);

    it('answers any serialised JS value (fc.anything) below 500, in the envelope', async () => {
      await fc.assert(
        fc.asyncProperty(fc.anything({ maxDepth: 3 }), (value) => bodyToEveryPostRoute(JSON.stringify(value) as string | undefined, 'application/json', 'with fc.anything')),
        runs(50),
      );
    }, 60_000);

    it('answers raw strings and random bytes under random content types below 500, in the envelope', async () => {
      const raw = fc.oneof(fc.string({ unit: 'binary', maxLength: 200 }), utf16, fc.uint8Array({ maxLength: 300 }));
      await fc.assert(
        fc.asyncProperty(raw, fc.option(contentTypes, { nil: undefined }), (body, contentType) => bodyToEveryPostRoute(body, contentType, `as ${String(contentType)}`)),
        runs(50),
      );
    }, 60_000);

    it('answers valid fields mixed with hostile values below 500, in the envelope', async () => {
      await fc.assert(
        fc.asyncProperty(mixedBody, (body) => bodyToEveryPostRoute(JSON.stringify(body), 'application/json', `with ${JSON.stringify(body).slice(0, 300)}`)),
        runs(60),
      );
    }, 60_000);

    it('answers __proto__, constructor and prototype keys below 500, never takes fields from them, and leaves Object.prototype alone', async () => {
      const protoKey = fc.constantFrom('__proto__', 'constructor', 'prototype');
      const payload = fc.dictionary(fc.constantFrom(...fieldNames, 'polluted', 'isAdmin', 'principal_type'), hostileValue, { maxKeys: 4 });
      // Built as text: an object literal with a __proto__ key would set a prototype instead of sending the key.
      const body = fc
        .tuple(fc.array(fc.tuple(protoKey, payload), { minLength: 1, maxLength: 3 }), fc.boolean())
        .map(([entries, nested]) => {
          const members = entries.map(([key, value]) => `${JSON.stringify(key)}:${JSON.stringify({ ...value, polluted: 'yes' })}`);
          if (nested) members.push('"constructor":{"prototype":{"polluted":"yes","content":"from the prototype"}}');
          return `{${members.join(',')}}`;
        });
      await fc.assert(
        fc.asyncProperty(body, async (text) => {
          const store = await stack.createStore('Proto');
          const answers = await Promise.all(
            postRoutes.map(async (route) => ({ route, answer: await call(stack, { method: 'POST', path: pathOf(route), authorization: `Token ${tokenFor(route, store)}`, contentType: 'application/json', body: text }) })),
          );
          for (const { route, answer } of answers) expectSafe(answer, `${route.name} with ${text.slice(0, 300)}`);
          expect(({} as Record<string, unknown>).polluted).toBeUndefined();
          expect(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted')).toBe(false);
          // Fields inside __proto__ are not fields of the body: a send whose only content sits there is refused.
          const send = answers.find(({ route }) => route === routes.storeSendMessage)!.answer;
          expect(send.status).toBeGreaterThanOrEqual(400);
        }),
        runs(40),
      );
    }, 60_000);

    it('answers bodies nested 10,000 and 32,000 levels deep below 500, in the envelope', async () => {
      const bodies = [
        deepArray(10_000),
        deepObject(10_000),
        deepArray(32_000), // 64,000 bytes: under the 64 KB cap
        '['.repeat(30_000), // unbalanced
        `{"content":${deepArray(10_000)}}`,
        `{"content":${deepObject(10_000)}}`,
        `{"messages":${deepArray(10_000)}}`,
        `{"messages":[${deepObject(10_000)}]}`,
        `{"messages":[{"content":"x","special_param":${deepArray(10_000)}}]}`,
        `{"rating":5,"comment":${deepObject(10_000)}}`,
        `{"file_name":${deepArray(10_000)},"content_type":"image/png","size":68}`,
        `{"up_to_id":${deepArray(10_000)}}`,
      ];
      for (const body of bodies) await bodyToEveryPostRoute(body, 'application/json', `with ${body.slice(0, 40)}…`);
    }, 60_000);
  });
});
