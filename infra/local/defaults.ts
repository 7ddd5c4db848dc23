import { join } from 'node:path';
import { localCredentials } from '../../lib/aws-http';

/** Defaults shared by `npm start`, the ops CLI and the tests. Ports come from the environment. */
export const localDefaults = {
  host: '127.0.0.1',
  region: 'us-east-1',
  httpPort: Number(process.env.PORT ?? 3000),
  wsPort: Number(process.env.WS_PORT ?? 3001),
  dynamodbPort: Number(process.env.DYNAMODB_PORT ?? 8000),
  s3Port: Number(process.env.S3_PORT ?? 4569),
  /** The contracts and their reference page (infra/local/docs-server.ts). */
  docsPort: Number(process.env.DOCS_PORT ?? 3002),
  bucket: 'support-chat-local-attachments',
  /** Both emulators accept these; the SDK clients sign with them. */
  credentials: localCredentials,
  tables: { chat: 'support-chat-local-chat', connections: 'support-chat-local-connections' },
  dataDir: process.env.LOCAL_DATA_DIR ?? join(__dirname, '..', '..', '.local'),
};

export { repoRoot } from '../paths';
