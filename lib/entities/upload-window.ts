import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { isConditionalCheckFailed, type TableRef } from '../db/types';
import type { Principal } from './principal';

/**
 * One principal's upload tickets in one fixed window: pk UPLOADS#<kind>#<id>,
 * sk WINDOW#<window start ms>, {count, expires_at}. A partition of its own, so
 * no query over the principal's own items ever reads these. Expires by TTL a
 * day after the window (docs/DATA_MODEL.md).
 */
export const uploadWindowKey = (principal: Principal, windowStartMs: number) => ({
  pk: `UPLOADS#${principal.kind}#${principal.id}`,
  sk: `WINDOW#${windowStartMs}`,
});

const keepSeconds = 24 * 60 * 60;

/**
 * Counts one ticket in the window with one conditional write: the count goes
 * up only while it is below `max`, so concurrent requests on any Lambda
 * instance can never get more than `max` tickets per window. False when the
 * window is full (nothing was written).
 */
export async function takeUploadTicket({ db, table }: TableRef, principal: Principal, windowStartMs: number, windowMs: number, max: number): Promise<boolean> {
  try {
    await db.send(
      new UpdateCommand({
        TableName: table,
        Key: uploadWindowKey(principal, windowStartMs),
        UpdateExpression: 'ADD #count :one SET expires_at = if_not_exists(expires_at, :expires)',
        ConditionExpression: 'attribute_not_exists(#count) OR #count < :max',
        ExpressionAttributeNames: { '#count': 'count' },
        ExpressionAttributeValues: { ':one': 1, ':max': max, ':expires': Math.floor((windowStartMs + windowMs) / 1000) + keepSeconds },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionalCheckFailed(error)) return false;
    throw error;
  }
}
