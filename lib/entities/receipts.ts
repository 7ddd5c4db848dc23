import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { isConditionalCheckFailed, type TableRef } from '../db/types';
import { sessionKeys } from './session';

/**
 * Per-session read and delivery watermarks, one item beside the log. Marking
 * "everything up to id N" is one conditional update, whatever N covers, and
 * a watermark only ever moves forward.
 */
export type ReceiptField = 'admin_read' | 'admin_delivered' | 'store_read' | 'store_delivered';

export interface Watermark {
  upto: number;
  at: string;
}

export type Receipts = Record<ReceiptField, Watermark | undefined>;

export const receiptsKey = (sessionId: number) => ({ pk: sessionKeys.pk(sessionId), sk: 'RECEIPTS' });

export const noReceipts: Receipts = { admin_read: undefined, admin_delivered: undefined, store_read: undefined, store_delivered: undefined };

export async function getReceipts({ db, table }: TableRef, sessionId: number): Promise<Receipts> {
  const out = await db.send(new GetCommand({ TableName: table, Key: receiptsKey(sessionId), ConsistentRead: true }));
  const item = out.Item as Partial<Receipts> | undefined;
  return { ...noReceipts, ...item };
}

/** Moves a watermark forward to `upto`; returns false when it was already there or beyond. */
export async function advanceReceipt({ db, table }: TableRef, sessionId: number, field: ReceiptField, upto: number, at: string): Promise<boolean> {
  try {
    await db.send(
      new UpdateCommand({
        TableName: table,
        Key: receiptsKey(sessionId),
        UpdateExpression: 'SET #field = :mark',
        ConditionExpression: 'attribute_not_exists(#field) OR #field.#upto < :upto',
        ExpressionAttributeNames: { '#field': field, '#upto': 'upto' },
        ExpressionAttributeValues: { ':mark': { upto, at }, ':upto': upto },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionalCheckFailed(error)) return false;
    throw error;
  }
}
