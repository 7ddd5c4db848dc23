import {
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceNotFoundException,
  UpdateTimeToLiveCommand,
  type CreateTableCommandInput,
} from '@aws-sdk/client-dynamodb';
import type { TableSpec } from '../../lib/db/schema';

/** CreateTable input for a spec: the same keys and indexes the CDK stack declares. */
export function createTableInput(spec: TableSpec, tableName: string): CreateTableCommandInput {
  const attributes = new Map<string, string>();
  const add = (key: { name: string; type: string } | undefined) => key && attributes.set(key.name, key.type);
  add(spec.partitionKey);
  add(spec.sortKey);
  for (const index of spec.globalIndexes) {
    add(index.partitionKey);
    add(index.sortKey);
  }
  const keySchema = (pk: { name: string }, sk?: { name: string }) => [
    { AttributeName: pk.name, KeyType: 'HASH' as const },
    ...(sk ? [{ AttributeName: sk.name, KeyType: 'RANGE' as const }] : []),
  ];
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [...attributes].map(([AttributeName, AttributeType]) => ({ AttributeName, AttributeType: AttributeType as 'S' | 'N' })),
    KeySchema: keySchema(spec.partitionKey, spec.sortKey),
    ...(spec.globalIndexes.length > 0
      ? {
          GlobalSecondaryIndexes: spec.globalIndexes.map((index) => ({
            IndexName: index.name,
            KeySchema: keySchema(index.partitionKey, index.sortKey),
            Projection: { ProjectionType: index.projection },
          })),
        }
      : {}),
  };
}

/** Creates the table if it does not exist yet; existing data is kept. */
export async function ensureTable(client: DynamoDBClient, spec: TableSpec, tableName: string): Promise<void> {
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
    return;
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
  }
  await client.send(new CreateTableCommand(createTableInput(spec, tableName)));
  if (spec.ttlAttribute) {
    // Accepted by DynamoDB Local, which never expires items; AWS does.
    await client.send(
      new UpdateTimeToLiveCommand({ TableName: tableName, TimeToLiveSpecification: { Enabled: true, AttributeName: spec.ttlAttribute } }),
    );
  }
}
