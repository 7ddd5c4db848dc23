import { setTimeout as sleep } from 'node:timers/promises';
import { BatchWriteCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { TableRef } from '../db/types';
import { typeOf, type MessageType } from './message-type';
import type { Entry, SessionState } from './session';

/** The session's newest entry, as the inbox and notifications preview it. */
export interface LastEntry {
  id: number;
  sender_type: Entry['sender_type'];
  /** The message object's `type`, so a preview of an attachment-only message can say "[image]". Absent on items written before it existed. */
  type?: MessageType;
  preview: string;
  created: string;
}

export interface InboxItem {
  pk: string;
  sk: string;
  session: SessionState;
  last_entry: LastEntry;
}

/**
 * One inbox entry per session, keyed by last_message_at so a Query returns
 * sessions newest first. A new message moves the entry: a put of the new key
 * and a delete of the old one in one BatchWriteItem (2 WCU, one request),
 * which is cheaper than re-keying a GSI (3 WCU).
 * It is also the persisted notification for the session's audience: all
 * admins while unclaimed, the assignee once claimed.
 */
export interface InboxKey {
  pk: string;
  sk: string;
}

const openPartition = 'INBOX#open';
const closedPartition = (month: string) => `INBOX#closed#${month}`;
/** One item per month that has closed sessions, so listing can walk the months newest first. */
const monthsPartition = 'INBOX#closed-months';

export function inboxKey(state: SessionState): InboxKey {
  // Closed sessions are partitioned by month so no partition grows forever.
  const pk = state.status === 'open' ? openPartition : closedPartition(state.updated.slice(0, 7));
  return { pk, sk: `${state.last_message_at}#${String(state.id).padStart(12, '0')}` };
}

const previewChars = 140;

/** One request of a BatchWriteItem, as the document client takes it. */
export type InboxWrite = { PutRequest: { Item: Record<string, unknown> } } | { DeleteRequest: { Key: Record<string, unknown> } };

/** Sends some writes and answers those DynamoDB left unprocessed. */
export type SendWrites = (writes: InboxWrite[]) => Promise<InboxWrite[]>;

/** Retries of the writes a BatchWriteItem left unprocessed (throttling), with a short doubling backoff. */
const unprocessedRetries = 3;
const firstBackoffMs = 10;

/**
 * Writes all of `writes` with as few requests as DynamoDB allows: one, unless
 * it leaves some unprocessed, which are sent again a few times with a short
 * backoff. Throws, naming them, if some are still left; the caller logs it.
 */
export async function writeAll(send: SendWrites, writes: InboxWrite[], pause: (ms: number) => Promise<unknown> = sleep): Promise<void> {
  let left = await send(writes);
  for (let retry = 0; left.length > 0 && retry < unprocessedRetries; retry++) {
    await pause(firstBackoffMs * 2 ** retry * (0.5 + Math.random() / 2));
    left = await send(left);
  }
  if (left.length > 0) {
    const what = left.map((write) => ('PutRequest' in write ? `put ${String(write.PutRequest.Item.sk)}` : `delete ${String(write.DeleteRequest.Key.sk)}`));
    throw new Error(`inbox writes left unprocessed: ${what.join(', ')}`);
  }
}

/**
 * Moves the session's inbox entry from where `previous` put it to where
 * `entry` puts it (docs/DATA_MODEL.md "Writes per store message"): the new
 * entry, the delete of the old one and, when the session closes into a new
 * month, that month's item, in one BatchWriteItem. Not a transaction, which
 * costs 2 WCU per item. A batch gives up the order of put-then-delete: if
 * DynamoDB leaves the put unprocessed and every retry of it fails, the old
 * entry may already be gone and the session is missing from the inbox until
 * its next entry puts it back; that failure is thrown, for the caller to log.
 * A single write (a session's first entry) is a plain PutItem.
 */
export async function syncInbox(ref: TableRef, entry: Entry, previous: Entry | undefined): Promise<void> {
  const next = inboxKey(entry.session);
  const writes: InboxWrite[] = [
    {
      PutRequest: {
        Item: {
          ...next,
          entity: 'inbox',
          session: entry.session,
          last_entry: {
            id: entry.id,
            sender_type: entry.sender_type,
            type: typeOf(entry),
            preview: Array.from(entry.content).slice(0, previewChars).join(''),
            created: entry.created,
          },
        },
      },
    },
  ];
  if (next.pk !== openPartition && next.pk !== (previous && inboxKey(previous.session).pk)) {
    writes.push({ PutRequest: { Item: { pk: monthsPartition, sk: next.pk.slice(closedPartition('').length) } } });
  }
  const old = previous && inboxKey(previous.session);
  if (old && (old.pk !== next.pk || old.sk !== next.sk)) writes.push({ DeleteRequest: { Key: { ...old } } });
  if (writes.length === 1) {
    await ref.db.send(new PutCommand({ TableName: ref.table, Item: (writes[0] as { PutRequest: { Item: Record<string, unknown> } }).PutRequest.Item }));
    return;
  }
  await writeAll(async (batch) => {
    const out = await ref.db.send(new BatchWriteCommand({ RequestItems: { [ref.table]: batch } }));
    return (out.UnprocessedItems?.[ref.table] ?? []) as InboxWrite[];
  }, writes);
}

export type InboxFilter = { state: 'open' } | { state: 'unclaimed' } | { state: 'mine'; adminId: number } | { state: 'closed' };

export interface InboxPage {
  items: InboxItem[];
  /** Where the next page starts; absent on the last page. */
  next?: InboxKey;
}

/** Upper bound on items a single listing may read while filtering, so one request stays cheap. */
const evaluationBudget = 1000;

async function closedPartitions(ref: TableRef): Promise<string[]> {
  const out = await ref.db.send(
    new QueryCommand({ TableName: ref.table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': monthsPartition }, ScanIndexForward: false }),
  );
  return (out.Items ?? []).map((item) => closedPartition(String(item.sk)));
}

/**
 * Sessions newest activity first. "open" and "closed" read exactly a page;
 * "unclaimed" and "mine" filter the open partition, reading at most
 * `evaluationBudget` items per call and handing back a cursor to go on.
 */
export async function listInbox(ref: TableRef, filter: InboxFilter, limit: number, cursor?: InboxKey): Promise<InboxPage> {
  const partitions = filter.state === 'closed' ? await closedPartitions(ref) : [openPartition];
  const startAt = cursor ? partitions.indexOf(cursor.pk) : 0;
  if (startAt < 0) return { items: [] };
  const filterInput =
    filter.state === 'unclaimed'
      ? { FilterExpression: 'attribute_type(#session.#admin, :null)', ExpressionAttributeNames: { '#session': 'session', '#admin': 'admin_id' }, values: { ':null': 'NULL' } }
      : filter.state === 'mine'
        ? { FilterExpression: '#session.#admin = :me', ExpressionAttributeNames: { '#session': 'session', '#admin': 'admin_id' }, values: { ':me': filter.adminId } }
        : undefined;
  const items: InboxItem[] = [];
  const seen = new Set<number>();
  let evaluated = 0;
  for (let index = startAt; index < partitions.length; index++) {
    const pk = partitions[index] ?? openPartition;
    let exclusiveStart: Record<string, unknown> | undefined = index === startAt && cursor ? { ...cursor } : undefined;
    do {
      const out = await ref.db.send(
        new QueryCommand({
          TableName: ref.table,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': pk, ...filterInput?.values },
          ...(filterInput ? { FilterExpression: filterInput.FilterExpression, ExpressionAttributeNames: filterInput.ExpressionAttributeNames } : {}),
          ScanIndexForward: false,
          Limit: filterInput ? Math.max(1, Math.min(200, evaluationBudget - evaluated)) : limit - items.length + 1,
          ExclusiveStartKey: exclusiveStart,
          ConsistentRead: true,
        }),
      );
      evaluated += out.ScannedCount ?? 0;
      for (const raw of out.Items ?? []) {
        const item = raw as InboxItem;
        // A crash between moving and deleting can leave an older duplicate; the newest wins.
        if (seen.has(item.session.id)) continue;
        if (items.length === limit) return { items, next: { pk: items[limit - 1]!.pk, sk: items[limit - 1]!.sk } };
        seen.add(item.session.id);
        items.push(item);
      }
      exclusiveStart = out.LastEvaluatedKey;
      if (filterInput && evaluated >= evaluationBudget && exclusiveStart) {
        return { items, next: { pk: String(exclusiveStart.pk), sk: String(exclusiveStart.sk) } };
      }
    } while (exclusiveStart);
  }
  return { items };
}

/**
 * Every open session whose store has written, that an admin should hear
 * about: unclaimed, or claimed by that admin. Notifications are derived from
 * these, so this reads the whole open partition (bounded by `cap`).
 */
export async function listNotifiable(ref: TableRef, adminId: number, cap = 5000): Promise<InboxItem[]> {
  const items: InboxItem[] = [];
  const seen = new Set<number>();
  let exclusiveStart: Record<string, unknown> | undefined;
  do {
    const out = await ref.db.send(
      new QueryCommand({
        TableName: ref.table,
        KeyConditionExpression: 'pk = :pk',
        FilterExpression: 'attribute_exists(#session.#store_at) AND (attribute_type(#session.#admin, :null) OR #session.#admin = :me)',
        ExpressionAttributeNames: { '#session': 'session', '#admin': 'admin_id', '#store_at': 'last_store_message_at' },
        ExpressionAttributeValues: { ':pk': openPartition, ':null': 'NULL', ':me': adminId },
        ScanIndexForward: false,
        ExclusiveStartKey: exclusiveStart,
      }),
    );
    for (const raw of out.Items ?? []) {
      const item = raw as InboxItem;
      if (seen.has(item.session.id)) continue;
      seen.add(item.session.id);
      items.push(item);
    }
    exclusiveStart = out.LastEvaluatedKey;
  } while (exclusiveStart && items.length < cap);
  return items;
}
