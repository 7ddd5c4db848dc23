import { createHmac } from 'node:crypto';
import { downloadUrlTtlSeconds, uploadUrlTtlSeconds } from '../../lib/attachments/policy';
import { createS3AttachmentStore } from '../../lib/attachments/s3-store';
import { lazyS3AttachmentStore } from '../../lib/attachments/store';
import { safeFileName } from '../../lib/attachments/upload';

/**
 * The local S3 emulator checks policies and signatures, but only against
 * itself; these tests pin what the presigned requests sent to real S3 contain.
 */
describe('the S3 attachment store, as configured for AWS', () => {
  const credentials = { AWS_ACCESS_KEY_ID: 'AKIAEXAMPLEEXAMPLE00', AWS_SECRET_ACCESS_KEY: 'secret/example/key/0000000000000000000000', AWS_SESSION_TOKEN: undefined };
  const saved: Record<string, string | undefined> = {};

  beforeAll(() => {
    for (const [name, value] of Object.entries(credentials)) {
      saved[name] = process.env[name];
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  afterAll(() => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  const store = createS3AttachmentStore({ bucket: 'chat-attachments', region: 'eu-west-1' });
  const key = 'uploads/store/5/0b7e3f9e-5d0c-4a53-9a1f-0d7a1c9b2e11/receipt photo.png';

  it('signs a POST policy that pins the bucket, the key, the type and the exact size, for 15 minutes', async () => {
    const now = Date.now();

    const upload = await store.presignUpload(key, 'image/png', 68_123, now);

    expect(upload.url).toBe('https://chat-attachments.s3.eu-west-1.amazonaws.com/');
    expect(upload.method).toBe('POST');
    const policy = JSON.parse(Buffer.from(upload.fields.Policy!, 'base64').toString('utf8')) as { expiration: string; conditions: unknown[] };
    expect(policy.conditions).toEqual(
      expect.arrayContaining([
        ['content-length-range', 68_123, 68_123],
        ['eq', '$Content-Type', 'image/png'],
        { bucket: 'chat-attachments' },
        { key },
      ]),
    );
    expect(Math.abs(Date.parse(policy.expiration) - (now + uploadUrlTtlSeconds * 1000))).toBeLessThan(5000);
    expect(upload.fields).toMatchObject({ key, 'Content-Type': 'image/png', 'X-Amz-Algorithm': 'AWS4-HMAC-SHA256' });
  });

  it('signs the policy with SigV4 for s3 in the bucket region', async () => {
    const upload = await store.presignUpload(key, 'image/png', 10, Date.now());

    const [, date, region, service, terminal] = upload.fields['X-Amz-Credential']!.split('/');
    const hmac = (k: Buffer | string, data: string) => createHmac('sha256', k).update(data).digest();
    const signingKey = hmac(hmac(hmac(hmac(`AWS4${credentials.AWS_SECRET_ACCESS_KEY}`, date!), region!), service!), terminal!);
    expect([region, service, terminal]).toEqual(['eu-west-1', 's3', 'aws4_request']);
    expect(upload.fields['X-Amz-Signature']).toBe(createHmac('sha256', signingKey).update(upload.fields.Policy!).digest('hex'));
  });

  it('presigns downloads of attachments for 15 minutes, signing only the host', async () => {
    const url = new URL(await store.presignDownload('attachments/store/5/x/a.png'));

    expect(url.host).toBe('chat-attachments.s3.eu-west-1.amazonaws.com');
    expect(url.pathname).toBe('/attachments/store/5/x/a.png');
    expect(url.searchParams.get('X-Amz-Expires')).toBe(String(downloadUrlTtlSeconds));
    expect(url.searchParams.get('X-Amz-SignedHeaders')).toBe('host');
  });

  it('round-trips keys through the canonical URL, and recognises no other URL as ours', () => {
    const url = store.canonicalUrl(key);

    expect(url).toBe('https://chat-attachments.s3.eu-west-1.amazonaws.com/uploads/store/5/0b7e3f9e-5d0c-4a53-9a1f-0d7a1c9b2e11/receipt%20photo.png');
    expect(store.keyOf(url)).toBe(key);
    expect(store.keyOf('https://chat-attachments.s3.us-east-1.amazonaws.com/uploads/a')).toBeUndefined();
    expect(store.keyOf('https://evil.example/chat-attachments.s3.eu-west-1.amazonaws.com/uploads/a')).toBeUndefined();
    expect(store.keyOf(`${url}?versionId=1`)).toBeUndefined();
    expect(store.keyOf('http://chat-attachments.s3.eu-west-1.amazonaws.com/uploads/a')).toBeUndefined();
  });
});

describe('the lazily loaded store every function gets', () => {
  const options = { bucket: 'chat-attachments', region: 'eu-west-1' };

  it('builds and parses object URLs exactly as the S3 store does, without loading it', () => {
    const lazy = lazyS3AttachmentStore(options);
    const eager = createS3AttachmentStore(options);
    const key = 'attachments/store/5/a b/c.png';

    const url = lazy.canonicalUrl(key);

    expect(url).toBe(eager.canonicalUrl(key));
    expect(lazy.keyOf(url)).toBe(key);
    expect(lazy.keyOf('https://evil.example/x')).toBeUndefined();
  });

  it('loads the S3 client on first use and presigns through it', async () => {
    // The local endpoint brings its own credentials; presigning sends no request.
    const lazy = lazyS3AttachmentStore({ ...options, endpoint: 'http://127.0.0.1:9' });

    const url = new URL(await lazy.presignDownload('attachments/store/5/a.png'));

    expect(`${url.host}${url.pathname}`).toBe('127.0.0.1:9/chat-attachments/attachments/store/5/a.png');
    expect(url.searchParams.get('X-Amz-Expires')).toBe(String(downloadUrlTtlSeconds));
  });
});

describe('upload file names', () => {
  it.each([
    ['receipt photo.png', 'receipt_photo.png'],
    ['../../etc/passwd', 'etc_passwd'],
    ['.hidden', 'hidden'],
    ['фото.jpg', 'file.jpg'],
    ['Report.PDF', 'Report.pdf'],
    ['archive.tar.gz', 'archive_tar.gz'],
    ['', 'file'],
    ['a'.repeat(300) + '.pdf', 'a'.repeat(100) + '.pdf'],
  ])('keeps %j as %j', (name, safe) => {
    expect(safeFileName(name)).toBe(safe);
  });
});

describe('undoing the copy of a refused send', () => {
  /** Records each command's input and answers as a versioned bucket would, without a network. */
  function recordingStore() {
    const sent: { command: string; input: Record<string, unknown> }[] = [];
    const store = createS3AttachmentStore({
      bucket: 'chat-attachments',
      region: 'eu-west-1',
      configure: (client) =>
        client.middlewareStack.add(
          (_next, context) => (args) => {
            sent.push({ command: String(context.commandName), input: args.input as Record<string, unknown> });
            return Promise.resolve({ output: { $metadata: {}, VersionId: 'v-created-by-this-copy' }, response: {} });
          },
          { step: 'initialize', priority: 'high', name: 'recordAndAnswer' },
        ),
    });
    return { store, sent };
  }

  it('deletes the very version its copy created, so a versioned bucket keeps no noncurrent copy', async () => {
    const { store, sent } = recordingStore();
    const key = 'attachments/store/5/0b7e3f9e-5d0c-4a53-9a1f-0d7a1c9b2e11/a.png';

    const copied = await store.copy('uploads/store/5/0b7e3f9e-5d0c-4a53-9a1f-0d7a1c9b2e11/a.png', key, 'image/png');
    await store.remove(key, copied.versionId);

    expect(copied.versionId).toBe('v-created-by-this-copy');
    expect(sent.map((call) => call.command)).toEqual(['CopyObjectCommand', 'DeleteObjectCommand']);
    expect(sent[1]!.input).toMatchObject({ Bucket: 'chat-attachments', Key: key, VersionId: 'v-created-by-this-copy' });
  });

  it('deletes the current object where the bucket keeps no versions (the local emulator)', async () => {
    const { store, sent } = recordingStore();

    await store.remove('attachments/store/5/x/a.png', undefined);

    expect(sent[0]!.input).not.toHaveProperty('VersionId');
  });
});
