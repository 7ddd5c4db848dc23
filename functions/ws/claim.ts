import { z } from 'zod';
import { claimSession } from '../../lib/chat/claim-session';
import { defaultDeps, type DepsSource } from '../../lib/deps';
import { routes } from '../../lib/routes';
import { wsAction } from '../../lib/ws/route';

const claimFrame = z.object({
  session_id: z.number({ error: 'Must be an integer' }).int('Must be an integer').positive('Must be positive'),
});

/** {"action": "claim", "request_id": "...", "session_id": 1} */
export const makeHandler = (deps: DepsSource = defaultDeps) =>
  wsAction(routes.wsClaim, deps, claimFrame, ({ deps, principal, input }) => claimSession(deps, principal.id, input.session_id));

export const handler = makeHandler();
