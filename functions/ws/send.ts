import { adminSendFrame, singleDraft } from '../../lib/chat/drafts';
import { adminTarget } from '../../lib/chat/session-target';
import { postMessages } from '../../lib/chat/post-messages';
import { defaultDeps, type DepsSource } from '../../lib/deps';
import { routes } from '../../lib/routes';
import { wsAction } from '../../lib/ws/route';

/** {"action": "send", "request_id": "...", "session_id": 1, "content": "Hi, how can I help?"} */
export const makeHandler = (deps: DepsSource = defaultDeps) =>
  wsAction(routes.wsSend, deps, adminSendFrame, async ({ deps, principal, input }) => {
    const { session, messages } = await postMessages(deps, principal, [singleDraft(input)], adminTarget(deps, principal.id, input.session_id), {
      errorAt: (_index, error) => error,
    });
    return { session, message: messages[0] };
  });

export const handler = makeHandler();
