import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { limits } from '../../lib/limits';
import { routes } from '../../lib/routes';
import { useFuzzStack } from '../support/fuzz-stack';
import type { TestStack } from '../support/harness';
import { call, deepArray, expectSafe, hostileNumber, hostileString, hostileValue, httpsOfLength, runs } from '../support/hostile';
import { activeSessionId } from '../support/inspect';
import { pathFor } from '../support/valid-calls';

describe('hostile input never gets a 5xx, a stack trace, or a stored side effect', () => {
  const { stack } = useFuzzStack();

  describe('nothing refused is stored', () => {
    const bucketUrl = (key: string) => `https://${stack.bucket}.s3.us-east-1.amazonaws.com/${key}`;
    const neverNull = hostileValue.filter((v) => v !== null && v !== undefined);

    /** Items that fail validation (or name a product or upload that is not there), whatever else they carry. */
    const badItem = (storeId: number) => {
      const base = fc.record(
        { content: fc.constantFrom('hello', 'Bonjour 👋'), attachment_url: fc.constantFrom('https://example.com/a.png'), client_message_id: fc.constantFrom('ok-1', 'app:42') },
        { requiredKeys: [] },
      );
      const poison = fc.oneof(
        fc.record({ content: fc.oneof(fc.integer(), fc.boolean(), fc.array(fc.string()), fc.object(), fc.constant('a'.repeat(limits.contentMaxChars + 1)), fc.constant('😀'.repeat(limits.contentMaxChars + 1)), fc.constant('x\ud800y')) }),
        fc.record({
          attachment_url: fc.oneof(
            fc.integer(),
            fc.constantFrom(
              'http://example.com/a.png', 'javascript:alert(1)', 'ftp://example.com/a.png', 'https://', '//example.com/a.png', 'https://exa mple.com/a.png', ' https://example.com/a.png',
              'data:image/png;base64,AAAA', httpsOfLength(limits.attachmentUrlMaxChars + 1),
              bucketUrl('uploads/store/999999/0b7e3f9e-5d0c-4a53-9a1f-0d7a1c9b2e11/a.png'),
              bucketUrl(`uploads/store/${storeId}/0b7e3f9e-5d0c-4a53-9a1f-0d7a1c9b2e11/never-uploaded.png`),
              bucketUrl(`attachments/store/${storeId}/0b7e3f9e-5d0c-4a53-9a1f-0d7a1c9b2e11/a.png`),
              bucketUrl('uploads/admin/1/0b7e3f9e-5d0c-4a53-9a1f-0d7a1c9b2e11/a.png'),
            ),
          ),
        }),
        fc.record({ attachment_url: fc.constant('https://example.com/a.png'), attachment_type: fc.oneof(fc.integer(), fc.constantFrom('not a mime', 'image/', '/png', 'a'.repeat(256), 'image/png\u0000')) }),
        fc.record({ product_id: fc.oneof(fc.constantFrom(0, -1, 1.5, '7', true, 2 ** 53, 987_654_321), fc.array(fc.nat()), fc.object()) }),
        fc.record({ client_message_id: fc.oneof(fc.constantFrom('', 'has space', 'a'.repeat(65), 'ü', 'a/b', 'a\u0000'), fc.integer(), fc.object()) }),
        fc.record({ special_type: fc.oneof(fc.constantFrom('open_url', 'quick_replies'), neverNull) }),
        fc.record({ special_type: fc.constant('open_url'), special_param: fc.constant('https://example.com/track') }),
        fc.record({ special_param: neverNull }),
      );
      return fc.tuple(base, poison).map(([b, p]) => ({ ...b, ...p }));
    };

    it('stores no session and no message for a store whose every request was refused', async () => {
      const store = await stack.createStore('Refused');
      const goodItem = fc.record({ content: fc.constantFrom('queued one', 'queued two') });
      const request = fc.oneof(
        badItem(store.id).map((body) => ({ route: routes.storeSendMessage, body: JSON.stringify(body) })),
        fc
          .tuple(fc.array(goodItem, { maxLength: 5 }), badItem(store.id), fc.array(goodItem, { maxLength: 5 }))
          .map(([before, bad, after]) => ({ route: routes.storeSendMessages, body: JSON.stringify({ messages: [...before, bad, ...after] }) })),
        fc
          .oneof(
            fc.constant({ messages: [] }),
            fc.constant({ messages: Array.from({ length: 21 }, (_, i) => ({ content: `item ${i}` })) }),
            fc.record({ messages: neverNull.filter((v) => !Array.isArray(v)) }),
          )
          .map((body) => ({ route: routes.storeSendMessages, body: JSON.stringify(body) })),
        // The store has no session: every rating and read is refused, valid-looking or not.
        fc.oneof(fc.constant({ rating: 5 }), fc.record({ session_id: hostileNumber, rating: fc.integer({ min: 1, max: 5 }), comment: hostileString })).map((body) => ({ route: routes.storeRateSession, body: JSON.stringify(body) })),
        fc.record({ up_to_id: fc.oneof(hostileNumber, hostileValue) }).map((body) => ({ route: routes.storeReadMessages, body: JSON.stringify(body) })),
        fc
          .oneof(
            fc.record({ file_name: fc.constantFrom('', '   ', 'a'.repeat(256), 'x\udc00.png'), content_type: fc.constant('image/png'), size: fc.constant(68) }),
            fc.record({ file_name: fc.constant('a.png'), content_type: fc.constantFrom('text/html', 'image/svg+xml', 'application/x-msdownload', '', 'a'.repeat(300)), size: fc.constant(68) }),
            fc.record({ file_name: fc.constant('a.png'), content_type: fc.constant('image/png'), size: fc.constantFrom(0, -1, 1.5, 20_971_521, '68', null) }),
          )
          .map((body) => ({ route: routes.storeCreateAttachment, body: JSON.stringify(body) })),
        fc.oneof(fc.string({ maxLength: 50 }), fc.constant(deepArray(10_000)), fc.constant('{"__proto__":{"content":"hidden"}}'), fc.constant('[{"content":"in an array"}]'), fc.constant('"just a string"')).map((body) => ({ route: routes.storeSendMessage, body })),
      );

      await fc.assert(
        fc.asyncProperty(request, async ({ route, body }) => {
          const answer = await call(stack, { method: 'POST', path: pathFor(route.path, {}), authorization: `Token ${store.token}`, contentType: 'application/json', body });
          expectSafe(answer, `${route.name} ${body.slice(0, 300)}`);
          if (answer.status < 400) throw new Error(`${route.name} accepted ${body.slice(0, 300)}: ${answer.status} ${answer.text.slice(0, 300)}`);
        }),
        runs(80),
      );

      expect(await activeSessionId(stack, store.id)).toBeUndefined();
      expect(await entriesOfStore(stack, store.id)).toEqual([]);
      expect((await stack.get('/v1/chat/store/session/', { token: store.token })).json).toEqual({ session: null });
      expect((await stack.get('/v1/chat/store/messages/', { token: store.token })).json).toEqual({ session: null, messages: [], has_more: false });
    }, 60_000);
  });
});

/** Every chat-table item that belongs to a store's sessions (messages, session heads, inbox entries). */
async function entriesOfStore(stack: TestStack, storeId: number): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await stack.deps.db.send(
      new ScanCommand({
        TableName: stack.tables.chat,
        FilterExpression: '#session.#store = :store',
        ExpressionAttributeNames: { '#session': 'session', '#store': 'store_id' },
        ExpressionAttributeValues: { ':store': storeId },
        ConsistentRead: true,
        ExclusiveStartKey: start,
      }),
    );
    items.push(...(out.Items ?? []));
    start = out.LastEvaluatedKey;
  } while (start);
  return items;
}
