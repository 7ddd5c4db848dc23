import * as z from '../../lib/validation';
import { setStoreBlocked } from '../../lib/chat/blocking';
import { defaultDeps, type DepsSource } from '../../lib/deps';
import { routes } from '../../lib/routes';
import { idField } from '../../lib/ws/fields';
import { wsAction } from '../../lib/ws/route';

export const frame = z.object({ store_id: idField });

/** {"action": "unblock", "request_id": "...", "store_id": 5} */
export const makeHandler = (deps: DepsSource = defaultDeps) =>
  wsAction(routes.wsUnblock, deps, frame, ({ deps, principal, input }) => setStoreBlocked(deps, principal.id, input.store_id, false));

export const handler = makeHandler();
