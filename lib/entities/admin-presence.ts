import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { TableRef } from '../db/types';
import { principalKey } from './principal';

/**
 * When admins last connected: each admin's time on its profile, and the
 * latest of all in one item. A store message that found nobody online counts
 * as delivered once an eligible admin connects after it, derived at read time
 * rather than written to every waiting message.
 */
const anyAdminKey = { pk: 'PRESENCE#admins', sk: 'PRESENCE' };

export async function recordAdminConnected({ db, table }: TableRef, adminId: number, at: string): Promise<void> {
  const stamp = (Key: Record<string, string>) =>
    db.send(
      new UpdateCommand({
        TableName: table,
        Key,
        UpdateExpression: 'SET last_connected_at = :at',
        ConditionExpression: 'attribute_not_exists(last_connected_at) OR last_connected_at < :at',
        ExpressionAttributeValues: { ':at': at },
      }),
    ).catch((error: unknown) => {
      if ((error as { name?: string }).name !== 'ConditionalCheckFailedException') throw error;
    });
  await Promise.all([stamp(principalKey('admin', adminId)), stamp(anyAdminKey)]);
}

/** The last connect of the given admin, or of any admin when `adminId` is null. */
export async function lastAdminConnect({ db, table }: TableRef, adminId: number | null): Promise<string | undefined> {
  const key = adminId === null ? anyAdminKey : principalKey('admin', adminId);
  const out = await db.send(new GetCommand({ TableName: table, Key: key, ProjectionExpression: 'last_connected_at', ConsistentRead: true }));
  const value: unknown = out.Item?.last_connected_at;
  return typeof value === 'string' ? value : undefined;
}
