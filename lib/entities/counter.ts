import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { TableRef } from '../db/types';

export type CounterName = 'store' | 'admin' | 'session' | 'product';

export const counterKey = (name: CounterName) => ({ pk: `COUNTER#${name}`, sk: 'COUNTER' });

/** Allocates the next integer id. Written once per new principal or session, never per message. */
export async function nextId({ db, table }: TableRef, name: CounterName): Promise<number> {
  const out = await db.send(
    new UpdateCommand({
      TableName: table,
      Key: counterKey(name),
      UpdateExpression: 'ADD #value :one',
      ExpressionAttributeNames: { '#value': 'value' },
      ExpressionAttributeValues: { ':one': 1 },
      ReturnValues: 'UPDATED_NEW',
    }),
  );
  const value: unknown = out.Attributes?.value;
  if (typeof value !== 'number') throw new Error(`Counter ${name} returned no value`);
  return value;
}
