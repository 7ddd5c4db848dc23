import * as z from '../validation';
import { chatTableRef, type Deps } from '../deps';
import { syncInbox } from '../entities/inbox';
import { NotFoundError } from '../errors';
import { idField, integerField } from '../http/integers';
import { presentMessage } from '../attachments/present';
import { messageCreated } from '../realtime/events';
import { audienceCache, fanOut } from '../realtime/fanout';
import { appendToLog, refuse, write, type Refuse, type Write } from './session-log';
import { ratingRefusal } from './session-rules';
import { activeStore } from './session-target';
import { storeSessionHead } from './store-session';
import { textField } from './text';
import { sessionView, type MessageView, type SessionView } from './views';

export const ratingBody = z.object({
  session_id: z.nullish(idField),
  rating: integerField({ min: 1, max: 5, range: 'Must be an integer from 1 to 5' }),
  comment: z.nullish(textField(1000)),
});

export type RatingBody = z.infer<typeof ratingBody>;

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
  const refusal = ratingRefusal(head);
  if (refusal) throw refusal;
  // One read for the status and the push, read again at either use once older than 1 s (audienceCache).
  const audienceFor = audienceCache(deps);
  const appended = await appendToLog(deps, { sessionId, head }, async (current, next): Promise<Write | Refuse> => {
    const refused = ratingRefusal(current);
    if (refused) return refuse(refused);
    return write({
      sender: { sender_type: 'store', sender_id: storeId },
      body: {
        type: 'rating',
        rating: body.rating,
        content: body.comment ?? '',
        attachment_url: '',
        attachment_type: '',
        delivery: (await audienceFor.admins(next.session.admin_id)).length > 0 ? 'delivered' : 'sent',
      },
      change: { rated: true },
    });
  });
  const view = await presentMessage(deps, appended.entry, { audience: 'store' });
  await Promise.all([
    syncInbox(chatTableRef(deps), appended.entry, appended.previous).catch((error: unknown) => deps.log.warn('inbox update failed', { error })),
    audienceFor.admins(appended.entry.session.admin_id).then((recipients) => fanOut(deps, recipients, messageCreated(appended.entry, view))),
  ]);
  return { session: sessionView(appended.entry.session), message: view };
}
