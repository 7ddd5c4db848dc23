import { z } from 'zod';
import { BadRequestError } from '../errors';
import { limits } from '../limits';
import { attachmentTypeField, attachmentUrlField } from './attachments';
import { isBlank, textField } from './text';

/** Seed 000's request body. null counts as absent; unknown fields are ignored. */
export const storeMessageBody = z.object({
  content: textField(limits.contentMaxChars).nullish(),
  attachment_url: attachmentUrlField.nullish(),
  attachment_type: attachmentTypeField.nullish(),
});

export type StoreMessageBody = z.infer<typeof storeMessageBody>;

export interface MessageInput {
  content: string;
  attachment_url: string;
  attachment_type: string;
}

/**
 * Applies the rules that span fields, with seed 000's exact error for an
 * empty message. attachment_type stays as declared ("" if not): the attach
 * step settles it from the file's bytes or the URL's extension.
 */
export function toMessageInput(body: StoreMessageBody): MessageInput {
  const url = body.attachment_url ?? '';
  if (isBlank(body.content) && url === '') {
    throw new BadRequestError('Message content or attachment is required');
  }
  const declaredType = body.attachment_type ?? '';
  if (url === '' && declaredType !== '') {
    throw new BadRequestError('Invalid request body', { attachment_type: ['Requires attachment_url'] });
  }
  return {
    content: body.content ?? '',
    attachment_url: url,
    attachment_type: declaredType,
  };
}
