import { atIndex, batchDrafts, storeBatchEnvelope } from '../../lib/chat/drafts';
import { storeTarget } from '../../lib/chat/session-target';
import { postMessages } from '../../lib/chat/post-messages';
import { defaultDeps, type DepsSource } from '../../lib/deps';
import { parseJsonBody } from '../../lib/http/request';
import { httpRoute } from '../../lib/http/route';
import { routes } from '../../lib/routes';

/**
 * POST /v1/chat/store/messages/ {"messages": [...]}: a batch, as an app flushing its offline queue (README "Send Messages").
 * Every item is checked, and one answer names every failing item and field (README "Send Messages (Store, batch)").
 */
export const makeHandler = (deps: DepsSource = defaultDeps) =>
  httpRoute(routes.storeSendMessages, deps, async ({ deps, principal, event }) => {
    const { drafts, errors } = batchDrafts(parseJsonBody(event, storeBatchEnvelope).messages);
    return postMessages(deps, principal, drafts, storeTarget(deps, principal.id), { errorAt: atIndex, refused: errors });
  });

export const handler = makeHandler();
