import fc from 'fast-check';
import { chatTableRef } from '../../lib/deps';
import { getEntry } from '../../lib/entities/session';
import { useFuzzStack } from '../support/fuzz-stack';
import { runs } from '../support/hostile';
import { activeSessionId } from '../support/inspect';
import { adminDoes } from '../support/valid-calls';

describe('hostile input never gets a 5xx, a stack trace, or a stored side effect', () => {
  const fuzz = useFuzzStack();
  const { stack } = fuzz;

  describe('unicode text', () => {
    const tricky = [
      '👩‍👩‍👧‍👦', '🇫🇷', '🏳️‍🌈', '👋🏽', '\u200f', '\u200e', '\u202e', '\u2066', '\u2069', 'e\u0301', 'é', 'Z̤̈́a̠̅l̨̓g̝o', '\ufeff', '\u0000', '\u0007', '\ufffe', '\uffff',
      '\u{10ffff}', '\u{e0001}', '\u{1f600}', 'ﷺ', '\u00a0', '\u2028', '\u2029', 'İ', 'ß', 'Ω', '\u2126', 'ﬁ', '＜script＞', '\r\n', '\t', '\u0301', 'مرحبا', 'שלום', '𝔘𝔫𝔦𝔠𝔬𝔡𝔢',
    ];
    const text = fc.oneof(
      fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }),
      fc.string({ unit: 'grapheme-composite', minLength: 1, maxLength: 40 }),
      fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }),
      fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((u) => String.fromCharCode(u)), minLength: 1, maxLength: 20 }),
      fc.array(fc.oneof(fc.constantFrom(...tricky), fc.string({ unit: 'grapheme', maxLength: 3 })), { minLength: 1, maxLength: 10 }).map((parts) => parts.join('')),
    );

    /** What the API must do with this text as message content. */
    const expectedFor = (content: string): { status: 200 } | { status: 400; json: unknown } => {
      if (!content.isWellFormed()) return { status: 400, json: { error: 'Invalid request body', errors: { content: ['Must be valid Unicode text'] } } };
      if (content.trim() === '') return { status: 400, json: { error: 'Message content or attachment is required' } };
      return { status: 200 };
    };

    it("stores a store's text exactly as sent (response, table and history) or refuses it with 400: never alters it", async () => {
      await fc.assert(
        fc.asyncProperty(text, async (content) => {
          const store = await stack.createStore('Unicode');
          const answer = await stack.post('/v1/chat/store/message/', { token: store.token, body: { content } });
          const expected = expectedFor(content);
          if (expected.status === 400) {
            expect({ status: answer.status, json: answer.json }).toEqual(expected);
            expect(await activeSessionId(stack, store.id)).toBeUndefined();
            return;
          }
          expect(answer.status).toBe(200);
          const message = (answer.json as { message: { id: number; content: string } }).message;
          const stored = await getEntry(chatTableRef(stack.deps), message.id);
          const history = await stack.get('/v1/chat/store/messages/', { token: store.token });
          const listed = (history.json as { messages: { id: number; content: string }[] }).messages.find((m) => m.id === message.id);
          expect([message.content, stored?.content, listed?.content]).toEqual([content, content, content]);
        }),
        runs(60),
      );
    }, 60_000);

    it("stores an admin's text exactly as sent over the socket, as the store's history shows it, or refuses it with 400", async () => {
      const store = await stack.createStore('Unicode reader');
      const first = (await stack.post('/v1/chat/store/message/', { token: store.token, body: { content: 'hi' } })).json as { session: { id: number } };
      const socket = await stack.connect(fuzz.admin.token);
      await adminDoes(socket, { action: 'claim', session_id: first.session.id });
      try {
        await fc.assert(
          fc.asyncProperty(text, async (content) => {
            const answer = await socket.request({ action: 'send', session_id: first.session.id, content });
            const expected = expectedFor(content);
            if (expected.status === 400) {
              // Over the socket, field errors say "Invalid frame" rather than "Invalid request body".
              const json = expected.json as { error: string };
              expect(answer).toMatchObject({ type: 'error', status: 400, ...json, error: json.error === 'Invalid request body' ? 'Invalid frame' : json.error });
              return;
            }
            expect(answer.type).toBe('result');
            const message = answer.message as { id: number; content: string };
            const history = await stack.get('/v1/chat/store/messages/', { token: store.token, query: { after: message.id - 1, limit: 1 } });
            const listed = (history.json as { messages: { id: number; content: string }[] }).messages[0];
            expect([message.content, listed?.id, listed?.content]).toEqual([content, message.id, content]);
          }),
          runs(40),
        );
      } finally {
        await socket.close();
      }
    }, 60_000);
  });
});
