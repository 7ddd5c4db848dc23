import { isoTime } from '../clock';
import { chatTableRef, type Deps } from '../deps';
import { getEntry, setEntryHidden, splitMessageId, type Entry } from '../entities/session';
import { ConflictError, NotFoundError } from '../errors';
import { presentMessage } from '../attachments/present';
import { fanOut, sessionAudience } from '../realtime/fanout';
import type { MessageView } from './views';

/**
 * Moderation (README "Admin WebSocket"): an admin hides a message. The store
 * then sees it removed, with no content; admins still see it, marked hidden.
 * The one place an entry changes after it is written: its slot and order stay.
 */
export async function setHidden(deps: Deps, adminId: number, id: number, hidden: boolean): Promise<{ message: MessageView }> {
  const chat = chatTableRef(deps);
  const entry = await getEntry(chat, id);
  if (!entry) throw new NotFoundError('Message not found');
  if (entry.sender_type === 'system') throw new ConflictError('Only store and admin messages can be hidden');
  const { sessionId } = splitMessageId(id);
  const at = isoTime(deps.clock.now());
  await setEntryHidden(chat, id, hidden ? { by: adminId, at } : undefined);
  const updated: Entry = hidden ? { ...entry, hidden: { by: adminId, at } } : (({ hidden: _gone, ...rest }) => rest)(entry);
  const message = await presentMessage(deps, updated, { audience: 'admin' });
  await fanOut(deps, await sessionAudience(deps, entry.session.admin_id), {
    type: hidden ? 'message.hidden' : 'message.unhidden',
    session_id: sessionId,
    message,
    admin_id: adminId,
  });
  return { message };
}
