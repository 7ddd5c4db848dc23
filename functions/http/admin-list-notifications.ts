import * as z from '../../lib/validation';
import { listNotifications } from '../../lib/chat/notifications';
import { defaultDeps, type DepsSource } from '../../lib/deps';
import { cursorText } from '../../lib/http/cursor';
import { pageLimit, parseQuery } from '../../lib/http/params';
import { httpRoute } from '../../lib/http/route';
import { routes } from '../../lib/routes';

export const query = z.object({ limit: pageLimit(20, 100), cursor: z.optional(cursorText) });

/** GET /v1/chat/admin/notifications/?limit=&cursor= */
export const makeHandler = (deps: DepsSource = defaultDeps) =>
  httpRoute(routes.adminListNotifications, deps, ({ deps, principal, event }) => {
    const { limit, cursor } = parseQuery(event, query);
    return listNotifications(deps, principal.id, limit, cursor);
  });

export const handler = makeHandler();
