import * as z from '../validation';
import { AppError, BadRequestError, type FieldErrors } from '../errors';
import { limits } from '../limits';
import type { SpecialType } from '../entities/session';
import { idField } from '../http/integers';
import { attachmentTypeField, attachmentUrlField } from './attachments';
import { isBlank, textField } from './text';

/** Most messages a batch may carry; the idempotency window is as long, so a retried batch is always recognised. */
export const maxBatchMessages = 20;

const clientMessageId = z
  .string({ error: 'Must be a string' })
  .check(z.regex(/^[A-Za-z0-9._:-]{1,64}$/, 'Must be 1 to 64 letters, digits, dots, dashes, colons or underscores'));

/** Product and session ids: positive integers up to 2^53 − 1 (http/integers.ts). */
const productId = idField;

/** Fields every sender may use: Send Message's three (README), a product card, and an idempotency key. */
const messageFields = {
  content: z.nullish(textField(limits.contentMaxChars)),
  attachment_url: z.nullish(attachmentUrlField),
  attachment_type: z.nullish(attachmentTypeField),
  product_id: z.nullish(productId),
  client_message_id: z.nullish(clientMessageId),
};

const adminOnly = z.optional(z.unknown().check(z.refine((value) => value === undefined || value === null, 'Only admins can send action messages')));
// For the generated contracts (README "Contracts"): only null passes. Metadata only.
z.globalRegistry.add(adminOnly, { type: 'null', description: 'Admins only: anything but null is refused (400, Only admins can send action messages).' });

export const storeMessageFields = z.object({ ...messageFields, special_type: adminOnly, special_param: adminOnly });

const quickReply = z.string({ error: 'Must be a string' }).check(
  z.maxLength(40, 'Must be at most 40 characters'),
  z.refine((value) => value.trim() !== '', 'Must not be empty'),
);

/** What each action expects as its parameter. */
const specialParams: Record<SpecialType, z.ZodMiniType> = {
  open_url: attachmentUrlField.check(z.refine((value) => value !== '', 'Must be an https URL')),
  quick_replies: z
    .array(quickReply, { error: 'Must be a list of replies' })
    .check(z.minLength(1, 'Must offer at least one reply'), z.maxLength(10, 'Must offer at most 10 replies')),
};

/** Checked by checkSpecial against special_type, so the schema itself takes anything. */
const specialParam = z.optional(z.unknown());
// For the generated contracts (README "Contracts"): checkSpecial's rules (specialParams above), which a
// transform hides from z.toJSONSchema. Metadata only: keep it in step with specialParams.
z.globalRegistry.add(specialParam, {
  description:
    'open_url: an https URL (README "Links"); quick_replies: 1 to 10 non-blank replies of at most 40 characters; null or absent when special_type is null or absent (else 400, Requires special_type).',
  oneOf: [
    { type: 'string', minLength: 1, maxLength: limits.attachmentUrlMaxChars, description: 'open_url: an https URL, stored as its normalised href' },
    { type: 'array', minItems: 1, maxItems: 10, items: { type: 'string', minLength: 1, maxLength: 40 }, description: 'quick_replies: the replies offered, in order' },
    { type: 'null', description: 'No action' },
  ],
});

const adminObject = z.object({
  ...messageFields,
  special_type: z.nullish(z.enum(['open_url', 'quick_replies'], { error: 'Must be open_url or quick_replies' })),
  special_param: specialParam,
});

/**
 * Each action has its own parameter, and shows content beside it. The parameter
 * is replaced by its parsed form, so an open_url link is stored as its
 * normalised href (README "Links").
 */
function checkSpecial<T extends z.infer<typeof adminObject>>(body: T, ctx: z.core.ParsePayload): T {
  // zod/mini's transform context has no addIssue: issues go on the list as classic zod's addIssue put them.
  const addIssue = (path: PropertyKey[], message: string) => ctx.issues.push({ code: 'custom', path, message, input: body });
  if (!body.special_type) {
    if (body.special_param !== undefined && body.special_param !== null) addIssue(['special_param'], 'Requires special_type');
    return body;
  }
  const parsed = specialParams[body.special_type].safeParse(body.special_param);
  if (!parsed.success) for (const issue of parsed.error.issues) addIssue(['special_param', ...issue.path], issue.message);
  if (isBlank(body.content)) addIssue(['content'], 'An action message needs content to show');
  return parsed.success ? { ...body, special_param: parsed.data } : body;
}

/** The admin `send` action's frame: a message (maybe an action or a product card) and its session. */
export const adminSendFrame = z.pipe(z.extend(adminObject, { session_id: productId }), z.transform(checkSpecial));

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
  const special = 'special_type' in fields && typeof fields.special_type === 'string' ? { type: fields.special_type as SpecialType, param: fields.special_param as string | string[] } : undefined;
  return {
    content: fields.content ?? '',
    attachment_url: url,
    attachment_type: declaredType,
    ...(productId === undefined ? {} : { product_id: productId }),
    ...(special ? { special } : {}),
    ...(fields.client_message_id ? { client_message_id: fields.client_message_id } : {}),
  };
}

/** A single message's rule failure, with README "Send Message"'s exact error for an empty message. */
export function singleDraft(fields: MessageFields): MessageDraft {
  try {
    return toDraft(fields);
  } catch (error) {
    if (!(error instanceof DraftError)) throw error;
    if (error.message === contentRequired) throw new BadRequestError(contentRequired);
    throw new BadRequestError('Invalid request body', { [error.field]: [error.message] });
  }
}

/**
 * A batch's envelope: the list itself. Each item is checked on its own by
 * `batchDrafts`, so one failing item does not hide the others' errors.
 */
export const storeBatchEnvelope = z.object({
  messages: z
    .array(z.unknown(), { error: 'Must be a list of messages' })
    .check(z.minLength(1, 'Must contain at least one message'), z.maxLength(maxBatchMessages, `Must contain at most ${maxBatchMessages} messages`)),
});

/** A batch's items: a draft for each good one (undefined for the others), and every failing index and field. */
export interface BatchDrafts {
  drafts: (MessageDraft | undefined)[];
  errors: FieldErrors;
}

/**
 * Checks every item of a batch (fields, then the rules across fields) and
 * names each failing index and field; nothing throws, so the send path can add
 * what it finds (attachments, products) and answer once (README "Send
 * Messages (Store, batch)").
 */
export function batchDrafts(items: readonly unknown[]): BatchDrafts {
  const errors: FieldErrors = {};
  const add = (index: number, path: readonly PropertyKey[], message: string) =>
    (errors[['messages', index, ...path].map(String).join('.')] ??= []).push(message);
  const drafts = items.map((item, index) => {
    const parsed = storeMessageFields.safeParse(item);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) add(index, issue.path, issue.message);
      return undefined;
    }
    try {
      return toDraft(parsed.data);
    } catch (error) {
      if (!(error instanceof DraftError)) throw error;
      add(index, [error.field], error.message);
      return undefined;
    }
  });
  return { drafts, errors };
}

/** Re-keys a batch item's field errors as messages.<index>.<field>, so the answer names the item. */
export function atIndex(index: number, error: unknown): unknown {
  if (!(error instanceof AppError) || !error.errors) return error;
  const errors = Object.fromEntries(Object.entries(error.errors).map(([field, messages]) => [`messages.${index}.${field}`, messages]));
  return new AppError(error.status, error.message, { errors, ...(error.headers ? { headers: error.headers } : {}), cause: error.cause });
}
