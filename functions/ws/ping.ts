import * as z from '../../lib/validation';
import { isoTime } from '../../lib/clock';
import { defaultDeps, type DepsSource } from '../../lib/deps';
import { routes } from '../../lib/routes';
import { wsAction } from '../../lib/ws/route';

export const frame = z.object({});

/**
 * {"action": "ping", "request_id": "..."}. API Gateway closes a socket after
 * 10 idle minutes; a client frame every few minutes keeps it open.
 */
export const makeHandler = (deps: DepsSource = defaultDeps) =>
  wsAction(routes.wsPing, deps, frame, ({ deps }) => Promise.resolve({ time: isoTime(deps.clock.now()) }));

export const handler = makeHandler();
