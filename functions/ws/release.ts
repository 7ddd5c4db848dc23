import { changeSession } from '../../lib/chat/session-events';
import { release } from '../../lib/chat/session-rules';
import { sessionView } from '../../lib/chat/views';
import { defaultDeps, type DepsSource } from '../../lib/deps';
import { routes } from '../../lib/routes';
import { sessionFrame } from '../../lib/ws/fields';
import { wsAction } from '../../lib/ws/route';

/** {"action": "release", "request_id": "...", "session_id": 1} */
export const makeHandler = (deps: DepsSource = defaultDeps) =>
  wsAction(routes.wsRelease, deps, sessionFrame, async ({ deps, principal, input }) => ({
    session: sessionView((await changeSession(deps, principal.id, input.session_id, release)).entry.session),
  }));

export const handler = makeHandler();
