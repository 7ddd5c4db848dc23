import { messageView, sessionView, type MessageView, type SessionView } from '../chat/views';
import type { Entry } from '../entities/session';

/** Server-to-client WebSocket events. Every frame has a "type". */
export type ServerEvent =
  | { type: 'message.created'; session: SessionView; message: MessageView }
  | { type: 'session.claimed'; session: SessionView; admin_id: number };

export function messageCreated(entry: Entry): ServerEvent {
  return { type: 'message.created', session: sessionView(entry.session), message: messageView(entry) };
}

export function sessionClaimed(entry: Entry, adminId: number): ServerEvent {
  return { type: 'session.claimed', session: sessionView(entry.session), admin_id: adminId };
}
