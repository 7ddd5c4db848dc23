import * as z from '../validation';
import { chatTableRef, type Deps } from '../deps';
import { getPrincipals } from '../entities/principal';
import { storeView, type StoreView } from './blocking';
import { listInbox, type InboxFilter, type InboxItem, type LastEntry } from '../entities/inbox';
import { getEntry } from '../entities/session';
import { decodeCursor, encodeCursor } from '../http/cursor';
import { typeOf, type MessageType } from '../entities/message-type';
import { sessionView, type SessionView } from './views';

export type InboxState = InboxFilter['state'];

/** The preview of a session's newest message; `type` is the message object's, so a UI can show "[image]". */
export interface LastMessage {
  id: number;
  sender_type: LastEntry['sender_type'];
  type: MessageType;
  preview: string;
  created: string;
}

export interface InboxSession {
  session: SessionView;
  /** Name and block state, read fresh for the page. */
  store: StoreView;
  last_message: LastMessage;
}

/**
 * Previews as clients get them. Items written before previews carried a type
 * take it from the entry itself: one read each, for those items only, until
 * the session's next message rewrites its item (README "List Sessions").
 */
export async function presentLastEntries(deps: Deps, entries: readonly LastEntry[]): Promise<LastMessage[]> {
  return Promise.all(
    entries.map(async ({ id, sender_type, type, preview, created }) => {
      const entry = type === undefined ? await getEntry(chatTableRef(deps), id) : undefined;
      const known: MessageType = type ?? (entry ? typeOf(entry) : 'text');
      return { id, sender_type, type: known, preview, created };
    }),
  );
}

/** Only keys this endpoint hands out: an inbox partition and a "<time>#<12-digit session id>" sort key. */
const keySchema = z.strictObject({
  pk: z.string().check(z.regex(/^INBOX#(open|closed#\d{4}-\d{2})$/)),
  sk: z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z#\d{12}$/)),
});

export function inboxSession(item: InboxItem, store: StoreView, lastMessage: LastMessage): InboxSession {
  return { session: sessionView(item.session), store, last_message: lastMessage };
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
  const [stores, lastMessages] = await Promise.all([
    getPrincipals(chatTableRef(deps), page.items.map((item) => ({ kind: 'store', id: item.session.store_id }))),
    presentLastEntries(deps, page.items.map((item) => item.last_entry)),
  ]);
  const storeOf = (id: number) => {
    const profile = stores.get(`store#${id}`);
    return profile ? storeView(profile) : { id, name: '', blocked: false };
  };
  return {
    sessions: page.items.map((item, index) => inboxSession(item, storeOf(item.session.store_id), lastMessages[index]!)),
    next_cursor: page.next ? encodeCursor(page.next) : null,
  };
}
