import { storeSessionHead } from '../../lib/chat/store-session';
import { sessionView } from '../../lib/chat/views';
import { defaultDeps, type DepsSource } from '../../lib/deps';
import { httpRoute } from '../../lib/http/route';
import { routes } from '../../lib/routes';

/** GET /v1/chat/store/session/: the store's current session, or null before its first message. */
export const makeHandler = (deps: DepsSource = defaultDeps) =>
  httpRoute(routes.storeGetSession, deps, async ({ deps, principal }) => {
    const head = await storeSessionHead(deps, principal.id);
    return { session: head ? sessionView(head.session) : null };
  });

export const handler = makeHandler();
