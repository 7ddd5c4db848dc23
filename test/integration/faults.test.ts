import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { makeHandler as makeSendMessage } from '../../functions/http/store-send-message';
import { createIdentityCache } from '../../lib/auth/identity-cache';
import { systemClock } from '../../lib/clock';
import { createDeps, type Deps } from '../../lib/deps';
import { hashToken } from '../../lib/entities/token';
import type { IssuedCredential } from '../../lib/ops/principals';
import { useTestStack, type TestStack } from '../support/harness';
import { activeSessionId, chatEntries, openInboxEntries } from '../support/inspect';

/** A payload 2.0 event as the HTTP API delivers it (no authorizer: the handler reads the token itself). */
function sendEvent(token: string, body: unknown): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: 'POST /v1/chat/store/message',
    rawPath: '/v1/chat/store/message',
    rawQueryString: '',
    headers: { 'content-type': 'application/json', authorization: `Token ${token}` },
    requestContext: { requestId: 'test' } as unknown as APIGatewayProxyEventV2['requestContext'],
    body: JSON.stringify(body),
    isBase64Encoded: false,
  };
}

/** Real clients whose DynamoDB endpoint refuses connections. */
function unreachableDeps(stack: TestStack): Deps {
  return createDeps({ ...stack.env, DYNAMODB_ENDPOINT: 'http://127.0.0.1:9' });
}

/** The same deps on an instance that resolved the store's token a moment ago, before DynamoDB failed. */
function signedIn(deps: Deps, store: IssuedCredential): Deps {
  const identities = createIdentityCache({ clock: systemClock });
  identities.set(hashToken(store.token), { kind: 'store', id: store.id });
  return { ...deps, identities };
}

/** Real clients that fail one kind of DynamoDB call, as a throttled table would. */
function failingDeps(stack: TestStack, failWhen: (command: string, input: Record<string, unknown>) => boolean): Deps {
  const deps = createDeps(stack.env);
  deps.db.middlewareStack.add(
    (next, context) => async (args) => {
      if (failWhen(context.commandName ?? '', args.input as Record<string, unknown>)) {
        throw Object.assign(new Error('Rate of requests exceeds the allowed throughput.'), { name: 'ThrottlingException', $fault: 'client' });
      }
      return next(args);
    },
    { step: 'initialize', name: 'injectFault' },
  );
  return deps;
}

describe('when DynamoDB fails', () => {
  const stack = useTestStack();

  it("answers seed 000's 500 when the session step fails, without internals", async () => {
    const store = await stack.createStore();
    const handler = makeSendMessage(signedIn(unreachableDeps(stack), store));

    const response = await handler(sendEvent(store.token, { content: 'hi' }));

    expect(response.statusCode).toBe(500);
    expect(JSON.parse(response.body)).toEqual({ error: 'Could not prepare chat session' });
    expect(await activeSessionId(stack, store.id)).toBeUndefined();
  });

  it('answers 503 with Retry-After when the message cannot be committed, and writes nothing half-way', async () => {
    const store = await stack.createStore();
    await stack.post('/v1/chat/store/message/', { token: store.token, body: { content: 'first' } });
    const sessionId = (await activeSessionId(stack, store.id))!;
    const handler = makeSendMessage(failingDeps(stack, (command, input) => command === 'PutItemCommand' && JSON.stringify(input).includes('"MSG#')));

    const response = await handler(sendEvent(store.token, { content: 'second' }));

    expect(response.statusCode).toBe(503);
    expect(response.headers).toMatchObject({ 'Retry-After': '1' });
    expect(JSON.parse(response.body)).toEqual({ error: 'Could not store the message, please retry' });
    expect((await chatEntries(stack, sessionId)).map((entry) => entry.content)).toEqual(['first']);
  });

  it('keeps an acknowledged message when only the inbox update fails', async () => {
    const store = await stack.createStore();
    const handler = makeSendMessage(failingDeps(stack, (command, input) => command === 'PutItemCommand' && JSON.stringify(input).includes('INBOX#')));

    const response = await handler(sendEvent(store.token, { content: 'still stored' }));

    expect(response.statusCode).toBe(200);
    const sessionId = (await activeSessionId(stack, store.id))!;
    expect((await chatEntries(stack, sessionId)).map((entry) => entry.content)).toEqual(['still stored']);
    expect(await openInboxEntries(stack, sessionId)).toEqual([]);
  });

  it("keeps a later message's session in the inbox when the inbox move fails, and the next message moves it", async () => {
    const store = await stack.createStore();
    await stack.post('/v1/chat/store/message/', { token: store.token, body: { content: 'first' } });
    const sessionId = (await activeSessionId(stack, store.id))!;
    const before = await openInboxEntries(stack, sessionId);
    const failing = makeSendMessage(failingDeps(stack, (command) => command === 'BatchWriteItemCommand'));

    const response = await failing(sendEvent(store.token, { content: 'second' }));
    const whileFailing = await openInboxEntries(stack, sessionId);
    await stack.post('/v1/chat/store/message/', { token: store.token, body: { content: 'third' } });
    const admin = await stack.createAdmin();
    const inbox = await stack.get('/v1/chat/admin/sessions/', { token: admin.token, query: { state: 'open', limit: 100 } });
    const listed = (inbox.json as { sessions: { session: { id: number }; last_message: { preview: string } }[] }).sessions.filter((item) => item.session.id === sessionId);

    expect(response.statusCode).toBe(200);
    expect((await chatEntries(stack, sessionId)).map((entry) => entry.content)).toEqual(['first', 'second', 'third']);
    expect(before).toHaveLength(1);
    expect(whileFailing).toEqual(before);
    // As after any failed inbox write, an older copy may stay behind; the listing shows the newest once.
    expect(listed.map((item) => item.last_message.preview)).toEqual(['third']);
  });

  it('answers 503 when the token table cannot be read, rather than calling the caller anonymous', async () => {
    const store = await stack.createStore();
    const handler = makeSendMessage(unreachableDeps(stack));

    const response = await handler(sendEvent(store.token, { content: 'hi' }));

    expect(response.statusCode).toBe(503);
    expect(JSON.parse(response.body)).toEqual({ error: 'Authentication is temporarily unavailable' });
  });
});
