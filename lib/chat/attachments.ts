import * as z from 'zod';
import { limits } from '../limits';

const mimePattern = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/;

export const attachmentUrlField = z
  .string({ error: 'Must be a string' })
  .max(limits.attachmentUrlMaxChars, `Must be at most ${limits.attachmentUrlMaxChars} characters`)
  .refine((value) => value === '' || isHttpsUrl(value), 'Must be an https URL');

export const attachmentTypeField = z
  .string({ error: 'Must be a string' })
  .max(limits.attachmentTypeMaxChars, `Must be at most ${limits.attachmentTypeMaxChars} characters`)
  .transform((value) => value.trim().toLowerCase())
  .refine((value) => value === '' || mimePattern.test(value), 'Must be a MIME type such as image/jpeg');

function isHttpsUrl(value: string): boolean {
  if (/[\s\u0000-\u001f\u007f]/.test(value)) return false;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' && url.hostname !== '';
  } catch {
    return false;
  }
}

const byExtension: Record<string, string> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  webp: 'image/webp',
  heic: 'image/heic',
  pdf: 'application/pdf',
  txt: 'text/plain',
  csv: 'text/csv',
  mp4: 'video/mp4',
  mov: 'video/quicktime',
  mp3: 'audio/mpeg',
  m4a: 'audio/mp4',
  doc: 'application/msword',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xls: 'application/vnd.ms-excel',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

/** Infers a type from the URL's extension; the server never fetches external URLs. */
export function inferAttachmentType(url: string): string {
  const path = new URL(url).pathname;
  const extension = path.slice(path.lastIndexOf('.') + 1).toLowerCase();
  return byExtension[extension] ?? 'application/octet-stream';
}
