import { maxSeq, type Entry, type SessionEvent, type SessionState } from '../entities/session';
import { ConflictError, ForbiddenError, NotFoundError, type AppError } from '../errors';

/**
 * Who may change a session, and when it takes messages: pure functions of the
 * session's newest entry. The log's append engine ([session-log.ts](session-log.ts))
 * runs them on every head it tries to write on, so a writer that lost a race
 * decides again on the winner's state (docs/ARCHITECTURE.md, "The session log
 * is the only serialization point").
 */

/** Whether a store's message may go into this session; a new session has no head yet. */
export const isOpen = (head: Entry | undefined): boolean => head === undefined || (head.session.status === 'open' && head.seq < maxSeq);

/** Why an admin may not act as the session's assignee, if they may not. */
export function assigneeRefusal(state: SessionState, adminId: number, unclaimedMessage: string): AppError | undefined {
  if (state.status === 'closed') return new ConflictError('Session is closed');
  if (state.admin_id === null) return new ConflictError(unclaimedMessage);
  if (state.admin_id !== adminId) return new ForbiddenError('Session is claimed by another admin');
  return undefined;
}

/** Reading and typing are open to any admin while unclaimed, and to the assignee once claimed. */
export function requireNotClaimedByOther(state: SessionState, adminId: number): void {
  if (state.admin_id !== null && state.admin_id !== adminId) throw new ForbiddenError('Session is claimed by another admin');
}

/** What an admin's change makes of the session as it is now. */
export type ChangeDecision =
  | { kind: 'apply'; change: Pick<Partial<SessionState>, 'admin_id' | 'status'> }
  | { kind: 'unchanged' }
  | { kind: 'refuse'; error: AppError };

/** A change to a session's assignment or status, made by an admin. */
export interface SessionChange {
  event: SessionEvent;
  decide(state: SessionState, adminId: number): ChangeDecision;
}

const refuse = (error: AppError): ChangeDecision => ({ kind: 'refuse', error });
const unchanged: ChangeDecision = { kind: 'unchanged' };

/** One admin claims an open, unclaimed session; claiming one's own again changes nothing. */
export function decideClaim(state: SessionState, adminId: number): ChangeDecision {
  if (state.status === 'closed') return refuse(new ConflictError('Session is closed'));
  if (state.admin_id === adminId) return unchanged;
  if (state.admin_id !== null) return refuse(new ConflictError('Session is already claimed'));
  return { kind: 'apply', change: { admin_id: adminId } };
}

/** The assignee returns the session to the queue. */
export function decideRelease(state: SessionState, adminId: number): ChangeDecision {
  const refusal = assigneeRefusal(state, adminId, 'Session is not claimed');
  return refusal ? refuse(refusal) : { kind: 'apply', change: { admin_id: null } };
}

/** The assignee hands the session to another admin. */
export function decideTransfer(state: SessionState, adminId: number, toAdminId: number): ChangeDecision {
  const refusal = assigneeRefusal(state, adminId, 'Session is not claimed');
  return refusal ? refuse(refusal) : { kind: 'apply', change: { admin_id: toAdminId } };
}

/** The assignee closes a claimed session; any admin may close an unclaimed one; closing a closed one changes nothing. */
export function decideClose(state: SessionState, adminId: number): ChangeDecision {
  if (state.status === 'closed') return unchanged;
  if (state.admin_id !== null && state.admin_id !== adminId) return refuse(new ForbiddenError('Session is claimed by another admin'));
  return { kind: 'apply', change: { status: 'closed' } };
}

export const claim: SessionChange = { event: 'session.claimed', decide: decideClaim };
export const release: SessionChange = { event: 'session.released', decide: decideRelease };
export const close: SessionChange = { event: 'session.closed', decide: decideClose };
export const transferTo = (toAdminId: number): SessionChange => ({
  event: 'session.transferred',
  decide: (state, adminId) => decideTransfer(state, adminId, toAdminId),
});

/** The store rates a closed session, once. */
export function ratingRefusal(head: Entry | undefined): AppError | undefined {
  if (!head) return new NotFoundError('Session not found');
  if (head.session.status !== 'closed') return new ConflictError('Only a closed session can be rated');
  if (head.session.rated) return new ConflictError('Session already rated');
  return undefined;
}

/**
 * The "unavailable" notice (README "The message object", Types) follows a
 * store message that reached no admin, once per stretch without an answer,
 * and only in an open session.
 */
export function needsUnavailableNotice(head: Entry | undefined): head is Entry {
  return head !== undefined && head.session.status === 'open' && !head.session.unavailable_noted && head.sender_type === 'store' && head.delivery === 'sent';
}
