import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { isConditionalCheckFailed, type TableRef } from '../db/types';
import { principalKey, type PrincipalProfile } from './principal';

/** What a block records: the admin and when (README "Admin WebSocket", Blocking). */
export interface StoreBlock {
  by: number;
  at: string;
}

/**
 * Points the store at a new active session, but only if nobody else already
 * did: concurrent first messages race here and exactly one wins.
 */
export async function swapActiveSession(
  ref: TableRef,
  storeId: number,
  expected: number | undefined,
  next: number,
): Promise<boolean> {
  try {
    await ref.db.send(
      new UpdateCommand({
        TableName: ref.table,
        Key: principalKey('store', storeId),
        UpdateExpression: expected === undefined ? 'SET active_session_id = :next' : 'SET active_session_id = :next, previous_session_id = :expected',
        ConditionExpression:
          expected === undefined
            ? 'attribute_exists(pk) AND attribute_not_exists(active_session_id)'
            : 'active_session_id = :expected',
        ExpressionAttributeValues: expected === undefined ? { ':next': next } : { ':next': next, ':expected': expected },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionalCheckFailed(error)) return false;
    throw error;
  }
}

/**
 * Sets the store's block, or clears it when `block` is undefined. Returns the
 * profile after the write, or undefined when no such store exists.
 */
export async function writeStoreBlock(ref: TableRef, storeId: number, block: StoreBlock | undefined): Promise<PrincipalProfile | undefined> {
  try {
    const out = await ref.db.send(
      new UpdateCommand({
        TableName: ref.table,
        Key: principalKey('store', storeId),
        UpdateExpression: block ? 'SET blocked = :blocked' : 'REMOVE blocked',
        ConditionExpression: 'attribute_exists(pk)',
        ...(block ? { ExpressionAttributeValues: { ':blocked': block } } : {}),
        ReturnValues: 'ALL_NEW',
      }),
    );
    return out.Attributes as PrincipalProfile;
  } catch (error) {
    if (isConditionalCheckFailed(error)) return undefined;
    throw error;
  }
}

/** Stamps the store's last request (see chat/store-activity.ts); fails, without creating it, if the store is gone. */
export async function stampStoreSeen(ref: TableRef, storeId: number, at: string): Promise<void> {
  await ref.db.send(
    new UpdateCommand({
      TableName: ref.table,
      Key: principalKey('store', storeId),
      UpdateExpression: 'SET last_seen_at = :now',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':now': at },
    }),
  );
}
