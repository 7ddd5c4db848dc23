import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { PresignedPost } from '@aws-sdk/s3-presigned-post';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { parseQuery, s3Checks, type SignedRequest } from '../../infra/local/s3-checks';
import { pngPolicySize, pngPolicy as signPngPolicy, uploadForm } from '../support/presigned-post';

// The local S3 front's checks without a server: the client only signs, nothing is sent.
const region = 'us-east-1';
const credentials = { accessKeyId: 'local-key', secretAccessKey: 'local-secret' };
const bucket = 'attachments-test';
const size = pngPolicySize;
const checks = s3Checks({ region, credentials });
/** The same checks, two minutes on. */
const later = s3Checks({ region, credentials, now: () => Date.now() + 120_000 });

const clientWith = (keys = credentials) => new S3Client({ region, endpoint: 'http://127.0.0.1:9', forcePathStyle: true, credentials: keys });

/** A policy for exactly `size` bytes of image/png at `key`, valid for 60 seconds, signed with `keys`. */
async function pngPolicy(key: string, keys = credentials): Promise<PresignedPost> {
  const client = clientWith(keys);
  try {
    return await signPngPolicy(client, bucket, key);
  } finally {
    client.destroy();
  }
}

/** A GET of `key` presigned for `expiresIn` seconds, as the request the front receives. */
async function presignedGet(key: string, expiresIn = 60): Promise<SignedRequest> {
  const client = clientWith();
  try {
    const url = new URL(await getSignedUrl(client, new GetObjectCommand({ Bucket: bucket, Key: key }), { expiresIn }));
    return { method: 'GET', path: url.pathname, query: parseQuery(url.search.slice(1)), headers: { host: url.host } };
  } finally {
    client.destroy();
  }
}

describe('POST policy checks', () => {
  it('accept a form that matches its signed policy', async () => {
    const post = await pngPolicy('uploads/exact.png');

    await expect(checks.checkPostPolicy(uploadForm(post, size), bucket)).resolves.toBeUndefined();
  });

  it('refuse a policy past its expiration', async () => {
    const post = await pngPolicy('uploads/late.png');

    await expect(later.checkPostPolicy(uploadForm(post, size), bucket)).rejects.toMatchObject({ status: 403, code: 'AccessDenied', message: 'Invalid according to Policy: Policy expired.' });
  });

  it('hold the file to content-length-range: one byte over or under is refused', async () => {
    const post = await pngPolicy('uploads/sized.png');

    await expect(checks.checkPostPolicy(uploadForm(post, size + 1), bucket)).rejects.toMatchObject({ status: 400, code: 'EntityTooLarge' });
    await expect(checks.checkPostPolicy(uploadForm(post, size - 1), bucket)).rejects.toMatchObject({ status: 400, code: 'EntityTooSmall' });
  });

  it('refuse a field no condition covers, but not an x-ignore- one', async () => {
    const post = await pngPolicy('uploads/extra.png');

    await expect(checks.checkPostPolicy(uploadForm(post, size, { 'x-amz-meta-owner': 'store-7' }), bucket)).rejects.toMatchObject({
      status: 403,
      message: 'Invalid according to Policy: Extra input fields: x-amz-meta-owner',
    });
    await expect(checks.checkPostPolicy(uploadForm(post, size, { 'x-ignore-note': 'anything' }), bucket)).resolves.toBeUndefined();
  });

  it('refuse a policy signed with another secret', async () => {
    const post = await pngPolicy('uploads/impostor.png', { ...credentials, secretAccessKey: 'not-the-secret' });

    await expect(checks.checkPostPolicy(uploadForm(post, size), bucket)).rejects.toMatchObject({ status: 403, code: 'SignatureDoesNotMatch' });
  });
});

describe('signed request checks', () => {
  it('accept a presigned URL while valid, and refuse it once expired', async () => {
    const request = await presignedGet('attachments/a.png');

    await expect(checks.checkSignedRequest(request)).resolves.toBeUndefined();
    await expect(later.checkSignedRequest(request)).rejects.toMatchObject({ status: 403, code: 'AccessDenied', message: 'Request has expired' });
  });

  it('refuse a presigned URL used for another key than the one signed', async () => {
    const request = await presignedGet('attachments/a.png');

    await expect(checks.checkSignedRequest({ ...request, path: request.path.replace('a.png', 'b.png') })).rejects.toMatchObject({ status: 403, code: 'SignatureDoesNotMatch' });
  });

  it('refuse an unsigned request: the buckets are private', async () => {
    await expect(checks.checkSignedRequest({ method: 'GET', path: `/${bucket}/a.png`, query: {}, headers: {} })).rejects.toMatchObject({ status: 403, code: 'AccessDenied', message: 'Access Denied' });
  });
});
