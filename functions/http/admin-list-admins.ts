import { listAdmins } from '../../lib/chat/admins';
import { defaultDeps, type DepsSource } from '../../lib/deps';
import { httpRoute } from '../../lib/http/route';
import { routes } from '../../lib/routes';

/** GET /v1/chat/admin/admins/ */
export const makeHandler = (deps: DepsSource = defaultDeps) => httpRoute(routes.adminListAdmins, deps, ({ deps }) => listAdmins(deps));

export const handler = makeHandler();
