import { listAdminConnections } from '../../lib/entities/connection';
import type { IssuedCredential } from '../../lib/ops/principals';
import type { TestSocket, TestStack } from './harness';

export interface SessionBody {
  id: number;
  store_id: number;
  admin_id: number | null;
  status: string;
  last_message_at: string;
  created: string;
  updated: string;
}

export interface MessageBody {
  id: number;
  session_id: number;
  sender_type: string;
  sender_id: number | null;
  content: string;
  status: string;
  created: string;
  updated: string;
}

export interface Sent {
  session: SessionBody;
  message: MessageBody;
}

export interface History {
  session: SessionBody;
  messages: MessageBody[];
  has_more: boolean;
}

export type Admin = IssuedCredential & { socket: TestSocket };
/** A store with a live socket (README "Store WebSocket"). */
export type Store = IssuedCredential & { socket: TestSocket };

/** Small verbs over a test stack, so tests read as what users do. */
export function chat(stack: TestStack) {
  const sockets: TestSocket[] = [];
  return {
    async admin(name = 'Ann'): Promise<Admin> {
      const admin = await stack.createAdmin(name);
      const socket = await stack.connect(admin.token);
      sockets.push(socket);
      return { ...admin, socket };
    },
    /** A new store, online on a socket of its own. */
    async store(name = 'Acme'): Promise<Store> {
      const store = await stack.createStore(name);
      const socket = await stack.connect(store.token);
      sockets.push(socket);
      return { ...store, socket };
    },
    /** One more socket for a principal's token, closed with the others. */
    async socketFor(token: string): Promise<TestSocket> {
      const socket = await stack.connect(token);
      sockets.push(socket);
      return socket;
    },
    async storeSays(token: string, content: string): Promise<Sent> {
      const response = await stack.post('/v1/chat/store/message/', { token, body: { content } });
      if (response.status !== 200) throw new Error(`store send failed: ${response.status} ${response.text}`);
      return response.json as Sent;
    },
    async storeHistory(token: string, query: Record<string, string | number | undefined> = {}): Promise<History> {
      const response = await stack.get('/v1/chat/store/messages/', { token, query });
      if (response.status !== 200) throw new Error(`store history failed: ${response.status} ${response.text}`);
      return response.json as History;
    },
    async adminHistory(token: string, sessionId: number, query: Record<string, string | number | undefined> = {}): Promise<History> {
      const response = await stack.get(`/v1/chat/admin/sessions/${sessionId}/messages/`, { token, query });
      if (response.status !== 200) throw new Error(`admin history failed: ${response.status} ${response.text}`);
      return response.json as History;
    },
    closeSockets: () => Promise.all(sockets.splice(0).map((socket) => socket.close())),
  };
}

export const idsOf = (messages: { id: number }[]) => messages.map((m) => m.id);

/* ---- Seeds 001–003: the full message object, products, and a few verbs (added for seeds/idempotency tests). ---- */

export interface ProductBody {
  id: number;
  sku: string;
  name: string | null;
  type: string | null;
  price: number;
  price_catalog: number;
  reference_unit_price: number;
  discount_percentage: number;
  url: string | null;
  description: string | null;
  images: { lang: string; content: string }[];
  stock: number;
  stock_available: number;
  youtube_id: string | null;
  old_image: string | null;
}

/** A message with everything seeds 001–003 add to seed 000's object. */
export interface FullMessage extends MessageBody {
  attachment_url: string;
  attachment_type: string;
  type: string;
  product: ProductBody | null;
  rating: number | null;
  special_type: string;
  special_param: string | string[] | null;
  client_message_id: string;
  read_at: string | null;
  moderation: 'visible' | 'hidden' | 'removed';
}

/** A message as history lists show it: with its author's name and presence. */
export interface ListedMessage extends FullMessage {
  sender_name: string;
  sender_online: boolean;
}

export interface FullHistory {
  session: SessionBody;
  messages: ListedMessage[];
  has_more: boolean;
}

export interface SentFull {
  session: SessionBody;
  message: FullMessage;
}

export interface BatchSent {
  session: SessionBody;
  messages: FullMessage[];
}

export interface InboxItemBody {
  session: SessionBody;
  store: { id: number; name: string; blocked: boolean };
  last_message: { id: number; sender_type: string; type: string; preview: string; created: string };
}

/** The message of a `message.created` (or `message.hidden`) frame. */
export const messageOf = (frame: Record<string, unknown>) => frame.message as FullMessage;

/** Verbs over the seed 001–003 endpoints that answer the raw response, for tests that check refusals too. */
export function seeds(stack: TestStack) {
  const use = chat(stack);
  return {
    /** POST /v1/chat/store/message/ with any body. */
    send: (token: string, body: unknown) => stack.post('/v1/chat/store/message/', { token, body }),
    /** POST /v1/chat/store/messages/ {"messages": [...]}. */
    batch: (token: string, messages: unknown) => stack.post('/v1/chat/store/messages/', { token, body: { messages } }),
    rate: (token: string, body: unknown) => stack.post('/v1/chat/store/rating/', { token, body }),
    storeRead: (token: string, upToId: number) => stack.post('/v1/chat/store/messages/read/', { token, body: { up_to_id: upToId } }),
    async storeHistory(token: string, query: Record<string, string | number | undefined> = {}): Promise<FullHistory> {
      return (await use.storeHistory(token, query)) as unknown as FullHistory;
    },
    async adminHistory(token: string, sessionId: number, query: Record<string, string | number | undefined> = {}): Promise<FullHistory> {
      return (await use.adminHistory(token, sessionId, query)) as unknown as FullHistory;
    },
    async openInbox(token: string): Promise<InboxItemBody[]> {
      const response = await stack.get('/v1/chat/admin/sessions/', { token, query: { state: 'open', limit: 100 } });
      if (response.status !== 200) throw new Error(`inbox failed: ${response.status} ${response.text}`);
      return (response.json as { sessions: InboxItemBody[] }).sessions;
    },
  };
}

/**
 * Closing a socket returns before the gateway's $disconnect has removed its
 * row; presence and "delivered" read those rows. Waits until the admin (or
 * every admin) has no connection left.
 */
export async function untilOffline(stack: TestStack, adminId?: number, timeoutMs = 3000): Promise<void> {
  const ref = { db: stack.deps.db, table: stack.tables.connections };
  const deadline = Date.now() + timeoutMs;
  while ((await listAdminConnections(ref, adminId)).length > 0) {
    if (Date.now() > deadline) throw new Error(`admin ${adminId ?? '(any)'} still has connections after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
