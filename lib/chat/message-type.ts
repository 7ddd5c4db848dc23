import type { Entry, SessionEvent } from '../entities/session';

/**
 * Every message has a type, after seed 001's type_message list:
 *
 * | type          | seed 001 | what it is                                   |
 * |---------------|----------|----------------------------------------------|
 * | text          | 0 text   | content only                                 |
 * | image         | 1 picture| an image attachment                          |
 * | rating        | 2 rating | the store's rating of a closed session       |
 * | product       | 3 product| a product card                               |
 * | claimed       | 4 connection | an admin joined: claimed the session     |
 * | transferred   | 4 connection | another admin joined: a transfer          |
 * | unavailable   | 6 unavailable| no admin was online for the store         |
 * | video         | 7 video  | a video attachment                           |
 * | missed        | 9 missed | closed without any admin reply               |
 * | file          | -        | any other attachment (PDF, office, audio)    |
 * | released      | -        | the admin returned the session to the queue  |
 * | closed        | -        | closed after an admin replied                |
 *
 * The last six are system messages (sender_type "system").
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
