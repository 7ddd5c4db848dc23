import { sendAdminMessage } from '../../lib/chat/admin-reply';
import { storeMessageBody, toMessageInput } from '../../lib/chat/store-message-input';
import { defaultDeps, type DepsSource } from '../../lib/deps';
import { routes } from '../../lib/routes';
import { idField } from '../../lib/ws/fields';
import { wsAction } from '../../lib/ws/route';

/** Seed 000's message fields, plus the session to reply in. */
const sendFrame = storeMessageBody.extend({ session_id: idField });

/** {"action": "send", "request_id": "...", "session_id": 1, "content": "Hi, how can I help?"} */
export const makeHandler = (deps: DepsSource = defaultDeps) =>
  wsAction(routes.wsSend, deps, sendFrame, async ({ deps, principal, input }) => ({
    ...(await sendAdminMessage(deps, principal.id, input.session_id, toMessageInput(input))),
  }));

export const handler = makeHandler();
