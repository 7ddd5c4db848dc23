import { createChatClient } from '../../lib/client';
import { checkHttp } from '../support/contract';
import { useChatStack } from '../support/chat-stack';

/** fetch, with every answer checked against docs/openapi.json as the harness checks its own (test/support/contract.ts). */
async function checkedFetch(request: Request): Promise<Response> {
  const response = await fetch(request);
  const url = new URL(request.url);
  checkHttp({ method: request.method, path: `${url.pathname}${url.search}`, status: response.status, headers: response.headers, text: await response.clone().text() });
  return response;
}

/**
 * The typed client (lib/client, README "Contracts") against the running local stack: the types come from
 * docs/openapi.json, so this file compiling proves the calls and the fields read are in the contract, and
 * passing proves the stack answers them.
 */
describe('the typed client (openapi-fetch over docs/openapi.json) against the local stack', () => {
  const { stack, use, adminSays } = useChatStack();
  const client = (token: string) => createChatClient(stack.httpUrl, token, { fetch: checkedFetch });

  it('carries a store and an admin conversation: send, inbox, notifications, history, reply, read', async () => {
    const admin = await use.admin();
    const shop = await stack.createStore('Typed Shop');
    const store = client(shop.token);
    const ann = client(admin.token);

    const sent = await store.POST('/v1/chat/store/message/', { body: { content: 'Where is order 1042?', client_message_id: 'typed-1' } });
    const sessionId = sent.data!.session.id;
    const inbox = await ann.GET('/v1/chat/admin/sessions/', { params: { query: { state: 'open', limit: 100 } } });
    const notifications = await ann.GET('/v1/chat/admin/notifications/', { params: { query: { limit: 100 } } });
    const markedNotification = await ann.POST('/v1/chat/admin/notifications/{session_id}/read/', { params: { path: { session_id: sessionId } } });
    await admin.socket.request({ action: 'claim', session_id: sessionId });
    const reply = await adminSays(admin, sessionId, { content: 'It ships today.' });
    const adminHistory = await ann.GET('/v1/chat/admin/sessions/{session_id}/messages/', { params: { path: { session_id: sessionId }, query: { limit: 50 } } });
    const storeHistory = await store.GET('/v1/chat/store/messages/', { params: { query: { limit: 50 } } });
    const read = await store.POST('/v1/chat/store/messages/read/', { body: { up_to_id: reply.id } });

    expect(sent.response.status).toBe(200);
    expect(sent.data!.message).toMatchObject({ content: 'Where is order 1042?', sender_type: 'store', client_message_id: 'typed-1' });
    expect(inbox.data!.sessions.find((item) => item.session.id === sessionId)?.last_message.preview).toBe('Where is order 1042?');
    expect(notifications.data!.notifications.find((n) => n.session_id === sessionId)?.unread).toBe(true);
    expect(markedNotification.data).toEqual({ id: sessionId, unread: false });
    // Claiming adds an action message (README "The message object"): the conversation is the text messages.
    expect(adminHistory.data!.messages.filter((m) => m.type === 'text').map((m) => m.content)).toEqual(['Where is order 1042?', 'It ships today.']);
    expect(storeHistory.data!.messages.filter((m) => m.type === 'text').map((m) => [m.sender_type, m.content])).toEqual([
      ['store', 'Where is order 1042?'],
      ['admin', 'It ships today.'],
    ]);
    expect(read.data).toEqual({ session_id: sessionId, up_to_id: reply.id, advanced: true });
  });

  it('returns an error status as the typed error envelope, and the compiler refuses what the contract does not have', async () => {
    const admin = await stack.createAdmin();
    const shop = await stack.createStore();
    const ann = client(admin.token);

    const missing = await ann.GET('/v1/chat/admin/sessions/{session_id}/messages/', { params: { path: { session_id: 999_999_999 } } });
    const wrongToken = await client('store_not-a-real-token').GET('/v1/chat/store/session/');
    const storeOnAdminRoute = await client(shop.token).GET('/v1/chat/admin/notifications/');
    const refused = await client(shop.token).POST('/v1/chat/store/message/', {
      // @ts-expect-error `special_type` is admins only: the contract types it as null for stores
      body: { content: 'hi', special_type: 'resolve' },
    });

    expect([missing.response.status, missing.data, typeof missing.error?.error]).toEqual([404, undefined, 'string']);
    expect(wrongToken.response.status).toBe(401);
    expect(wrongToken.error?.error).toEqual(expect.any(String));
    expect(storeOnAdminRoute.response.status).toBe(403);
    expect(refused.response.status).toBe(400);
    // Type-level checks: compiled by `npm run typecheck`, never run.
    const neverCalled = () => {
      // @ts-expect-error no such route in docs/openapi.json
      void ann.GET('/v1/chat/admin/everything/');
      // @ts-expect-error the message field is `content`, not `text`
      void client(shop.token).POST('/v1/chat/store/message/', { body: { text: 'hi' } });
      // @ts-expect-error a session id is a number
      void ann.GET('/v1/chat/admin/sessions/{session_id}/messages/', { params: { path: { session_id: 'one' } } });
    };
    expect(typeof neverCalled).toBe('function');
  });
});
