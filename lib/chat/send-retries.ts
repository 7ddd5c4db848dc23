import type { AttachmentUrls } from '../attachments/urls';
import { normalizeType, typesAgree } from '../attachments/sniff';
import { chatTableRef, type Deps } from '../deps';
import type { Principal } from '../entities/principal';
import { getEntry, type Entry, type RecentIds } from '../entities/session';
import { ConflictError } from '../errors';
import type { MessageDraft } from './drafts';
import { isSameSender, remembered, type ClientIdentity } from './idempotency';
import { gather, isRefused, type ItemError } from './send-checks';

/**
 * Recognising a retry before anything is written (README "Idempotent sends"):
 * a client_message_id the conversation's window remembers is answered with
 * the original message, and the same id for a different message is a 409.
 */

export const identityOf = (sender: Principal, draft: MessageDraft): ClientIdentity | undefined =>
  draft.client_message_id ? { sender_type: sender.kind, sender_id: sender.id, client_message_id: draft.client_message_id } : undefined;

export const sameDrafts = (a: MessageDraft, b: MessageDraft) => JSON.stringify(a) === JSON.stringify(b);

export const conflict = () => new ConflictError('client_message_id was already used for a different message', { client_message_id: ['Was already used for a different message'] });

/** Retrying with the same id must mean the same message. */
export function sameRequest(urls: AttachmentUrls | undefined, original: Entry, draft: MessageDraft): boolean {
  const sameAttachment = () => {
    if (draft.attachment_url === original.attachment_url) return true;
    const asked = urls?.keyOf(draft.attachment_url);
    const kept = urls?.keyOf(original.attachment_url);
    // An upload is stored under attachments/ with the same rest of the key.
    return asked !== undefined && kept !== undefined && asked.split('/').slice(1).join('/') === kept.split('/').slice(1).join('/');
  };
  const declared = draft.attachment_type === '' || typesAgree(normalizeType(draft.attachment_type), original.attachment_type);
  return (
    draft.content === original.content &&
    (draft.product_id ?? null) === (original.product?.id ?? null) &&
    JSON.stringify(draft.special ?? null) === JSON.stringify(original.special_type ? { type: original.special_type, param: original.special_param } : null) &&
    sameAttachment() &&
    declared
  );
}

/** The message a remembered id names: undefined for a hash collision (another sender's id), a conflict if the draft differs. */
export async function findOriginal(deps: Deps, identity: ClientIdentity, id: number, draft: MessageDraft): Promise<Entry | undefined> {
  const entry = await getEntry(chatTableRef(deps), id);
  if (!entry || !isSameSender(entry, identity)) return undefined;
  if (!sameRequest(deps.attachments, entry, draft)) throw conflict();
  return entry;
}

/** Retries the conversation already has, by draft index; an item's conflict is gathered into `found`. */
export async function findRetries(
  deps: Deps,
  sender: Principal,
  drafts: readonly (MessageDraft | undefined)[],
  window: RecentIds | undefined,
  found: ItemError[],
): Promise<Map<number, Entry>> {
  const known = new Map<number, Entry>();
  await Promise.all(
    drafts.map(async (draft, index) => {
      if (!draft) return;
      const identity = identityOf(sender, draft);
      const id = identity && remembered(window, identity);
      try {
        const original = identity && id !== undefined ? await findOriginal(deps, identity, id, draft) : undefined;
        if (original) known.set(index, original);
      } catch (error) {
        gather(found, index, error);
      }
    }),
  );
  return known;
}

/**
 * The same id twice in one request: the same message (answered once, with
 * the first item's outcome) or a conflict, decided before writing. Maps each
 * repeat's index to the first item's.
 */
export function pairRepeats(drafts: readonly (MessageDraft | undefined)[], known: ReadonlyMap<number, Entry>, found: ItemError[]): Map<number, number> {
  const firstWithId = new Map<string, number>();
  const sameAs = new Map<number, number>();
  for (const [index, draft] of drafts.entries()) {
    if (!draft?.client_message_id || known.has(index) || isRefused(found, index)) continue;
    const first = firstWithId.get(draft.client_message_id);
    if (first === undefined) firstWithId.set(draft.client_message_id, index);
    else if (sameDrafts(drafts[first]!, draft)) sameAs.set(index, first);
    else found.push({ index, error: conflict() });
  }
  return sameAs;
}
