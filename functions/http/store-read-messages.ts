import * as z from '../../lib/validation';
import { markRead } from '../../lib/chat/mark-read';
import { storeSessionHead } from '../../lib/chat/store-session';
import { defaultDeps, type DepsSource } from '../../lib/deps';
import { splitMessageId } from '../../lib/entities/session';
import { NotFoundError } from '../../lib/errors';
import { parseJsonBody } from '../../lib/http/request';
import { httpRoute } from '../../lib/http/route';
import { routes } from '../../lib/routes';
import { idField } from '../../lib/ws/fields';

export const body = z.object({ up_to_id: idField });

/** POST /v1/chat/store/messages/read/ {"up_to_id": 1000004}: admin messages read up to that id. */
export const makeHandler = (deps: DepsSource = defaultDeps) =>
  httpRoute(routes.storeReadMessages, deps, async ({ deps, principal, event }) => {
    const { up_to_id: upToId } = parseJsonBody(event, body);
    const head = await storeSessionHead(deps, principal.id, splitMessageId(upToId).sessionId).catch((error: unknown) => {
      throw error instanceof NotFoundError ? new NotFoundError('Message not found') : error;
    });
    if (!head) throw new NotFoundError('Message not found');
    return markRead(deps, head, { type: 'store', id: principal.id }, upToId, 'Invalid request body');
  });

export const handler = makeHandler();
