import type { StoreView } from '../chat/blocking';
import { sessionView, type MessageView, type SessionView } from '../chat/views';
import type { Entry } from '../entities/session';

/** Server-to-client WebSocket events. Every frame has a "type". */
export type ServerEvent =
  | { type: 'message.created'; session: SessionView; message: MessageView }
  | { type: 'session.claimed'; session: SessionView; admin_id: number }
  | { type: 'session.released'; session: SessionView; admin_id: number }
  | { type: 'session.transferred'; session: SessionView; from_admin_id: number; to_admin_id: number }
  | { type: 'session.closed'; session: SessionView; admin_id: number }
  | { type: 'messages.read'; session_id: number; reader_type: 'admin' | 'store'; reader_id: number; up_to_id: number }
  | { type: 'typing'; session_id: number; admin_id: number; is_typing: boolean }
  /** A store typing, to the session's admins (README "Store WebSocket"). */
  | { type: 'typing'; session_id: number; store_id: number; is_typing: boolean }
  /** Store sockets only: the session was claimed, transferred, released or closed. */
  | { type: 'session.updated'; session: SessionView }
  /** Store sockets only: a message was hidden (the store's view: removed) or unhidden. */
  | { type: 'message.updated'; session_id: number; message: MessageView }
  | { type: 'store.blocked' | 'store.unblocked'; store: StoreView; admin_id: number }
  | { type: 'message.hidden' | 'message.unhidden'; session_id: number; message: MessageView; admin_id: number };

/** `message` is the presented view (with a download link), the same object the sender got back. */
export function messageCreated(entry: Entry, message: MessageView): ServerEvent {
  return { type: 'message.created', session: sessionView(entry.session), message };
}

/** What a store's sockets get for a committed session change, after the system message's message.created. */
export function sessionUpdated(entry: Entry): ServerEvent {
  return { type: 'session.updated', session: sessionView(entry.session) };
}

/** The event admins get for a committed session change (a system entry). */
export function sessionChanged(entry: Entry): ServerEvent {
  const session = sessionView(entry.session);
  const actor = entry.sender_id ?? 0;
  switch (entry.event) {
    case 'session.claimed':
      return { type: 'session.claimed', session, admin_id: actor };
    case 'session.released':
      return { type: 'session.released', session, admin_id: actor };
    case 'session.transferred':
      return { type: 'session.transferred', session, from_admin_id: entry.from_admin_id ?? actor, to_admin_id: entry.session.admin_id ?? 0 };
    case 'session.closed':
      return { type: 'session.closed', session, admin_id: actor };
    default:
      throw new Error(`entry ${entry.id} is not a session change`);
  }
}
