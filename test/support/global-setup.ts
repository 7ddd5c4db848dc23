import { startDynamoDbLocal } from '../../infra/local/dynamodb-local';
import { freePort } from '../../infra/local/free-port';

/** One in-memory DynamoDB Local for the whole run; each test file makes its own tables. */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export default async function globalSetup(): Promise<void> {
  const dynamodb = await startDynamoDbLocal({ port: await freePort(), inMemory: true });
  process.env.TEST_DYNAMODB_ENDPOINT = dynamodb.endpoint;
  (globalThis as { __dynamodb?: typeof dynamodb }).__dynamodb = dynamodb;
}
