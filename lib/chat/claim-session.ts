import { chatTableRef, type Deps } from '../deps';
import { readHead, messageId, type Entry } from '../entities/session';
import { ConflictError, NotFoundError } from '../errors';
import { isoTime } from '../clock';
import { newWriteId } from '../ids';
import { sessionClaimed } from '../realtime/events';
import { allAdmins } from '../realtime/fanout';
import { appendToSession } from './append';
import { afterCommit } from './after-commit';
import { sessionView, type SessionView } from './views';

class AlreadyMine extends Error {
  constructor(readonly head: Entry) {
    super('already claimed by the caller');
  }
}

/**
 * Assigns an unclaimed session to an admin. The claim is a log entry, so of
 * any number of admins racing, exactly one takes the slot; the others rebuild
 * on the winner's entry and get "Session is already claimed".
 */
export async function claimSession(deps: Deps, adminId: number, sessionId: number): Promise<{ session: SessionView }> {
  const chat = chatTableRef(deps);
  const head = await readHead(chat, sessionId);
  if (!head) throw new NotFoundError('Session not found');
  const writeId = newWriteId();
  try {
    const appended = await appendToSession(chat, sessionId, head, (current) => {
      if (!current) throw new NotFoundError('Session not found');
      if (current.session.status === 'closed') throw new ConflictError('Session is closed');
      if (current.session.admin_id === adminId) throw new AlreadyMine(current);
      if (current.session.admin_id !== null) throw new ConflictError('Session is already claimed');
      const created = isoTime(Math.max(deps.clock.now(), Date.parse(current.created)));
      const seq = current.seq + 1;
      return {
        seq,
        id: messageId(sessionId, seq),
        session: { ...current.session, admin_id: adminId, updated: created },
        sender_type: 'system',
        sender_id: null,
        event: 'session.claimed',
        content: '',
        attachment_url: '',
        attachment_type: '',
        delivery: 'sent',
        created,
        write_id: writeId,
      };
    });
    await afterCommit(deps, appended, await allAdmins(deps), sessionClaimed(appended.entry, adminId));
    return { session: sessionView(appended.entry.session) };
  } catch (error) {
    if (error instanceof AlreadyMine) return { session: sessionView(error.head.session) };
    throw error;
  }
}
