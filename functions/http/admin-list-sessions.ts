import * as z from '../../lib/validation';
import { listSessions } from '../../lib/chat/inbox-view';
import { defaultDeps, type DepsSource } from '../../lib/deps';
import { cursorText } from '../../lib/http/cursor';
import { pageLimit, parseQuery } from '../../lib/http/params';
import { httpRoute } from '../../lib/http/route';
import { routes } from '../../lib/routes';

export const query = z.object({
  state: z._default(z.enum(['unclaimed', 'mine', 'open', 'closed'], { error: 'Must be unclaimed, mine, open or closed' }), 'open'),
  limit: pageLimit(20, 100),
  cursor: z.optional(cursorText),
});

/** GET /v1/chat/admin/sessions/?state=unclaimed|mine|open|closed&limit=&cursor= */
export const makeHandler = (deps: DepsSource = defaultDeps) =>
  httpRoute(routes.adminListSessions, deps, ({ deps, principal, event }) => {
    const { state, limit, cursor } = parseQuery(event, query);
    return listSessions(deps, principal.id, state, limit, cursor);
  });

export const handler = makeHandler();
