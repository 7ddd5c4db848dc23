import { defaultDeps, resolveDeps, type DepsSource } from '../../lib/deps';
import { NotFoundError } from '../../lib/errors';
import { routes } from '../../lib/routes';
import { errorFrame, reply, type WsEvent, type WsResponse } from '../../lib/ws/route';

/** Frames whose "action" matches no route: answer with an error frame instead of silence. */
export const makeHandler =
  (source: DepsSource = defaultDeps) =>
  (event: WsEvent): Promise<WsResponse> => {
    const log = resolveDeps(source).log.child({ route: routes.wsDefault.name });
    let action: string | null = null;
    let requestId: string | null = null;
    try {
      const frame: unknown = JSON.parse(event.body ?? '');
      if (typeof frame === 'object' && frame !== null) {
        const { action: a, request_id: r } = frame as Record<string, unknown>;
        if (typeof a === 'string' && a.length <= 64) action = a;
        if (typeof r === 'string' && r.length <= 128) requestId = r;
      }
    } catch {
      // Not JSON: the error frame below says what is expected.
    }
    const message = action === null ? 'Frames must be JSON objects with an "action"' : `Unknown action: ${action}`;
    return Promise.resolve(reply(errorFrame(new NotFoundError(message), action, requestId, log)));
  };

export const handler = makeHandler();
