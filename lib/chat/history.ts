import * as z from '../validation';
import { isoTime } from '../clock';
import { chatTableRef, connectionsTableRef, type Deps } from '../deps';
import { listAdminConnections, listPrincipalConnections } from '../entities/connection';
import { getPrincipals, type Principal } from '../entities/principal';
import { lastAdminConnect } from '../entities/admin-presence';
import { advanceReceipt, getReceipts, type ReceiptField } from '../entities/receipts';
import { listEntries, splitMessageId, type Entry, type PageRequest } from '../entities/session';
import { BadRequestError } from '../errors';
import { pageLimit, queryId } from '../http/params';
import { storeIsOnline } from './store-activity';
import { deriveStatus } from './status';
import { sessionView, type MessageView, type SessionView } from './views';
import { presentMessage } from '../attachments/present';

/** A message in a list: the sender's name and online flag come along (README "The message object"). */
export type ListedMessage = MessageView & { sender_name: string; sender_online: boolean };

export interface HistoryPage {
  session: SessionView;
  messages: ListedMessage[];
  /** More messages exist past this page, in the direction asked (older for before/latest, newer for after). */
  has_more: boolean;
}

export type Cursor = { after?: number | undefined; before?: number | undefined };

/** ?after=<id> polls for newer messages, ?before=<id> scrolls back; neither gives the newest page. */
export const historyFields = z.object({ after: z.optional(queryId), before: z.optional(queryId), limit: pageLimit(50, 100) });

export const oneDirection: [(query: Cursor) => boolean, { message: string; path: string[] }] = [
  (query) => query.after === undefined || query.before === undefined,
  { message: 'Use after or before, not both', path: ['before'] },
];

export const historyQuery = historyFields.check(z.refine(...oneDirection));

/** Turns message-id cursors into sequence numbers of this session. */
function toPageRequest(sessionId: number, cursor: Cursor): PageRequest {
  const check = (field: 'after' | 'before', id: number) => {
    const split = splitMessageId(id);
    if (split.sessionId !== sessionId) throw new BadRequestError('Invalid query string', { [field]: ['Is not a message of this session'] });
    return split.seq;
  };
  if (cursor.after !== undefined) return { after: check('after', cursor.after) };
  if (cursor.before !== undefined) return { before: check('before', cursor.before) };
  return { latest: true };
}

/**
 * A page of a session's messages, oldest first, with statuses derived from
 * the receipts. Fetching is delivery: the reader's side watermark moves to
 * the newest message of the other side on the page (one write, if any).
 */
export async function readHistory(
  deps: Deps,
  head: Entry,
  reader: { side: 'admin' | 'store'; marksDelivered: boolean },
  cursor: Cursor,
  limit: number,
): Promise<HistoryPage> {
  const chat = chatTableRef(deps);
  const sessionId = head.session.id;
  const [page, receipts, eligibleAdminConnectedAt] = await Promise.all([
    listEntries(chat, sessionId, toPageRequest(sessionId, cursor), limit),
    getReceipts(chat, sessionId),
    lastAdminConnect(chat, head.session.admin_id),
  ]);
  if (reader.marksDelivered) {
    const incoming = reader.side === 'admin' ? 'store' : 'admin';
    const newest = page.entries.filter((entry) => entry.sender_type === incoming).at(-1);
    const field: ReceiptField = reader.side === 'admin' ? 'admin_delivered' : 'store_delivered';
    const current = receipts[field];
    if (newest && (!current || current.upto < newest.id)) {
      const at = isoTime(deps.clock.now());
      if (await advanceReceipt(chat, sessionId, field, newest.id, at)) receipts[field] = { upto: newest.id, at };
    }
  }
  const context = { receipts, eligibleAdminConnectedAt };
  const [views, senders] = await Promise.all([
    Promise.all(page.entries.map((entry) => presentMessage(deps, entry, { derived: deriveStatus(entry, context), audience: reader.side }))),
    sendersOf(deps, page.entries, head.session.last_store_message_at),
  ]);
  return {
    session: sessionView(head.session),
    messages: views.map((view) => ({ ...view, ...(senders.get(senderKey(view)) ?? { sender_name: '', sender_online: false }) })),
    has_more: page.hasMore,
  };
}

async function hasConnection(deps: Deps, store: Principal): Promise<boolean> {
  return (await listPrincipalConnections(connectionsTableRef(deps), store).catch(() => [])).length > 0;
}

/** System messages are attributed to the admin who acted, if any. */
const senderOf = (entry: { sender_type: string; sender_id: number | null }): Principal | undefined =>
  entry.sender_id === null ? undefined : { kind: entry.sender_type === 'store' ? 'store' : 'admin', id: entry.sender_id };

const senderKey = (entry: { sender_type: string; sender_id: number | null }) => {
  const sender = senderOf(entry);
  return sender ? `${sender.kind}#${sender.id}` : '';
};

/**
 * Names and presence for a page's senders: a store is online if it acted in
 * the last five minutes or holds a connection, an admin while it holds a
 * connection. One batch read for the names, one connection query per admin on
 * the page, and one for the store only when its stamps say it is away. A
 * store's socket is read from its connection rows rather than stamped on
 * connect: a stamp says when, a row says until (it lives exactly as long as
 * the socket), so a socket held quietly for an hour still counts, and connects
 * and pings write nothing for presence.
 */
async function sendersOf(
  deps: Deps,
  entries: readonly Entry[],
  lastStoreMessageAt: string | undefined,
): Promise<Map<string, { sender_name: string; sender_online: boolean }>> {
  const principals = entries.map(senderOf).filter((p): p is Principal => p !== undefined);
  const profiles = await getPrincipals(chatTableRef(deps), principals);
  const now = deps.clock.now();
  const out = new Map<string, { sender_name: string; sender_online: boolean }>();
  await Promise.all(
    [...new Map(principals.map((p) => [`${p.kind}#${p.id}`, p])).entries()].map(async ([key, principal]) => {
      const profile = profiles.get(key);
      const online =
        principal.kind === 'store'
          ? storeIsOnline(profile, now, lastStoreMessageAt) || (await hasConnection(deps, principal))
          : (await listAdminConnections(connectionsTableRef(deps), principal.id).catch(() => [])).length > 0;
      out.set(key, { sender_name: profile?.name ?? '', sender_online: online });
    }),
  );
  return out;
}
