/** Inbox previews (README "List Sessions (Admin inbox)"): an empty preview shows the message type, as "[image]". */
import type { LastMessage, Message, MessageType } from './types';

const labels: Record<MessageType, string> = {
  text: '',
  image: '[image]',
  video: '[video]',
  file: '[file]',
  product: '[product]',
  rating: '[rating]',
  claimed: '[claimed]',
  released: '[released]',
  transferred: '[transferred]',
  closed: '[closed]',
  missed: '[missed]',
  unavailable: '[unavailable]',
};

/**
 * A system message as a line of the inbox. It has no content, and a preview has no sender: who claimed or
 * received the session is its assignee now (`assignee`), as a later change would be a later system message.
 */
const systemPreviews: Partial<Record<MessageType, (assignee: string | undefined) => string>> = {
  claimed: (assignee) => (assignee ? `Claimed by ${assignee}` : 'Claimed'),
  released: () => 'Released',
  transferred: (assignee) => (assignee ? `Transferred to ${assignee}` : 'Transferred'),
  closed: () => 'Closed',
  missed: () => 'Closed without a reply',
  unavailable: () => 'Nobody was online',
};

export function typeLabel(type: string): string {
  return Object.hasOwn(labels, type) ? labels[type as MessageType] : `[${type}]`;
}

/** `assignee`: the name of the session's admin ("you" for the agent), for "Claimed by Ann". */
export function previewText(last: Pick<LastMessage, 'type' | 'preview'> | null | undefined, assignee?: string): string {
  if (!last) return '';
  const system = Object.hasOwn(systemPreviews, last.type) ? systemPreviews[last.type] : undefined;
  if (system && last.preview === '') return system(assignee);
  const label = typeLabel(last.type);
  if (last.preview === '') return label;
  return label === '' ? last.preview : `${label} ${last.preview}`;
}

/** The inbox's view of a pushed message, as the server previews it: the first 140 characters (code points). */
export function lastMessageOf(message: Pick<Message, 'id' | 'sender_type' | 'type' | 'content' | 'created'>): LastMessage {
  return {
    id: message.id,
    sender_type: message.sender_type,
    type: message.type,
    preview: Array.from(message.content).slice(0, 140).join(''),
    created: message.created,
  };
}
