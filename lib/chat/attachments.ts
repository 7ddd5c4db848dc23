import * as z from '../validation';
import { limits } from '../limits';
import { checkLink } from './links';

const mimePattern = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/;

const tooLong = `Must be at most ${limits.attachmentUrlMaxChars} characters`;

/**
 * A link field (attachment_url, open_url): "" or an https URL that passes
 * links.ts's rule, turned into its normalised href, so the draft, the stored
 * message and idempotent retries all carry the same string (README "Links").
 */
export const attachmentUrlField = z.pipe(
  z.string({ error: 'Must be a string' }).check(z.maxLength(limits.attachmentUrlMaxChars, tooLong)),
  z.transform((value: string, ctx) => {
    if (value === '') return value;
    const link = checkLink(value);
    // zod/mini's transform context has no addIssue: issues go on the list as classic zod's addIssue put them.
    if ('problem' in link) {
      ctx.issues.push({ code: 'custom', message: link.problem, input: value });
      return z.NEVER;
    }
    // Normalising can add one "/" (an empty path); the stored href keeps the limit too.
    if (link.href.length > limits.attachmentUrlMaxChars) {
      ctx.issues.push({ code: 'custom', message: tooLong, input: value });
      return z.NEVER;
    }
    return link.href;
  }),
);

export const attachmentTypeField = z
  .pipe(
    z.string({ error: 'Must be a string' }).check(z.maxLength(limits.attachmentTypeMaxChars, `Must be at most ${limits.attachmentTypeMaxChars} characters`)),
    z.transform((value: string) => value.trim().toLowerCase()),
  )
  .check(z.refine((value) => value === '' || mimePattern.test(value), 'Must be a MIME type such as image/jpeg'));

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
