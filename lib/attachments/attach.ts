import { inferAttachmentType } from '../chat/attachments';
import type { Deps } from '../deps';
import type { Principal } from '../entities/principal';
import { BadRequestError, ServiceUnavailableError } from '../errors';
import { attachmentsPrefix, isAllowedType, maxAttachmentBytes, uploadsPrefix } from './policy';
import { detectType, normalizeType, typesAgree } from './sniff';
import type { ObjectHead } from './store';

/** uploads/<store|admin>/<id>/<uuid>/<file name>, as issued by the upload endpoint. */
const uploadKey = /^uploads\/(store|admin)\/([1-9][0-9]*)\/([0-9a-f-]{36})\/([A-Za-z0-9._-]{1,120})$/;

const sniffBytes = 4096;

/**
 * The label of an external link whose type is unknown. External URLs are
 * never fetched, so their type is only a label for clients; this one tells
 * them to offer a download, never to render (README "Attachment types").
 */
export const unknownExternalType = 'application/octet-stream';

/** The part of a message an attachment settles. */
export interface AttachmentFields {
  content: string;
  attachment_url: string;
  attachment_type: string;
}

/** The one S3 write a checked upload still needs: uploads/ (which expire) to attachments/ (which stay). */
export interface PendingCopy {
  from: string;
  to: string;
  type: string;
  /** attachments/ already holds this upload (an earlier message sent it): nothing to copy, nothing to remove. */
  exists: boolean;
}

export interface CheckedAttachment<T> {
  fields: T;
  copy?: PendingCopy;
}

const refuse = (field: 'attachment_url' | 'attachment_type', message: string) => new BadRequestError('Invalid request body', { [field]: [message] });

const unavailable = (error: unknown) => new ServiceUnavailableError('Attachment storage is unavailable, please retry', { cause: error });

/**
 * Checks a message's attachment and writes nothing (README "Send Message":
 * nothing is stored for any 4xx). An external https URL keeps its declared
 * type or gets one from its extension, must be on the allowlist (or the
 * unknown-type label), and is never fetched. One of our uploads must be the
 * sender's own and exist; its type comes from its bytes, and a declared type
 * must agree. Its copy to attachments/ is returned for `copyAttachment`, which
 * the sender runs only once every other check of the request has passed.
 */
export async function checkAttachment<T extends AttachmentFields>(deps: Deps, sender: Principal, input: T): Promise<CheckedAttachment<T>> {
  if (input.attachment_url === '') return { fields: input };
  const key = deps.attachments?.keyOf(input.attachment_url);
  if (key === undefined) {
    const type = input.attachment_type === '' ? inferAttachmentType(input.attachment_url) : normalizeType(input.attachment_type);
    if (type !== unknownExternalType && !isAllowedType(type)) throw refuse('attachment_type', `The file type ${type} is not allowed`);
    return { fields: { ...input, attachment_type: type } };
  }
  const store = deps.attachments;
  const match = uploadKey.exec(key);
  if (!store || !match || match[1] !== sender.kind || Number(match[2]) !== sender.id) {
    throw refuse('attachment_url', 'Is not one of your uploads');
  }
  const fileName = match[4] ?? '';
  const target = attachmentsPrefix + key.slice(uploadsPrefix.length);
  let upload: ObjectHead | undefined;
  let sent: ObjectHead | undefined;
  try {
    // The copy an earlier message made, if any, read alongside the upload at no extra latency: a sent
    // file never changes, and a refused request must never remove what another message shows.
    [upload, sent] = await Promise.all([store.readHead(key, sniffBytes), store.readHead(target, sniffBytes)]);
  } catch (error) {
    throw unavailable(error);
  }
  const object = sent ?? upload;
  if (!object) throw refuse('attachment_url', 'Upload the file before sending it');
  if (object.size > maxAttachmentBytes) throw refuse('attachment_url', `The file is larger than ${maxAttachmentBytes} bytes`);
  const detected = detectType(object.head, fileName);
  if (detected === undefined) throw refuse('attachment_url', 'The file type is not recognised');
  const declared = input.attachment_type === '' ? undefined : normalizeType(input.attachment_type);
  if (declared !== undefined && !typesAgree(declared, detected)) {
    throw refuse('attachment_type', `Does not match the file, which is ${detected}`);
  }
  const type = declared ?? detected;
  if (!isAllowedType(type)) throw refuse('attachment_url', `The file type ${type} is not allowed`);
  return {
    fields: { ...input, attachment_url: store.canonicalUrl(target), attachment_type: type },
    copy: { from: key, to: target, type, exists: sent !== undefined },
  };
}

/** An object a send created: its key, and the version it created where the bucket is versioned. */
export interface CreatedCopy {
  key: string;
  versionId?: string | undefined;
}

/** The only S3 write of a send. Resolves to what it created, or undefined when the object was already there. */
export async function copyAttachment(deps: Deps, copy: PendingCopy): Promise<CreatedCopy | undefined> {
  if (copy.exists) return undefined;
  const store = deps.attachments;
  if (!store) throw unavailable(new Error('no attachment store'));
  try {
    const { versionId } = await store.copy(copy.from, copy.to, copy.type);
    return { key: copy.to, versionId };
  } catch (error) {
    throw unavailable(error);
  }
}

/**
 * Undoes copies of a request the log then refused with a 4xx. Deleting the very
 * version this request created leaves nothing behind in a versioned bucket (no
 * noncurrent version), and never touches a version another request wrote to the
 * same key meanwhile: that one becomes current again. Best effort: a failure is
 * logged, and the object stays (it is only reachable through a message, and no
 * message names it).
 */
export async function removeCopies(deps: Deps, copies: readonly CreatedCopy[]): Promise<void> {
  const store = deps.attachments;
  if (!store || copies.length === 0) return;
  await Promise.all(
    copies.map(async ({ key, versionId }) => {
      try {
        await store.remove(key, versionId);
      } catch (error) {
        deps.log.warn('could not remove the copy of a refused send', { key, error });
      }
    }),
  );
}
