import type { Entry, SessionEvent } from './session';

/**
 * Every message has a type: the table under "Types" in README "The message
 * object". Content types follow from the entry's fields; the six system
 * types (sender_type "system") from the session event. Pure, so the entity
 * that previews an entry (inbox.ts) and the views in chat/ share it.
 */
export type ContentType = 'text' | 'image' | 'video' | 'file' | 'product' | 'rating';
export type SystemType = 'claimed' | 'released' | 'transferred' | 'closed' | 'missed' | 'unavailable';
export type MessageType = ContentType | SystemType;

export function contentType(message: { attachment_url: string; attachment_type: string; product?: unknown; rating?: number }): ContentType {
  if (message.rating !== undefined) return 'rating';
  if (message.product !== undefined) return 'product';
  if (message.attachment_url === '') return 'text';
  if (message.attachment_type.startsWith('image/')) return 'image';
  if (message.attachment_type.startsWith('video/')) return 'video';
  return 'file';
}

export function systemType(event: SessionEvent, adminReplied: boolean): SystemType {
  switch (event) {
    case 'session.claimed':
      return 'claimed';
    case 'session.released':
      return 'released';
    case 'session.transferred':
      return 'transferred';
    case 'session.closed':
      return adminReplied ? 'closed' : 'missed';
  }
}

/** Entries written before types existed derive theirs. */
export function typeOf(entry: Entry): MessageType {
  if (entry.type) return entry.type;
  if (entry.event) return systemType(entry.event, true);
  return contentType(entry);
}
