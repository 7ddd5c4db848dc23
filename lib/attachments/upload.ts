import { randomUUID } from 'node:crypto';
import * as z from '../validation';
import { textField } from '../chat/text';
import { chatTableRef, type Deps } from '../deps';
import type { Principal } from '../entities/principal';
import { takeUploadTicket } from '../entities/upload-window';
import { BadRequestError, ServiceUnavailableError, TooManyRequestsError } from '../errors';
import { limits } from '../limits';
import { integerField } from '../http/integers';
import { activeStore } from '../chat/session-target';
import { isAllowedType, maxAttachmentBytes, uploadsPrefix } from './policy';
import { normalizeType } from './sniff';
import type { PresignedUpload } from './store';

export const uploadRequest = z.object({
  file_name: textField(255).check(z.refine((name) => name.trim() !== '', 'Must not be empty')),
  content_type: z
    .pipe(z.string({ error: 'Must be a string' }).check(z.maxLength(255, 'Must be at most 255 characters')), z.transform(normalizeType))
    .check(z.refine((type) => isAllowedType(type), 'This file type is not allowed')),
  // The shared integer rule (http/integers.ts): 2^53 says it is too large, not "Must be an integer".
  size: integerField({ min: 1, max: maxAttachmentBytes, tooSmall: 'Must be at least 1 byte', tooLarge: `Must be at most ${maxAttachmentBytes} bytes (20 MB)` }),
});

export type UploadRequest = z.infer<typeof uploadRequest>;

export interface UploadTicket {
  attachment_url: string;
  upload: PresignedUpload;
}

/**
 * A key-safe file name: ASCII letters, digits, dash and underscore, plus a
 * short alphanumeric extension. Keys need no escaping and cannot traverse.
 */
export function safeFileName(name: string): string {
  const normalized = name.normalize('NFKC');
  const dot = normalized.lastIndexOf('.');
  const rawExtension = dot > 0 ? normalized.slice(dot + 1) : '';
  const extension = /^[A-Za-z0-9]{1,10}$/.test(rawExtension) ? `.${rawExtension.toLowerCase()}` : '';
  const base = (extension ? normalized.slice(0, dot) : normalized)
    .replace(/[^A-Za-z0-9-]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 100);
  return (base || 'file') + extension;
}

export interface UploadLimit {
  tickets: number;
  windowMs: number;
}

const defaultUploadLimit: UploadLimit = { tickets: limits.uploadTicketsPerWindow, windowMs: limits.uploadTicketWindowSeconds * 1000 };

/**
 * The fixed window `nowMs` falls in: windows start at multiples of `windowMs`
 * since the epoch, so every Lambda instance agrees on the window without a
 * read. A burst across a boundary can get up to twice the limit in a short
 * span; README "Limits" says so.
 */
export function ticketWindow(nowMs: number, windowMs: number): { startMs: number; resetsInMs: number } {
  const startMs = Math.floor(nowMs / windowMs) * windowMs;
  return { startMs, resetsInMs: startMs + windowMs - nowMs };
}

/** Counts one upload ticket for the principal, or refuses it with 429 and Retry-After once its window is full. */
export async function countUploadTicket(deps: Deps, uploader: Principal): Promise<void> {
  const limit = deps.uploadLimit ?? defaultUploadLimit;
  const { startMs, resetsInMs } = ticketWindow(deps.clock.now(), limit.windowMs);
  if (!(await takeUploadTicket(chatTableRef(deps), uploader, startMs, limit.windowMs, limit.tickets))) {
    throw new TooManyRequestsError(`Too many uploads: at most ${limit.tickets} every ${limit.windowMs / 1000} seconds`, resetsInMs / 1000);
  }
}

/**
 * A presigned POST for one file under the uploader's own prefix. S3 enforces
 * the declared size and type; the message that later references the file
 * proves it is the uploader's and checks its bytes.
 */
export async function createUpload(deps: Deps, uploader: Principal, request: UploadRequest): Promise<UploadTicket> {
  const store = deps.attachments;
  if (!store) throw new BadRequestError('Attachments are not configured');
  // A blocked store may not upload either.
  if (uploader.kind === 'store') await activeStore(deps, uploader.id);
  // Before S3 is asked anything, so a flood of tickets costs one conditional write each and no S3 call.
  await countUploadTicket(deps, uploader);
  const key = `${uploadsPrefix}${uploader.kind}/${uploader.id}/${randomUUID()}/${safeFileName(request.file_name)}`;
  try {
    // Signing needs no request; ask S3 first so a ticket is never handed out while S3 is away.
    await store.probe(key);
    return {
      attachment_url: store.canonicalUrl(key),
      upload: await store.presignUpload(key, request.content_type, request.size, deps.clock.now()),
    };
  } catch (error) {
    throw new ServiceUnavailableError('Attachment storage is unavailable, please retry', { cause: error });
  }
}
