import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { awsHttpHandler, localCredentials } from '../aws-http';

export interface DbClientOptions {
  region: string;
  endpoint?: string | undefined;
}

export function createDocumentClient({ region, endpoint }: DbClientOptions): DynamoDBDocumentClient {
  const client = new DynamoDBClient({
    region,
    ...(endpoint ? { endpoint, credentials: localCredentials } : {}),
    requestHandler: awsHttpHandler({ maxSockets: 256, connectMs: 2000, requestMs: 5000 }),
  });
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true },
  });
}
