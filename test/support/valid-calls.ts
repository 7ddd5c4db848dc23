/**
 * One "valid call" per manifest route: the setup a route needs and the request
 * its rightful caller makes, with what that caller gets back. Keyed by the
 * route's key in lib/routes.ts; test/e2e/authorization-matrix.test.ts fails
 * for any manifest route without an entry here.
 */
import { randomUUID } from 'node:crypto';
import { chatTableRef, connectionsTableRef } from '../../lib/deps';
import { listAdminConnections, listPrincipalConnections } from '../../lib/entities/connection';
import { revokeToken } from '../../lib/entities/token';
import { randomBase62 } from '../../lib/ids';
import { issueTokenFor, type IssuedCredential } from '../../lib/ops/principals';
import { importProducts } from '../../lib/ops/products';
import type { Frame, TestSocket, TestStack } from './harness';

/** Everything a route's call can refer to: two stores, an admin, and the first store's product, session and message. */
export interface World {
  stack: TestStack;
  /** The store whose resources the calls touch. */
  owner: IssuedCredential;
  /** A second store, for "another store acting on the owner's resource". */
  other: IssuedCredential;
  admin: IssuedCredential;
  /** The admin's own socket, for setup steps (claim, reply, close...). */
  adminSocket: TestSocket;
  productId: number;
  sessionId: number;
  /** The owner's first message. */
  messageId: number;
  /** Text only the owner's data contains: it must never reach another store. */
  marker: string;
  /** Tokens that worked once and were then revoked, for the owner store and the admin. */
  revoked: { store: string; admin: string };
}

export interface HttpCall {
  /** The route's path with its parameters filled in (a trailing slash, as clients send it). */
  path: string;
  query?: Record<string, string | number>;
  body?: unknown;
}

export interface HttpRecipe {
  api: 'http';
  /** Route-specific setup; answers the request. */
  prepare(world: World): Promise<HttpCall>;
  /** A subset of the 200 body the rightful caller gets. */
  success(world: World): Record<string, unknown>;
  /** Store routes: what another store gets for the very same request (never the owner's data). */
  asOtherStore?(world: World): { status: number; json: Record<string, unknown> };
}

export type WsCall =
  /** The handshake is the call. */
  | { kind: 'connect' }
  /** Closing an admitted socket is the call: its connection row goes away. */
  | { kind: 'disconnect' }
  /** A frame, and a subset of the frame that answers it. */
  | { kind: 'frame'; frame: Record<string, unknown>; answer: Record<string, unknown> };

export interface WsRecipe {
  api: 'ws';
  prepare(world: World): Promise<WsCall>;
}

export type Recipe = HttpRecipe | WsRecipe;

/** Fills {name} path parameters and adds the trailing slash clients use. */
export const pathFor = (template: string, params: Record<string, string | number>): string =>
  `${template.replace(/\{([^}]+)\}/g, (_whole, name: string) => String(params[name] ?? `{${name}}`))}/`;

/** A well-formed token that was never issued. */
export const unknownToken = (kind: 'store' | 'admin'): string => `${kind}_${randomBase62(40)}`;

/** Sends an admin frame on a socket and answers the result frame; anything else is a broken setup. */
export async function adminDoes(socket: TestSocket, frame: Record<string, unknown>): Promise<Frame> {
  const answer = await socket.request(frame);
  if (answer.type !== 'result') throw new Error(`setup step ${JSON.stringify(frame)} failed: ${JSON.stringify(answer)}`);
  return answer;
}

async function storeSends(stack: TestStack, token: string, content: string): Promise<{ sessionId: number; messageId: number }> {
  const response = await stack.post('/v1/chat/store/message/', { token, body: { content } });
  if (response.status !== 200) throw new Error(`setup send failed: ${response.status} ${response.text}`);
  const body = response.json as { session: { id: number }; message: { id: number } };
  return { sessionId: body.session.id, messageId: body.message.id };
}

/** Issues a second token for a principal, proves it works, then revokes it. */
async function revokedToken(stack: TestStack, kind: 'store' | 'admin', id: number): Promise<string> {
  const ref = chatTableRef(stack.deps);
  const issued = await issueTokenFor(ref, kind, id);
  if (!issued) throw new Error(`no ${kind} ${id}`);
  const worked =
    kind === 'store'
      ? (await stack.get('/v1/chat/store/session/', { token: issued.token })).status === 200
      : (await stack.get('/v1/chat/admin/notifications/', { token: issued.token })).status === 200;
  if (!worked) throw new Error(`a fresh ${kind} token did not work`);
  if (!(await revokeToken(ref, issued.token))) throw new Error('revokeToken revoked nothing');
  return issued.token;
}

