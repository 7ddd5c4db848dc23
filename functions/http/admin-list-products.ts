import * as z from '../../lib/validation';
import { listProducts } from '../../lib/chat/catalog';
import { defaultDeps, type DepsSource } from '../../lib/deps';
import { cursorText } from '../../lib/http/cursor';
import { pageLimit, parseQuery, pathId } from '../../lib/http/params';
import { httpRoute } from '../../lib/http/route';
import { routes } from '../../lib/routes';

export const query = z.object({ limit: pageLimit(20, 100), cursor: z.optional(cursorText) });

/** GET /v1/chat/admin/stores/{store_id}/products/?limit=&cursor= */
export const makeHandler = (deps: DepsSource = defaultDeps) =>
  httpRoute(routes.adminListProducts, deps, ({ deps, event }) => {
    const { limit, cursor } = parseQuery(event, query);
    return listProducts(deps, pathId(event, 'store_id'), limit, cursor);
  });

export const handler = makeHandler();
