import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';

/**
 * The least a function of this design loads: the DynamoDB document client the
 * design card prescribes, built on first use as lib/deps.ts does, and nothing
 * else. Its init against the bare handler's is the floor for every function.
 */
let db: DynamoDBDocumentClient | undefined;

export const handler = async (event: { key: string }): Promise<unknown> => {
  db ??= DynamoDBDocumentClient.from(new DynamoDBClient({}));
  return db.send(new GetCommand({ TableName: process.env.TABLE_NAME, Key: { pk: event.key, sk: 'PROFILE' } }));
};
