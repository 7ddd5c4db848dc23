import { isoTime } from '../clock';
import { chatTableRef, type Deps } from '../deps';
import { messageId } from '../entities/session';
import { NotFoundError } from '../errors';
import { newWriteId } from '../ids';
import { messageCreated } from '../realtime/events';
import { sessionAudience } from '../realtime/fanout';
import { appendToSession } from './append';
import { afterCommit } from './after-commit';
import { readSessionHead, requireAssignee } from './session-events';
import type { MessageInput } from './store-message-input';
import type { SentMessage } from './send-store-message';
import { sessionView } from './views';
import { presentMessage } from '../attachments/present';
import { settleAttachment } from '../attachments/attach';

/** An admin's reply: only the assignee may write, and it reaches the session's audience like any message. */
export async function sendAdminMessage(deps: Deps, adminId: number, sessionId: number, message: MessageInput): Promise<SentMessage> {
  const head = await readSessionHead(deps, sessionId);
  requireAssignee(head.session, adminId, 'Claim the session before replying');
  const input = await settleAttachment(deps, { kind: 'admin', id: adminId }, message);
  const writeId = newWriteId();
  const appended = await appendToSession(chatTableRef(deps), sessionId, head, (current) => {
    if (!current) throw new NotFoundError('Session not found');
    requireAssignee(current.session, adminId, 'Claim the session before replying');
    const created = isoTime(Math.max(deps.clock.now(), Date.parse(current.created)));
    const seq = current.seq + 1;
    return {
      seq,
      id: messageId(sessionId, seq),
      session: { ...current.session, updated: created, last_message_at: created },
      sender_type: 'admin',
      sender_id: adminId,
      ...input,
      delivery: 'sent',
      created,
      write_id: writeId,
    };
  });
  const view = await presentMessage(deps, appended.entry);
  await afterCommit(deps, appended, await sessionAudience(deps, appended.entry.session.admin_id), messageCreated(appended.entry, view));
  return { session: sessionView(appended.entry.session), message: view };
}
