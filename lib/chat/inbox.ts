import * as z from 'zod';
import { chatTableRef, type Deps } from '../deps';
import { getPrincipals } from '../entities/principal';
import { storeView, type StoreView } from './blocking';
import { listInbox, type InboxFilter, type InboxItem } from '../entities/inbox';
import { decodeCursor, encodeCursor } from '../http/cursor';
import { sessionView, type SessionView } from './views';

export type InboxState = InboxFilter['state'];

export interface InboxSession {
  session: SessionView;
  /** Name and block state, read fresh for the page. */
  store: StoreView;
  last_message: { id: number; sender_type: string; preview: string; created: string };
}

/** Only keys this endpoint hands out: an inbox partition and a "<time>#<12-digit session id>" sort key. */
const keySchema = z
  .object({
    pk: z.string().regex(/^INBOX#(open|closed#\d{4}-\d{2})$/),
    sk: z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z#\d{12}$/),
  })
  .strict();

export function inboxSession(item: InboxItem, store: StoreView): InboxSession {
  return { session: sessionView(item.session), store, last_message: item.last_entry };
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
  const stores = await getPrincipals(chatTableRef(deps), page.items.map((item) => ({ kind: 'store', id: item.session.store_id })));
  const storeOf = (id: number) => {
    const profile = stores.get(`store#${id}`);
    return profile ? storeView(profile) : { id, name: '', blocked: false };
  };
  return { sessions: page.items.map((item) => inboxSession(item, storeOf(item.session.store_id))), next_cursor: page.next ? encodeCursor(page.next) : null };
}
