import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { isConditionalCheckFailed, type TableRef } from '../db/types';
import { principalKey } from './principal';

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
