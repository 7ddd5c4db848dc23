import * as z from 'zod';
import { AppError, BadRequestError } from '../errors';
import { limits } from '../limits';
import type { SpecialType } from '../entities/session';
import { attachmentTypeField, attachmentUrlField } from './attachments';
import { isBlank, textField } from './text';

/** Most messages a batch may carry; the idempotency window is as long, so a retried batch is always recognised. */
export const maxBatchMessages = 20;

const clientMessageId = z
  .string({ error: 'Must be a string' })
  .regex(/^[A-Za-z0-9._:-]{1,64}$/, 'Must be 1 to 64 letters, digits, dots, dashes, colons or underscores');

/** Product and session ids. */
const productId = z.number({ error: 'Must be an integer' }).int('Must be an integer').positive('Must be positive');

/** Fields every sender may use: seed 000's three, a product card, and an idempotency key. */
const messageFields = {
  content: textField(limits.contentMaxChars).nullish(),
  attachment_url: attachmentUrlField.nullish(),
  attachment_type: attachmentTypeField.nullish(),
  product_id: productId.nullish(),
  client_message_id: clientMessageId.nullish(),
};

const adminOnly = z
  .unknown()
  .refine((value) => value === undefined || value === null, 'Only admins can send action messages')
  .optional();

export const storeMessageFields = z.object({ ...messageFields, special_type: adminOnly, special_param: adminOnly });

const quickReply = z.string({ error: 'Must be a string' }).max(40, 'Must be at most 40 characters').refine((value) => value.trim() !== '', 'Must not be empty');

/** What each action expects as its parameter. */
const specialParams: Record<SpecialType, z.ZodType> = {
  open_url: attachmentUrlField.refine((value) => value !== '', 'Must be an https URL'),
  quick_replies: z.array(quickReply, { error: 'Must be a list of replies' }).min(1, 'Must offer at least one reply').max(10, 'Must offer at most 10 replies'),
};

const adminObject = z.object({
  ...messageFields,
  special_type: z.enum(['open_url', 'quick_replies'], { error: 'Must be open_url or quick_replies' }).nullish(),
  special_param: z.unknown().optional(),
});

/** Each action has its own parameter, and shows content beside it. */
function checkSpecial(body: z.infer<typeof adminObject>, ctx: z.RefinementCtx): void {
  if (!body.special_type) {
    if (body.special_param !== undefined && body.special_param !== null) ctx.addIssue({ code: 'custom', path: ['special_param'], message: 'Requires special_type' });
    return;
  }
  const parsed = specialParams[body.special_type].safeParse(body.special_param);
  if (!parsed.success) for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', path: ['special_param', ...issue.path], message: issue.message });
  if (isBlank(body.content)) ctx.addIssue({ code: 'custom', path: ['content'], message: 'An action message needs content to show' });
}

/** The admin `send` action's frame: a message (maybe an action or a product card) and its session. */
export const adminSendFrame = adminObject.extend({ session_id: productId }).superRefine(checkSpecial);

export const storeBatchBody = z.object({
  messages: z
    .array(storeMessageFields, { error: 'Must be a list of messages' })
    .min(1, 'Must contain at least one message')
    .max(maxBatchMessages, `Must contain at most ${maxBatchMessages} messages`),
});

type MessageFields = z.infer<typeof storeMessageFields> | z.infer<typeof adminObject>;

/** A message as a sender asked for it, validated but not yet settled (attachment checked, product looked up). */
export interface MessageDraft {
  content: string;
  attachment_url: string;
  attachment_type: string;
  product_id?: number;
  special?: { type: SpecialType; param: string | string[] };
  client_message_id?: string;
}

export const contentRequired = 'Message content or attachment is required';

/** A rule that spans fields failed; `field` names where. */
export class DraftError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

export function toDraft(fields: MessageFields): MessageDraft {
  const url = fields.attachment_url ?? '';
  const productId = fields.product_id ?? undefined;
  if (isBlank(fields.content) && url === '' && productId === undefined) throw new DraftError('content', contentRequired);
  const declaredType = fields.attachment_type ?? '';
  if (url === '' && declaredType !== '') throw new DraftError('attachment_type', 'Requires attachment_url');
  const special = 'special_type' in fields && typeof fields.special_type === 'string' ? { type: fields.special_type, param: fields.special_param as string | string[] } : undefined;
  return {
    content: fields.content ?? '',
    attachment_url: url,
    attachment_type: declaredType,
    ...(productId === undefined ? {} : { product_id: productId }),
    ...(special ? { special } : {}),
    ...(fields.client_message_id ? { client_message_id: fields.client_message_id } : {}),
  };
}

/** A single message's rule failure, with seed 000's exact error for an empty message. */
export function singleDraft(fields: MessageFields): MessageDraft {
  try {
    return toDraft(fields);
  } catch (error) {
    if (!(error instanceof DraftError)) throw error;
    if (error.message === contentRequired) throw new BadRequestError(contentRequired);
    throw new BadRequestError('Invalid request body', { [error.field]: [error.message] });
  }
}

/** Every item of a batch, or a 400 naming each failing index and field. */
export function batchDrafts(items: MessageFields[]): MessageDraft[] {
  const errors: Record<string, string[]> = {};
  const drafts = items.map((item, index) => {
    try {
      return toDraft(item);
    } catch (error) {
      if (!(error instanceof DraftError)) throw error;
      (errors[`messages.${index}.${error.field}`] ??= []).push(error.message);
      return undefined;
    }
  });
  if (Object.keys(errors).length > 0) throw new BadRequestError('Invalid request body', errors);
  return drafts.filter((draft): draft is MessageDraft => draft !== undefined);
}

/** Re-keys a batch item's field errors as messages.<index>.<field>, so the answer names the item. */
export function atIndex(index: number, error: unknown): unknown {
  if (!(error instanceof AppError) || !error.errors) return error;
  const errors = Object.fromEntries(Object.entries(error.errors).map(([field, messages]) => [`messages.${index}.${field}`, messages]));
  return new AppError(error.status, error.message, { errors, ...(error.headers ? { headers: error.headers } : {}), cause: error.cause });
}
