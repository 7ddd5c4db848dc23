import { chatTableRef, type Deps } from '../deps';
import { readHead, type Entry, type SessionEvent, type SessionState } from '../entities/session';
import { ConflictError, ForbiddenError, NotFoundError } from '../errors';
import { newWriteId } from '../ids';
import { sessionChanged } from '../realtime/events';
import { allAdmins } from '../realtime/fanout';
import { appendToSession } from './append';
import { systemType } from './message-type';
import { systemEntryAfter } from './system-entry';
import { afterCommit } from './after-commit';

/**
 * A change to a session's assignment or status, made by an admin. Each is a
 * system entry in the session log, so it races every message and every other
 * change on the same conditional put, and appears in history.
 */
export interface SessionChange {
  event: SessionEvent;
  /** Throws when the admin may not make the change; 'unchanged' when the session already is as asked. */
  check(state: SessionState, adminId: number): 'apply' | 'unchanged';
  apply(state: SessionState, adminId: number): Pick<Partial<SessionState>, 'admin_id' | 'status'>;
}

const open = (state: SessionState) => {
  if (state.status === 'closed') throw new ConflictError('Session is closed');
};

/** The caller must hold the session. */
export function requireAssignee(state: SessionState, adminId: number, unclaimedMessage: string): void {
  open(state);
  if (state.admin_id === null) throw new ConflictError(unclaimedMessage);
  if (state.admin_id !== adminId) throw new ForbiddenError('Session is claimed by another admin');
}

/** Reading and typing are open to any admin while unclaimed, and to the assignee once claimed. */
export function requireNotClaimedByOther(state: SessionState, adminId: number): void {
  if (state.admin_id !== null && state.admin_id !== adminId) throw new ForbiddenError('Session is claimed by another admin');
}

export const claim: SessionChange = {
  event: 'session.claimed',
  check(state, adminId) {
    open(state);
    if (state.admin_id === adminId) return 'unchanged';
    if (state.admin_id !== null) throw new ConflictError('Session is already claimed');
    return 'apply';
  },
  apply: (_state, adminId) => ({ admin_id: adminId }),
};

export const release: SessionChange = {
  event: 'session.released',
  check(state, adminId) {
    requireAssignee(state, adminId, 'Session is not claimed');
    return 'apply';
  },
  apply: () => ({ admin_id: null }),
};

export function transferTo(targetAdminId: number): SessionChange {
  return {
    event: 'session.transferred',
    check(state, adminId) {
      requireAssignee(state, adminId, 'Session is not claimed');
      return 'apply';
    },
    apply: () => ({ admin_id: targetAdminId }),
  };
}

/** The assignee closes a claimed session; any admin may close an unclaimed one. */
export const close: SessionChange = {
  event: 'session.closed',
  check(state, adminId) {
    if (state.status === 'closed') return 'unchanged';
    if (state.admin_id !== null && state.admin_id !== adminId) throw new ForbiddenError('Session is claimed by another admin');
    return 'apply';
  },
  apply: () => ({ status: 'closed' }),
};

class Unchanged extends Error {
  constructor(readonly head: Entry) {
    super('unchanged');
  }
}

export async function readSessionHead(deps: Deps, sessionId: number): Promise<Entry> {
  const head = await readHead(chatTableRef(deps), sessionId);
  if (!head) throw new NotFoundError('Session not found');
  return head;
}

/** Applies a change and tells every admin, since it changes every inbox. */
export async function changeSession(deps: Deps, adminId: number, sessionId: number, change: SessionChange): Promise<{ entry: Entry; changed: boolean }> {
  const head = await readSessionHead(deps, sessionId);
  const writeId = newWriteId();
  try {
    const appended = await appendToSession(chatTableRef(deps), sessionId, head, (current) => {
      if (!current) throw new NotFoundError('Session not found');
      if (change.check(current.session, adminId) === 'unchanged') throw new Unchanged(current);
      return systemEntryAfter(
        current,
        deps.clock.now(),
        writeId,
        // An admin acting in the session ends the stretch an "unavailable" notice covered.
        { ...change.apply(current.session, adminId), unavailable_noted: undefined },
        {
          sender_id: adminId,
          event: change.event,
          type: systemType(change.event, current.session.admin_replied === true),
          ...(change.event === 'session.transferred' ? { from_admin_id: adminId } : {}),
        },
      );
    });
    await afterCommit(deps, appended, await allAdmins(deps), sessionChanged(appended.entry));
    return { entry: appended.entry, changed: true };
  } catch (error) {
    if (error instanceof Unchanged) return { entry: error.head, changed: false };
    throw error;
  }
}
