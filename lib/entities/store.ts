import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { isConditionalCheckFailed, type TableRef } from '../db/types';
import { principalKey, type PrincipalProfile } from './principal';

/**
 * What a block records: the admin and when (README "Admin WebSocket",
 * Blocking), and an id that tells it from a later block, so an unblock
 * removes only its own block's marker (docs/DATA_MODEL.md "Blocking and the
 * session marker"). Blocks written before the marker existed have no id.
 */
export interface StoreBlock {
  by: number;
  at: string;
  id?: string;
}

/**
 * Points the store at a new active session, but only if nobody else already
 * did: concurrent first messages race here and exactly one wins. A blocked
 * store gets no new session: the block marks the session the pointer names
 * when the block is written, so the pointer must not move while the store is
 * blocked (docs/DATA_MODEL.md "Blocking and the session marker").
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
            ? 'attribute_exists(pk) AND attribute_not_exists(active_session_id) AND attribute_not_exists(blocked)'
            : 'active_session_id = :expected AND attribute_not_exists(blocked)',
        ExpressionAttributeValues: expected === undefined ? { ':next': next } : { ':next': next, ':expected': expected },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionalCheckFailed(error)) return false;
    throw error;
  }
}

/** A block write's outcome: the profile after it, and the block it replaced or removed. */
export interface BlockWritten {
  profile: PrincipalProfile;
  replaced: StoreBlock | undefined;
}

/**
 * Sets the store's block, or clears it when `block` is undefined. Returns the
 * profile after the write (its active_session_id as of the write: the block
 * itself never moves it) and the block it replaced, or undefined when no
 * such store exists.
 */
export async function writeStoreBlock(ref: TableRef, storeId: number, block: StoreBlock | undefined): Promise<BlockWritten | undefined> {
  try {
    const out = await ref.db.send(
      new UpdateCommand({
        TableName: ref.table,
        Key: principalKey('store', storeId),
        UpdateExpression: block ? 'SET blocked = :blocked' : 'REMOVE blocked',
        ConditionExpression: 'attribute_exists(pk)',
        ...(block ? { ExpressionAttributeValues: { ':blocked': block } } : {}),
        ReturnValues: 'ALL_OLD',
      }),
    );
    const { blocked: replaced, ...rest } = out.Attributes as PrincipalProfile & { blocked?: StoreBlock };
    return { profile: { ...rest, ...(block ? { blocked: block } : {}) }, replaced };
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
