import type { Deps } from '../deps';
import { contentType } from '../entities/message-type';
import type { Principal } from '../entities/principal';
import type { Entry, SessionState } from '../entities/session';
import { messageAudience, type Audiences } from '../realtime/fanout';
import { AppError, ServiceUnavailableError } from '../errors';
import type { MessageDraft } from './drafts';
import { remembered, type ClientIdentity } from './idempotency';
import { countSends, type SendLimit } from './rate-limit';
import type { ErrorAt, Settled } from './send-checks';
import { findOriginal, identityOf } from './send-retries';
import {
  after,
  appendToLog,
  refuse,
  write,
  type Appended,
  type Decide,
  type Decision,
  type Duplicate,
  type Next,
  type Position,
  type Refuse,
  type Reopen,
  type Write,
} from './session-log';
import { positionOf, type LocatedSession, type SessionTarget } from './session-target';

/**
 * A send's log appends, one message at a time in array order, through the
 * append engine (lib/chat/session-log.ts; docs/ARCHITECTURE.md "A store
 * message, step by step", step 7). This file says what a message's entry is;
 * the engine says where it goes.
 */

/** A draft's answer: the entry it wrote, or the original a retry names. */
export interface Stored {
  entry: Entry;
  appended?: Appended;
}

export const writtenOf = (outcomes: readonly Stored[]): Required<Stored>[] => outcomes.filter((outcome): outcome is Required<Stored> => outcome.appended !== undefined);

/**
 * The entry a message adds: its content, and the session change every
 * message makes (timestamps, the send limit's count, the end of an
 * "unavailable" stretch). A store message over the send limit is refused.
 */
export function messageEntry(sender: Principal, message: Settled, identity: ClientIdentity | undefined, next: Next, online: boolean, limit: SendLimit): Write | Refuse {
  const { session: base, created } = next;
  const delivery = online ? 'delivered' : 'sent';
  let sends: Partial<SessionState> = {};
  if (sender.kind === 'store') {
    const counted = countSends(base.send_window, 1, Date.parse(created), limit);
    if (!counted.ok) return refuse(counted.error);
    sends = { send_window: counted.window };
  }
  return write({
    sender: { sender_type: sender.kind, sender_id: sender.id },
    body: {
      type: contentType(message),
      content: message.content,
      attachment_url: message.attachment_url,
      attachment_type: message.attachment_type,
      ...(message.product ? { product: message.product } : {}),
      ...(message.special ? { special_type: message.special.type, special_param: message.special.param } : {}),
      delivery,
    },
    change: {
      last_message_at: created,
      ...(sender.kind === 'store' ? { last_store_message_at: created } : { admin_replied: true }),
      // An answer, or an admin online, ends the stretch an "unavailable" notice covered.
      unavailable_noted: sender.kind === 'store' && delivery === 'sent' ? base.unavailable_noted : undefined,
      ...sends,
    },
    identity,
  });
}

/** Everything the appends of one send work from. */
export interface SendAppends {
  deps: Deps;
  sender: Principal;
  target: SessionTarget;
  drafts: readonly (MessageDraft | undefined)[];
  /** Retries the conversation already had, by draft index. */
  known: ReadonlyMap<number, Entry>;
  /** A repeat of an earlier item of the request, by draft index: the index of that item. */
  sameAs: ReadonlyMap<number, number>;
  settled: ReadonlyMap<number, Settled>;
  /** The connections of the session's admins and of its store, each read again when older than 1 s (audienceCache). */
  audienceFor: Audiences;
  errorAt: ErrorAt;
}

/**
 * Appends every message in array order, each draft's answer pushed to
 * `outcomes` as it is known (so a caller whose append failed still sees what
 * was written). Resolves to the session as the appends left it located: a
 * closed or full session sends the store's messages to a new one.
 */
export async function appendAll(send: SendAppends, located: LocatedSession, outcomes: Stored[]): Promise<LocatedSession> {
  const { deps, sender, target, drafts, known, sameAs, settled, errorAt } = send;
  const reopen = async (): Promise<Position> => {
    located = await target.open(await target.locate());
    return positionOf(located, target.storeId(located), reopen);
  };
  // Made only when something is written: a request that only retried opens no session.
  let position: Position | undefined;
  for (const [index, draft] of drafts.entries()) {
    const original = known.get(index) ?? outcomes[sameAs.get(index) ?? -1]?.entry;
    if (original) {
      outcomes.push({ entry: original });
      continue;
    }
    const message = settled.get(index)!;
    const identity = draft && identityOf(sender, draft);
    position ??= positionOf(located, target.storeId(located), reopen);
    let outcome = await appendOrUnavailable(deps, position, decideMessage(send, message, identity, 'check'));
    if (outcome.kind === 'duplicate') {
      let racing: Entry | undefined;
      try {
        racing = await findOriginal(deps, identity!, outcome.id, draft!);
      } catch (refusal) {
        throw errorAt(index, refusal);
      }
      if (racing) {
        outcomes.push({ entry: racing });
        position = outcome.at;
        continue;
      }
      // A hash collision, not a retry: the window cannot tell, so it is not asked again.
      outcome = await appendOrUnavailable(deps, outcome.at, decideMessage(send, message, identity, 'ignore'));
    }
    outcomes.push({ entry: outcome.entry, appended: outcome });
    position = after(outcome, position);
  }
  return located;
}

/** The log's decision for one message: the target's rules, then (unless ignored) the window, then the entry. */
function decideMessage(send: SendAppends, message: Settled, identity: ClientIdentity | undefined, window: 'check'): Decide<Write | Duplicate | Refuse | Reopen>;
function decideMessage(send: SendAppends, message: Settled, identity: ClientIdentity | undefined, window: 'ignore'): Decide<Write | Refuse | Reopen>;
function decideMessage(
  { deps, sender, target, audienceFor }: SendAppends,
  message: Settled,
  identity: ClientIdentity | undefined,
  window: 'check' | 'ignore',
): Decide<Write | Duplicate | Refuse | Reopen> {
  return async (head, next) => {
    const admitted = target.admits(head);
    if (admitted) return admitted;
    const id = identity && window === 'check' ? remembered(next.recent, identity) : undefined;
    if (id !== undefined) return { kind: 'duplicate', id };
    // Seed 000's rule, mirrored (README "Message status"): a store message is delivered when an eligible
    // admin holds a socket, an admin message when the store does. An admin's send reads both audiences
    // at once (one round trip) because both are pushed to after the commit.
    const { admins, store } = await messageAudience(audienceFor, next.session, sender.kind);
    const online = (sender.kind === 'store' ? admins : store).length > 0;
    return messageEntry(sender, message, identity, next, online, deps.sendLimit);
  };
}

/** Any failure of the log but a refusal is a 503 the client may retry (README "Send Message"). */
async function appendOrUnavailable<D extends Decision>(deps: Deps, position: Position, decide: Decide<D>) {
  try {
    return await appendToLog(deps, position, decide);
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new ServiceUnavailableError('Could not store the message, please retry', { cause: error });
  }
}
