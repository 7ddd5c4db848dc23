import { historyQuery, readHistory } from '../../lib/chat/history';
import { readSessionHead } from '../../lib/chat/session-events';
import { defaultDeps, type DepsSource } from '../../lib/deps';
import { parseQuery, pathId } from '../../lib/http/params';
import { httpRoute } from '../../lib/http/route';
import { routes } from '../../lib/routes';

/** GET /v1/chat/admin/sessions/{session_id}/messages/?after=|before=&limit= */
export const makeHandler = (deps: DepsSource = defaultDeps) =>
  httpRoute(routes.adminListMessages, deps, async ({ deps, principal, event }) => {
    const { limit, ...cursor } = parseQuery(event, historyQuery);
    const head = await readSessionHead(deps, pathId(event, 'session_id'));
    // Only an admin the messages are meant for makes them "delivered" by reading them.
    const eligible = head.session.admin_id === null || head.session.admin_id === principal.id;
    return readHistory(deps, head, { side: 'admin', marksDelivered: eligible }, cursor, limit);
  });

export const handler = makeHandler();
