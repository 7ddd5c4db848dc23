import type { Entry, SessionState, SpecialType } from '../entities/session';
import { typeOf, type MessageType } from '../entities/message-type';
import type { ProductSnapshot } from '../entities/product';
import type { DerivedStatus, MessageStatus } from './status';

/** The session object of README "Send Message (Store)", field for field. */
export interface SessionView {
  id: number;
  store_id: number;
  admin_id: number | null;
  status: SessionState['status'];
  last_message_at: string;
  created: string;
  updated: string;
}

/** README "The message object": Send Message's fields, then the later ones. Absent strings are "", absent objects null. */
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
  type: MessageType;
  product: ProductSnapshot | null;
  rating: number | null;
  special_type: SpecialType | '';
  special_param: string | string[] | null;
  client_message_id: string;
  /** When the recipient read it, once it has. */
  read_at: string | null;
  /** "hidden" for admins, "removed" for the store, once an admin hides the message. */
  moderation: 'visible' | 'hidden' | 'removed';
}

/** Who is looking: a store never sees what moderation removed. */
export type Audience = 'store' | 'admin';

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
export function messageView(entry: Entry, options: { derived?: DerivedStatus | undefined; audience?: Audience } = {}): MessageView {
  const { derived, audience = 'admin' } = options;
  const view: MessageView = {
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
    type: typeOf(entry),
    product: entry.product ?? null,
    rating: entry.rating ?? null,
    special_type: entry.special_type ?? '',
    special_param: entry.special_param ?? null,
    client_message_id: entry.client_message_id ?? '',
    read_at: derived?.readAt ?? null,
    moderation: entry.hidden ? (audience === 'admin' ? 'hidden' : 'removed') : 'visible',
  };
  if (!entry.hidden || audience === 'admin') return view;
  return { ...view, content: '', attachment_url: '', attachment_type: '', product: null, special_type: '', special_param: null, rating: null };
}
