import * as z from '../../lib/validation';
import { changeSession } from '../../lib/chat/session-events';
import { transferTo } from '../../lib/chat/session-rules';
import { sessionView } from '../../lib/chat/views';
import { chatTableRef, defaultDeps, type DepsSource } from '../../lib/deps';
import { getPrincipal } from '../../lib/entities/principal';
import { BadRequestError, NotFoundError } from '../../lib/errors';
import { routes } from '../../lib/routes';
import { idField } from '../../lib/ws/fields';
import { wsAction } from '../../lib/ws/route';

export const transferFrame = z.object({ session_id: idField, admin_id: idField });

/** {"action": "transfer", "request_id": "...", "session_id": 1, "admin_id": 2} */
export const makeHandler = (deps: DepsSource = defaultDeps) =>
  wsAction(routes.wsTransfer, deps, transferFrame, async ({ deps, principal, input }) => {
    if (input.admin_id === principal.id) throw new BadRequestError('Invalid frame', { admin_id: ['Cannot transfer a session to yourself'] });
    if (!(await getPrincipal(chatTableRef(deps), 'admin', input.admin_id))) throw new NotFoundError('Admin not found');
    const { entry } = await changeSession(deps, principal.id, input.session_id, transferTo(input.admin_id));
    return { session: sessionView(entry.session) };
  });

export const handler = makeHandler();
