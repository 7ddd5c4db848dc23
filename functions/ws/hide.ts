import * as z from '../../lib/validation';
import { setHidden } from '../../lib/chat/moderation';
import { defaultDeps, type DepsSource } from '../../lib/deps';
import { routes } from '../../lib/routes';
import { idField } from '../../lib/ws/fields';
import { wsAction } from '../../lib/ws/route';

export const frame = z.object({ message_id: idField });

/** {"action": "hide", "request_id": "...", "message_id": 1000004} */
export const makeHandler = (deps: DepsSource = defaultDeps) =>
  wsAction(routes.wsHide, deps, frame, ({ deps, principal, input }) => setHidden(deps, principal.id, input.message_id, true));

export const handler = makeHandler();
