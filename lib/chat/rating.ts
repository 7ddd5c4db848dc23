import * as z from 'zod';
import { isoTime } from '../clock';
import { chatTableRef, type Deps } from '../deps';
import type { Connection } from '../entities/connection';
import { syncInbox } from '../entities/inbox';
import { messageId, type Entry } from '../entities/session';
import { ConflictError, NotFoundError } from '../errors';
import { idField, integerField } from '../http/integers';
import { newWriteId } from '../ids';
import { presentMessage } from '../attachments/present';
import { messageCreated } from '../realtime/events';
import { fanOut, sessionAudience } from '../realtime/fanout';
import { appendToSession } from './append';
import { nextWindow } from './idempotency';
import { activeStore } from './ports';
import { storeSessionHead } from './store-session';
import { textField } from './text';
import { sessionView, type MessageView, type SessionView } from './views';

export const ratingBody = z.object({
  session_id: idField.nullish(),
  rating: integerField({ min: 1, max: 5, range: 'Must be an integer from 1 to 5' }),
  comment: textField(1000).nullish(),
});

export type RatingBody = z.infer<typeof ratingBody>;

const rule = (current: Entry | undefined) => {
  if (!current) throw new NotFoundError('Session not found');
  if (current.session.status !== 'closed') throw new ConflictError('Only a closed session can be rated');
  if (current.session.rated) throw new ConflictError('Session already rated');
};

/**
 * The store rates a closed session, once. The rating is a message in the
 * session's log, so two racing ratings meet at the conditional put and the
 * second sees `rated` and gets 409. Its status follows README "Message
 * status": `delivered` when an eligible admin is online. A closed session
 * keeps its admin_id, so the eligible admin is the one who had it, or any
 * admin if it was never claimed: the same audience the rating is pushed to.
 */
export async function rateSession(deps: Deps, storeId: number, body: RatingBody): Promise<{ session: SessionView; message: MessageView }> {
  const store = await activeStore(deps, storeId);
  const sessionId = body.session_id ?? store.active_session_id;
  if (sessionId === undefined) throw new NotFoundError('Session not found');
  const head = await storeSessionHead(deps, storeId, sessionId);
  rule(head);
  const writeId = newWriteId();
  const audiences = new Map<number | null, Promise<Connection[]>>();
  const audienceFor = (adminId: number | null) => {
    let found = audiences.get(adminId);
    if (!found) audiences.set(adminId, (found = sessionAudience(deps, adminId)));
    return found;
  };
  const appended = await appendToSession(chatTableRef(deps), sessionId, head, async (current) => {
    rule(current);
    const last = current!;
    const created = isoTime(Math.max(deps.clock.now(), Date.parse(last.created)));
    const seq = last.seq + 1;
    const id = messageId(sessionId, seq);
    return {
      seq,
      id,
      session: { ...last.session, updated: created, rated: true },
      sender_type: 'store',
      sender_id: storeId,
      type: 'rating',
      rating: body.rating,
      content: body.comment ?? '',
      attachment_url: '',
      attachment_type: '',
      recent: nextWindow(last.recent, undefined, id),
      delivery: (await audienceFor(last.session.admin_id)).length > 0 ? 'delivered' : 'sent',
      created,
      write_id: writeId,
    };
  });
  const view = await presentMessage(deps, appended.entry, { audience: 'store' });
  await Promise.all([
    syncInbox(chatTableRef(deps), appended.entry, appended.previous).catch((error: unknown) => deps.log.warn('inbox update failed', { error })),
    audienceFor(appended.entry.session.admin_id).then((recipients) => fanOut(deps, recipients, messageCreated(appended.entry, view))),
  ]);
  return { session: sessionView(appended.entry.session), message: view };
}
