import { readAllNotifications } from '../../lib/chat/notifications';
import { defaultDeps, type DepsSource } from '../../lib/deps';
import { httpRoute } from '../../lib/http/route';
import { routes } from '../../lib/routes';

/** POST /v1/chat/admin/notifications/read/ */
export const makeHandler = (deps: DepsSource = defaultDeps) =>
  httpRoute(routes.adminReadAllNotifications, deps, ({ deps, principal }) => readAllNotifications(deps, principal.id));

export const handler = makeHandler();
