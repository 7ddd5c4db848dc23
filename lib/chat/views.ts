import type { Entry, SessionState } from '../entities/session';
import type { DerivedStatus, MessageStatus } from './status';

/** The session object of seed 000, field for field. */
export interface SessionView {
  id: number;
  store_id: number;
  admin_id: number | null;
  status: SessionState['status'];
  last_message_at: string;
  created: string;
  updated: string;
}

/** The message object of seed 000, field for field. */
export interface MessageView {
  id: number;
  session_id: number;
  sender_type: Entry['sender_type'];
  sender_id: number | null;
  content: string;
  attachment_url: string;
  attachment_type: string;
  status: MessageStatus;
  created: string;
  updated: string;
}

export function sessionView(state: SessionState): SessionView {
  return {
    id: state.id,
    store_id: state.store_id,
    admin_id: state.admin_id,
    status: state.status,
    last_message_at: state.last_message_at,
    created: state.created,
    updated: state.updated,
  };
}

/** The status is the one at acceptance unless a derived one is given (see status.ts). */
export function messageView(entry: Entry, derived?: DerivedStatus): MessageView {
  return {
    id: entry.id,
    session_id: entry.session.id,
    sender_type: entry.sender_type,
    sender_id: entry.sender_id,
    content: entry.content,
    attachment_url: entry.attachment_url,
    attachment_type: entry.attachment_type,
    status: derived?.status ?? entry.delivery,
    created: entry.created,
    updated: derived?.updated ?? entry.created,
  };
}
