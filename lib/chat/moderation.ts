import { isoTime } from '../clock';
import { chatTableRef, type Deps } from '../deps';
import { getEntry, setEntryHidden, splitMessageId, type Entry } from '../entities/session';
import { ConflictError, NotFoundError } from '../errors';
import { presentMessage } from '../attachments/present';
import { fanOut, sessionAudience, storeAudience } from '../realtime/fanout';
import type { MessageView } from './views';

/**
 * Moderation (README "Admin WebSocket"): an admin hides a message. The store
 * then sees it removed, with no content; admins still see it, marked hidden.
 * The one place an entry changes after it is written: its slot and order stay.
 * The session's admins get `message.hidden`/`message.unhidden` with their
 * view; the store's sockets get `message.updated` with the store's view
 * (README "Store WebSocket"), both audiences read and pushed in parallel.
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
  const [message, storeView, admins, store] = await Promise.all([
    presentMessage(deps, updated, { audience: 'admin' }),
    presentMessage(deps, updated, { audience: 'store' }),
    sessionAudience(deps, entry.session.admin_id),
    storeAudience(deps, entry.session.store_id),
  ]);
  await Promise.all([
    fanOut(deps, admins, { type: hidden ? 'message.hidden' : 'message.unhidden', session_id: sessionId, message, admin_id: adminId }),
    fanOut(deps, store, { type: 'message.updated', session_id: sessionId, message: storeView }),
  ]);
  return { message };
}
