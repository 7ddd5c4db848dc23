import { chatTableRef, type Deps } from '../deps';
import type { Connection } from '../entities/connection';
import { syncInbox } from '../entities/inbox';
import type { Principal } from '../entities/principal';
import type { Entry } from '../entities/session';
import { fanOut, messageAudience, storeAudience, type Audiences } from '../realtime/fanout';
import { messageCreated, type ServerEvent } from '../realtime/events';
import { presentMessage } from '../attachments/present';
import { writtenOf, type Stored } from './send-appends';
import { appendToLog, skip, systemDraft, write, type Appended } from './session-log';
import { needsUnavailableNotice } from './session-rules';
import type { MessageView } from './views';

/**
 * The work that follows a committed entry: move the session's inbox entry and
 * push the event. Both are derived from the committed log, so a failure here
 * is logged, never surfaced: the caller's write already stands.
 */
export async function afterCommit(deps: Deps, appended: Appended, recipients: readonly Connection[], event: ServerEvent): Promise<void> {
  await Promise.all([moveInboxEntry(deps, appended.entry, appended.previous), fanOut(deps, recipients, event)]);
}

/** Moves a session's inbox entry from where `previous` put it to where `entry` puts it; a failure is logged. */
function moveInboxEntry(deps: Deps, entry: Entry, previous: Entry | undefined): Promise<void> {
  return syncInbox(chatTableRef(deps), entry, previous).catch((error: unknown) => deps.log.warn('inbox update failed', { sessionId: entry.session.id, error }));
}

/**
 * The work that follows a send's commits (docs/ARCHITECTURE.md "A store
 * message, step by step", step 8), in parallel: each session's inbox entry
 * moves once, a store's message that reached no admin gets the "unavailable"
 * notice, and every written message is pushed to its audience, looked up now,
 * after the commit: `audienceFor` reads it again if the read the status was
 * decided on is older than 1 s (audienceCache in lib/realtime/fanout.ts).
 * An admin's message also goes to the store's sockets, in the same parallel
 * fan-out: a new message is not hidden, so the store's view of it is the
 * admin's (README "Store WebSocket"). Retries that wrote nothing cost none of it.
 */
export async function afterSend(
  deps: Deps,
  sender: Principal,
  outcomes: readonly Stored[],
  views: readonly MessageView[],
  audienceFor: Audiences,
): Promise<void> {
  const written = writtenOf(outcomes);
  await Promise.all([
    moveInbox(deps, written),
    sender.kind === 'store' ? noteUnavailable(deps, written.at(-1)?.entry) : Promise.resolve(),
    // One event at a time: each reaches every socket before the next starts, so sockets see array order.
    (async () => {
      for (const outcome of written) {
        const view = views[outcomes.indexOf(outcome)]!;
        const { admins, store } = await messageAudience(audienceFor, outcome.entry.session, outcome.entry.sender_type);
        await fanOut(deps, [...admins, ...store], messageCreated(outcome.entry, view));
      }
    })(),
  ]);
}

/** One inbox move per session the request wrote to, from where it was to where it ends. */
async function moveInbox(deps: Deps, written: readonly Required<Stored>[]): Promise<void> {
  const bySession = new Map<number, { first: Appended; last: Appended }>();
  for (const { appended } of written) {
    const id = appended.entry.session.id;
    const group = bySession.get(id);
    if (group) group.last = appended;
    else bySession.set(id, { first: appended, last: appended });
  }
  await Promise.all([...bySession.values()].map(({ first, last }) => moveInboxEntry(deps, last.entry, first.previous)));
}

/**
 * The "unavailable" notice (README "The message object", Types): the first
 * store message that reached no admin gets a system message after it, once
 * per stretch without an answer. Costs nothing while an admin is online.
 * The store's history shows it, so the store's sockets get it (one index
 * query, only when the notice is written); admins are pushed nothing.
 */
async function noteUnavailable(deps: Deps, last: Entry | undefined): Promise<void> {
  if (!needsUnavailableNotice(last)) return;
  try {
    const outcome = await appendToLog(deps, { sessionId: last.session.id, head: last }, (current) =>
      needsUnavailableNotice(current) ? write(systemDraft({ sender_id: null, type: 'unavailable' }, { unavailable_noted: true })) : skip,
    );
    if (outcome.kind !== 'appended') return;
    const { entry } = outcome;
    await Promise.all([
      syncInbox(chatTableRef(deps), entry, outcome.previous),
      storeAudience(deps, entry.session.store_id).then(async (store) => fanOut(deps, store, messageCreated(entry, await presentMessage(deps, entry, { audience: 'store' })))),
    ]);
  } catch (error) {
    deps.log.warn('could not post the unavailable notice', { sessionId: last.session.id, error });
  }
}
