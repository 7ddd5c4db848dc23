import { CopyObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { GetCommand, PutCommand, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { createDeps, type Deps } from '../../lib/deps';
import type { Access } from '../../lib/routes';
import { enforceGrants } from '../../infra/local/grants';
import { useTestStack } from '../support/harness';

describe('local IAM: functions are held to their manifest grants', () => {
  const stack = useTestStack();
  const made: Deps[] = [];

  /** Clients as a function with these grants gets them. */
  const asFunction = (access: Access[], captured: { s3?: S3Client } = {}) => {
    const guard = enforceGrants('TestFunction', access, { chatTable: stack.tables.chat, connectionsTable: stack.tables.connections });
    const deps = createDeps(stack.env, { ...guard, s3: (client) => { guard.s3?.(client); captured.s3 = client; } });
    made.push(deps);
    return { deps, captured };
  };

  /** The S3 client as such a function builds it: on first use, which any presign triggers, allowed or not. */
  const s3AsFunction = async (access: Access[]): Promise<S3Client> => {
    const { deps, captured } = asFunction(access);
    await deps.attachments!.presignDownload('uploads/first-use').catch(() => undefined);
    return captured.s3!;
  };

  afterAll(() => made.forEach((deps) => deps.db.destroy()));

  const denied = expect.objectContaining({ name: 'AccessDeniedException' });

  it('lets chat:read read the chat table and nothing else', async () => {
    const { deps } = asFunction(['chat:read']);

    await expect(deps.db.send(new GetCommand({ TableName: stack.tables.chat, Key: { pk: 'x', sk: 'y' } }))).resolves.toBeDefined();
    await expect(deps.db.send(new PutCommand({ TableName: stack.tables.chat, Item: { pk: 'x', sk: 'y' } }))).rejects.toEqual(denied);
    await expect(deps.db.send(new QueryCommand({ TableName: stack.tables.connections, KeyConditionExpression: 'connection_id = :c', ExpressionAttributeValues: { ':c': 'a' } }))).rejects.toEqual(denied);
  });

  it('never allows a Scan, whatever the grants', async () => {
    const { deps } = asFunction(['chat:read', 'chat:write', 'connections:read', 'connections:write']);

    await expect(deps.db.send(new ScanCommand({ TableName: stack.tables.chat }))).rejects.toEqual(denied);
  });

  it('scopes connections:read to the table and its index', async () => {
    const { deps } = asFunction(['connections:read']);

    const query = new QueryCommand({ TableName: stack.tables.connections, IndexName: 'by-audience', KeyConditionExpression: 'audience = :a', ExpressionAttributeValues: { ':a': 'admins' } });

    await expect(deps.db.send(query)).resolves.toBeDefined();
  });

  it('scopes S3 to key prefixes: attach may copy an upload to attachments/, read may not', async () => {
    const attach = await s3AsFunction(['attachments:attach']);
    const read = await s3AsFunction(['attachments:read']);
    const writer = await s3AsFunction(['attachments:upload']);
    await writer.send(new PutObjectCommand({ Bucket: stack.bucket, Key: 'uploads/t/a.txt', Body: 'hello' }));
    const copy = () => new CopyObjectCommand({ Bucket: stack.bucket, Key: 'attachments/t/a.txt', CopySource: `${stack.bucket}/uploads/t/a.txt` });

    await expect(attach.send(copy())).resolves.toBeDefined();
    await expect(read.send(copy())).rejects.toEqual(denied);
    await expect(writer.send(new PutObjectCommand({ Bucket: stack.bucket, Key: 'attachments/t/b.txt', Body: 'x' }))).rejects.toEqual(denied);
  });

  it('refuses @connections calls without push', async () => {
    const { deps } = asFunction(['chat:read']);

    // The pusher reports failure rather than throwing; the guard is what failed it.
    await expect(deps.push.send('any-connection', '{}')).resolves.toBe('failed');
  });
});
