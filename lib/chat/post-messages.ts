import { presentMessage } from '../attachments/present';
import { chatTableRef, type Deps } from '../deps';
import type { Principal } from '../entities/principal';
import { readHead, type Entry, type SessionState } from '../entities/session';
import type { FieldErrors } from '../errors';
import { audienceCache } from '../realtime/fanout';
import { afterSend } from './after-commit';
import type { MessageDraft } from './drafts';
import { appendAll, writtenOf, type Stored } from './send-appends';
import { checkDrafts, checkSendLimit, itemsRefused, locateSession, type ErrorAt, type ItemError } from './send-checks';
import { copyAll, removeUnnamedCopies } from './send-copies';
import { findRetries, pairRepeats } from './send-retries';
import type { LocatedSession, SessionTarget } from './session-target';
import { sessionView, type MessageView, type SessionView } from './views';

export interface PostResult {
  session: SessionView;
  messages: MessageView[];
}

/** Options of one send request. */
export interface PostOptions {
  /** Re-keys an item's field errors for the answer (a batch prefixes `messages.<index>.`). */
  errorAt: ErrorAt;
  /** A batch's field errors found before the send path (fields, rules across fields), keyed as answered. */
  refused?: FieldErrors;
}

/**
 * Stores messages in order and tells the admins who should see them, in the
 * steps of docs/ARCHITECTURE.md "A store message, step by step". Every check
 * of every draft runs first (fields, idempotency, products, attachments, then
 * the send limit) and writes nothing; a batch answers once for all its
 * failing items. Only then are uploads copied to attachments/, the one S3
 * write, right before the log appends; if the log then refuses with a 4xx
 * (the session changed hands or closed, a racing send took the limit or the
 * id), the copies no stored message names are removed again (README "Send
 * Message": nothing is stored for any 4xx). Drafts whose client_message_id
 * the conversation remembers are answered with the original, and cost no
 * write, no push and no notification.
 */
export async function postMessages(
  deps: Deps,
  sender: Principal,
  drafts: readonly (MessageDraft | undefined)[],
  target: SessionTarget,
  { errorAt, refused = {} }: PostOptions,
): Promise<PostResult> {
  // 3. Find the session, writing nothing; a batch's invalid body answers 400 first (send-checks.ts).
  let located = await locateSession(target, refused);

  // 4. Check every draft, writing nothing: first retries the conversation remembers and the same id twice in
  // one request (send-retries.ts),
  const found: ItemError[] = [];
  const known = await findRetries(deps, sender, drafts, (located.head ?? located.previous)?.recent, found);
  const sameAs = pairRepeats(drafts, known, found);

  // then every other draft's attachment and product, one answer for all that fail, and the send limit (send-checks.ts).
  const { settled, copies } = await checkDrafts(deps, sender, drafts, (index) => known.has(index) || sameAs.has(index), () => target.storeId(located), found);
  if (found.length > 0 || Object.keys(refused).length > 0) throw itemsRefused(found, refused, errorAt);
  checkSendLimit(deps, sender, located, settled.size);

  // 5. Open the session (only if something will be written) and copy the uploads (send-copies.ts).
  if (settled.size > 0) located = await target.open(located);
  const created = await copyAll(deps, [...copies.values()]);

  // 6. Who should see it: read lazily per assignee for the delivery status (step 7) and reused for the pushes
  // (step 8) while at most 1 s old, else read again after the commit (audienceCache in lib/realtime/fanout.ts).
  const audienceFor = audienceCache(deps);

  // 7. Commit, message by message in array order (send-appends.ts); a refusal removes the copies again.
  const outcomes: Stored[] = [];
  try {
    located = await appendAll({ deps, sender, target, drafts, known, sameAs, settled, audienceFor, errorAt }, located, outcomes);
  } catch (error) {
    await removeUnnamedCopies(deps, error, created, outcomes);
    throw error;
  }

  // 8. After the commit: inbox, "unavailable" notice, pushes (after-commit.ts).
  const views = await Promise.all(outcomes.map((outcome) => presentMessage(deps, outcome.entry, { audience: sender.kind })));
  await afterSend(deps, sender, outcomes, views, audienceFor);

  // 9. Answer.
  const latest = writtenOf(outcomes).at(-1)?.entry.session ?? (await sessionNow(deps, located, outcomes.at(-1)!.entry));
  return { session: sessionView(latest), messages: views };
}

/**
 * A request that only retried: its messages are the originals, but the
 * session is answered as it is now (README "Idempotent sends"), so a client
 * learns that it was claimed or closed since. The heads this request already
 * read cover the usual case; an older session costs one read of its head.
 */
async function sessionNow(deps: Deps, located: LocatedSession, original: Entry): Promise<SessionState> {
  const id = original.session.id;
  for (const head of [located.head, located.previous]) if (head?.session.id === id) return head.session;
  return (await readHead(chatTableRef(deps), id))?.session ?? original.session;
}
