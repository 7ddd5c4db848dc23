import { z } from 'zod';
import { chatTableRef, type Deps } from '../deps';
import { listInbox, type InboxFilter, type InboxItem } from '../entities/inbox';
import { decodeCursor, encodeCursor } from '../http/cursor';
import { sessionView, type SessionView } from './views';

export type InboxState = InboxFilter['state'];

export interface InboxSession {
  session: SessionView;
  last_message: { id: number; sender_type: string; preview: string; created: string };
}

const keySchema = z.object({ pk: z.string().max(64), sk: z.string().max(64) }).strict();

export function inboxSession(item: InboxItem): InboxSession {
  return { session: sessionView(item.session), last_message: item.last_entry };
}

/** The admin inbox: sessions in a state, newest activity first, a cursor per page. */
export async function listSessions(
  deps: Deps,
  adminId: number,
  state: InboxState,
  limit: number,
  cursor: string | undefined,
): Promise<{ sessions: InboxSession[]; next_cursor: string | null }> {
  const filter: InboxFilter = state === 'mine' ? { state, adminId } : { state };
  const page = await listInbox(chatTableRef(deps), filter, limit, decodeCursor(cursor, keySchema));
  return { sessions: page.items.map(inboxSession), next_cursor: page.next ? encodeCursor(page.next) : null };
}
