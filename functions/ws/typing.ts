import * as z from '../../lib/validation';
import { readSessionHead } from '../../lib/chat/session-events';
import { requireNotClaimedByOther } from '../../lib/chat/session-rules';
import { defaultDeps, type DepsSource } from '../../lib/deps';
import { ConflictError } from '../../lib/errors';
import { fanOut, sessionAudience } from '../../lib/realtime/fanout';
import { routes } from '../../lib/routes';
import { idField } from '../../lib/ws/fields';
import { wsAction } from '../../lib/ws/route';

const typingFrame = z.object({ session_id: idField, is_typing: z._default(z.boolean({ error: 'Must be true or false' }), true) });

/** {"action": "typing", "session_id": 1, "is_typing": true}: relayed to the session's other admins, never stored. */
export const makeHandler = (deps: DepsSource = defaultDeps) =>
  wsAction(routes.wsTyping, deps, typingFrame, async ({ deps, principal, input, connectionId }) => {
    const head = await readSessionHead(deps, input.session_id);
    if (head.session.status === 'closed') throw new ConflictError('Session is closed');
    requireNotClaimedByOther(head.session, principal.id);
    const others = (await sessionAudience(deps, head.session.admin_id)).filter((c) => c.connection_id !== connectionId);
    await fanOut(deps, others, { type: 'typing', session_id: input.session_id, admin_id: principal.id, is_typing: input.is_typing });
    return { session_id: input.session_id, is_typing: input.is_typing };
  });

export const handler = makeHandler();
