import fc from 'fast-check';
import { httpRoutes } from '../../lib/routes';
import { useFuzzStack } from '../support/fuzz-stack';
import { call, expectSafe, hostileNumber, runs } from '../support/hostile';
import { pathFor } from '../support/valid-calls';

describe('hostile input never gets a 5xx, a stack trace, or a stored side effect', () => {
  const fuzz = useFuzzStack();
  const { stack, tokenFor } = fuzz;

  describe('path parameters', () => {
    const templated = httpRoutes.filter((route) => route.path.includes('{'));
    const isDotSegment = (s: string) => /^(\.|%2e)+$/i.test(s);
    const segment = fc
      .oneof(
        fc.string({ unit: 'binary', minLength: 1, maxLength: 30 }).map(encodeURIComponent),
        fc.string({ unit: 'grapheme', minLength: 1, maxLength: 10 }).map(encodeURIComponent),
        fc.uint8Array({ minLength: 1, maxLength: 12 }).map((bytes) => [...bytes].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('')),
        hostileNumber.map((n) => encodeURIComponent(String(n))),
        fc.constantFrom('%', '%zz', '%2F', '%00', '-1', '0', '1e3', '0x10', '%207', '1.0', '01', '9007199254740993', '99999999999999999999', 'null', 'undefined', '__proto__', 'constructor', '%E2%80%AE1'),
        fc.integer({ min: 200, max: 2000 }).map((n) => '9'.repeat(n)),
      )
      .filter((s) => s !== '' && !isDotSegment(s));

    it('answers arbitrary {session_id} and {store_id} segments with 400 or 404 (200 only for a session or store that exists), in the envelope', async () => {
      await fc.assert(
        fc.asyncProperty(segment, async (raw) => {
          const answers = await Promise.all(
            templated.map(async (route) => ({
              route,
              answer: await call(stack, { method: route.method, path: pathFor(route.path, { session_id: raw, store_id: raw }), authorization: `Token ${tokenFor(route, fuzz.reader)}` }),
            })),
          );
          for (const { route, answer } of answers) {
            expectSafe(answer, `${route.name} with segment ${raw.slice(0, 200)}`);
            if (![200, 400, 404].includes(answer.status)) throw new Error(`${route.name} with segment ${raw.slice(0, 200)}: ${answer.status} ${answer.text.slice(0, 300)}`);
          }
        }),
        runs(60),
      );
    }, 60_000);

    it('answers empty and dot segments below 500', async () => {
      for (const route of templated) {
        for (const raw of ['', '.', '..', '%2e', '%2E%2E', '%2F..%2F']) {
          const answer = await call(stack, { method: route.method, path: pathFor(route.path, { session_id: raw, store_id: raw }), authorization: `Token ${tokenFor(route, fuzz.reader)}` });
          expect({ route: route.name, raw, status: answer.status < 500 }).toEqual({ route: route.name, raw, status: true });
        }
      }
    });
  });
});
