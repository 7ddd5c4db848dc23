import * as z from '../validation';
import { isoTime } from '../clock';
import { chatTableRef, type Deps } from '../deps';
import { listNotifiable, type LastEntry } from '../entities/inbox';
import { markAllNotificationsRead, markNotificationRead, notificationReads, type NotificationReads } from '../entities/notification-reads';
import { NotFoundError } from '../errors';
import { decodeCursor, encodeCursor } from '../http/cursor';
import { presentLastEntries, type LastMessage } from './inbox-view';
import { readSessionHead } from './session-events';

/**
 * One notification per session an admin should hear about (unclaimed, or
 * claimed by them) whose store has written. Its id is the session id. It is
 * unread while the store has written since the admin last read it. An admin
 * coming online therefore sees one line per waiting session, never a replay
 * of every message it missed.
 */
export interface NotificationView {
  id: number;
  session_id: number;
  store_id: number;
  admin_id: number | null;
  /** The session's newest message, previewed as in the inbox (with its `type`). */
  last_message: LastMessage;
  created: string;
  unread: boolean;
}

export interface NotificationsPage {
  notifications: NotificationView[];
  unread_count: number;
  next_cursor: string | null;
}

const cursorSchema = z.strictObject({ created: z.string().check(z.maxLength(40)), id: z.number().check(z.int()) });

function isUnread(created: string, sessionId: number, reads: NotificationReads): boolean {
  const readAt = [reads.allReadAt, reads.readAt.get(sessionId)].filter((t): t is string => t !== undefined).sort().at(-1);
  return readAt === undefined || created > readAt;
}

/** Newest first; ties broken by session id, so the cursor order is total. */
const newestFirst = (a: { created: string; id: number }, b: { created: string; id: number }) => (a.created === b.created ? b.id - a.id : a.created < b.created ? 1 : -1);

/** A notification before its preview is presented. */
type Listed = Omit<NotificationView, 'last_message'> & { last_entry: LastEntry };

export async function listNotifications(deps: Deps, adminId: number, limit: number, cursor: string | undefined): Promise<NotificationsPage> {
  const chat = chatTableRef(deps);
  const after = decodeCursor(cursor, cursorSchema);
  const [items, reads] = await Promise.all([listNotifiable(chat, adminId), notificationReads(chat, adminId)]);
  const all = items
    .map((item): Listed => {
      const created = item.session.last_store_message_at ?? item.session.last_message_at;
      return {
        id: item.session.id,
        session_id: item.session.id,
        store_id: item.session.store_id,
        admin_id: item.session.admin_id,
        last_entry: item.last_entry,
        created,
        unread: isUnread(created, item.session.id, reads),
      };
    })
    .sort(newestFirst);
  const start = after ? all.findIndex((n) => newestFirst(n, { created: after.created, id: after.id }) > 0) : 0;
  const rest = start < 0 ? [] : all.slice(start);
  const page = rest.slice(0, limit);
  const last = page.at(-1);
  // Only the page's previews are presented: an item from before previews had a type costs a read (inbox-view.ts).
  const lastMessages = await presentLastEntries(deps, page.map((n) => n.last_entry));
  return {
    notifications: page.map(({ last_entry: _entry, created, unread, ...ids }, index) => ({ ...ids, last_message: lastMessages[index]!, created, unread })),
    unread_count: all.filter((n) => n.unread).length,
    next_cursor: rest.length > limit && last ? encodeCursor({ created: last.created, id: last.id }) : null,
  };
}

export async function readNotification(deps: Deps, adminId: number, sessionId: number): Promise<{ id: number; unread: false }> {
  const head = await readSessionHead(deps, sessionId).catch((error: unknown) => {
    if (error instanceof NotFoundError) return undefined;
    throw error;
  });
  const { session } = head ?? {};
  const visible = session && session.status === 'open' && (session.admin_id === null || session.admin_id === adminId) && session.last_store_message_at;
  if (!visible) throw new NotFoundError('Notification not found');
  await markNotificationRead(chatTableRef(deps), adminId, sessionId, deps.clock.now());
  return { id: sessionId, unread: false };
}

export async function readAllNotifications(deps: Deps, adminId: number): Promise<{ unread_count: 0 }> {
  await markAllNotificationsRead(chatTableRef(deps), adminId, isoTime(deps.clock.now()));
  return { unread_count: 0 };
}