/** Two stores, an admin with a socket, and the owner's product, session and first message. */
export async function createWorld(stack: TestStack): Promise<World> {
  const [owner, other, admin] = await Promise.all([stack.createStore('Owner Store'), stack.createStore('Other Store'), stack.createAdmin('Ann')]);
  const adminSocket = await stack.connect(admin.token);
  const imported = await importProducts(chatTableRef(stack.deps), owner.id, [{ sku: 'OWNER-LAMP', name: 'Owner lamp', price: 10 }]);
  const marker = `owner-secret-${randomUUID()}`;
  const first = await storeSends(stack, owner.token, marker);
  const [revokedStore, revokedAdmin] = await Promise.all([revokedToken(stack, 'store', owner.id), revokedToken(stack, 'admin', admin.id)]);
  return {
    stack,
    owner,
    other,
    admin,
    adminSocket,
    productId: imported.products[0]!.id,
    sessionId: first.sessionId,
    messageId: first.messageId,
    marker,
    revoked: { store: revokedStore, admin: revokedAdmin },
  };
}

const claim = (w: World) => adminDoes(w.adminSocket, { action: 'claim', session_id: w.sessionId });
const adminReply = async (w: World, content: string) => ((await adminDoes(w.adminSocket, { action: 'send', session_id: w.sessionId, content })).message as { id: number }).id;
const closeSession = (w: World) => adminDoes(w.adminSocket, { action: 'close', session_id: w.sessionId });

const png = { file_name: 'order page.png', content_type: 'image/png', size: 68 };

const frame = (frame: Record<string, unknown>, answer: Record<string, unknown>): WsCall => ({ kind: 'frame', frame, answer: { type: 'result', action: frame.action, ...answer } });

