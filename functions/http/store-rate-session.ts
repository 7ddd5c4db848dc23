import { rateSession, ratingBody } from '../../lib/chat/rating';
import { defaultDeps, type DepsSource } from '../../lib/deps';
import { parseJsonBody } from '../../lib/http/request';
import { httpRoute } from '../../lib/http/route';
import { routes } from '../../lib/routes';

/** POST /v1/chat/store/rating/ {"session_id": 7, "rating": 5, "comment": "Quick and kind"} */
export const makeHandler = (deps: DepsSource = defaultDeps) =>
  httpRoute(routes.storeRateSession, deps, ({ deps, principal, event }) => rateSession(deps, principal.id, parseJsonBody(event, ratingBody)));

export const handler = makeHandler();
