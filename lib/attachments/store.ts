import type { S3Client } from '@aws-sdk/client-s3';
import { attachmentUrls, type AttachmentUrls } from './urls';

export interface PresignedUpload {
  url: string;
  method: 'POST';
  fields: Record<string, string>;
  expires_at: string;
}

export interface ObjectHead {
  /** The first bytes of the object, for type detection. */
  head: Uint8Array;
  size: number;
}

/** The attachment bucket, behind an interface so tests and the local stack can point it anywhere. */
export interface AttachmentStore extends AttachmentUrls {
  presignUpload(key: string, contentType: string, size: number, nowMs: number): Promise<PresignedUpload>;
  presignDownload(key: string): Promise<string>;
  readHead(key: string, bytes: number): Promise<ObjectHead | undefined>;
  /** Resolves when S3 answers for this key (found or not); throws when it cannot be reached. */
  probe(key: string): Promise<void>;
  /** Resolves to the version the copy created, where the bucket is versioned (the deployed one is). */
  copy(from: string, to: string, contentType: string): Promise<{ versionId?: string | undefined }>;
  /**
   * Deletes one object; a key that is not there is not an error. With a version id
   * it deletes that version for good, so no noncurrent copy is left behind.
   */
  remove(key: string, versionId?: string): Promise<void>;
}

export interface S3AttachmentStoreOptions {
  bucket: string;
  region: string;
  /** Local only: the S3 emulator. Path-style addressing is used with it. */
  endpoint?: string | undefined;
  /** Lets the local stack add middleware (its grant checks) to the client. */
  configure?: ((client: S3Client) => void) | undefined;
}

/**
 * The same store, with the S3 client loaded on first use: a text message never
 * touches S3, so no function pays for it at init. Deployed, './s3-store.js' is a
 * file of its own next to the bundle, not in it (s3StoreFile in
 * infra/constructs/bundling.ts; docs/PERFORMANCE.md, "6. Cold start").
 */
export function lazyS3AttachmentStore(options: S3AttachmentStoreOptions): AttachmentStore {
  let loaded: Promise<AttachmentStore> | undefined;
  const store = (): Promise<AttachmentStore> => (loaded ??= import('./s3-store.js').then((s3) => s3.createS3AttachmentStore(options)));
  return {
    ...attachmentUrls(options.bucket, options.region),
    presignUpload: async (...args) => (await store()).presignUpload(...args),
    presignDownload: async (...args) => (await store()).presignDownload(...args),
    readHead: async (...args) => (await store()).readHead(...args),
    probe: async (...args) => (await store()).probe(...args),
    copy: async (...args) => (await store()).copy(...args),
    remove: async (...args) => (await store()).remove(...args),
  };
}
