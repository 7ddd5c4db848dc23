import * as z from '../../lib/validation';
import { markRead } from '../../lib/chat/mark-read';
import { readSessionHead } from '../../lib/chat/session-events';
import { requireNotClaimedByOther } from '../../lib/chat/session-rules';
import { defaultDeps, type DepsSource } from '../../lib/deps';
import { routes } from '../../lib/routes';
import { idField } from '../../lib/ws/fields';
import { wsAction } from '../../lib/ws/route';

export const readFrame = z.object({ session_id: idField, up_to_id: idField });

/** {"action": "read", "request_id": "...", "session_id": 1, "up_to_id": 1000004}: store messages read up to that id. */
export const makeHandler = (deps: DepsSource = defaultDeps) =>
  wsAction(routes.wsRead, deps, readFrame, async ({ deps, principal, input }) => {
    const head = await readSessionHead(deps, input.session_id);
    requireNotClaimedByOther(head.session, principal.id);
    return { ...(await markRead(deps, head, { type: 'admin', id: principal.id }, input.up_to_id, 'Invalid frame')) };
  });

export const handler = makeHandler();
