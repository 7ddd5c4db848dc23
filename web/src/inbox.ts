/** Which inbox tab a session belongs to, and their order: pure, so unit-tested in node (test/unit/console-inbox.test.ts). */
import type { LastMessage, Session, Store, Tab } from './types';

export interface Row {
  session: Session;
  store: Store;
  last: LastMessage | null;
  /** Store messages that arrived since the agent last looked at the session. */
  unread: number;
}

/** README "List Sessions (Admin inbox)": the four states, from the session alone, so events move rows between tabs. */
export function inTab(row: Pick<Row, 'session'>, tab: Tab, meId: number): boolean {
  const { status, admin_id } = row.session;
  if (tab === 'closed') return status === 'closed';
  if (status !== 'open') return false;
  if (tab === 'unclaimed') return admin_id === null;
  if (tab === 'mine') return admin_id === meId;
  return true;
}

/** Newest activity first; the newer session first on a tie. */
export function byActivity(a: Pick<Row, 'session'>, b: Pick<Row, 'session'>): number {
  if (a.session.last_message_at !== b.session.last_message_at) return a.session.last_message_at < b.session.last_message_at ? 1 : -1;
  return b.session.id - a.session.id;
}

/**
 * One row from two sightings of a session (a list page, an event, a send's answer) that may arrive in either
 * order: the session with the later `updated`, the later activity, and the newest last message.
 */
export function mergeRow(old: Row | undefined, session: Session, store: Store, last: LastMessage | null | undefined): Row {
  const next: Session = !old || session.updated >= old.session.updated ? session : old.session;
  const lastAt = old && old.session.last_message_at > next.last_message_at ? old.session.last_message_at : next.last_message_at;
  const oldLast = old?.last ?? null;
  const row: Row = {
    session: lastAt === next.last_message_at ? next : { ...next, last_message_at: lastAt },
    store,
    last: last && (!oldLast || last.id >= oldLast.id) ? last : oldLast,
    unread: old?.unread ?? 0,
  };
  // The same object when nothing shows differently, so an unchanged row of a refreshed list does not re-render.
  return old && sameRow(old, row) ? old : row;
}

function sameRow(a: Row, b: Row): boolean {
  const s = a.session;
  const t = b.session;
  return (
    s.id === t.id &&
    s.admin_id === t.admin_id &&
    s.status === t.status &&
    s.last_message_at === t.last_message_at &&
    s.updated === t.updated &&
    a.store.name === b.store.name &&
    a.store.blocked === b.store.blocked &&
    a.last?.id === b.last?.id &&
    a.last?.preview === b.last?.preview
  );
}
