import * as z from '../../lib/validation';
import { readSessionHead } from '../../lib/chat/session-events';
import { requireNotClaimedByOther } from '../../lib/chat/session-rules';
import { storeSessionHead } from '../../lib/chat/store-session';
import { defaultDeps, type DepsSource } from '../../lib/deps';
import type { Entry } from '../../lib/entities/session';
import { ConflictError, NotFoundError } from '../../lib/errors';
import { fanOut, sessionAudience, storeAudience } from '../../lib/realtime/fanout';
import { routes } from '../../lib/routes';
import { idField } from '../../lib/ws/fields';
import { wsAction } from '../../lib/ws/route';

export const typingFrame = z.object({ session_id: idField, is_typing: z._default(z.boolean({ error: 'Must be true or false' }), true) });

/**
 * {"action": "typing", "session_id": 1, "is_typing": true}: relayed, never
 * stored. An admin's goes to the session's other admins and to its store; a
 * store's (its own session only; another's is "not found") to the session's
 * admins: the assignee once claimed, every admin while unclaimed (seed 000's
 * rule). README "Admin WebSocket", "Store WebSocket".
 */
export const makeHandler = (deps: DepsSource = defaultDeps) =>
  wsAction(routes.wsTyping, deps, typingFrame, async ({ deps, principal, input, connectionId }) => {
    let head: Entry | undefined;
    if (principal.kind === 'store') {
      head = await storeSessionHead(deps, principal.id, input.session_id);
      if (!head) throw new NotFoundError('Session not found');
    } else {
      head = await readSessionHead(deps, input.session_id);
    }
    if (head.session.status === 'closed') throw new ConflictError('Session is closed');
    if (principal.kind === 'store') {
      await fanOut(deps, await sessionAudience(deps, head.session.admin_id), {
        type: 'typing',
        session_id: input.session_id,
        store_id: principal.id,
        is_typing: input.is_typing,
      });
    } else {
      requireNotClaimedByOther(head.session, principal.id);
      const [admins, store] = await Promise.all([sessionAudience(deps, head.session.admin_id), storeAudience(deps, head.session.store_id)]);
      const others = admins.filter((c) => c.connection_id !== connectionId);
      await fanOut(deps, [...others, ...store], { type: 'typing', session_id: input.session_id, admin_id: principal.id, is_typing: input.is_typing });
    }
    return { session_id: input.session_id, is_typing: input.is_typing };
  });

export const handler = makeHandler();
