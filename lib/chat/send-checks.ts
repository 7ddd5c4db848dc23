import { checkAttachment, type PendingCopy } from '../attachments/attach';
import type { Deps } from '../deps';
import type { Principal } from '../entities/principal';
import type { ProductSnapshot } from '../entities/product';
import { AppError, BadRequestError, type FieldErrors } from '../errors';
import type { MessageDraft } from './drafts';
import { productForStore } from './products';
import { countSends } from './rate-limit';
import type { LocatedSession, SessionTarget } from './session-target';

/**
 * The checks of every draft of a send, which write nothing, and the one
 * answer a batch gives for all its failing items (README "Send Messages
 * (Store, batch)").
 */

/** A draft that passed its checks: its attachment settled, its product read. */
export interface Settled extends MessageDraft {
  product?: ProductSnapshot;
}

export interface ItemError {
  index: number;
  error: AppError;
}

/** Re-keys an item's field errors for the answer (a batch prefixes `messages.<index>.`). */
export type ErrorAt = (index: number, error: unknown) => unknown;

/**
 * One answer for every failing item: the lowest status any item earned (400
 * before 404 before 409), with that status's first message, and `errors`
 * naming every failing item and field.
 */
export function itemsRefused(found: readonly ItemError[], refused: FieldErrors, errorAt: ErrorAt): AppError {
  const errors: FieldErrors = { ...refused };
  let chosen: AppError | undefined = Object.keys(refused).length > 0 ? new BadRequestError('Invalid request body', refused) : undefined;
  for (const { index, error } of [...found].sort((a, b) => a.index - b.index)) {
    const keyed = errorAt(index, error);
    const named = keyed instanceof AppError ? keyed : error;
    for (const [field, messages] of Object.entries(named.errors ?? {})) (errors[field] ??= []).push(...messages);
    if (!chosen || named.status < chosen.status) chosen = named;
  }
  if (!chosen) throw new Error('no item was refused');
  return new AppError(chosen.status, chosen.message, { errors, ...(chosen.headers ? { headers: chosen.headers } : {}) });
}

/** An item's own refusal (a field of it is wrong) is gathered; anything else (a 5xx, a session refusal) ends the request. */
export function gather(found: ItemError[], index: number, error: unknown): void {
  if (error instanceof AppError && error.status < 500 && error.errors) found.push({ index, error });
  else throw error;
}

export const isRefused = (found: readonly ItemError[], index: number): boolean => found.some((item) => item.index === index);

/**
 * The session the send goes to, read without writing, and its refusal (a
 * claimed or closed session, a blocked store). A body that is invalid
 * answers 400 first, as a single send's does before anything is read.
 */
export async function locateSession(target: SessionTarget, refused: FieldErrors): Promise<LocatedSession> {
  try {
    const located = await target.locate();
    const refusal = located.sessionId === undefined ? undefined : target.admits(located.head);
    if (refusal?.kind === 'refuse') throw refusal.error;
    return located;
  } catch (error) {
    if (Object.keys(refused).length > 0 && error instanceof AppError && error.status < 500) throw new BadRequestError('Invalid request body', refused);
    throw error;
  }
}

export interface CheckedDrafts {
  settled: Map<number, Settled>;
  /** The uploads to copy to attachments/, by draft index: checked, not yet written. */
  copies: Map<number, PendingCopy>;
}

/** Products and attachments, checked for every draft not answered otherwise (`skip`), written nowhere yet. */
export async function checkDrafts(
  deps: Deps,
  sender: Principal,
  drafts: readonly (MessageDraft | undefined)[],
  skip: (index: number) => boolean,
  storeId: () => number,
  found: ItemError[],
): Promise<CheckedDrafts> {
  const settled = new Map<number, Settled>();
  const copies = new Map<number, PendingCopy>();
  await Promise.all(
    drafts.map(async (draft, index) => {
      if (!draft || skip(index) || isRefused(found, index)) return;
      const [attachment, product] = await Promise.allSettled([
        checkAttachment(deps, sender, draft),
        draft.product_id === undefined ? Promise.resolve(undefined) : productForStore(deps, draft.product_id, storeId()),
      ]);
      if (attachment.status === 'rejected') gather(found, index, attachment.reason);
      if (product.status === 'rejected') gather(found, index, product.reason);
      if (attachment.status === 'fulfilled' && product.status === 'fulfilled') {
        settled.set(index, { ...attachment.value.fields, ...(product.value ? { product: product.value } : {}) });
        if (attachment.value.copy) copies.set(index, attachment.value.copy);
      }
    }),
  );
  return { settled, copies };
}

/** A store's batch over the send limit is refused whole, before anything is written (README "Limits"). */
export function checkSendLimit(deps: Deps, sender: Principal, located: LocatedSession, count: number): void {
  if (sender.kind !== 'store' || count === 0) return;
  const counted = countSends(located.head?.session.send_window, count, deps.clock.now(), deps.sendLimit);
  if (!counted.ok) throw counted.error;
}
