import { adminMe } from '../../lib/chat/admins';
import { defaultDeps, type DepsSource } from '../../lib/deps';
import { httpRoute } from '../../lib/http/route';
import { routes } from '../../lib/routes';

/** GET /v1/chat/admin/me/ */
export const makeHandler = (deps: DepsSource = defaultDeps) => httpRoute(routes.adminGetMe, deps, ({ deps, principal }) => adminMe(deps, principal.id));

export const handler = makeHandler();
