import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { createPresignedPost, type PresignedPost } from '@aws-sdk/s3-presigned-post';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { startS3Emulator, type S3Emulator } from '../../infra/local/s3-emulator';
import { pngPolicySize, pngPolicy as signPngPolicy, uploadForm } from '../support/presigned-post';

const region = 'us-east-1';
const credentials = { accessKeyId: 'local-key', secretAccessKey: 'local-secret' };
const bucket = 'attachments-test';
const size = pngPolicySize;
/** The console's origin (the local edge), the only one the bucket's CORS rule allows. */
const consoleOrigin = 'http://127.0.0.1:3000';

let directory: string;
let emulator: S3Emulator;
let s3: S3Client;

function clientFor(endpoint: string, keys = credentials): S3Client {
  return new S3Client({ region, endpoint, forcePathStyle: true, credentials: keys });
}

function startOn(dir: string): Promise<S3Emulator> {
  return startS3Emulator({ host: '127.0.0.1', port: 0, directory: dir, buckets: [bucket], region, credentials, corsOrigins: () => [consoleOrigin] });
}

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), 's3-emulator-'));
  emulator = await startOn(directory);
  s3 = clientFor(emulator.endpoint);
});

afterAll(async () => {
  s3.destroy();
  await emulator.close();
  rmSync(directory, { recursive: true, force: true });
});

/** A policy for exactly `size` bytes of image/png at `key`, as the upload endpoint would sign it. */
function pngPolicy(key: string, client = s3, expires = 60): Promise<PresignedPost> {
  return signPngPolicy(client, bucket, key, expires);
}

/** What a browser sends: the signed fields (with any changes), then the file last. */
function upload(post: PresignedPost, bytes: number, fields: Record<string, string> = {}): Promise<Response> {
  return fetch(post.url, { method: 'POST', body: uploadForm(post, bytes, fields) });
}

async function s3Error(response: Response): Promise<{ status: number; code: string; message: string }> {
  const body = await response.text();
  return {
    status: response.status,
    code: /<Code>(.*?)<\/Code>/.exec(body)?.[1] ?? '',
    message: /<Message>(.*?)<\/Message>/.exec(body)?.[1] ?? '',
  };
}

function head(key: string) {
  return s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
}

