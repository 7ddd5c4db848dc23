import { chatTableRef, type Deps } from '../deps';
import { systemType } from '../entities/message-type';
import { readHead, type Entry } from '../entities/session';
import { NotFoundError } from '../errors';
import { presentMessage } from '../attachments/present';
import { messageCreated, sessionChanged, sessionUpdated } from '../realtime/events';
import { allAdmins, fanOut, storeAudience } from '../realtime/fanout';
import { afterCommit } from './after-commit';
import { appendToLog, refuse, skip, systemDraft, write, type Refuse, type Skip, type Write } from './session-log';
import type { SessionChange } from './session-rules';

export async function readSessionHead(deps: Deps, sessionId: number): Promise<Entry> {
  const head = await readHead(chatTableRef(deps), sessionId);
  if (!head) throw new NotFoundError('Session not found');
  return head;
}

/** The system entry an admin's change adds on top of `head`, if the change is allowed and changes anything. */
export function decideChange(change: SessionChange, adminId: number, head: Entry | undefined): Write | Skip | Refuse {
  if (!head) return refuse(new NotFoundError('Session not found'));
  const decided = change.decide(head.session, adminId);
  if (decided.kind !== 'apply') return decided.kind === 'unchanged' ? skip : decided;
  return write(
    systemDraft(
      {
        sender_id: adminId,
        event: change.event,
        type: systemType(change.event, head.session.admin_replied === true),
        ...(change.event === 'session.transferred' ? { from_admin_id: adminId } : {}),
      },
      // An admin acting in the session ends the stretch an "unavailable" notice covered.
      { ...decided.change, unavailable_noted: undefined },
    ),
  );
}

/**
 * A change to a session's assignment or status (claim, release, transfer,
 * close; rules in session-rules.ts). Each is a system entry in the session
 * log, so it races every message and every other change on the same
 * conditional put, and appears in history. Every admin is told, since it
 * changes every inbox. The session's store is told too (README "Store
 * WebSocket"): the system message as its history shows it, then
 * `session.updated`, in that order. Its connections are read in parallel with
 * the admins', so the change costs one more query but no round trip.
 */
export async function changeSession(deps: Deps, adminId: number, sessionId: number, change: SessionChange): Promise<{ entry: Entry; changed: boolean }> {
  const head = await readSessionHead(deps, sessionId);
  const outcome = await appendToLog(deps, { sessionId, head }, (current) => decideChange(change, adminId, current));
  if (outcome.kind === 'skip') return { entry: outcome.at.head!, changed: false };
  const { entry } = outcome;
  const [admins, store] = await Promise.all([allAdmins(deps), storeAudience(deps, entry.session.store_id)]);
  await Promise.all([
    afterCommit(deps, outcome, admins, sessionChanged(entry)),
    (async () => {
      if (store.length === 0) return;
      await fanOut(deps, store, messageCreated(entry, await presentMessage(deps, entry, { audience: 'store' })));
      await fanOut(deps, store, sessionUpdated(entry));
    })(),
  ]);
  return { entry: outcome.entry, changed: true };
}
