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