describe('POST policy uploads', () => {
  it('stores a file of exactly the allowed size', async () => {
    const post = await pngPolicy('uploads/exact.png');

    const response = await upload(post, size);

    expect(response.status).toBe(204);
    expect((await head('uploads/exact.png')).ContentLength).toBe(size);
  });

  it('refuses one byte over the range with EntityTooLarge and stores nothing', async () => {
    const post = await pngPolicy('uploads/too-large.png');

    const response = await upload(post, size + 1);

    expect(await s3Error(response)).toMatchObject({ status: 400, code: 'EntityTooLarge' });
    await expect(head('uploads/too-large.png')).rejects.toMatchObject({ name: 'NotFound' });
  });

  it('refuses one byte under the range with EntityTooSmall', async () => {
    const post = await pngPolicy('uploads/too-small.png');

    const response = await upload(post, size - 1);

    expect(await s3Error(response)).toMatchObject({ status: 400, code: 'EntityTooSmall' });
    await expect(head('uploads/too-small.png')).rejects.toMatchObject({ name: 'NotFound' });
  });

  it('refuses a Content-Type the policy does not allow', async () => {
    const post = await pngPolicy('uploads/wrong-type.png');

    const response = await upload(post, size, { 'Content-Type': 'text/html' });

    expect(await s3Error(response)).toEqual({
      status: 403,
      code: 'AccessDenied',
      message: 'Invalid according to Policy: Policy Condition failed: ["eq","$Content-Type","image/png"]',
    });
  });

  it('refuses a key changed after signing', async () => {
    const post = await pngPolicy('uploads/mine.png');

    const response = await upload(post, size, { key: 'uploads/someone-else.png' });

    expect(await s3Error(response)).toMatchObject({ status: 403, code: 'AccessDenied', message: expect.stringContaining('Policy Condition failed: {"key":"uploads/mine.png"}') });
    await expect(head('uploads/someone-else.png')).rejects.toMatchObject({ name: 'NotFound' });
  });

  it('refuses a policy edited after signing with SignatureDoesNotMatch', async () => {
    const post = await pngPolicy('uploads/tampered.png');
    const policy = JSON.parse(Buffer.from(post.fields.Policy!, 'base64').toString('utf8'));
    policy.conditions[0] = ['content-length-range', 0, 1024 * 1024];
    const tampered = Buffer.from(JSON.stringify(policy)).toString('base64');

    const response = await upload(post, 1000, { Policy: tampered });

    expect(await s3Error(response)).toMatchObject({ status: 403, code: 'SignatureDoesNotMatch' });
  });

  it('refuses a policy signed with another secret', async () => {
    const impostor = clientFor(emulator.endpoint, { accessKeyId: credentials.accessKeyId, secretAccessKey: 'not-the-secret' });
    const post = await pngPolicy('uploads/impostor.png', impostor);
    impostor.destroy();

    const response = await upload(post, size);

    expect(await s3Error(response)).toMatchObject({ status: 403, code: 'SignatureDoesNotMatch' });
  });

  it('refuses a policy signed for an access key it does not know', async () => {
    const stranger = clientFor(emulator.endpoint, { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' });
    const post = await pngPolicy('uploads/stranger.png', stranger);
    stranger.destroy();

    const response = await upload(post, size);

    expect(await s3Error(response)).toMatchObject({ status: 403, code: 'InvalidAccessKeyId' });
  });

  it('refuses an expired policy', async () => {
    const post = await pngPolicy('uploads/late.png', s3, 1);
    await sleep(1500);

    const response = await upload(post, size);

    expect(await s3Error(response)).toEqual({ status: 403, code: 'AccessDenied', message: 'Invalid according to Policy: Policy expired.' });
  });

  it('refuses a form field no condition covers, but not an x-ignore- one', async () => {
    const post = await pngPolicy('uploads/extra.png');

    const extra = await upload(post, size, { 'x-amz-meta-owner': 'store-7' });
    const ignored = await upload(post, size, { 'x-ignore-note': 'anything' });

    expect(await s3Error(extra)).toEqual({ status: 403, code: 'AccessDenied', message: 'Invalid according to Policy: Extra input fields: x-amz-meta-owner' });
    expect(ignored.status).toBe(204);
  });

  it("honours a starts-with key condition and refuses a key outside the prefix", async () => {
    const post = await createPresignedPost(s3, { Bucket: bucket, Key: 'uploads/store-7/${filename}', Conditions: [['content-length-range', 1, 100]], Expires: 60 });

    const inside = await upload(post, size, { key: 'uploads/store-7/photo.png' });
    const outside = await upload(post, size, { key: 'uploads/store-8/photo.png' });

    expect(inside.status).toBe(204);
    expect((await head('uploads/store-7/photo.png')).ContentLength).toBe(size);
    expect(await s3Error(outside)).toEqual({
      status: 403,
      code: 'AccessDenied',
      message: 'Invalid according to Policy: Policy Condition failed: ["starts-with","$key","uploads/store-7/"]',
    });
  });

  it('refuses an upload without a policy, as into any private bucket', async () => {
    const form = new FormData();
    form.append('key', 'uploads/anonymous.png');
    form.append('file', new Blob([Buffer.alloc(size)]));

    const response = await fetch(`${emulator.endpoint}/${bucket}`, { method: 'POST', body: form });

    expect(await s3Error(response)).toMatchObject({ status: 403, code: 'AccessDenied' });
  });
});

describe('requests signed by the SDK', () => {
  it('pass through: put, ranged get, head, copy, list, delete', async () => {
    const body = Buffer.from('hello, attachments');

    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'sdk/original.txt', Body: body, ContentType: 'text/plain' }));
    const ranged = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'sdk/original.txt', Range: 'bytes=0-3' }));
    const headed = await head('sdk/original.txt');
    await s3.send(new CopyObjectCommand({ Bucket: bucket, Key: 'sdk/copy.txt', CopySource: `${bucket}/sdk/original.txt` }));
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'sdk/' }));
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'sdk/original.txt' }));

    expect(await ranged.Body!.transformToString()).toBe('hell');
    expect(headed).toMatchObject({ ContentLength: body.length, ContentType: 'text/plain' });
    expect(listed.Contents?.map((object) => object.Key)).toEqual(['sdk/copy.txt', 'sdk/original.txt']);
    await expect(head('sdk/original.txt')).rejects.toMatchObject({ name: 'NotFound' });
    expect((await head('sdk/copy.txt')).ContentLength).toBe(body.length);
  });

  it('are refused when signed with another secret', async () => {
    const impostor = clientFor(emulator.endpoint, { accessKeyId: credentials.accessKeyId, secretAccessKey: 'not-the-secret' });

    const attempt = impostor.send(new PutObjectCommand({ Bucket: bucket, Key: 'sdk/impostor.txt', Body: 'x' }));

    await expect(attempt).rejects.toMatchObject({ name: 'SignatureDoesNotMatch', $metadata: { httpStatusCode: 403 } });
    impostor.destroy();
    await expect(head('sdk/impostor.txt')).rejects.toMatchObject({ name: 'NotFound' });
  });

  it("are refused with s3rver's own dummy key", async () => {
    const stranger = clientFor(emulator.endpoint, { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' });

    const attempt = stranger.send(new ListObjectsV2Command({ Bucket: bucket }));

    await expect(attempt).rejects.toMatchObject({ name: 'InvalidAccessKeyId' });
    stranger.destroy();
  });

  it('are required: an anonymous GET is refused', async () => {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'sdk/private.txt', Body: 'secret' }));

    const response = await fetch(`${emulator.endpoint}/${bucket}/sdk/private.txt`);

    expect(await s3Error(response)).toMatchObject({ status: 403, code: 'AccessDenied' });
  });
});

