// Lambda runs Node 24; locally Node 20 works, so the SDK's Node 22 notice is only noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

import { join } from 'node:path';
import { chatTableRef } from '../../lib/deps';
import { localDefaults } from './defaults';
import { prepareDemo } from './demo';
import { JavaMissingError, startDynamoDbLocal, type DynamoDbLocal } from './dynamodb-local';
import { startLocalStack, type LocalStack } from './stack';

/**
 * `npm start`: DynamoDB Local, the HTTP and WebSocket gateways, and a demo
 * store and admin. Data persists in .local/ unless --in-memory (or LOCAL_IN_MEMORY=1).
 */
async function main(): Promise<void> {
  const inMemory = process.argv.includes('--in-memory') || process.env.LOCAL_IN_MEMORY === '1';
  let dynamodb: DynamoDbLocal | undefined;
  let stack: LocalStack | undefined;
  const shutdown = async (code: number) => {
    await stack?.close().catch(() => undefined);
    await dynamodb?.stop().catch(() => undefined);
    process.exit(code);
  };
  process.once('SIGINT', () => void shutdown(0));
  process.once('SIGTERM', () => void shutdown(0));

  try {
    dynamodb = await startDynamoDbLocal({ port: localDefaults.dynamodbPort, inMemory, dataDir: join(localDefaults.dataDir, 'dynamodb') });
    stack = await startLocalStack({
      dynamodbEndpoint: dynamodb.endpoint,
      httpPort: localDefaults.httpPort,
      wsPort: localDefaults.wsPort,
      s3Port: localDefaults.s3Port,
      ...(inMemory ? {} : { s3Directory: join(localDefaults.dataDir, 's3') }),
      onError: (message, error) => console.error(`[gateway] ${message}:`, error),
    });
  } catch (error) {
    if (error instanceof JavaMissingError) console.error(error.message);
    else if ((error as { code?: string }).code === 'EADDRINUSE') {
      console.error(`A port is already in use (${(error as Error).message}). Set PORT, WS_PORT or DYNAMODB_PORT to free ones.`);
    } else console.error(error);
    return shutdown(1);
  }

  const demo = await prepareDemo(chatTableRef(stack.deps), inMemory ? undefined : join(localDefaults.dataDir, 'demo.json'));
  const lines = [
    'Support chat local stack is running.',
    '',
    `  HTTP API        ${stack.httpUrl}          POST /v1/chat/store/message/`,
    `  WebSocket API   ${stack.wsUrl}/?token=<admin token>`,
    `  @connections    ${stack.managementEndpoint}/@connections/{connectionId}`,
    `  DynamoDB Local  ${stack.dynamodbEndpoint}          ${inMemory ? 'in memory' : `data in ${join(localDefaults.dataDir, 'dynamodb')}`}`,
    `  S3 (s3rver)     ${stack.s3Endpoint}          bucket ${stack.bucket}, ${inMemory ? 'files in a temporary folder' : `files in ${join(localDefaults.dataDir, 's3')}`}`,
    '',
    `  Demo store  id ${demo.store.id}   token ${demo.store.token}`,
    `  Demo admin  id ${demo.admin.id}   token ${demo.admin.token}`,
    '',
    '  Try it:',
    `    curl -X POST "${stack.httpUrl}/v1/chat/store/message/" -H "Authorization: Token ${demo.store.token}" -H "Content-Type: application/json" -d '{"content": "Hello, I need help with my account"}'`,
    `    npx wscat -c "${stack.wsUrl}/?token=${demo.admin.token}"`,
    '',
    'Ctrl-C stops everything.',
  ];
  console.log(lines.join('\n'));
}

void main();
