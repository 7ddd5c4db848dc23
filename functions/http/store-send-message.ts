import { singleDraft, storeMessageFields } from '../../lib/chat/drafts';
import { storeTarget } from '../../lib/chat/session-target';
import { postMessages } from '../../lib/chat/post-messages';
import { defaultDeps, type DepsSource } from '../../lib/deps';
import { parseJsonBody } from '../../lib/http/request';
import { httpRoute } from '../../lib/http/route';
import { routes } from '../../lib/routes';

/** POST /v1/chat/store/message/ (README "Send Message (Store)"). */
export const makeHandler = (deps: DepsSource = defaultDeps) =>
  httpRoute(routes.storeSendMessage, deps, async ({ deps, principal, event }) => {
    const draft = singleDraft(parseJsonBody(event, storeMessageFields));
    const { session, messages } = await postMessages(deps, principal, [draft], storeTarget(deps, principal.id), { errorAt: (_index, error) => error });
    return { session, message: messages[0] };
  });

export const handler = makeHandler();
