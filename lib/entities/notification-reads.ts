import { PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { TableRef } from '../db/types';
import { principalKey } from './principal';

/**
 * An admin's read state for notifications, kept in the admin's own partition:
 * a "read everything up to now" time on the profile, and one mark per session
 * read since. Written when the admin reads, never when a message arrives.
 */
const markPrefix = 'NOTIFREAD#';
/** Marks outlive any realistic open session; the TTL keeps the partition small. */
const markTtlSeconds = 90 * 24 * 60 * 60;

export interface NotificationReads {
  allReadAt: string | undefined;
  readAt: Map<number, string>;
}

export async function notificationReads({ db, table }: TableRef, adminId: number): Promise<NotificationReads> {
  const reads: NotificationReads = { allReadAt: undefined, readAt: new Map() };
  let exclusiveStart: Record<string, unknown> | undefined;
  do {
    const out = await db.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': principalKey('admin', adminId).pk },
        ConsistentRead: true,
        ExclusiveStartKey: exclusiveStart,
      }),
    );
    for (const item of out.Items ?? []) {
      const sk = String(item.sk);
      if (sk === 'PROFILE' && typeof item.notifications_read_at === 'string') reads.allReadAt = item.notifications_read_at;
      if (sk.startsWith(markPrefix) && typeof item.read_at === 'string') reads.readAt.set(Number(sk.slice(markPrefix.length)), item.read_at);
    }
    exclusiveStart = out.LastEvaluatedKey;
  } while (exclusiveStart);
  return reads;
}

export async function markNotificationRead({ db, table }: TableRef, adminId: number, sessionId: number, nowMs: number): Promise<void> {
  await db.send(
    new PutCommand({
      TableName: table,
      Item: {
        pk: principalKey('admin', adminId).pk,
        sk: `${markPrefix}${sessionId}`,
        read_at: new Date(nowMs).toISOString(),
        expires_at: Math.floor(nowMs / 1000) + markTtlSeconds,
      },
    }),
  );
}

export async function markAllNotificationsRead({ db, table }: TableRef, adminId: number, at: string): Promise<void> {
  await db.send(
    new UpdateCommand({
      TableName: table,
      Key: principalKey('admin', adminId),
      UpdateExpression: 'SET notifications_read_at = :at',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':at': at },
    }),
  );
}
