import { singleDraft, storeMessageFields } from '../../lib/chat/drafts';
import { storePort } from '../../lib/chat/ports';
import { postMessages } from '../../lib/chat/post-messages';
import { defaultDeps, type DepsSource } from '../../lib/deps';
import { parseJsonBody } from '../../lib/http/request';
import { httpRoute } from '../../lib/http/route';
import { routes } from '../../lib/routes';

/** POST /v1/chat/store/message/ (seed 000). */
export const makeHandler = (deps: DepsSource = defaultDeps) =>
  httpRoute(routes.storeSendMessage, deps, async ({ deps, principal, event }) => {
    const draft = singleDraft(parseJsonBody(event, storeMessageFields));
    const { session, messages } = await postMessages(deps, principal, [draft], storePort(deps, principal.id), { errorAt: (_index, error) => error });
    return { session, message: messages[0] };
  });

export const handler = makeHandler();