export const validCalls: Record<string, Recipe> = {
  storeSendMessage: {
    api: 'http',
    prepare: (w) => Promise.resolve({ path: '/v1/chat/store/message/', body: { content: 'Is this one in stock?', product_id: w.productId } }),
    success: (w) => ({ message: { sender_type: 'store', sender_id: w.owner.id, type: 'product', product: { id: w.productId, sku: 'OWNER-LAMP' } } }),
    asOtherStore: () => ({ status: 404, json: { error: 'Product not found', errors: { product_id: ['Product not found'] } } }),
  },
  storeSendMessages: {
    api: 'http',
    prepare: (w) => Promise.resolve({ path: '/v1/chat/store/messages/', body: { messages: [{ content: 'first' }, { product_id: w.productId }] } }),
    success: (w) => ({ session: { id: w.sessionId }, messages: [{ content: 'first' }, { type: 'product', product: { id: w.productId } }] }),
    asOtherStore: () => ({ status: 404, json: { error: 'Product not found', errors: { 'messages.1.product_id': ['Product not found'] } } }),
  },
  storeRateSession: {
    api: 'http',
    async prepare(w) {
      await claim(w);
      await adminReply(w, 'Done, anything else?');
      await closeSession(w);
      return { path: '/v1/chat/store/rating/', body: { session_id: w.sessionId, rating: 5, comment: 'Quick and kind' } };
    },
    success: (w) => ({ session: { id: w.sessionId }, message: { type: 'rating', rating: 5, content: 'Quick and kind' } }),
    asOtherStore: () => ({ status: 404, json: { error: 'Session not found' } }),
  },
  storeCreateAttachment: {
    api: 'http',
    prepare: () => Promise.resolve({ path: '/v1/chat/store/attachment/', body: png }),
    success: (w) => ({ attachment_url: expect.stringContaining(`/uploads/store/${w.owner.id}/`) }),
    // Not a resource of the owner: the other store gets an upload of its own.
    asOtherStore: (w) => ({ status: 200, json: { attachment_url: expect.stringContaining(`/uploads/store/${w.other.id}/`) } }),
  },
  adminCreateAttachment: {
    api: 'http',
    prepare: () => Promise.resolve({ path: '/v1/chat/admin/attachment/', body: png }),
    success: (w) => ({ attachment_url: expect.stringContaining(`/uploads/admin/${w.admin.id}/`) }),
  },
  storeGetSession: {
    api: 'http',
    prepare: () => Promise.resolve({ path: '/v1/chat/store/session/' }),
    success: (w) => ({ session: { id: w.sessionId, store_id: w.owner.id } }),
    // Its own current session: it has none.
    asOtherStore: () => ({ status: 200, json: { session: null } }),
  },
  storeListMessages: {
    api: 'http',
    prepare: (w) => Promise.resolve({ path: '/v1/chat/store/messages/', query: { session_id: w.sessionId } }),
    success: (w) => ({ session: { id: w.sessionId }, messages: [{ id: w.messageId, content: w.marker }] }),
    asOtherStore: () => ({ status: 404, json: { error: 'Session not found' } }),
  },
  storeReadMessages: {
    api: 'http',
    async prepare(w) {
      await claim(w);
      const replyId = await adminReply(w, 'Hello from support');
      return { path: '/v1/chat/store/messages/read/', body: { up_to_id: replyId } };
    },
    success: (w) => ({ session_id: w.sessionId, advanced: true }),
    asOtherStore: () => ({ status: 404, json: { error: 'Message not found' } }),
  },
  adminListSessions: {
    api: 'http',
    prepare: () => Promise.resolve({ path: '/v1/chat/admin/sessions/', query: { state: 'open', limit: 100 } }),
    success: (w) => ({ sessions: expect.arrayContaining([expect.objectContaining({ session: expect.objectContaining({ id: w.sessionId }) })]) }),
  },
  adminListMessages: {
    api: 'http',
    prepare: (w) => Promise.resolve({ path: pathFor('/v1/chat/admin/sessions/{session_id}/messages', { session_id: w.sessionId }) }),
    success: (w) => ({ session: { id: w.sessionId }, messages: [{ id: w.messageId, content: w.marker }] }),
  },
  adminListNotifications: {
    api: 'http',
    prepare: () => Promise.resolve({ path: '/v1/chat/admin/notifications/', query: { limit: 100 } }),
    success: (w) => ({ notifications: expect.arrayContaining([expect.objectContaining({ session_id: w.sessionId, unread: true })]) }),
  },
  adminReadNotification: {
    api: 'http',
    prepare: (w) => Promise.resolve({ path: pathFor('/v1/chat/admin/notifications/{session_id}/read', { session_id: w.sessionId }) }),
    success: (w) => ({ id: w.sessionId, unread: false }),
  },
  adminReadAllNotifications: {
    api: 'http',
    prepare: () => Promise.resolve({ path: '/v1/chat/admin/notifications/read/' }),
    success: () => ({ unread_count: 0 }),
  },
  adminGetMe: {
    api: 'http',
    prepare: () => Promise.resolve({ path: '/v1/chat/admin/me/' }),
    success: (w) => ({ id: w.admin.id, name: 'Ann' }),
  },
  adminListAdmins: {
    api: 'http',
    prepare: () => Promise.resolve({ path: '/v1/chat/admin/admins/' }),
    // The world's admin holds a socket.
    success: (w) => ({ admins: expect.arrayContaining([{ id: w.admin.id, name: 'Ann', online: true }]) }),
  },
  adminListProducts: {
    api: 'http',
    prepare: (w) => Promise.resolve({ path: pathFor('/v1/chat/admin/stores/{store_id}/products', { store_id: w.owner.id }) }),
    success: (w) => ({ products: [{ id: w.productId, sku: 'OWNER-LAMP', name: 'Owner lamp', price: 10 }], next_cursor: null }),
  },
  wsConnect: { api: 'ws', prepare: () => Promise.resolve({ kind: 'connect' }) },
  wsDisconnect: { api: 'ws', prepare: () => Promise.resolve({ kind: 'disconnect' }) },
  wsDefault: {
    api: 'ws',
    // An action no route matches: $default answers, with a non-auth error.
    prepare: () =>
      Promise.resolve({ kind: 'frame', frame: { action: 'no-such-action' }, answer: { type: 'error', action: 'no-such-action', status: 404, error: 'Unknown action: no-such-action' } }),
  },
  wsClaim: {
    api: 'ws',
    prepare: (w) => Promise.resolve(frame({ action: 'claim', session_id: w.sessionId }, { session: { id: w.sessionId, admin_id: w.admin.id } })),
  },
  wsRelease: {
    api: 'ws',
    async prepare(w) {
      await claim(w);
      return frame({ action: 'release', session_id: w.sessionId }, { session: { id: w.sessionId, admin_id: null } });
    },
  },
  wsTransfer: {
    api: 'ws',
    async prepare(w) {
      const [bob] = await Promise.all([w.stack.createAdmin('Bob'), claim(w)]);
      return frame({ action: 'transfer', session_id: w.sessionId, admin_id: bob.id }, { session: { id: w.sessionId, admin_id: bob.id } });
    },
  },
  wsSend: {
    api: 'ws',
    async prepare(w) {
      await claim(w);
      return frame({ action: 'send', session_id: w.sessionId, content: 'Hi! How can I help?' }, { message: { sender_type: 'admin', sender_id: w.admin.id, content: 'Hi! How can I help?' } });
    },
  },
  wsClose: {
    api: 'ws',
    // Any admin may close an unclaimed session.
    prepare: (w) => Promise.resolve(frame({ action: 'close', session_id: w.sessionId }, { session: { id: w.sessionId, status: 'closed' } })),
  },
  wsRead: {
    api: 'ws',
    prepare: (w) => Promise.resolve(frame({ action: 'read', session_id: w.sessionId, up_to_id: w.messageId }, { session_id: w.sessionId, up_to_id: w.messageId, advanced: true })),
  },
  wsTyping: {
    api: 'ws',
    prepare: (w) => Promise.resolve(frame({ action: 'typing', session_id: w.sessionId, is_typing: true }, { session_id: w.sessionId, is_typing: true })),
  },
  wsPing: { api: 'ws', prepare: () => Promise.resolve(frame({ action: 'ping' }, { time: expect.any(String) })) },
  wsBlock: {
    api: 'ws',
    prepare: (w) => Promise.resolve(frame({ action: 'block', store_id: w.owner.id }, { store: { id: w.owner.id, blocked: true } })),
  },
  wsUnblock: {
    api: 'ws',
    async prepare(w) {
      await adminDoes(w.adminSocket, { action: 'block', store_id: w.owner.id });
      return frame({ action: 'unblock', store_id: w.owner.id }, { store: { id: w.owner.id, blocked: false } });
    },
  },
  wsHide: {
    api: 'ws',
    prepare: (w) => Promise.resolve(frame({ action: 'hide', message_id: w.messageId }, { message: { id: w.messageId, moderation: 'hidden' } })),
  },
  wsUnhide: {
    api: 'ws',
    async prepare(w) {
      await adminDoes(w.adminSocket, { action: 'hide', message_id: w.messageId });
      return frame({ action: 'unhide', message_id: w.messageId }, { message: { id: w.messageId, moderation: 'visible' } });
    },
  },
};

