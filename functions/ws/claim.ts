import { changeSession } from '../../lib/chat/session-events';
import { claim } from '../../lib/chat/session-rules';
import { sessionView } from '../../lib/chat/views';
import { defaultDeps, type DepsSource } from '../../lib/deps';
import { routes } from '../../lib/routes';
import { sessionFrame } from '../../lib/ws/fields';
import { wsAction } from '../../lib/ws/route';

/** {"action": "claim", "request_id": "...", "session_id": 1} */
export const makeHandler = (deps: DepsSource = defaultDeps) =>
  wsAction(routes.wsClaim, deps, sessionFrame, async ({ deps, principal, input }) => ({
    session: sessionView((await changeSession(deps, principal.id, input.session_id, claim)).entry.session),
  }));

export const handler = makeHandler();