describe('presigned URLs', () => {
  const key = 'downloads/report.csv';
  const content = 'order,status\n1042,refunded\n';

  beforeAll(async () => {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: content, ContentType: 'text/csv' }));
  });

  it('fetch the object while valid', async () => {
    const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket: bucket, Key: key }), { expiresIn: 60 });

    const response = await fetch(url);

    expect(response.status).toBe(200);
    expect(await response.text()).toBe(content);
  });

  it('are refused once expired', async () => {
    const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket: bucket, Key: key }), { expiresIn: 1 });
    await sleep(1500);

    const response = await fetch(url);

    expect(await s3Error(response)).toEqual({ status: 403, code: 'AccessDenied', message: 'Request has expired' });
  });

  it('are refused for another key than the one signed', async () => {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'downloads/other.csv', Body: 'other' }));
    const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket: bucket, Key: key }), { expiresIn: 60 });

    const response = await fetch(url.replace('/downloads/report.csv?', '/downloads/other.csv?'));

    expect(await s3Error(response)).toMatchObject({ status: 403, code: 'SignatureDoesNotMatch' });
  });

  it('are refused when signed with another secret', async () => {
    const impostor = clientFor(emulator.endpoint, { accessKeyId: credentials.accessKeyId, secretAccessKey: 'not-the-secret' });
    const url = await getSignedUrl(impostor, new GetObjectCommand({ Bucket: bucket, Key: key }), { expiresIn: 60 });
    impostor.destroy();

    const response = await fetch(url);

    expect(await s3Error(response)).toMatchObject({ status: 403, code: 'SignatureDoesNotMatch' });
  });

  it('upload with PUT when signed for the content', async () => {
    const url = await getSignedUrl(s3, new PutObjectCommand({ Bucket: bucket, Key: 'uploads/put.txt' }), { expiresIn: 60 });

    const response = await fetch(url, { method: 'PUT', body: 'put by url', headers: { 'content-type': 'text/plain' } });

    expect(response.status).toBe(200);
    expect((await head('uploads/put.txt')).ContentLength).toBe('put by url'.length);
  });
});

