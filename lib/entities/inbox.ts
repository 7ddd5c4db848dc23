import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { TableRef } from '../db/types';
import type { Entry, SessionState } from './session';

/**
 * One inbox entry per session, keyed by last_message_at so a Query returns
 * sessions newest first. A new message moves the entry: put the new key, then
 * delete the old one (2 WCU), which is cheaper than re-keying a GSI (3 WCU).
 * It is also the persisted notification for the session's audience: all
 * admins while unclaimed, the assignee once claimed.
 */
export interface InboxKey {
  pk: string;
  sk: string;
}

export function inboxKey(state: SessionState): InboxKey {
  // Closed sessions are partitioned by month so no partition grows forever.
  const pk = state.status === 'open' ? 'INBOX#open' : `INBOX#closed#${state.updated.slice(0, 7)}`;
  return { pk, sk: `${state.last_message_at}#${String(state.id).padStart(12, '0')}` };
}

const previewChars = 140;

export async function syncInbox(ref: TableRef, entry: Entry, previous: Entry | undefined): Promise<void> {
  const next = inboxKey(entry.session);
  await ref.db.send(
    new PutCommand({
      TableName: ref.table,
      Item: {
        ...next,
        entity: 'inbox',
        session: entry.session,
        last_entry: {
          id: entry.id,
          sender_type: entry.sender_type,
          preview: Array.from(entry.content).slice(0, previewChars).join(''),
          created: entry.created,
        },
      },
    }),
  );
  if (!previous) return;
  const old = inboxKey(previous.session);
  if (old.pk === next.pk && old.sk === next.sk) return;
  await ref.db.send(new DeleteCommand({ TableName: ref.table, Key: old }));
}
