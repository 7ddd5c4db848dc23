import { historyFields, oneDirection, readHistory } from '../../lib/chat/history';
import { storeSessionHead } from '../../lib/chat/store-session';
import { defaultDeps, type DepsSource } from '../../lib/deps';
import { parseQuery, queryId } from '../../lib/http/params';
import { httpRoute } from '../../lib/http/route';
import { routes } from '../../lib/routes';
import * as z from '../../lib/validation';

/** session_id picks an earlier session of the same store; by default, the current one. */
export const query = z.extend(historyFields, { session_id: z.optional(queryId) }).check(z.refine(...oneDirection));

/** GET /v1/chat/store/messages/?after=|before=&limit=&session_id= */
export const makeHandler = (deps: DepsSource = defaultDeps) =>
  httpRoute(routes.storeListMessages, deps, async ({ deps, principal, event }) => {
    const { limit, session_id: sessionId, ...cursor } = parseQuery(event, query);
    const head = await storeSessionHead(deps, principal.id, sessionId);
    if (!head) return { session: null, messages: [], has_more: false };
    return readHistory(deps, head, { side: 'store', marksDelivered: true }, cursor, limit);
  });

export const handler = makeHandler();
