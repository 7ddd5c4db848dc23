import { readNotification } from '../../lib/chat/notifications';
import { defaultDeps, type DepsSource } from '../../lib/deps';
import { pathId } from '../../lib/http/params';
import { httpRoute } from '../../lib/http/route';
import { routes } from '../../lib/routes';

/** POST /v1/chat/admin/notifications/{session_id}/read/ */
export const makeHandler = (deps: DepsSource = defaultDeps) =>
  httpRoute(routes.adminReadNotification, deps, ({ deps, principal, event }) => readNotification(deps, principal.id, pathId(event, 'session_id')));

export const handler = makeHandler();
