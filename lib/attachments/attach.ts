import { inferAttachmentType } from '../chat/attachments';
import type { Deps } from '../deps';
import type { Principal } from '../entities/principal';
import { BadRequestError, ServiceUnavailableError } from '../errors';
import { attachmentsPrefix, isAllowedType, maxAttachmentBytes, uploadsPrefix } from './policy';
import { detectType, normalizeType, typesAgree } from './sniff';

/** uploads/<store|admin>/<id>/<uuid>/<file name>, as issued by the upload endpoint. */
const uploadKey = /^uploads\/(store|admin)\/([1-9][0-9]*)\/([0-9a-f-]{36})\/([A-Za-z0-9._-]{1,120})$/;

const sniffBytes = 4096;

/** The part of a message an attachment settles. */
export interface AttachmentFields {
  content: string;
  attachment_url: string;
  attachment_type: string;
}

const refuse = (field: 'attachment_url' | 'attachment_type', message: string) => new BadRequestError('Invalid request body', { [field]: [message] });

/**
 * Settles a message's attachment before anything is stored. An external
 * https URL keeps its declared type or gets one from its extension, and is
 * never fetched. One of our uploads must be the sender's own and exist; its
 * type comes from its bytes, and a declared type must agree. It is then copied
 * out of uploads/ (which expire) to attachments/ (which stay).
 */
export async function settleAttachment<T extends AttachmentFields>(deps: Deps, sender: Principal, input: T): Promise<T> {
  if (input.attachment_url === '') return input;
  const key = deps.attachments?.keyOf(input.attachment_url);
  if (key === undefined) {
    return { ...input, attachment_type: input.attachment_type || inferAttachmentType(input.attachment_url) };
  }
  const store = deps.attachments;
  const match = uploadKey.exec(key);
  if (!store || !match || match[1] !== sender.kind || Number(match[2]) !== sender.id) {
    throw refuse('attachment_url', 'Is not one of your uploads');
  }
  const fileName = match[4] ?? '';
  let object;
  try {
    object = await store.readHead(key, sniffBytes);
  } catch (error) {
    throw new ServiceUnavailableError('Attachment storage is unavailable, please retry', { cause: error });
  }
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
  const target = attachmentsPrefix + key.slice(uploadsPrefix.length);
  try {
    await store.copy(key, target, type);
  } catch (error) {
    throw new ServiceUnavailableError('Attachment storage is unavailable, please retry', { cause: error });
  }
  return { ...input, attachment_url: store.canonicalUrl(target), attachment_type: type };
}
