import { Agent } from 'node:https';
import { Agent as HttpAgent } from 'node:http';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';

export interface DbClientOptions {
  region: string;
  endpoint?: string | undefined;
}

/** Local endpoints accept any credentials; real AWS uses the default chain. */
const localCredentials = { accessKeyId: 'local', secretAccessKey: 'local' };

export function createDocumentClient({ region, endpoint }: DbClientOptions): DynamoDBDocumentClient {
  const agentOptions = { keepAlive: true, maxSockets: 256 };
  const client = new DynamoDBClient({
    region,
    ...(endpoint ? { endpoint, credentials: localCredentials } : {}),
    requestHandler: new NodeHttpHandler({
      httpsAgent: new Agent(agentOptions),
      httpAgent: new HttpAgent(agentOptions),
      connectionTimeout: 2000,
      requestTimeout: 5000,
      throwOnRequestTimeout: true,
    }),
  });
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true },
  });
}
