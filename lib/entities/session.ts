import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { isConditionalCheckFailed, type TableRef } from '../db/types';
import type { MessageType } from './message-type';
import type { ProductSnapshot } from './product';

/**
 * A session is an append-only log of entries under one partition. Every
 * message and every session event (claim, close, ...) is an entry, written by
 * a conditional put on the next sequence number. That put is the one
 * serialization point: it orders messages, picks one winner among racing
 * claims, and makes a send that races a close land on exactly one side of it.
 * Each entry carries the session's state after it, so the newest entry is the
 * session; nothing else has to be kept in step.
 */

/** Message ids are sessionId * stride + seq: unique, and increasing within a session. */
export const messageIdStride = 1_000_000;
export const maxSeq = messageIdStride - 1;

export type SessionStatus = 'open' | 'closed';
export type SenderType = 'store' | 'admin' | 'system';
export type Delivery = 'sent' | 'delivered';
export type SessionEvent = 'session.claimed' | 'session.released' | 'session.transferred' | 'session.closed';

export interface SessionState {
  id: number;
  store_id: number;
  admin_id: number | null;
  status: SessionStatus;
  created: string;
  updated: string;
  last_message_at: string;
  /** When the store last wrote; what admin notifications are about. Internal, not in the view. */
  last_store_message_at?: string;
  /** An admin has written: a close is then "closed", not "missed". */
  admin_replied?: boolean;
  /** The store has rated the (closed) session. */
  rated?: boolean;
  /** An "unavailable" notice was posted and nobody has answered since. */
  unavailable_noted?: boolean;
  /** The store's sends in the current rate window (see chat/rate-limit.ts). */
  send_window?: SendWindow;
}

export interface SendWindow {
  start: string;
  count: number;
}

/**
 * The latest client message ids, one list per sender type, each as
 * "<6-char hash>.<message id, base 36>", newest first: how a retried send is
 * recognised (chat/idempotency.ts reads and extends it).
 */
export interface RecentIds {
  store?: string[];
  admin?: string[];
}

export type SpecialType = 'open_url' | 'quick_replies';

export interface Entry {
  seq: number;
  id: number;
  session: SessionState;
  sender_type: SenderType;
  sender_id: number | null;
  event?: SessionEvent;
  /** session.transferred: the admin who gave the session away. */
  from_admin_id?: number;
  type?: MessageType;
  /** A product card: the product as it was when posted. */
  product?: ProductSnapshot;
  /** 1 to 5, on a rating message. */
  rating?: number;
  special_type?: SpecialType;
  special_param?: string | string[];
  client_message_id?: string;
  /** The idempotency windows (see chat/idempotency.ts). */
  recent?: RecentIds;
  /** Moderation: hidden from the store. */
  hidden?: { by: number; at: string };
  content: string;
  attachment_url: string;
  attachment_type: string;
  /** Status at acceptance: delivered when an eligible admin was online. */
  delivery: Delivery;
  created: string;
  /** Lets a writer recognise its own put when the SDK retried it. */
  write_id: string;
}

const seqWidth = String(maxSeq).length;

export const sessionKeys = {
  pk: (sessionId: number) => `SESSION#${sessionId}`,
  sk: (seq: number) => `MSG#${String(seq).padStart(seqWidth, '0')}`,
};

export function messageId(sessionId: number, seq: number): number {
  return sessionId * messageIdStride + seq;
}

export function splitMessageId(id: number): { sessionId: number; seq: number } {
  return { sessionId: Math.floor(id / messageIdStride), seq: id % messageIdStride };
}

/**
 * Entries are stored lean, because a write unit is 1 KB: the message id is
 * derived from session and seq, and empty attachment fields are left out.
 */
