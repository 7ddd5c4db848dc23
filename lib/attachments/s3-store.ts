import { CopyObjectCommand, DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { awsHttpHandler, localCredentials } from '../aws-http';
import { downloadUrlTtlSeconds, uploadUrlTtlSeconds } from './policy';
import type { AttachmentStore, S3AttachmentStoreOptions } from './store';
import { attachmentUrls, encodeKey } from './urls';

/** Types a browser may show inline; anything else downloads, so no attachment renders as a page. */
const inlineTypes = /^(image\/(jpeg|png|gif|webp|heic)|application\/pdf|audio\/|video\/)/;

export function createS3AttachmentStore({ bucket, region, endpoint, configure }: S3AttachmentStoreOptions): AttachmentStore {
  const client = new S3Client({
    region,
    ...(endpoint ? { endpoint, forcePathStyle: true, credentials: localCredentials } : {}),
    requestHandler: awsHttpHandler({ maxSockets: 64, connectMs: 2000, requestMs: 5000 }),
  });
  configure?.(client);
  return {
    ...attachmentUrls(bucket, region),
    async presignUpload(key, contentType, size, nowMs) {
      const post = await createPresignedPost(client, {
        Bucket: bucket,
        Key: key,
        // Exactly the declared size: S3 refuses a larger (or smaller) body.
        Conditions: [['content-length-range', size, size], ['eq', '$Content-Type', contentType]],
        Fields: { 'Content-Type': contentType },
        Expires: uploadUrlTtlSeconds,
      });
      return { url: post.url, method: 'POST', fields: post.fields, expires_at: new Date(nowMs + uploadUrlTtlSeconds * 1000).toISOString() };
    },
    presignDownload: (key) => getSignedUrl(client, new GetObjectCommand({ Bucket: bucket, Key: key }), { expiresIn: downloadUrlTtlSeconds }),
    async readHead(key, bytes) {
      try {
        const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key, Range: `bytes=0-${bytes - 1}` }));
        const head = (await out.Body?.transformToByteArray()) ?? new Uint8Array();
        const total = /\/(\d+)$/.exec(out.ContentRange ?? '')?.[1];
        return { head, size: total === undefined ? head.length : Number(total) };
      } catch (error) {
        const name = (error as { name?: string }).name;
        if (name === 'NoSuchKey' || name === 'NotFound') return undefined;
        // An empty object cannot satisfy a range.
        if (name === 'InvalidRange') return { head: new Uint8Array(), size: 0 };
        throw error;
      }
    },
    async probe(key) {
      try {
        await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      } catch (error) {
        if ((error as { name?: string }).name !== 'NotFound') throw error;
      }
    },
    async copy(from, to, contentType) {
      const out = await client.send(
        new CopyObjectCommand({
          Bucket: bucket,
          Key: to,
          CopySource: `${bucket}/${encodeKey(from)}`,
          MetadataDirective: 'REPLACE',
          ContentType: contentType,
          ContentDisposition: inlineTypes.test(contentType) ? 'inline' : 'attachment',
          CacheControl: 'private, max-age=900',
        }),
      );
      return { versionId: out.VersionId };
    },
    async remove(key, versionId) {
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key, ...(versionId ? { VersionId: versionId } : {}) }));
    },
  };
}