describe('browser access (CORS)', () => {
  const preflight = (origin: string | undefined, method: string | undefined, requestHeaders?: string) =>
    fetch(`${emulator.endpoint}/${bucket}`, {
      method: 'OPTIONS',
      headers: {
        ...(origin ? { origin } : {}),
        ...(method ? { 'access-control-request-method': method } : {}),
        ...(requestHeaders ? { 'access-control-request-headers': requestHeaders } : {}),
      },
    });

  it('allows the console origin to preflight a POST upload, as the bucket rule does', async () => {
    const response = await preflight(consoleOrigin, 'POST');

    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe(consoleOrigin);
    expect(response.headers.get('access-control-allow-methods')).toBe('POST');
    expect(response.headers.get('access-control-max-age')).toBe('3000');
    expect(response.headers.get('vary')).toContain('Origin');
  });

  it('refuses a preflight from any other origin with S3\'s 403', async () => {
    const response = await preflight('https://evil.example', 'POST');

    expect(await s3Error(response)).toMatchObject({ status: 403, code: 'AccessForbidden' });
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('refuses methods and request headers the rule does not allow, even from the console', async () => {
    const put = await preflight(consoleOrigin, 'PUT');
    const get = await preflight(consoleOrigin, 'GET');
    const header = await preflight(consoleOrigin, 'POST', 'x-custom');

    expect(await s3Error(put)).toMatchObject({ status: 403, code: 'AccessForbidden' });
    expect(await s3Error(get)).toMatchObject({ status: 403, code: 'AccessForbidden' });
    expect(await s3Error(header)).toMatchObject({ status: 403, code: 'AccessForbidden' });
  });

  it('answers a malformed preflight as S3 does', async () => {
    expect(await s3Error(await preflight(undefined, 'POST'))).toMatchObject({ status: 400, code: 'BadRequest' });
    expect(await s3Error(await preflight(consoleOrigin, undefined))).toMatchObject({ status: 400, code: 'BadRequest' });
  });

  it('lets the console read the answer of its upload, and of a refused one; no other origin', async () => {
    const post = await pngPolicy('uploads/cors.png');
    const fromConsole = await fetch(post.url, { method: 'POST', body: uploadForm(post, size), headers: { origin: consoleOrigin } });
    const refused = await fetch(post.url, { method: 'POST', body: uploadForm(post, size + 1), headers: { origin: consoleOrigin } });
    const elsewhere = await fetch(post.url, { method: 'POST', body: uploadForm(post, size), headers: { origin: 'https://evil.example' } });

    expect(fromConsole.status).toBe(204);
    expect(fromConsole.headers.get('access-control-allow-origin')).toBe(consoleOrigin);
    expect(refused.status).toBe(400);
    expect(refused.headers.get('access-control-allow-origin')).toBe(consoleOrigin);
    // S3 still stores a form POST from anywhere (CORS only decides what a page may read), but tells that page nothing.
    expect(elsewhere.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('adds no CORS headers to downloads: the console shows files with <img> and links, which need none', async () => {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'attachments/cors.txt', Body: 'x' }));
    const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket: bucket, Key: 'attachments/cors.txt' }), { expiresIn: 60 });

    const response = await fetch(url, { headers: { origin: consoleOrigin } });

    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('restarts', () => {
  it('keep objects stored in the same directory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 's3-emulator-restart-'));
    const first = await startOn(dir);
    const before = clientFor(first.endpoint);
    await before.send(new PutObjectCommand({ Bucket: bucket, Key: 'kept.txt', Body: 'still here' }));
    before.destroy();
    await first.close();

    const second = await startOn(dir);
    const after = clientFor(second.endpoint);
    const object = await after.send(new GetObjectCommand({ Bucket: bucket, Key: 'kept.txt' }));
    const text = await object.Body!.transformToString();
    after.destroy();
    await second.close();
    rmSync(dir, { recursive: true, force: true });

    expect(text).toBe('still here');
  });
});