export function toEntry(item: Record<string, unknown>): Entry {
  const { pk: _pk, sk: _sk, entity: _entity, ...stored } = item;
  const entry = stored as unknown as Omit<Entry, 'id'> & Partial<Pick<Entry, 'id' | 'attachment_url' | 'attachment_type'>>;
  return {
    ...entry,
    id: messageId(entry.session.id, entry.seq),
    attachment_url: entry.attachment_url ?? '',
    attachment_type: entry.attachment_type ?? '',
  };
}

function toItem(entry: Entry): Record<string, unknown> {
  const { id: _id, attachment_url, attachment_type, ...rest } = entry;
  return {
    pk: sessionKeys.pk(entry.session.id),
    sk: sessionKeys.sk(entry.seq),
    ...rest,
    ...(attachment_url ? { attachment_url, attachment_type } : {}),
  };
}

/** The newest entry, which holds the session's current state. */
export async function readHead({ db, table }: TableRef, sessionId: number): Promise<Entry | undefined> {
  const out = await db.send(
    new QueryCommand({
      TableName: table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': sessionKeys.pk(sessionId), ':prefix': 'MSG#' },
      ScanIndexForward: false,
      Limit: 1,
      ConsistentRead: true,
    }),
  );
  const item = out.Items?.[0];
  return item ? toEntry(item) : undefined;
}

/**
 * The store's block, marked in the partition of the session its messages go
 * to (docs/DATA_MODEL.md "Blocking and the session marker"). Its sort key
 * sorts right after every `MSG#<seq>` entry ('$' is 0x24, '#' 0x23) and lies
 * outside `begins_with(sk, "MSG#")` and every `MSG#<a>`..`MSG#<b>` range, so
 * no history, head or entry read ever returns it; only readHeadAndBlock asks
 * for it.
 */
export const blockMarkerSk = 'MSG$BLOCKED';

/** A block as its marker records it: the admin, when, and the id that tells this block from a later one. */
export interface BlockMark {
  by: number;
  at: string;
  id: string;
}

export interface HeadAndBlock {
  head: Entry | undefined;
  /** The session's block marker, if one is there. */
  block: BlockMark | undefined;
}

/**
 * The newest entry and the block marker in one consistent Query: both sort
 * at the top of `MSG#` .. `MSG$BLOCKED`, so descending with Limit 2 returns
 * the marker (if any) and then the head.
 */
export async function readHeadAndBlock({ db, table }: TableRef, sessionId: number): Promise<HeadAndBlock> {
  const out = await db.send(
    new QueryCommand({
      TableName: table,
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
      ExpressionAttributeValues: { ':pk': sessionKeys.pk(sessionId), ':from': 'MSG#', ':to': blockMarkerSk },
      ScanIndexForward: false,
      Limit: 2,
      ConsistentRead: true,
    }),
  );
  const [first, second] = out.Items ?? [];
  if (first?.sk === blockMarkerSk) return { block: first.block as BlockMark, head: second ? toEntry(second) : undefined };
  return { block: undefined, head: first ? toEntry(first) : undefined };
}

/** Marks the store's block in the session's partition (overwriting an older marker). */
export async function putBlockMarker({ db, table }: TableRef, sessionId: number, block: BlockMark): Promise<void> {
  await db.send(new PutCommand({ TableName: table, Item: { pk: sessionKeys.pk(sessionId), sk: blockMarkerSk, entity: 'block', block } }));
}

/**
 * Removes the marker of block `blockId`, and only that one: a later block's
 * marker (another id) stays. Returns whether a marker was removed.
 */
