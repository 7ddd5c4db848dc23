import { copyAttachment, removeCopies, type CreatedCopy, type PendingCopy } from '../attachments/attach';
import type { Deps } from '../deps';
import { AppError } from '../errors';
import type { Stored } from './send-appends';

/**
 * The one S3 write of a send: checked uploads are copied to attachments/
 * right before the log appends, and removed again if the log refuses (README
 * "Send Message": nothing is stored for any 4xx; docs/ARCHITECTURE.md
 * "Attachments: presigned uploads, bytes decide the type").
 */

/**
 * Copies every checked upload to attachments/, in parallel. When one copy
 * fails, the others are removed again (no message names them yet) and the
 * request fails as a whole. Resolves to the objects this request created.
 */
export async function copyAll(deps: Deps, copies: readonly PendingCopy[]): Promise<CreatedCopy[]> {
  // Two items of one batch may send the same upload: one copy serves both.
  const unique = [...new Map(copies.map((copy) => [copy.to, copy])).values()];
  const results = await Promise.allSettled(unique.map((copy) => copyAttachment(deps, copy)));
  const created = results.flatMap((result) => (result.status === 'fulfilled' && result.value !== undefined ? [result.value] : []));
  const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failed) {
    await removeCopies(deps, created);
    throw failed.reason;
  }
  return created;
}

/** After the appends failed with `error`: removes the copies that no message appended so far names, if the failure was a refusal. */
export async function removeUnnamedCopies(deps: Deps, error: unknown, created: readonly CreatedCopy[], outcomes: readonly Stored[]): Promise<void> {
  // A 5xx may hide a write that landed; only a refusal is sure to have stored nothing that names the copies.
  if (!(error instanceof AppError && error.status < 500)) return;
  const named = new Set(outcomes.filter((outcome) => outcome.appended).map((outcome) => outcome.entry.attachment_url));
  await removeCopies(deps, created.filter(({ key }) => !named.has(deps.attachments?.canonicalUrl(key) ?? '')));
}