/** How many live connection rows an admin has. */
export async function adminConnectionCount(stack: TestStack, adminId: number): Promise<number> {
  return (await listAdminConnections(connectionsTableRef(stack.deps), adminId)).length;
}

/** How many live connection rows an admin or a store has. */
export async function connectionCount(stack: TestStack, kind: 'admin' | 'store', id: number): Promise<number> {
  return (await listPrincipalConnections(connectionsTableRef(stack.deps), { kind, id })).length;
}

/** What a client does to attach a file: ask for a ticket, then POST the form (fields first, file last) straight to S3. */
export async function upload(stack: TestStack, token: string, kind: 'store' | 'admin', bytes: Buffer, fileName: string, contentType: string): Promise<string> {
  const response = await stack.post(`/v1/chat/${kind}/attachment/`, { token, body: { file_name: fileName, content_type: contentType, size: bytes.length } });
  if (response.status !== 200) throw new Error(`upload ticket failed: ${response.status} ${response.text}`);
  const ticket = response.json as { attachment_url: string; upload: { url: string; method: string; fields: Record<string, string> } };
  const form = new FormData();
  for (const [name, value] of Object.entries(ticket.upload.fields)) form.append(name, value);
  form.append('file', new Blob([bytes]), fileName);
  const stored = await fetch(ticket.upload.url, { method: ticket.upload.method, body: form });
  if (stored.status !== 204) throw new Error(`upload to S3 failed: ${stored.status} ${await stored.text()}`);
  return ticket.attachment_url;
}
