import { nowMs } from './stats';

/** What a timed request gives back: status, parsed body, time from send to full body, body size. */
export interface Timed<T> {
  status: number;
  body: T;
  ms: number;
  bytes: number;
}

export interface SessionBody {
  id: number;
  store_id: number;
  admin_id: number | null;
  status: string;
}

export interface MessageBody {
  id: number;
  session_id: number;
  content: string;
  status: string;
}

export interface Sent {
  session: SessionBody;
  message: MessageBody;
}

export interface BatchSent {
  session: SessionBody;
  messages: MessageBody[];
}

/**
 * The store app's side: Node's fetch keeps connections alive by default, so
 * 32 concurrent senders reuse 32 sockets, as a real client pool would.
 */
export class ChatClient {
  constructor(readonly baseUrl: string) {}

  async request<T>(method: 'GET' | 'POST', path: string, token: string, body?: unknown): Promise<Timed<T>> {
    const started = nowMs();
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: { authorization: `Token ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    const ms = nowMs() - started;
    if (response.status !== 200) throw new Error(`${method} ${path} answered ${response.status}: ${text.slice(0, 300)}`);
    return { status: response.status, body: JSON.parse(text) as T, ms, bytes: Buffer.byteLength(text) };
  }

  /** POST /v1/chat/store/message/ — the seed path, with its trailing slash, through the edge function. */
  send(token: string, content: string, clientMessageId?: string): Promise<Timed<Sent>> {
    return this.request<Sent>('POST', '/v1/chat/store/message/', token, { content, ...(clientMessageId ? { client_message_id: clientMessageId } : {}) });
  }

  /**
   * POST /v1/chat/store/message/ with an empty body: the handler refuses it (400) before it touches
   * the session, so the store's token has been presented to the send function without opening one.
   */
  async refusedSend(token: string): Promise<number> {
    const response = await fetch(`${this.baseUrl}/v1/chat/store/message/`, {
      method: 'POST',
      headers: { authorization: `Token ${token}`, 'content-type': 'application/json' },
      body: '{}',
    });
    await response.text();
    if (response.status !== 400) throw new Error(`an empty send answered ${response.status}, not 400`);
    return response.status;
  }

  sendBatch(token: string, messages: readonly { content: string; client_message_id?: string }[]): Promise<Timed<BatchSent>> {
    return this.request<BatchSent>('POST', '/v1/chat/store/messages/', token, { messages });
  }

  history(token: string, sessionId: number, limit: number): Promise<Timed<{ messages: MessageBody[] }>> {
    return this.request('GET', `/v1/chat/admin/sessions/${sessionId}/messages/?limit=${limit}`, token);
  }

  /** GET /v1/chat/store/messages/?after=<id>: what a store app polling for replies asks, and the resume recipe's fetch. */
  storeMessages(token: string, after: number): Promise<Timed<{ messages: MessageBody[]; has_more: boolean }>> {
    return this.request('GET', `/v1/chat/store/messages/?after=${after}`, token);
  }

  inbox(token: string, limit: number): Promise<Timed<{ sessions: unknown[] }>> {
    return this.request('GET', `/v1/chat/admin/sessions/?state=open&limit=${limit}`, token);
  }
}

let counter = 0;

/** About 100 characters of varied text, as a store would type. */
export function messageText(tag: string): string {
  counter++;
  const base = `Hello, order ${tag}-${counter} has not arrived yet and the tracking page shows no update since Monday. Can you check?`;
  return base.slice(0, 100).padEnd(100, '.');
}

/** A client_message_id in the shape real apps send (a UUID-like string). */
export const clientMessageId = (tag: string): string => `${tag}-${Date.now().toString(36)}-${(counter++).toString(36)}`;
