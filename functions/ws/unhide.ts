import * as z from '../../lib/validation';
import { setHidden } from '../../lib/chat/moderation';
import { defaultDeps, type DepsSource } from '../../lib/deps';
import { routes } from '../../lib/routes';
import { idField } from '../../lib/ws/fields';
import { wsAction } from '../../lib/ws/route';

export const frame = z.object({ message_id: idField });

/** {"action": "unhide", "request_id": "...", "message_id": 1000004} */
export const makeHandler = (deps: DepsSource = defaultDeps) =>
  wsAction(routes.wsUnhide, deps, frame, ({ deps, principal, input }) => setHidden(deps, principal.id, input.message_id, false));

export const handler = makeHandler();