export async function deleteBlockMarker({ db, table }: TableRef, sessionId: number, blockId: string): Promise<boolean> {
  try {
    await db.send(
      new DeleteCommand({
        TableName: table,
        Key: { pk: sessionKeys.pk(sessionId), sk: blockMarkerSk },
        ConditionExpression: '#block.#id = :id',
        ExpressionAttributeNames: { '#block': 'block', '#id': 'id' },
        ExpressionAttributeValues: { ':id': blockId },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionalCheckFailed(error)) return false;
    throw error;
  }
}

export type AppendResult = { ok: true } | { ok: false; occupant: Entry };

/** Claims the entry's sequence slot, or reports who holds it. Every caller goes through the append engine, lib/chat/session-log.ts. */
export async function appendEntry({ db, table }: TableRef, entry: Entry): Promise<AppendResult> {
  try {
    await db.send(
      new PutCommand({
        TableName: table,
        Item: toItem(entry),
        ConditionExpression: 'attribute_not_exists(pk)',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    return { ok: true };
  } catch (error) {
    if (!isConditionalCheckFailed(error)) throw error;
    const raw = error.Item as Record<string, AttributeValue> | undefined;
    if (!raw) throw error;
    return { ok: false, occupant: toEntry(unmarshall(raw)) };
  }
}

export interface EntryPage {
  entries: Entry[];
  /** More entries exist beyond this page, in the direction read. */
  hasMore: boolean;
}

export type PageRequest = { after: number } | { before: number } | { latest: true };

/**
 * One page of a session's entries, oldest first. `after`/`before` are
 * sequence numbers; without either, the newest page. Reads limit + 1 items
 * to learn whether more exist, so a page costs O(limit) whatever the history.
 */
export async function listEntries({ db, table }: TableRef, sessionId: number, request: PageRequest, limit: number): Promise<EntryPage> {
  if (('before' in request && request.before <= 1) || ('after' in request && request.after >= maxSeq)) {
    return { entries: [], hasMore: false };
  }
  const pk = sessionKeys.pk(sessionId);
  const base: QueryCommandInput = { TableName: table, Limit: limit + 1, ConsistentRead: true };
  const input: QueryCommandInput =
    'after' in request
      ? {
          ...base,
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
          ExpressionAttributeValues: { ':pk': pk, ':from': sessionKeys.sk(request.after + 1), ':to': sessionKeys.sk(maxSeq) },
          ScanIndexForward: true,
        }
      : 'before' in request
        ? {
            ...base,
            KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
            ExpressionAttributeValues: { ':pk': pk, ':from': sessionKeys.sk(1), ':to': sessionKeys.sk(Math.max(request.before - 1, 0)) },
            ScanIndexForward: false,
          }
        : {
            ...base,
            KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
            ExpressionAttributeValues: { ':pk': pk, ':prefix': 'MSG#' },
            ScanIndexForward: false,
          };
  const out = await db.send(new QueryCommand(input));
  const items = (out.Items ?? []).map(toEntry);
  const hasMore = items.length > limit;
  const page = items.slice(0, limit);
  return { entries: 'after' in request ? page : page.reverse(), hasMore };
}

/** One entry by message id. */
export async function getEntry({ db, table }: TableRef, id: number): Promise<Entry | undefined> {
  const { sessionId, seq } = splitMessageId(id);
  if (seq < 1) return undefined;
  const out = await db.send(new GetCommand({ TableName: table, Key: { pk: sessionKeys.pk(sessionId), sk: sessionKeys.sk(seq) }, ConsistentRead: true }));
  return out.Item ? toEntry(out.Item) : undefined;
}

/**
 * Hides an entry from the store, or shows it again when `hidden` is
 * undefined: the one change to an entry after it is written (README "Admin
 * WebSocket", Moderation). Its slot, seq and session state stay.
 */
export async function setEntryHidden({ db, table }: TableRef, id: number, hidden: { by: number; at: string } | undefined): Promise<void> {
  const { sessionId, seq } = splitMessageId(id);
  await db.send(
    new UpdateCommand({
      TableName: table,
      Key: { pk: sessionKeys.pk(sessionId), sk: sessionKeys.sk(seq) },
      // HIDDEN is a DynamoDB reserved word.
      UpdateExpression: hidden ? 'SET #hidden = :hidden' : 'REMOVE #hidden',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeNames: { '#hidden': 'hidden' },
      ...(hidden ? { ExpressionAttributeValues: { ':hidden': hidden } } : {}),
    }),
  );
}
