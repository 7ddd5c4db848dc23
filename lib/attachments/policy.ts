/**
 * What may be uploaded, and where it lives. Shared by the upload endpoint,
 * the send path, the local S3 emulator and the CDK bucket.
 */

/** Amazon Connect's attachment limit, for reference, is 20 MB too. */
export const maxAttachmentBytes = 20 * 1024 * 1024;

/** A presigned upload is valid this long. */
export const uploadUrlTtlSeconds = 15 * 60;

/** A presigned download link in a message is valid this long. */
export const downloadUrlTtlSeconds = 15 * 60;

/** Abandoned uploads (never sent in a message) are deleted after this many days. */
export const uploadRetentionDays = 1;

/**
 * Images, PDF, office documents, plain text, audio and video. Nothing a
 * browser would execute or render as active content (no HTML, SVG or XML).
 */
export const allowedAttachmentTypes = [
  'image/jpeg',
  'image/png',
  'image/gif',
  'image/webp',
  'image/heic',
  'application/pdf',
  'text/plain',
  'text/csv',
  'application/msword',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.ms-excel',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.ms-powerpoint',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  'audio/mpeg',
  'audio/mp4',
  'audio/wav',
  'audio/ogg',
  'video/mp4',
  'video/quicktime',
  'video/webm',
] as const;

export type AttachmentType = (typeof allowedAttachmentTypes)[number];

export function isAllowedType(type: string): type is AttachmentType {
  return (allowedAttachmentTypes as readonly string[]).includes(type);
}

/** Key prefixes: uploads land under the uploader's prefix, and are copied out when sent. */
export const uploadsPrefix = 'uploads/';
export const attachmentsPrefix = 'attachments/';
