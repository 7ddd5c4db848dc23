import type { S3Client } from '@aws-sdk/client-s3';
import { createPresignedPost, type PresignedPost } from '@aws-sdk/s3-presigned-post';

/** The exact size the PNG upload policies allow. */
export const pngPolicySize = 16;

/** A policy for exactly pngPolicySize bytes of image/png at `key`, as the upload endpoint would sign it. */
export function pngPolicy(client: S3Client, bucket: string, key: string, expires = 60): Promise<PresignedPost> {
  return createPresignedPost(client, {
    Bucket: bucket,
    Key: key,
    Conditions: [
      ['content-length-range', pngPolicySize, pngPolicySize],
      ['eq', '$Content-Type', 'image/png'],
    ],
    Fields: { 'Content-Type': 'image/png' },
    Expires: expires,
  });
}

/** What a browser posts: the signed fields (with any changes), then a file of `bytes` bytes, last. */
export function uploadForm(post: PresignedPost, bytes: number, fields: Record<string, string> = {}): FormData {
  const form = new FormData();
  for (const [name, value] of Object.entries({ ...post.fields, ...fields })) form.append(name, value);
  form.append('file', new Blob([Buffer.alloc(bytes, 7)]), 'photo.png');
  return form;
}
